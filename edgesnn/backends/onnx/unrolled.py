"""The unrolled form: ``x [T, B, *in] → y [T, B, *out]`` in one call, T and B dynamic.

A multimodal graph has one input per modality instead of ``x``, named after its NIR Input
node (``image [T, B, 1, 8, 8]``, ``audio [T, B, 13]``); all share T and B.

The plan is cut into prefix, core and suffix (``stages.py``):
* the **prefix** (stateless nodes fed by the input alone) runs time-batched: one Gemm / Conv
  per weight layer over all T·B rows;
* the **core** runs as Scans over T. With the ``fused_scan`` lever it is one Scan whose body
  is the whole step of the core (every neuron layer, the weight layers between them, cycles):
  T iterations in all, instead of T per neuron layer. Without it, each neuron layer is its own
  Scan over only its state update, the weight layers between them time-batched, a Delay a
  shift in time, and each cycle one Scan;
* the **suffix** (read-outs after the last neuron) runs time-batched.
In both, a neuron whose input comes from outside its Scan has its state-free part (e.g.
gain·x) computed outside, once for the whole sequence.

The ``static_input`` lever: static encoding feeds the same x[t] at every step, so the prefix is
time-invariant. The model tests this at run time, exactly — ``ReduceL1(x − x[0]) == 0`` (for
finite x, a − b = 0 only when a = b, and a sum of non-negative terms is 0 only when all are;
with several inputs, for every one of them) — and an ``If`` runs the prefix once on x[0] (``[B, *f]``, read by the Scan body from the outer
scope) instead of on all T·B rows. Both branches compute the same operations on the same
values in the same order, so the outputs are the same bits; only the amount of work differs.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper

from .arithmetic import Arithmetic
from .builder import Builder, value_info
from .model import finish
from .neurons import STATEFUL, delay_sequence
from .plan import Plan
from .scan import Values, block_scan
from .stages import Segments, is_cyclic, segments
from .step import is_neuron, lower_stateless, sum_inputs
from .stepwise import io_cast

TIME, BATCH = "time", "batch"
LEVERS = ("static_input", "fused_scan")


def _layer(b: Builder, plan: Plan, vals: Values, name: str, num: Arithmetic, layout: str) -> None:
    """A stateless node on all rows at once, in ``layout`` ("flat", "seq" or "static")."""
    x = sum_inputs(b, plan, name, {s: vals.get(s, layout) for s, _ in plan.inputs[name]}, {})
    vals.set(name, lower_stateless(b, plan, name, x, num), layout)


def _exposed(plan: Plan, block: list[str], keep: set[str]) -> list[str]:
    """Nodes of ``block`` read from outside it, or in ``keep`` (records, the output)."""
    inside = set(block)
    read = {s for n in plan.order if n not in inside for s, _ in plan.inputs[n]}
    return [n for n in block if n in read or n in keep]


def _core_by_stage(b, plan, vals, seg: Segments, num, rest, keep) -> None:
    for stage in seg.core:
        name = stage[0]
        rule = STATEFUL.get(type(plan.nodes[name]))
        if is_cyclic(plan, stage) or (rule is not None and rule.neuron):
            block_scan(b, plan, vals, stage, _exposed(plan, stage, keep), num, rest)
        elif rule is not None:  # an acyclic Delay: a shift in time
            x = sum_inputs(b, plan, name, {s: vals.get(s, "seq") for s, _ in plan.inputs[name]}, {})
            vals.set(name, delay_sequence(b, plan.nodes[name], x, num), "seq")
        else:
            _layer(b, plan, vals, name, num, "flat")


def _branch(
    b: Builder,
    plan: Plan,
    seg: Segments,
    num: Arithmetic,
    rest: dict,
    shapes: tuple[str, str],
    records: list[str],
    static: bool,
    fused: bool,
) -> list[str]:
    """The whole network into ``b``; returns the float32 ``[T, B, *]`` output and records."""
    vals = Values(b, plan, list(plan.input_shapes), *shapes)
    for name, tensor in plan.input_tensors.items():
        if static:
            x0 = b.op("Squeeze", b.op("Slice", tensor, b.ints([0]), b.ints([1]), b.ints([0])), b.ints([0]))
            vals.set(name, io_cast(b, x0, num, True), "static")
        else:
            vals.set(name, io_cast(b, tensor, num, True), "seq")
    for name in seg.prefix:
        _layer(b, plan, vals, name, num, "static" if static else "seq" if name == plan.output_name else "flat")
    keep = {plan.output_name, *records}
    if fused and seg.core:
        block = sorted(seg.core_nodes, key=plan.order.index)
        block_scan(b, plan, vals, block, _exposed(plan, block, keep), num, rest)
    else:
        _core_by_stage(b, plan, vals, seg, num, rest, keep)
    for name in seg.suffix:
        _layer(b, plan, vals, name, num, "seq" if name == plan.output_name else "flat")
    return [
        io_cast(b, vals.get(n, "seq"), num, False, output=i == 0) for i, n in enumerate((plan.output_name, *records))
    ]


def _all_static(b: Builder, tensors: list[str]) -> str:
    """A bool scalar: every input ``x`` equals its ``x[0]`` at every step (``ReduceL1(x − x[0]) == 0``)."""
    same = None
    for x in tensors:
        first = b.op("Slice", x, b.ints([0]), b.ints([1]), b.ints([0]))
        spread = b.op("ReduceL1", b.op("Sub", x, first), keepdims=0)
        eq = b.op("Equal", spread, b.const(np.float32(0.0), np.float32))
        same = eq if same is None else b.op("And", same, eq)
    return same


def build_unrolled(
    plan: Plan, num: Arithmetic, props: dict, record: bool = False, rest: dict | None = None, levers=LEVERS
) -> onnx.ModelProto:
    """``rest``: the value at rest of each recurrent-edge source (its input at t = 0);
    ``levers``: the speed levers to use (see the module docstring; all by default)."""
    b = Builder()
    tensors = list(plan.input_shapes)
    shape = b.op("Shape", tensors[0])
    shapes = (b.op("Slice", shape, b.ints([0]), b.ints([2])), b.op("Slice", shape, b.ints([1]), b.ints([2])))
    seg = segments(plan)
    records = [n for n in plan.order if is_neuron(plan.nodes[n])] if record else []
    names = ["y", *[f"rec.{n}" for n in records]]
    fused = "fused_scan" in levers
    if "static_input" in levers and seg.core:
        same = _all_static(b, tensors)
        branches = {}
        for key, static in (("then_branch", True), ("else_branch", False)):
            sub = b.child()
            outs = [
                sub.op("Identity", t) for t in _branch(sub, plan, seg, num, rest or {}, shapes, records, static, fused)
            ]
            branches[key] = sub.graph(b.fresh(key), [], [value_info(o, np.float32, None) for o in outs])
        b.nodes.append(helper.make_node("If", [same], names, **branches))
    else:
        outs = _branch(b, plan, seg, num, rest or {}, shapes, records, False, fused)
        for out, name in zip(outs, names):
            b.op("Identity", out, out=name)
    feat = [plan.out_shape, *[plan.shapes[n] for n in records]]
    outputs = [value_info(n, np.float32, [TIME, BATCH, *f]) for n, f in zip(names, feat)]
    inputs = [value_info(t, np.float32, [TIME, BATCH, *f]) for t, f in plan.input_shapes.items()]
    graph = b.graph("edgesnn_unrolled", inputs, outputs, with_initializers=True)
    props = {
        **props,
        "form": "unrolled",
        "output": "y",
        "states": [],
        "records": records,
        "levers": [lever for lever in LEVERS if lever in levers],
    }
    return finish(graph, props)
