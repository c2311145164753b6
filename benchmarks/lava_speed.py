"""Lava wall time per sample (float and Loihi fixed point) beside ONNX Runtime, same MLP, one run.

    .venv/bin/python benchmarks/lava_speed.py [--samples 64] [--timesteps 25]

Each backend exports the same NIR graph (Input 64 -> Affine -> LIF 128 -> Affine -> LIF 10,
snnTorch-style neurons) and runs the same Bernoulli spike input. Two Lava figures: ``total``
(what a caller waits for: child process, Lava compile, run, read-back) and ``run`` (Lava's
``run()`` call alone: compile, worker start-up and steps). Each Lava target runs twice: with
lanes (``L`` copies of the network, ``L`` samples at once; the default choice) and with
``lanes=1`` (samples one after another: the unbatched path, the "before" figure; it already
has the shared-memory read-back, so the original code was slower still). Ratios are against
ONNX Runtime (the reference simulator if the ONNX backend is missing). ``agree``: spike
agreement with the reference simulator; ``=L1``: outputs identical to the ``lanes=1`` run.
Every backend first runs one sample untimed (imports and first-call costs are paid once per
process, not per sample).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nir
import numpy as np

from edgesnn.backends import get_backend
from edgesnn.backends.lava.backend import plan_for
from edgesnn.backends.lava.lanes import choose
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


def timed(backend_name: str, target_name: str, graph, x, workdir: Path, **kw) -> dict:
    backend, target = get_backend(backend_name), load_target(target_name)
    out = workdir / target_name
    if not out.exists():
        out.mkdir()
        backend.export(graph, out, target)
        backend.run(out / backend.artifact_name, x[:, :1], target)  # warm-up, untimed
    start = time.perf_counter()
    res = backend.run(out / backend.artifact_name, x, target, **kw)
    return {"total": time.perf_counter() - start, "run": res.wall_s, "output": res.output}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--timesteps", type=int, default=25)
    args = parser.parse_args()
    graph = mlp()
    x = (np.random.default_rng(1).random((args.timesteps, args.samples, 64)) < 0.2).astype(np.float32)
    ref = simulate(graph, x)
    rows, lanes = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        sim = simulate(graph, x)
        rows["simulator (numpy)"] = {"total": time.perf_counter() - start, "run": sim.wall_s, "output": sim.output}
        onnx = get_backend("onnx") if _has("onnx") else None
        base = "simulator (numpy)"
        if onnx is not None and onnx.available():
            rows["onnxruntime (onnx-cpu)"] = timed("onnx", "onnx-cpu", graph, x, Path(tmp))
            base = "onnxruntime (onnx-cpu)"
        for label, target in (("float", "lava-float"), ("fixed", "loihi2")):
            plan, _ = plan_for(graph, load_target(target), x)
            lanes[target] = choose(plan, args.samples)
            rows[f"lava {label} L=1 ({target})"] = timed("lava", target, graph, x, Path(tmp), lanes=1)
            rows[f"lava {label} L={lanes[target]} ({target})"] = timed("lava", target, graph, x, Path(tmp))
    n = args.samples
    print(f"MLP 64-128-10, T={args.timesteps}, {n} samples; ms per sample; ratio vs {base}")
    print(f"{'backend':30s} {'total':>8s} {'run':>8s} {'x total':>8s} {'x run':>8s} {'agree':>7s} {'=L1':>4s}")
    b = rows[base]
    for name, r in rows.items():
        agree = float((r["output"] == ref.output).mean())
        same = ""
        if name.startswith("lava") and " L=1 " not in name:
            one = next(v for k, v in rows.items() if k.startswith(name.split(" L=")[0] + " L=1 "))
            same = "yes" if np.array_equal(r["output"], one["output"]) else "NO"
        print(
            f"{name:30s} {1e3 * r['total'] / n:8.3f} {1e3 * r['run'] / n:8.3f} "
            f"{r['total'] / b['total']:8.1f} {r['run'] / max(b['run'], 1e-9):8.1f} {agree:7.4f} {same:>4s}"
        )


def _has(name: str) -> bool:
    try:
        get_backend(name)
    except Exception:
        return False
    return True


if __name__ == "__main__":
    main()
