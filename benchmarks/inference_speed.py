"""Inference speed of the digits MLP 64-128-10 (T = 25): snnTorch eager vs the reference
simulator vs ONNX Runtime (stepwise and unrolled, float64 and float32), side by side, with
the achieved GFLOP/s against a plain matmul of the same FLOPs (numpy and onnxruntime).

    .venv/bin/python benchmarks/inference_speed.py [--repeats N] [--threads 2]

The snnTorch model has Leaky neurons (β = 0.9, θ = 1, reset to zero, same step) and random
weights; its NIR graph is written by hand with τ = dt/(1−β), r = 1/(1−β). The input is the
scikit-learn digits (8×8 = 64 features / 16), the same current every step (static encoding).
FLOPs per inference = 2·T·(64·128 + 128·10) multiply-adds of the two weight layers.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import nir
import numpy as np

T, N_IN, N_HID, N_OUT, BETA, DT = 25, 64, 128, 10, 0.9, 1e-3


def build(seed: int = 0):
    import snntorch as snn
    import torch

    torch.manual_seed(seed)
    fc1, fc2 = torch.nn.Linear(N_IN, N_HID), torch.nn.Linear(N_HID, N_OUT)
    with torch.no_grad():
        fc1.weight.mul_(3.0)
        fc2.weight.mul_(3.0)
    lif1 = snn.Leaky(beta=torch.full((N_HID,), BETA), threshold=torch.ones(N_HID), reset_mechanism="zero",
                     reset_delay=False)
    lif2 = snn.Leaky(beta=torch.full((N_OUT,), BETA), threshold=torch.ones(N_OUT), reset_mechanism="zero",
                     reset_delay=False)

    def lif(n):
        f = np.float32
        return nir.LIF(tau=np.full(n, DT / (1 - BETA), f), r=np.full(n, 1 / (1 - BETA), f), v_leak=np.zeros(n, f),
                       v_threshold=np.ones(n, f), v_reset=np.zeros(n, f))

    def w(layer):
        return layer.weight.detach().numpy().astype(np.float32), layer.bias.detach().numpy().astype(np.float32)

    (w1, b1), (w2, b2) = w(fc1), w(fc2)
    graph = nir.NIRGraph(
        nodes={"input": nir.Input(input_type=np.array([N_IN])), "fc1": nir.Affine(weight=w1, bias=b1), "lif1": lif(N_HID),
               "fc2": nir.Affine(weight=w2, bias=b2), "lif2": lif(N_OUT), "output": nir.Output(output_type=np.array([N_OUT]))},
        edges=[("input", "fc1"), ("fc1", "lif1"), ("lif1", "fc2"), ("fc2", "lif2"), ("lif2", "output")],
        metadata={"dt": DT, "reset": "zero", "timesteps": T, "encoder": "static"})

    def snntorch_run(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            xt = torch.from_numpy(x)
            m1, m2 = lif1.init_leaky(), lif2.init_leaky()
            out = []
            for t in range(xt.shape[0]):
                s1, m1 = lif1(fc1(xt[t]), m1)
                s2, m2 = lif2(fc2(s1), m2)
                out.append(s2)
            return torch.stack(out).numpy()

    return graph, snntorch_run, (w1, w2)


def timeit(fn, repeats: int) -> float:
    fn()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        best = min(best, (time.perf_counter() - start) / repeats)
    return best


def matmul_baselines(w1, w2, rows: int, threads: int):
    """The two weight layers as bare matmuls over all T·B rows: numpy and onnxruntime."""
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    a = np.random.default_rng(0).random((rows, N_IN)).astype(np.float32)
    h = (np.random.default_rng(1).random((rows, N_HID)) < 0.2).astype(np.float32)
    w1t, w2t = np.ascontiguousarray(w1.T), np.ascontiguousarray(w2.T)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "w1"], ["y1"]), helper.make_node("MatMul", ["h", "w2"], ["y2"])], "mm",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [None, N_IN]),
         helper.make_tensor_value_info("h", TensorProto.FLOAT, [None, N_HID])],
        [helper.make_tensor_value_info("y1", TensorProto.FLOAT, [None, N_HID]),
         helper.make_tensor_value_info("y2", TensorProto.FLOAT, [None, N_OUT])],
        [numpy_helper.from_array(w1t, "w1"), numpy_helper.from_array(w2t, "w2")])
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    return {"numpy matmul": lambda: (a @ w1t, h @ w2t), "onnxruntime matmul": lambda: sess.run(None, {"a": a, "h": h})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import torch
    from sklearn.datasets import load_digits

    from edgesnn.backends.onnx import nir2onnx, run_model
    from edgesnn.nir.simulator import simulate

    torch.set_num_threads(args.threads)
    graph, snntorch_run, (w1, w2) = build()
    digits = (load_digits().data / 16.0).astype(np.float32)
    tmp = Path(tempfile.mkdtemp(prefix="edgesnn_bench_"))
    files = {}
    for form in ("stepwise", "unrolled"):
        for precision in ("float64", "float32"):
            path = tmp / f"{form}.{precision}.onnx"
            path.write_bytes(nir2onnx(graph, form=form, precision=precision, record=True).SerializeToString())
            files[(form, precision)] = path

    for batch in (1, 256):
        x = np.ascontiguousarray(np.broadcast_to(digits[:batch], (T, batch, N_IN)))
        flops = 2 * T * batch * (N_IN * N_HID + N_HID * N_OUT)
        reps = args.repeats * (10 if batch == 1 else 1)
        ref = simulate(graph, x).output
        spikes = {"snnTorch eager": snntorch_run(x)}
        runs = {"snnTorch eager": lambda: snntorch_run(x), "reference simulator": lambda: simulate(graph, x)}
        for (form, precision), path in files.items():
            label = f"ONNX {form} {precision}"
            runs[label] = (lambda p=path: run_model(p, x))
            spikes[label] = run_model(path, x).output
        runs["ONNX unrolled float32 +record"] = lambda: run_model(files[("unrolled", "float32")], x, record=True)
        times = {name: timeit(fn, max(1, reps // (20 if "step" in name or "simulator" in name else 1)))
                 for name, fn in runs.items()}
        base = {name: timeit(fn, reps) for name, fn in matmul_baselines(w1, w2, T * batch, args.threads).items()}
        limit = min(base.values())
        print(f"\nbatch {batch}, T = {T}, {flops / 1e6:.2f} MFLOP per call "
              f"(mean output rate {ref.mean():.3f} spikes/neuron/step)")
        print(f"{'':34s} {'ms':>9s} {'vs snnTorch':>12s} {'vs matmul':>10s} {'GFLOP/s':>8s}  spikes = reference")
        for name, sec in {**times, **base}.items():
            same = "" if name not in spikes else ("yes" if np.array_equal(spikes[name], ref) else
                                                 f"{np.mean(spikes[name] != ref):.4%} differ")
            print(f"{name:34s} {sec * 1e3:9.3f} {times['snnTorch eager'] / sec:11.1f}x {sec / limit:9.2f}x "
                  f"{flops / sec / 1e9:8.2f}  {same}")
        rec = times["ONNX unrolled float32 +record"] / times["ONNX unrolled float32"] - 1
        print(f"recording overhead (unrolled float32): {rec:+.1%}")


if __name__ == "__main__":
    main()
