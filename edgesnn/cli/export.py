"""``edgesnn export``: model → NIR → target artifact, with parity proven at export."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app
from ._common import DT_OPTION, JSON_OPTION, RESET_OPTION, emit_json, table


@app.command()
def export(
    model: Path = typer.Argument(
        None,
        help="Run directory / checkpoint.pt from 'edgesnn train', or any .nir file (Norse, Sinabs, Rockpool, snnTorch). Default: the latest run.",
    ),
    target: str = typer.Option(
        ...,
        "--target",
        "-t",
        help="A built-in target (see 'edgesnn targets': onnx, cortex-m, lava, loihi2…) or a target YAML; its backend may be a plug-in.",
    ),
    profile: str = typer.Option(None, "--profile", "-p", help="Profile whose dt_s to use when the model carries none."),
    form: str = typer.Option(
        None,
        "--form",
        help="For backends with a 'form' option (ONNX): unrolled ([T,B,…] in, [T,B,n] out; the default) or stepwise (one step, explicit states).",
    ),
    precision: str = typer.Option(
        None,
        "--precision",
        help="For backends with a 'precision' option (ONNX): float32 (the default: what a device runs, judged by the simulator in float32) or float64 (the simulator's float64 maths).",
    ),
    out: Path = typer.Option(None, "--out", "-o", help="Output directory (default: <run>/export-<target>)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing output directory."),
    reset: str = RESET_OPTION,
    dt: float = DT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Export through NIR to a target; run the artifact against the reference simulator and
    write model.nir, the target's artifact, parity.json and manifest.json (atomically)."""
    from ..config import load_target
    from ..errors import UsageError
    from ..export import export as run_export

    tgt = load_target(target)
    options = {k: v for k, v in (("form", form), ("precision", precision)) if v is not None}
    if options:
        from ..backends import backend_class

        settings = backend_class(tgt.backend).Settings
        for name in options:
            if name not in settings.model_fields:
                raise UsageError(
                    f"--{name} is an option of backends that offer it (ONNX); target '{tgt.name}' "
                    f"runs on {tgt.backend}, which has none: drop --{name}"
                )
    with _status(
        not as_json,
        f"exporting to {tgt.name}: writing the artifact, running it on {tgt.backend}, "
        "comparing with the reference simulator",
    ):
        result = run_export(model, target, profile=profile, out=out, force=force, reset=reset, dt=dt, **options)
    if as_json:
        return emit_json({"out": str(result.out), "files": result.files, "parity": result.parity})
    p = result.parity["vs_reference"]
    judge = f" ({result.parity['precision']})" if "precision" in result.parity else ""
    if "judge" in result.parity:
        judge = f" ({result.target.name} integer arithmetic)"
    rows = [
        [f"spike agreement vs reference{judge}", f"{p['spike_agreement']:.6f} ({p['mismatches']} mismatches)"],
        ["max |Δ| output", p["max_abs_diff"]],
    ]
    if "runtime_accuracy" in p:
        rows += [["accuracy runtime / reference", f"{p['runtime_accuracy']:.4f} / {p['reference_accuracy']:.4f}"]]
    if "vs_float_reference" in result.parity:  # judged by the chip's integer arithmetic: the float graph beside it
        f = result.parity["vs_float_reference"]
        rows += [["spike agreement vs float graph", f"{f['spike_agreement']:.6f} ({f['mismatches']} mismatches)"]]
        if "runtime_accuracy" in f:
            rows += [["accuracy float graph", f"{f['reference_accuracy']:.4f}"]]
    if "vs_torch" in result.parity:
        rows += [["spike agreement vs torch model", result.parity["vs_torch"]["spike_agreement"]]]
    table(
        f"exported to {result.target.name} ({result.parity['samples']} samples × {result.parity['timesteps']} steps)",
        ["parity", "value"],
        rows,
    )
    typer.echo(f"wrote {result.out}: {', '.join(result.files)}")
    typer.echo(f"next: edgesnn evaluate {result.out} --dataset <dataset>   |   edgesnn package {result.out}")


def _status(enabled: bool, message: str):
    """A spinner on stderr while the export runs (Lava takes seconds to minutes); silent under --json or a pipe."""
    import contextlib
    import sys

    if not (enabled and sys.stderr.isatty()):
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(message)
