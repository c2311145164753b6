"""``edgesnn run``: raw inference of an artifact on a ``[T, B, …]`` .npy input."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app
from ._common import DT_OPTION, JSON_OPTION, RESET_OPTION, emit_json


@app.command()
def run(
    artifact: Path = typer.Argument(
        ..., help="model.nir, model.onnx, an export directory, model.net (Lava) or a bundle .zip."
    ),
    input: list[str] = typer.Option(
        ...,
        "--input",
        "-i",
        help=".npy array [T, B, *features] float32 (bundles: raw samples "
        ".npy/.csv); a multimodal model takes one NAME=PATH per input, e.g. "
        "--input image=a.npy --input audio=b.npy.",
    ),
    output: Path = typer.Option(None, "--output", "-o", help="Where to write the output .npy [T, B, n]."),
    target: str = typer.Option(
        None, "--target", "-t", help="Target whose runtime settings to use (default: from the artifact)."
    ),
    reset: str = RESET_OPTION,
    dt: float = DT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Run an artifact on its runtime: .nir on the reference simulator, .onnx on ONNX Runtime
    (the stepwise form is looped over T), Lava artifacts in Lava."""
    from ..errors import UsageError
    from ..io import atomic_write_bytes, check_writable_file

    if artifact.suffix == ".zip":  # an edge bundle: the torch-free runner
        from ..runner import cli_run
        from ..runner.inputs import parse_inputs

        for name, value in (("--output", output), ("--target", target), ("--reset", reset), ("--dt", dt)):
            if value is not None:
                raise UsageError(
                    f"{name} does not apply to a bundle (it prints classes and counts); drop it, or run "
                    "the export directory the bundle was made from"
                )
        raise typer.Exit(cli_run(artifact, parse_inputs(input), as_json))
    import numpy as np

    from ..run import run_artifact

    if output is not None:
        check_writable_file(output)

    result = run_artifact(artifact, input, target, reset=reset, dt=dt)
    if output is not None:
        import io

        buf = io.BytesIO()
        np.save(buf, result.output.astype(np.float32))
        atomic_write_bytes(output, buf.getvalue())
    summary = {
        "artifact": str(artifact),
        "output_shape": list(result.output.shape),
        "spikes": float(result.output.sum()),
        "wall_s": result.wall_s,
        "output": str(output) if output else None,
    }
    if as_json:
        return emit_json(summary)
    typer.echo(
        f"ran {artifact}: output {tuple(result.output.shape)}, {result.output.sum():.0f} spikes, "
        f"{result.wall_s * 1e3:.1f} ms" + (f"; wrote {output}" if output else "")
    )
