"""``edgesnn package``: an export directory → one verified zip for an edge demo."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app
from ._common import JSON_OPTION, emit_json, table


@app.command()
def package(
    artifact: Path = typer.Argument(
        ..., help="Export directory made by `edgesnn export RUN --target onnx` (any export of a trained run works)."
    ),
    target: str = typer.Option(
        None,
        "--target",
        "-t",
        help="ONNX target to package for (onnx, onnx-cpu, cortex-m: int8 weights). Default: the export's.",
    ),
    out: Path = typer.Option(None, "--out", "-o", help="Bundle file (default: <export dir>-bundle.zip)."),
    unrolled: bool = typer.Option(
        False, "--unrolled", help="Also ship the unrolled ONNX form (x [T,B,…] in one call)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing bundle file."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Package a model for a device: stepwise ONNX, NIR graph, encoder and preprocessing (raw values
    in), classes, profile, target, evaluation report, README and a manifest with the sha256 of every
    member. int8 targets get quantised weights with the accuracy change measured by the runner."""
    from ..package import package as run_package

    result = run_package(artifact, target=target, out=out, unrolled=unrolled, force=force)
    m = result.manifest
    if as_json:
        return emit_json(
            {
                "out": str(result.out),
                "size_bytes": result.size_bytes,
                "members": result.members,
                "accuracy": m["accuracy"],
                "quantization": m["quantization"],
                "report": m["report"],
                "target": m["target"],
            }
        )
    acc, q = m["accuracy"], m["quantization"]
    rows = [
        ["target", m["target"]],
        ["bundle size (bytes)", result.size_bytes],
        ["members", len(result.members)],
        [f"runner accuracy on raw test split ({acc['samples']})", acc["runner"]],
        ["evaluation report accuracy", acc["report"] if acc["report"] is not None else "no report"],
    ]
    if "matches_report" in acc:
        rows.append(["runner == evaluator", acc["matches_report"]])
    if "matches_export" in q:
        rows += [
            ["model", f"{m['model']} ({q['scheme']} integers)"],
            ["model == export's artifact", q["matches_export"]],
        ]
    elif q["scheme"] != "none":
        rows += [
            ["quantisation", q["scheme"]],
            ["accuracy float → quantised", f"{q['accuracy_float']:.4f} → {q['accuracy_quantized']:.4f}"],
            ["accuracy change (pp)", q["delta_pp"]],
        ]
    table(f"bundle {result.out}", ["", "value"], rows)
    typer.echo(f"wrote {result.out}")
    typer.echo(
        f"next: edgesnn run {result.out} --input raw.csv   |   python -m edgesnn.runner {result.out} --input raw.csv"
    )
