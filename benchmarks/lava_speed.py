"""Lava wall time per sample (float and Loihi fixed point) beside ONNX Runtime, same MLP, one run.

    .venv/bin/python benchmarks/lava_speed.py [--samples 64] [--timesteps 25]

Each backend exports the same NIR graph (Input 64 -> Affine -> LIF 128 -> Affine -> LIF 10,
snnTorch-style neurons) and runs the same Bernoulli spike input. Two Lava figures: ``total``
(what a caller waits for: child process, Lava compile, run, read-back) and ``run`` (Lava's
``run()`` call alone). Ratios are against ONNX Runtime (the reference simulator if the ONNX
backend is missing). Spike agreement with the reference simulator is printed beside each.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nir
import numpy as np

from edgesnn.backends import get_backend
from edgesnn.config import load_target
from edgesnn.nir.simulator import simulate


def mlp(n_in: int = 64, hidden: int = 128, n_out: int = 10, beta: float = 0.9, dt: float = 1e-3, seed: int = 0):
    rng = np.random.default_rng(seed)

    def lif(n):
        return nir.LIF(
            tau=np.full(n, dt / (1 - beta)),
            r=np.full(n, 1 / (1 - beta)),
            v_leak=np.zeros(n),
            v_threshold=np.ones(n),
            v_reset=np.zeros(n),
        )

    nodes = {
        "input": nir.Input(np.array([n_in])),
        "fc1": nir.Affine(rng.normal(0, 0.35, (hidden, n_in)), rng.normal(0, 0.05, hidden)),
        "lif1": lif(hidden),
        "fc2": nir.Affine(rng.normal(0, 0.35, (n_out, hidden)), np.zeros(n_out)),
        "lif2": lif(n_out),
        "output": nir.Output(np.array([n_out])),
    }
    edges = [("input", "fc1"), ("fc1", "lif1"), ("lif1", "fc2"), ("fc2", "lif2"), ("lif2", "output")]
    return nir.NIRGraph(nodes, edges, metadata={"dt": dt, "reset": "zero"})


def timed(backend_name: str, target_name: str, graph, x, workdir: Path) -> dict:
    backend, target = get_backend(backend_name), load_target(target_name)
    out = workdir / target_name
    out.mkdir()
    backend.export(graph, out, target)
    start = time.perf_counter()
    res = backend.run(out / backend.artifact_name, x, target)
    return {"total": time.perf_counter() - start, "run": res.wall_s, "output": res.output}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--timesteps", type=int, default=25)
    args = parser.parse_args()
    graph = mlp()
    x = (np.random.default_rng(1).random((args.timesteps, args.samples, 64)) < 0.2).astype(np.float32)
    ref = simulate(graph, x)
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        sim = simulate(graph, x)
        rows["simulator (numpy)"] = {"total": time.perf_counter() - start, "run": sim.wall_s, "output": sim.output}
        onnx = get_backend("onnx") if _has("onnx") else None
        base = "simulator (numpy)"
        if onnx is not None and onnx.available():
            rows["onnxruntime (onnx-cpu)"] = timed("onnx", "onnx-cpu", graph, x, Path(tmp))
            base = "onnxruntime (onnx-cpu)"
        rows["lava float (lava-float)"] = timed("lava", "lava-float", graph, x, Path(tmp))
        rows["lava fixed (loihi2)"] = timed("lava", "loihi2", graph, x, Path(tmp))
    n = args.samples
    print(f"MLP 64-128-10, T={args.timesteps}, {n} samples; ms per sample; ratio vs {base}")
    print(f"{'backend':26s} {'total':>9s} {'run':>9s} {'x total':>9s} {'x run':>9s} {'agree':>7s}")
    b = rows[base]
    for name, r in rows.items():
        agree = float((r["output"] == ref.output).mean())
        print(
            f"{name:26s} {1e3 * r['total'] / n:9.3f} {1e3 * r['run'] / n:9.3f} "
            f"{r['total'] / b['total']:9.1f} {r['run'] / max(b['run'], 1e-9):9.1f} {agree:7.4f}"
        )


def _has(name: str) -> bool:
    try:
        get_backend(name)
    except Exception:
        return False
    return True


if __name__ == "__main__":
    main()
