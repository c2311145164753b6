"""Inference speed of the digits MLP 64-128-10 (T = 25): snnTorch eager vs the reference
simulator vs ONNX Runtime (stepwise and unrolled, float64 and float32 — the default export — each
speed lever on and off), side by side in one run, with the achieved GFLOP/s against a plain matmul of the same
FLOPs (numpy and onnxruntime: the limit).

    .venv/bin/python benchmarks/inference_speed.py [--samples N] [--threads 1] [--batches 1 256]

The snnTorch model has Leaky neurons (β = 0.9, θ = 1, reset to zero, same step) and random
weights; its NIR graph is written by hand with τ = dt/(1−β), r = 1/(1−β). Inputs: the
scikit-learn digits (8×8 = 64 features / 16) as the same current every step (static encoding,
the issue's case), and as rate-coded spikes (Bernoulli(pixel) per step: a new input every step).
The ONNX rows are judged in their own arithmetic: float64 rows by the simulator in float64,
float32 rows (the default export) by the simulator in float32 on the float32 sum grid
(``edgesnn/numerics/float32.py``): the static model (real inputs) sums its input layer in
float64, the rate model (spike inputs, ``encoder: rate``) sums every layer in float32.
FLOPs per inference (nominal) = 2·T·B·(64·128 + 128·10), the two weight layers.

Timing: every variant is called once per round, round after round (interleaved, so a change
of machine load hits all alike), and the fastest call is kept. ``--clock cpu`` (the default)
ranks by process CPU time, which a busy shared machine cannot inflate by preempting the run;
``--clock wall`` by wall time (use it with an idle machine, and always with --threads > 1,
where CPU time adds up the threads). torch, numpy's BLAS and onnxruntime get the same number
of threads.
ONNX rows time ``session.run`` on an already loaded session; "run_model" is the public API
(input checks included).
"""

from __future__ import annotations

import argparse
import copy
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
    lif1 = snn.Leaky(
        beta=torch.full((N_HID,), BETA), threshold=torch.ones(N_HID), reset_mechanism="zero", reset_delay=False
    )
    lif2 = snn.Leaky(
        beta=torch.full((N_OUT,), BETA), threshold=torch.ones(N_OUT), reset_mechanism="zero", reset_delay=False
    )

    def lif(n):
        f = np.float32
        return nir.LIF(
            tau=np.full(n, DT / (1 - BETA), f),
            r=np.full(n, 1 / (1 - BETA), f),
            v_leak=np.zeros(n, f),
            v_threshold=np.ones(n, f),
            v_reset=np.zeros(n, f),
        )

    def w(layer):
        return layer.weight.detach().numpy().astype(np.float32), layer.bias.detach().numpy().astype(np.float32)

    (w1, b1), (w2, b2) = w(fc1), w(fc2)
    graph = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([N_IN])),
            "fc1": nir.Affine(weight=w1, bias=b1),
            "lif1": lif(N_HID),
            "fc2": nir.Affine(weight=w2, bias=b2),
            "lif2": lif(N_OUT),
            "output": nir.Output(output_type=np.array([N_OUT])),
        },
        edges=[("input", "fc1"), ("fc1", "lif1"), ("lif1", "fc2"), ("fc2", "lif2"), ("lif2", "output")],
        metadata={"dt": DT, "reset": "zero", "timesteps": T, "encoder": "static"},
    )

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


def interleaved(fns: dict, samples: int) -> dict[str, tuple[float, float]]:
    """(fastest wall time, fastest process CPU time) of one call of each function, the calls
    interleaved round by round so that a change of machine load hits every variant alike."""
    wall = {name: float("inf") for name in fns}
    cpu = dict(wall)
    for fn in fns.values():
        fn()
    for _ in range(samples):
        for name, fn in fns.items():
            c0, w0 = time.process_time(), time.perf_counter()
            fn()
            w1, c1 = time.perf_counter(), time.process_time()
            wall[name], cpu[name] = min(wall[name], w1 - w0), min(cpu[name], c1 - c0)
    return {name: (wall[name], cpu[name]) for name in fns}


