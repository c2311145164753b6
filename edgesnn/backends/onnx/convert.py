"""``nir2onnx``: a NIR graph → a checked ONNX model (stepwise or unrolled).

dt and reset come from ``graph.metadata`` through the simulator's own reader
(``edgesnn.nir.graph``), so the model and the reference agree on every setting.
"""

from __future__ import annotations

from typing import Any

import nir
import numpy as np
import onnx

from ...errors import UsageError
from .arithmetic import PRECISIONS, Arithmetic
from .plan import Plan, build_plan
from .step import check_supported

FORMS = ("unrolled", "stepwise")
#: numpy dtype of an onnxruntime input type
ONNX_TYPES = {"tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(int64)": np.int64}
LEVERS = ("lean_update", "static_input", "fused_scan")


def nir2onnx(
    graph: nir.NIRGraph,
    form: str = "unrolled",
    record: bool = False,
    supports=None,
    precision: str = "float32",
    dt: float | None = None,
    reset: str | None = None,
    levers=None,
) -> onnx.ModelProto:
    """Lower ``graph`` to one ONNX model that passes ``onnx.checker`` (full check).

    ``form``: "unrolled" (x [T, B, *in] → y [T, B, *out]) or "stepwise" (one step, explicit
    states). ``record`` adds ``rec.<node>`` outputs for every neuron node. ``supports``: the
    target's primitive names (an extra restriction). ``precision``: "float32" (states and
    updates in float32; sums over spikes in float32 with the weights on the float32 sum grid,
    sums over real inputs in float64 rounded once: identical to ``simulate(for_float32(graph),
    dtype=np.float32)`` by construction, see ``numerics/float32.py``) or "float64" (the
    simulator's default arithmetic) or "integer" (an integer graph, ``numerics/integer.py``:
    int64 throughout, identical to ``simulate(graph, x, dtype=np.int64)``). ``dt`` / ``reset`` override the graph's metadata. ``levers``: the speed
    levers to use, default ``default_levers(graph)`` (each keeps the outputs identical;
    switching one off is for measuring it): "lean_update" (no addition of an all-zero leak), and for the
    unrolled form "static_input" and "fused_scan" (see ``unrolled.py``).
    """
    from ...nir.graph import graph_settings, sim_context
    from ...numerics.float32 import on_sum_grid, spike_input_bound
    from .stepwise import build_stepwise
    from .unrolled import build_unrolled

    if form not in FORMS:
        raise UsageError(f"unknown ONNX form '{form}'; choose from: {', '.join(FORMS)}")
    if not isinstance(graph, nir.NIRGraph):
        raise UsageError(f"nir2onnx needs a nir.NIRGraph, got {type(graph).__name__}; read a .nir file with read_graph")
    levers = default_levers(graph) if levers is None else tuple(levers)
    unknown = sorted(set(levers) - set(LEVERS))
    if unknown:
        raise UsageError(f"unknown ONNX lever(s) {unknown}; choose from: {', '.join(LEVERS)}")
    check_supported(graph, supports)
    ctx = sim_context(graph, dt=dt, reset=reset)
    integer = (graph.metadata or {}).get("integer") if precision == "integer" else None
    num = Arithmetic.of(ctx, precision, lean="lean_update" in levers, integer=integer)
    bound = spike_input_bound(graph)
    if num.dtype == np.float32:  # spike-fed sums exact in any order (a no-op on a graph already on it)
        graph = on_sum_grid(graph, bound)[0]
    plan = build_plan(graph, ctx, bound)
    settings = graph_settings(graph)
    props: dict[str, Any] = {
        "dt": repr(num.dt),
        "reset": num.reset,
        "if_reset": num.if_reset,
        "precision": precision,
        "timesteps": "" if settings.get("timesteps") is None else str(settings["timesteps"]),
        "encoder": settings.get("encoder") or "",
        "input_values": "spikes" if bound else "real",
        "output_shape": list(plan.out_shape),
        **input_props(plan),
    }
    rest = rest_values(plan, num, props) if plan.back_sources else {}
    if form == "stepwise":
        return build_stepwise(plan, num, props, record=record, rest=rest)
    return build_unrolled(plan, num, props, record=record, rest=rest, levers=levers)


def default_levers(graph: nir.NIRGraph) -> tuple[str, ...]:
    """Every lever for real-valued input; all but "static_input" for a spike encoder's input,
    which changes from step to step, so checking it every call costs more than it saves
    (measured on the rate-coded digits MLP, ``benchmarks/inference_speed.py``, batch 256:
    1.91-1.92x the onnxruntime matmul limit without the check, 2.03x with it)."""
    from ...numerics.float32 import spike_input_bound

    spiking = spike_input_bound(graph) is not None
    return tuple(lever for lever in LEVERS if not (spiking and lever == "static_input"))


def input_props(plan: Plan) -> dict[str, Any]:
    """``inputs`` (ONNX input names) and ``input_shapes`` (name -> features) always; for a one-input
    graph also ``input`` ("x"), ``input_shape``, as before multimodal models, and ``input_node``
    (the NIR Input's own name, which a dict input may use)."""
    shapes = plan.input_shapes
    props: dict[str, Any] = {"inputs": list(shapes), "input_shapes": {n: list(s) for n, s in shapes.items()}}
    if len(shapes) == 1:
        ((name, shape),) = shapes.items()
        props.update({"input": name, "input_shape": list(shape), "input_node": plan.input_names[0]})
    return props


def rest_values(plan: Plan, num: Arithmetic, props: dict) -> dict[str, np.ndarray]:
    """The value of each recurrent-edge source after one step on zero input from zero state.

    The simulator feeds this to recurrent edges at t = 0 (the network at rest). It is computed
    by onnxruntime on the stepwise model itself, so it carries the model's own rounding.
    """
    from .runtime import require, session_options
    from .stepwise import build_stepwise

    ort = require()
    model = build_stepwise(plan, num, props)
    sess = ort.InferenceSession(model.SerializeToString(), session_options(1), providers=["CPUExecutionProvider"])
    feed = {}
    for info in sess.get_inputs():
        dtype = ONNX_TYPES[info.type]
        feed[info.name] = np.zeros([1 if not isinstance(d, int) else d for d in info.shape], dtype=dtype)
    names = [f"next.{s}.out" for s in plan.back_sources]
    return {s: v[0] for s, v in zip(plan.back_sources, sess.run(names, feed))}


__all__ = ["FORMS", "LEVERS", "PRECISIONS", "nir2onnx"]
