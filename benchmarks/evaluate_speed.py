"""Evaluation throughput per runtime and the cost of recording spikes, in one run.

    .venv/bin/python benchmarks/evaluate_speed.py [--samples 512] [--repeats 3] [--batch 128]

Model: the digits MLP 64-128-10 of LIF neurons (T = 25, dt = 1 ms, reset to zero, random
weights scaled so that the hidden layer fires), as a NIR graph, exported by each backend into a
temporary directory. Input: scikit-learn digits / 16 rate-encoded (Bernoulli, seed 0).

Per runtime (nir reference simulator, ONNX Runtime, Lava when ``edgesnn.backends.lava`` imports):
* ``plain``: runtime only, ``record=False`` (ONNX: the artifact exported *without* rec outputs);
* ``record``: runtime with every neuron node recorded (ONNX: the artifact with rec outputs);
* ``evaluate``: the evaluator's whole loop (``run_split``: record + metrics per batch).
Printed: samples/s of each, and the ratios record/plain (the recording overhead; goal < 20 %
on ONNX Runtime) and evaluate/plain. Best of ``--repeats``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nir
import numpy as np

T, N_IN, N_HID, N_OUT, BETA, DT = 25, 64, 128, 10, 0.9, 1e-3


def graph(seed: int = 0) -> nir.NIRGraph:
    rng = np.random.default_rng(seed)
    f = np.float32

    def lif(n):
        return nir.LIF(
            tau=np.full(n, DT / (1 - BETA), f),
            r=np.full(n, 1 / (1 - BETA), f),
            v_leak=np.zeros(n, f),
            v_threshold=np.ones(n, f),
            v_reset=np.zeros(n, f),
        )

    w1 = (rng.normal(0, 0.6, (N_HID, N_IN))).astype(f)
    w2 = (rng.normal(0, 0.5, (N_OUT, N_HID))).astype(f)
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([N_IN])),
            "fc1": nir.Affine(weight=w1, bias=np.zeros(N_HID, f)),
            "lif1": lif(N_HID),
            "fc2": nir.Affine(weight=w2, bias=np.zeros(N_OUT, f)),
            "lif2": lif(N_OUT),
            "output": nir.Output(output_type=np.array([N_OUT])),
        },
        edges=[("input", "fc1"), ("fc1", "lif1"), ("lif1", "fc2"), ("fc2", "lif2"), ("lif2", "output")],
        metadata={"dt": DT, "reset": "zero", "timesteps": T, "encoder": "rate"},
    )


def inputs(n: int) -> np.ndarray:
    from sklearn.datasets import load_digits

    x = load_digits().data[:n] / 16.0
    return (np.random.default_rng(0).random((T, *x.shape)) < x).astype(np.float32)


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def batched(backend, file, x, target, record, batch):
    def run():
        for i in range(0, x.shape[1], batch):
            backend.run(file, np.ascontiguousarray(x[:, i : i + batch]), target, record=record)

    return run


def runtimes(tmp: Path, g: nir.NIRGraph) -> list[tuple[str, str, dict, dict]]:
    """(label, target, export options for the plain artifact, for the recording one)."""
    out = [("nir reference", "nir", {}, {}), ("ONNX Runtime (float64)", "onnx", {"record": False}, {"record": True})]
    out.append(
        (
            "ONNX Runtime (float32)",
            "onnx",
            {"record": False, "precision": "float32"},
            {"record": True, "precision": "float32"},
        )
    )
    try:
        import edgesnn.backends.lava  # noqa: F401

        out.append(("Lava (floating point)", "lava-float", {}, {}))
    except ImportError:
        print("Lava: edgesnn.backends.lava does not import yet; skipped")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=512)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lava-samples", type=int, default=32, help="Lava is ~100x slower: fewer samples")
    args = ap.parse_args()

    from edgesnn.backends import get_backend
    from edgesnn.config import load_target
    from edgesnn.evaluation import Artifact, run_split

    g, x = graph(), inputs(args.samples)
    print(
        f"digits MLP {N_IN}-{N_HID}-{N_OUT}, T={T}, {x.shape[1]} samples (Lava {args.lava_samples}), batch {args.batch}, best of {args.repeats}"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, target_name, plain_opts, rec_opts in runtimes(Path(tmp), g):
            target = load_target(target_name)
            backend = get_backend(target.backend)
            try:
                backend.require()
            except Exception as exc:
                print(f"{label}: unavailable ({exc})")
                continue
            files = {}
            for kind, opts in (("plain", plain_opts), ("record", rec_opts)):
                d = Path(tmp) / f"{target_name}-{kind}-{len(rows)}"
                d.mkdir()
                backend.export(g, d, target, **opts)
                files[kind] = d / backend.artifact_name
            x_rt = x[:, : args.lava_samples] if target.backend == "lava" else x
            n = x_rt.shape[1]
            batched(backend, files["record"], x[:, :2], target, True, args.batch)()  # warm-up (sessions, caches)
            batched(backend, files["plain"], x[:, :2], target, False, args.batch)()
            t_plain = best(batched(backend, files["plain"], x_rt, target, False, args.batch), args.repeats)
            t_rec = best(batched(backend, files["record"], x_rt, target, True, args.batch), args.repeats)
            art = Artifact(files["record"], files["record"], target, g, None, None)
            t_eval = best(lambda: run_split(art, x_rt, N_OUT, args.batch), args.repeats)
            rows.append((label, n / t_plain, n / t_rec, n / t_eval, t_rec / t_plain - 1, t_eval / t_plain))
    print(
        f"\n{'runtime':26s} {'plain /s':>10s} {'record /s':>10s} {'evaluate /s':>12s} "
        f"{'record overhead':>16s} {'evaluate/plain':>15s}"
    )
    for label, p, r, e, over, ratio in rows:
        print(f"{label:26s} {p:10.0f} {r:10.0f} {e:12.0f} {100 * over:15.1f}% {ratio:14.2f}x")
    onnx = [r for r in rows if r[0].startswith("ONNX")]
    if onnx:
        worst = max(r[4] for r in onnx)
        print(
            f"\nrecording overhead on ONNX Runtime: {100 * worst:.1f}% (goal < 20 %): "
            f"{'met' if worst < 0.2 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