def matmul_baselines(w1, w2, rows: int, threads: int):
    """The two weight layers as bare float32 matmuls over all T·B rows: numpy and onnxruntime."""
    from onnx import TensorProto, helper, numpy_helper

    a = np.random.default_rng(0).random((rows, N_IN)).astype(np.float32)
    h = (np.random.default_rng(1).random((rows, N_HID)) < 0.2).astype(np.float32)
    w1t, w2t = np.ascontiguousarray(w1.T), np.ascontiguousarray(w2.T)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "w1"], ["y1"]), helper.make_node("MatMul", ["h", "w2"], ["y2"])],
        "mm",
        [
            helper.make_tensor_value_info("a", TensorProto.FLOAT, [None, N_IN]),
            helper.make_tensor_value_info("h", TensorProto.FLOAT, [None, N_HID]),
        ],
        [
            helper.make_tensor_value_info("y1", TensorProto.FLOAT, [None, N_HID]),
            helper.make_tensor_value_info("y2", TensorProto.FLOAT, [None, N_OUT]),
        ],
        [numpy_helper.from_array(w1t, "w1"), numpy_helper.from_array(w2t, "w2")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    sess = _session(model.SerializeToString(), threads)
    return {
        "numpy matmul (limit)": lambda: (a @ w1t, h @ w2t),
        "onnxruntime matmul (limit)": lambda: sess.run(None, {"a": a, "h": h}),
    }


def _session(model_bytes: bytes, threads: int, level: str = "all"):
    import onnxruntime as ort

    from edgesnn.backends.onnx.runtime import session_options

    opts = session_options(threads)
    opts.graph_optimization_level = {
        "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
        "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    }[level]
    return ort.InferenceSession(model_bytes, opts, providers=["CPUExecutionProvider"])


#: label -> (form, precision, levers, threads or None for --threads, graph optimisation level)
ALL = ("lean_update", "static_input", "fused_scan")
VARIANTS = {
    "stepwise f64 (runner loop)": ("stepwise", "float64", ALL, None, "all"),
    "stepwise f32 (runner loop)": ("stepwise", "float32", ALL, None, "all"),
    "unrolled f64, no lever": ("unrolled", "float64", (), None, "all"),
    "unrolled f64, lean_update": ("unrolled", "float64", ("lean_update",), None, "all"),
    "unrolled f64, static_input": ("unrolled", "float64", ("static_input",), None, "all"),
    "unrolled f64, fused_scan": ("unrolled", "float64", ("fused_scan",), None, "all"),
    "unrolled f64, all levers": ("unrolled", "float64", ALL, None, "all"),
    "unrolled f64, all, 2 threads": ("unrolled", "float64", ALL, 2, "all"),
    "unrolled f64, all, opt basic": ("unrolled", "float64", ALL, None, "basic"),
    "unrolled f32, no lever": ("unrolled", "float32", (), None, "all"),
    "unrolled f32, all levers": ("unrolled", "float32", ALL, None, "all"),
    "unrolled f32, lean_update": ("unrolled", "float32", ("lean_update",), None, "all"),
    "unrolled f32, default levers": ("unrolled", "float32", None, None, "all"),
    "unrolled f32, all, 2 threads": ("unrolled", "float32", ALL, 2, "all"),
}
BEST = "unrolled f32, default levers"  # the default export: float32, exact by construction
F32, F64 = "float32", "float64"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=0, help="rounds of calls (default: 200 at batch 1, 20 at 256)")
    parser.add_argument("--threads", type=int, default=1, help="threads for torch and onnxruntime (default 1)")
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 256])
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu", help="rank by process CPU or wall time")
    args = parser.parse_args()

    import torch
    from sklearn.datasets import load_digits
    from threadpoolctl import threadpool_limits

    from edgesnn.backends.onnx import nir2onnx, run_model
    from edgesnn.nir.simulator import simulate
    from edgesnn.numerics.float32 import for_float32

    torch.set_num_threads(args.threads)
    threadpool_limits(args.threads)  # numpy's BLAS (the numpy matmul limit, the reference simulator)
    static_graph, snntorch_run, (w1, w2) = build()
    graphs = {"static": static_graph, "rate": copy.deepcopy(static_graph)}
    graphs["rate"].metadata["encoder"] = "rate"  # a rate-coded model's inputs are spikes
    digits = (load_digits().data / 16.0).astype(np.float32)
    tmp = Path(tempfile.mkdtemp(prefix="edgesnn_bench_"))
    sessions, forms, api_paths = {}, {}, {}
    for kind, graph in graphs.items():
        for label, (form, precision, levers, threads, level) in VARIANTS.items():
            model = nir2onnx(graph, form=form, precision=precision, levers=levers).SerializeToString()
            sessions[kind, label] = _session(model, threads or args.threads, level)
            forms[label] = form
        api_paths[kind] = tmp / f"model.{kind}.onnx"
        api_paths[kind].write_bytes(nir2onnx(graph).SerializeToString())  # the default: float32
    summary = []
    for batch in args.batches:
        static = np.ascontiguousarray(np.broadcast_to(digits[:batch], (T, batch, N_IN)))
        rate = (np.random.default_rng(0).random(static.shape) < static).astype(np.float32)
        flops = 2 * T * batch * (N_IN * N_HID + N_HID * N_OUT)
        samples = args.samples or (200 if batch == 1 else 40)
        for kind, x in (("static", static), ("rate", rate)):
            graph = graphs[kind]
            # each row's judge: the simulator in the row's arithmetic (float32 on the sum grid)
            judges = {F64: simulate(graph, x).output, F32: simulate(for_float32(graph)[0], x, dtype=np.float32).output}
            ref = judges[F64]
            runs = {
                "snnTorch eager": lambda x=x: snntorch_run(x),
                "reference simulator": lambda x=x, graph=graph: simulate(graph, x),
            }
            outs = {"snnTorch eager": snntorch_run(x)}
            for label in VARIANTS:
                runs[label] = _runner(sessions[kind, label], forms[label], x)
                outs[label] = runs[label]()
            runs["run_model (API), f32"] = lambda x=x, kind=kind: run_model(api_paths[kind], x)
            outs["run_model (API), f32"] = run_model(api_paths[kind], x).output
            runs.update(matmul_baselines(w1, w2, T * batch, args.threads))
            measured = interleaved(runs, samples)
            times = {name: pair[0 if args.clock == "wall" else 1] for name, pair in measured.items()}
            limit = min(v for k, v in times.items() if "limit" in k)
            print(
                f"\nbatch {batch}, {kind} input, T = {T}, {flops / 1e6:.2f} MFLOP nominal per call, "
                f"{args.threads} thread(s), best of {samples} (output rate {ref.mean():.3f} spikes/neuron/step)"
            )
            print(
                f"{'':32s} {'wall ms':>9s} {'cpu ms':>9s} {'vs snnTorch':>12s} {'vs matmul':>10s} {'GFLOP/s':>8s}"
                f"  spikes = the row's judge   (ratios by {args.clock} time)"
            )
            for name, sec in times.items():
                judge = judges[F32 if "f32" in name else F64]
                same = (
                    ""
                    if name not in outs or name == "snnTorch eager"
                    else ("yes" if np.array_equal(outs[name], judge) else f"{np.mean(outs[name] != judge):.4%} differ")
                )
                if name == "snnTorch eager":
                    same = f"vs f64 maths: {np.mean(outs[name] != ref):.4%} differ"
                print(
                    f"{name:32s} {measured[name][0] * 1e3:9.3f} {measured[name][1] * 1e3:9.3f} "
                    f"{times['snnTorch eager'] / sec:11.1f}x {sec / limit:9.2f}x {flops / sec / 1e9:8.2f}  {same}"
                )
            summary.append(
                (
                    batch,
                    kind,
                    times["snnTorch eager"] / times[BEST],
                    times[BEST] / limit,
                    np.array_equal(outs[BEST], judges[F32]),
                )
            )
    print(f"\nfinal ratios ({BEST}, the default export, {args.threads} thread(s), {args.clock} time):")
    goals = {1: "goal >= 50x snnTorch", 256: "goal >= 10x snnTorch and <= 2x the matmul limit"}
    for batch, kind, speedup, vs_limit, exact in summary:
        print(
            f"  batch {batch:3d} {kind:6s}: {speedup:6.1f}x snnTorch eager, {vs_limit:5.2f}x the matmul limit, "
            f"spikes identical to its float32 judge: {'yes' if exact else 'NO'}   ({goals.get(batch, '')})"
        )


def _runner(sess, form: str, x: np.ndarray):
    """A call of the loaded session on ``x`` (the stepwise form looped over T, states fed back)."""
    if form == "unrolled":
        return lambda: sess.run(["y"], {"x": x})[0]
    inputs = sess.get_inputs()[1:]
    names = [i.name for i in inputs]
    fetch = ["y", *["next." + n[len("state.") :] for n in names]]
    dtype = {i.name: (np.float64 if i.type == "tensor(double)" else np.float32) for i in inputs}

    def run():
        states = {n: np.zeros((x.shape[1], *i.shape[1:]), dtype[n]) for n, i in zip(names, inputs)}
        ys = []
        for t in range(x.shape[0]):
            res = sess.run(fetch, {"x": x[t], **states})
            ys.append(res[0])
            states = dict(zip(names, res[1:]))
        return np.stack(ys)

    return run


if __name__ == "__main__":
    main()
