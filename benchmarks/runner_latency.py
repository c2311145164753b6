"""The on-device runner against the same model in snnTorch: cold start, latency, size, footprint.

    .venv/bin/python benchmarks/runner_latency.py [--export DIR] [--samples 200] [--repeats 5]

Model: ``--export`` (an export directory of a trained run), or by default a digits MLP trained
for 2 epochs into a temporary folder (hidden 128, T = 25, rate encoding), exported to ONNX and
packaged. Measured in one run, single-threaded on both sides (onnxruntime intra-op threads = 1,
``torch.set_num_threads(1)``):

* cold start: a fresh interpreter that imports the runtime and loads the model (runner:
  ``Bundle.open`` = verify every checksum + extract + onnxruntime session; snnTorch:
  ``load_checkpoint``); wall time of the whole process and the import+load part inside it;
  best of ``--repeats``;
* per-sample latency at batch 1: raw sample → preprocessing → encoding → T steps → counts
  (both sides share the numpy preprocessing and encoding); median over ``--samples``;
* bundle size (bytes) and installed footprint: the files of numpy + onnxruntime and their
  required dependencies (``importlib.metadata``) against the whole ``.venv``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def prepare(export: Path | None, tmp: Path) -> tuple[Path, Path, Path]:
    """(run dir, export dir, bundle) — trained here when no export is given."""
    from edgesnn.package import package

    if export is None:
        from edgesnn.export import export as run_export
        from edgesnn.train import train

        train("digits", "wearable", target="onnx", epochs=2, seed=0, ann_twin=False, out=tmp / "run", progress=False)
        export = run_export(tmp / "run", "onnx", out=tmp / "export").out
    run = Path(json.loads((export / "manifest.json").read_text())["source"])
    bundle = package(export, out=tmp / "bundle.zip").out
    return run, export, bundle


COLD = {
    "runner": "from edgesnn.runner import Bundle\nm = Bundle.open({bundle!r})",
    "snntorch": "import torch\ntorch.set_num_threads(1)\nfrom edgesnn.train import load_checkpoint\nm = load_checkpoint({run!r}).model",
}


def cold_start(kind: str, repeats: int, **paths) -> tuple[float, float]:
    """(best process wall s, best import+load s) over fresh interpreters."""
    code = "import time\nt0 = time.perf_counter()\n" + COLD[kind].format(**paths) + "\nprint(time.perf_counter() - t0)"
    walls, inner = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
        walls.append(time.perf_counter() - start)
        inner.append(float(out.stdout.strip().splitlines()[-1]))
    return min(walls), min(inner)


def latency(bundle_path: Path, run: Path, raw: np.ndarray) -> tuple[float, float, float]:
    """Median seconds per sample at batch 1: (runner, snnTorch, agreement of their classes)."""
    import torch

    from edgesnn.models import run_snn
    from edgesnn.runner import Bundle
    from edgesnn.train import load_checkpoint

    torch.set_num_threads(1)
    model = load_checkpoint(run).model.eval()
    bundle = Bundle.open(bundle_path)
    p = bundle.pipeline
    r_times, t_times, agree = [], [], 0
    for sample in raw:
        start = time.perf_counter()
        ours = bundle.predict(sample[None]).classes[0]
        r_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        x = p.encode(sample[None])
        with torch.no_grad():
            y = run_snn(model, torch.from_numpy(x)).numpy()
        theirs = p.counts(y).argmax(-1)[0]
        t_times.append(time.perf_counter() - start)
        agree += int(ours == theirs)
    bundle.close()
    return float(np.median(r_times)), float(np.median(t_times)), agree / len(raw)


def dist_bytes(name: str, seen: set[str]) -> int:
    """Installed bytes of a distribution and its (non-extra) requirements, each counted once."""
    key = name.lower().replace("_", "-")
    if key in seen:
        return 0
    seen.add(key)
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return 0
    total = sum(os.path.getsize(dist.locate_file(f)) for f in dist.files or [] if os.path.isfile(dist.locate_file(f)))
    for req in dist.requires or []:
        if "extra ==" not in req:
            total += dist_bytes(re.split(r"[<>=!~;\[ ]", req, maxsplit=1)[0], seen)
    return total


def tree_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--export", type=Path, default=None)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="edgesnn-bench-") as tmp:
        run, export, bundle = prepare(args.export, Path(tmp))
        from edgesnn.package.evidence import raw_test_split

        raw, _ = raw_test_split(json.loads((export / "manifest.json").read_text())["data"])
        raw = raw[: args.samples]
        r_wall, r_in = cold_start("runner", args.repeats, bundle=str(bundle))
        t_wall, t_in = cold_start("snntorch", args.repeats, run=str(run))
        r_lat, t_lat, agree = latency(bundle, run, raw)
        size = bundle.stat().st_size
    seen: set[str] = set()
    footprint = dist_bytes("onnxruntime", seen) + dist_bytes("numpy", seen)
    venv = tree_bytes(Path(sys.prefix))
    from edgesnn.runner.deploy import PACKAGE, runner_files

    source = sum((PACKAGE.parent / f).stat().st_size for f in runner_files())
    mb = 2**20
    rows = [
        ("cold start, process wall (s)", r_wall, t_wall, t_wall / r_wall),
        ("cold start, import + load (s)", r_in, t_in, t_in / r_in),
        ("latency per sample, batch 1 (ms)", 1e3 * r_lat, 1e3 * t_lat, t_lat / r_lat),
    ]
    print(f"{'':36s} {'runner':>10s} {'snnTorch':>10s} {'snnTorch/runner':>16s}")
    for name, a, b, ratio in rows:
        print(f"{name:36s} {a:10.4g} {b:10.4g} {ratio:15.2f}x")
    print(f"class agreement runner vs snnTorch on {len(raw)} samples: {agree:.3f} (same encoded input)")
    print(f"bundle size: {size} bytes ({size / 1024:.0f} KiB)")
    print(
        f"runner footprint (numpy + onnxruntime + their requirements): {footprint / mb:.0f} MB; "
        f"edgesnn's full environment {sys.prefix}: {venv / mb:.0f} MB ({venv / footprint:.0f}x); "
        f"the runner's own source: {len(runner_files())} files, {source / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
