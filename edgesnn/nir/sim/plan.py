"""From a NIR graph to an execution plan: the flat graph, its evaluation order and back-edges
(:mod:`edgesnn.nir.flat`, shared with every backend and the metrics, where the timing convention
is written down), loop checks, and one kernel per node with shapes checked along every edge.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import nir
import numpy as np

from ...errors import ArtifactError, ShapeError
from ..flat import FlatGraph, check_loops, flatten, order
from ..kinds import kind as type_name
from . import neurons, neurons_int, ops
from .base import RESET_MODES, Kernel, Shape, SimContext, as_shape

LOWERINGS = {**ops.LOWERINGS, **neurons.LOWERINGS}
#: an integer graph (``ctx.dtype`` int64: ``edgesnn.numerics.integer``) runs integer neurons
INTEGER_LOWERINGS = {**LOWERINGS, **neurons_int.LOWERINGS}


@dataclass
class Plan:
    flat: FlatGraph
    order: list[str]
    preds: dict[str, list[str]]  # same-step predecessors
    back_preds: dict[str, list[str]]  # previous-step predecessors (back-edges)
    kernels: dict[str, Kernel] = field(default_factory=dict)


def _declared(node, key: str, which: str):
    types = getattr(node, which, None)
    if not isinstance(types, dict) or types.get(key) is None:
        return None
    return as_shape(types[key])


def _hint(flat: FlatGraph, src: str) -> str:
    if type_name(flat.nodes[src]) == "Flatten":
        return " (NIR Flatten start_dim/end_dim exclude the batch dimension)"
    return ""


def _node_context(name: str, node, ctx: SimContext) -> SimContext:
    """The node's own metadata["reset"] wins over the graph's, unless the caller forced one."""
    meta = getattr(node, "metadata", None) or {}
    if ctx.reset_forced or meta.get("reset") is None:
        return ctx
    mode = meta["reset"].decode() if isinstance(meta["reset"], bytes) else str(meta["reset"])
    if mode not in RESET_MODES:
        raise ArtifactError(f"node '{name}': metadata reset {mode!r} is not one of {', '.join(RESET_MODES)}")
    return replace(ctx, reset=mode, if_reset=mode)


def build(graph: nir.NIRGraph, ctx: SimContext) -> Plan:
    """Flatten, order, check loops and lower every node, checking shapes along every edge."""
    flat = flatten(graph)
    check_loops(flat)
    seq, back = order(flat)
    preds = {n: sorted(a for a, b in flat.edges if b == n and (a, b) not in back) for n in seq}
    back_preds = {n: sorted(a for a, b in flat.edges if b == n and (a, b) in back) for n in seq}
    plan = Plan(flat, seq, preds, back_preds)
    lowerings = INTEGER_LOWERINGS if np.issubdtype(np.dtype(ctx.dtype), np.integer) else LOWERINGS
    for name in seq:
        node = flat.nodes[name]
        kind = type_name(node)
        if kind not in lowerings:
            raise ArtifactError(f"node '{name}' has type {kind}, which is not a NIR primitive the simulator knows")
        if name in flat.inputs:
            in_shape = _declared(node, "input", "input_type")
            if in_shape is None:
                raise ArtifactError(f"Input node '{name}' has no shape")
        else:
            shapes = {p: plan.kernels[p].out_shape for p in preds[name]}
            in_shape = next(iter(shapes.values()))
            for p, s in shapes.items():
                if s != in_shape:
                    raise ShapeError(
                        f"node '{name}' receives shape {list(s)} from '{p}' but {list(in_shape)} from "
                        f"'{preds[name][0]}'{_hint(flat, p)}"
                    )
        declared_in = _declared(node, "input", "input_type")
        if declared_in is not None and declared_in != in_shape:
            src = f" from '{preds[name][0]}'" if preds[name] else ""
            raise ShapeError(
                f"node '{name}' ({kind}) expects input shape {list(declared_in)} but receives {list(in_shape)}{src}"
                f"{_hint(flat, preds[name][0]) if preds[name] else ''}"
            )
        kernel = lowerings[kind](name, node, in_shape, _node_context(name, node, ctx))
        declared_out = _declared(node, "output", "output_type")
        if declared_out is not None and declared_out != kernel.out_shape and kind != "Output":
            raise ShapeError(
                f"node '{name}' ({kind}) declares output shape {list(declared_out)} but computes {list(kernel.out_shape)}"
            )
        plan.kernels[name] = kernel
    for a, b in sorted(back):
        if plan.kernels[a].out_shape != plan.kernels[b].in_shape:
            raise ShapeError(
                f"recurrent edge ('{a}', '{b}') carries shape {list(plan.kernels[a].out_shape)} "
                f"but '{b}' receives {list(plan.kernels[b].in_shape)}"
            )
    return plan


def run(
    plan: Plan, x: dict[str, np.ndarray], ctx: SimContext, record: bool
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Step the plan over ``x`` (Input name -> ``[T, B, *in]``, every Input of the plan); return
    the Output's ``[T, B, *out]`` and neuron records."""
    first = next(iter(x.values()))
    steps, batch = first.shape[0], first.shape[1]
    (sink,) = plan.flat.outputs
    back_src = sorted({p for ps in plan.back_preds.values() for p in ps})

    def one_step(xt: dict[str, np.ndarray], states, prev):
        values: dict[str, np.ndarray] = {}
        for name in plan.order:
            if name in xt:
                inp = xt[name]
            else:
                terms = [values[p] for p in plan.preds[name]] + [prev[p] for p in plan.back_preds[name]]
                inp = terms[0]
                for term in terms[1:]:
                    inp = inp + term
            values[name], states[name] = plan.kernels[name].step(inp, states[name])
        return values

    def fresh():
        return {n: k.init(batch) for n, k in plan.kernels.items()}

    prev: dict[str, np.ndarray] = {}
    if back_src:  # the network at rest feeds the back-edges at t = 0
        zeros = {p: np.zeros((batch, *plan.kernels[p].out_shape), dtype=ctx.dtype) for p in back_src}
        rest_in = {n: np.zeros((batch, *v.shape[2:]), dtype=ctx.dtype) for n, v in x.items()}
        rest = one_step(rest_in, fresh(), zeros)
        prev = {p: rest[p] for p in back_src}
    states = fresh()
    out = np.zeros((steps, batch, *plan.kernels[sink].out_shape), dtype=np.float32)
    neurons_ = [n for n in plan.order if plan.kernels[n].neuron]
    records = (
        {n: np.zeros((steps, batch, *plan.kernels[n].out_shape), dtype=np.float32) for n in neurons_} if record else {}
    )
    for t in range(steps):
        values = one_step({n: v[t] for n, v in x.items()}, states, prev)
        out[t] = values[sink]
        for n in records:
            records[n][t] = values[n]
        prev = {p: values[p] for p in back_src}
    return out, records


__all__ = ["FlatGraph", "Plan", "Shape", "build", "check_loops", "flatten", "order", "run", "type_name"]
