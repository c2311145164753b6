"""The runner's command line: ``python -m edgesnn.runner BUNDLE --input raw.csv [--json]``.

A multimodal bundle takes one ``--input NAME=PATH`` per input, e.g. ``--input image=a.npy
--input audio=b.npy`` (each file ``[N, *features]`` of that input, the same N); with
``--stream`` the time-series files hold one reading per row and the static ones (e.g. images)
one sample per window.

Also the body of ``edgesnn run BUNDLE.zip --input raw.npy|raw.csv`` (``cli_run``). Plain
argparse and print: no typer or rich on a device. Errors are one line on stderr, exit code
1 (bad bundle or input) or 3 (onnxruntime missing); ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import EdgeSNNError, UsageError


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.3g}"


def cli_run(bundle_path: str | Path, input_path: str | Path | dict, as_json: bool = False, stream: bool = False) -> int:
    """Predict every raw sample of ``input_path`` (.npy / .csv; a multimodal bundle: a dict input
    name -> path) with the bundle; print classes and per-class spike counts (JSON with
    ``as_json``). Raises EdgeSNNError on bad input; returns 0.

    ``stream``: replay the rows as a sensor stream through ``Bundle.stream()`` instead and print
    the decision at the end of every window.
    """
    from .bundle import Bundle
    from .inputs import check_names, load_inputs

    raw = load_inputs(input_path)
    with Bundle.open(bundle_path) as bundle:
        if bundle.inputs is not None:
            check_names(raw, bundle.feature_shape, "--input")
        if stream:
            frames = raw
            if bundle.inputs is not None:
                from .stream import series_frames

                frames = series_frames(bundle.pipeline, raw)
            results = [r for r in bundle.stream().run(frames) if r.done]
            out = {"bundle": str(bundle_path), "classes": bundle.classes, "windows": [r.to_dict() for r in results]}
            rows = [(i, r.decision, r.label, r.counts) for i, r in enumerate(results)]
        else:
            pred = bundle.predict(raw)
            out = {"bundle": str(bundle_path), "samples": len(pred.classes), **pred.to_dict()}
            rows = list(zip(range(len(pred.classes)), pred.classes, pred.labels, pred.counts))
    if as_json:
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0
    print(f"{'window' if stream else 'sample'}\tclass\tlabel\tspike counts per class ({', '.join(out['classes'])})")
    for i, c, label, counts in rows:
        print(f"{i}\t{int(c)}\t{label}\t{' '.join(_fmt(v) for v in counts)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m edgesnn.runner",
        description="Run an edgesnn bundle on raw sensor samples (numpy + onnxruntime only).",
    )
    parser.add_argument("bundle", nargs="?", help="bundle .zip made by `edgesnn package`")
    parser.add_argument(
        "--input",
        "-i",
        action="append",
        help="raw samples: .npy [N, *features] or .csv (one sample per row); a multimodal bundle: "
        "NAME=PATH once per input, e.g. --input image=a.npy --input audio=b.npy",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--stream", action="store_true", help="replay the rows as a sensor stream, frame by frame")
    parser.add_argument("--info", action="store_true", help="verify the bundle and print what it holds")
    parser.add_argument("--copy-to", metavar="DIR", help="copy the runner's source files into DIR and exit")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")

    def one_line_error(message: str):  # argparse prints a usage block and exits 2; the contract is one line, exit 1
        raise UsageError(f"{message}; see python -m edgesnn.runner --help")

    parser.error = one_line_error
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    try:
        if args.copy_to:
            from .deploy import copy_runner

            files = copy_runner(args.copy_to)
            print(
                f"copied {len(files)} files to {args.copy_to}; on the device: pip install numpy onnxruntime, "
                f"then PYTHONPATH={args.copy_to} python -m edgesnn.runner BUNDLE --input raw.csv"
            )
            return 0
        if not args.bundle:
            parser.error("give a bundle .zip (or --copy-to DIR)")
        if args.info:
            from .bundle import Bundle

            with Bundle.open(args.bundle) as bundle:
                info = bundle.info()
            print(json.dumps(info, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in info.items()))
            return 0
        if not args.input:
            parser.error("give --input raw.npy|raw.csv")
        from .inputs import parse_inputs

        return cli_run(args.bundle, parse_inputs(args.input), as_json=args.json, stream=args.stream)
    except BrokenPipeError:  # the reader (e.g. `| head`) went away: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except EdgeSNNError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
