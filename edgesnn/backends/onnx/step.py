"""One timestep of a set of plan nodes on ``[B, *features]`` tensors (stepwise form, recurrent blocks).

Node inputs are summed in edge order (a forward edge gives this step's value, a back edge
the previous step's); stateless nodes use ``lowering.STATELESS``, stateful ones
``neurons.STATEFUL``. An unknown type raises ``UnsupportedPrimitiveError``.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import nir
import numpy as np

from ...errors import UnsupportedPrimitiveError
from .arithmetic import Arithmetic
from .builder import Builder
from .lowering import STATELESS, average, sum_pool
from .neurons import STATEFUL, rules
from .plan import Plan

PASS = (nir.Input, nir.Output)


def supported_types() -> list[str]:
    """NIR node type names this backend lowers."""
    return sorted({t.__name__ for t in (*STATELESS, *STATEFUL, *PASS)})


def check_supported(graph: nir.NIRGraph, allowed=None, prefix: str = "") -> None:
    """UnsupportedPrimitiveError for the first node (sub-graphs searched) that this backend,
    or the target's ``allowed`` primitive list, cannot lower."""
    ours = set(supported_types())
    names = ours if allowed is None else ours & (set(allowed) | {"Input", "Output"})
    for name in sorted(graph.nodes):
        node = graph.nodes[name]
        if isinstance(node, nir.NIRGraph):
            check_supported(node, allowed, f"{prefix}{name}/")
            continue
        kind = type(node).__name__
        if kind not in names or type(node) not in (*STATELESS, *STATEFUL, *PASS):
            raise UnsupportedPrimitiveError(
                f"{prefix}{name}", kind, names, where="ONNX backend" if kind not in ours else "target"
            )


def state_specs(plan: Plan, num: Arithmetic, names=None) -> list[tuple[str, str, tuple]]:
    """(node, state key, shape with "B") of every state of ``names`` (default: all nodes), in order."""
    specs = []
    for name in names or plan.order:
        rule = rules(num).get(type(plan.nodes[name]))
        if rule:
            specs += [(name, key, shp) for key, shp in rule.states(plan.nodes[name], plan.shapes[name], num).items()]
    return specs


def sum_inputs(b: Builder, plan: Plan, name: str, values: dict, prev: dict) -> str:
    """Σ of the node's incoming edges in edge order."""
    terms = [prev[src] if back else values[src] for src, back in plan.inputs[name]]
    acc = terms[0]
    for term in terms[1:]:
        acc = b.op("Add", acc, term)
    return acc


def lower_stateless(b: Builder, plan: Plan, name: str, x: str, num: Arithmetic) -> str:
    """The node's ONNX ops. In float32, a sum over real-valued inputs (``plan.real_sums``) is
    accumulated in float64 from the float32 weights and rounded once, as the judge does; a sum
    over spikes stays in float32, exact in any order on the sum grid (``numerics.float32``)."""
    node = plan.nodes[name]
    if isinstance(node, PASS):
        return x
    lower = STATELESS[type(node)]
    if num.dtype == np.float32 and name in plan.real_sums:
        wide = replace(num, dtype=np.float64)
        averaging = isinstance(node, nir.AvgPool2d)  # sum wide, round, then scale in float32
        summing = sum_pool if averaging else lower
        y = b.cast(summing(b, as_float32(node), b.cast(x, np.float64), plan.in_shapes[name], wide), np.float32)
        return average(b, node, y, num) if averaging else y
    return lower(b, node, x, plan.in_shapes[name], num)


def as_float32(node: nir.NIRNode) -> nir.NIRNode:
    """A shallow copy whose weight and bias hold their float32 values (the judge's, widened)."""
    node = copy.copy(node)
    for field in ("weight", "bias"):
        if getattr(node, field, None) is not None:
            setattr(node, field, np.asarray(getattr(node, field), dtype=np.float32))
    return node


def emit_step(
    b: Builder,
    plan: Plan,
    names: list[str],
    values: dict,
    prev: dict,
    states: dict,
    num: Arithmetic,
    ready: dict | None = None,
) -> tuple[dict, dict]:
    """Emit ``names`` (plan order) for one step.

    ``values``: float tensors of sources already computed (updated in place with every node);
    ``prev``: previous-step values of back-edge sources; ``states``: (node, key) -> tensor;
    ``ready``: stateful node -> its state-free part (``rule.pre`` of its summed input), already
    computed outside the step. Returns (values, new states).
    """
    new_states = {}
    ready = ready or {}
    for name in names:
        node = plan.nodes[name]
        rule = rules(num).get(type(node))
        if name in ready:
            u = ready[name]
        else:
            x = sum_inputs(b, plan, name, values, prev)
            if rule is None:
                values[name] = lower_stateless(b, plan, name, x, num)
                continue
            u = rule.pre(b, node, x, num)
        st = {key: states[(name, key)] for _, key, _ in state_specs(plan, num, [name])}
        out, nxt = rule.step(b, node, u, st, num)
        if not b.is_bool(out):
            values[name] = out
        elif hasattr(values, "spikes"):  # LazySpikes: cast when a node reads it
            values.spikes[name] = out
        else:
            values[name] = b.cast(out, num.dtype)
        new_states.update({(name, key): t for key, t in nxt.items()})
    return values, new_states


def is_neuron(node: nir.NIRNode) -> bool:
    rule = STATEFUL.get(type(node))
    return bool(rule and rule.neuron)
