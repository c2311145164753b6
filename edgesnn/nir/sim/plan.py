"""From a NIR graph to an execution plan: flat nodes, evaluation order, back-edges, kernels.

Sub-graphs are inlined with "/"-joined names ("rnn/lif"). An edge that names a sub-graph
connects to its single Input (as destination) or single Output (as source); "rnn.lif" names
a node inside sub-graph "rnn". Sub-graph Input/Output nodes stay in the plan as identities.

**Timing convention.** Within one timestep the feed-forward part runs in topological order,
each node seeing this step's values of its predecessors (snnTorch semantics: layer after
layer in the same step). The edges that close cycles (*back-edges*) deliver the previous
step's value instead: snnTorch's RLeaky, v[t] = β·v[t−1] + W·x[t] + V·s[t−1]. Back-edges are
the DFS back-edges of a depth-first search from the Input node(s), successors visited in
sorted name order, so the choice depends only on the graph, never on dict order: for
``input → lif ⇄ w_rec`` the back-edge is ``w_rec → lif``. At t = 0 a back-edge delivers the
network's value *at rest*: one step run on zero input from zero state (so V·s[−1] = b_V,
as RLeaky applies its recurrent Linear to spk = 0; zero when the loop has no bias).
A cycle with no neuron or Delay on it is an algebraic loop and is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import nir
import numpy as np

from ...errors import ArtifactError, ShapeError
from . import neurons, ops
from .base import RESET_MODES, Kernel, Shape, SimContext, as_shape

LOWERINGS = {**ops.LOWERINGS, **neurons.LOWERINGS}
#: node types that carry state across timesteps, so a cycle through them is well defined
STATEFUL = frozenset(neurons.LOWERINGS) | {"Delay"}


@dataclass
class FlatGraph:
    nodes: dict[str, nir.NIRNode]
    edges: list[tuple[str, str]]
    inputs: list[str]  # top-level Input nodes
    outputs: list[str]  # top-level Output nodes


@dataclass
class Plan:
    flat: FlatGraph
    order: list[str]
    preds: dict[str, list[str]]  # same-step predecessors
    back_preds: dict[str, list[str]]  # previous-step predecessors (back-edges)
    kernels: dict[str, Kernel] = field(default_factory=dict)


def type_name(node) -> str:
    return type(node).__name__


def _ports(graph: nir.NIRGraph, kind: type) -> list[str]:
    return sorted(k for k, n in graph.nodes.items() if isinstance(n, kind))


def _endpoint(graph: nir.NIRGraph, prefix: str, name: str, role: str, edge) -> str:
    """Flat name of an edge endpoint (role "src" or "dst")."""
    if name in graph.nodes:
        node = graph.nodes[name]
        if not isinstance(node, nir.NIRGraph):
            return prefix + name
        kind = nir.Output if role == "src" else nir.Input
        ports = _ports(node, kind)
        if len(ports) != 1:
            raise ArtifactError(
                f"edge {edge} connects to sub-graph '{prefix}{name}', which has {len(ports)} {kind.__name__} nodes; "
                f"name one as '{name}.<node>'"
            )
        return _endpoint(node, f"{prefix}{name}/", ports[0], role, edge)
    for i in range(len(name) - 1, 0, -1):  # "sub.inner" (longest sub-graph name first)
        head, tail = name[:i], name[i + 1 :]
        if name[i] == "." and isinstance(graph.nodes.get(head), nir.NIRGraph):
            return _endpoint(graph.nodes[head], f"{prefix}{head}/", tail, role, edge)
    where = f" of sub-graph '{prefix[:-1]}'" if prefix else ""
    raise ArtifactError(
        f"edge {edge}{where} names node '{name}', which does not exist (nodes: {', '.join(sorted(graph.nodes))})"
    )


def flatten(graph: nir.NIRGraph) -> FlatGraph:
    """Inline sub-graphs; refuse dangling and duplicate edges."""
    nodes: dict[str, nir.NIRNode] = {}
    edges: list[tuple[str, str]] = []

    def walk(g: nir.NIRGraph, prefix: str) -> None:
        for name in sorted(g.nodes):
            node = g.nodes[name]
            if isinstance(node, nir.NIRGraph):
                walk(node, f"{prefix}{name}/")
            else:
                nodes[prefix + name] = node
        seen = set()
        for edge in g.edges:
            a, b = (str(e) for e in edge)
            flat = (_endpoint(g, prefix, a, "src", (a, b)), _endpoint(g, prefix, b, "dst", (a, b)))
            if flat in seen:
                raise ArtifactError(f"duplicate edge ({a!r}, {b!r}) in {'sub-graph ' + prefix[:-1] if prefix else 'graph'}")
            seen.add(flat)
            edges.append(flat)

    walk(graph, "")
    top_in = [n for n in _ports(graph, nir.Input)]
    top_out = [n for n in _ports(graph, nir.Output)]
    for a, b in edges:
        if b in top_in:
            raise ArtifactError(f"edge ('{a}', '{b}') leads into the graph's Input node '{b}'")
    return FlatGraph(nodes, edges, top_in, top_out)


def order(flat: FlatGraph) -> tuple[list[str], set[tuple[str, str]]]:
    """Topological order of the graph without its back-edges, and the back-edges (DFS from Inputs)."""
    succ: dict[str, list[str]] = {n: [] for n in flat.nodes}
    for a, b in flat.edges:
        succ[a].append(b)
    state: dict[str, int] = {}  # 1 = on the DFS stack, 2 = finished
    back: set[tuple[str, str]] = set()
    post: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        for m in sorted(set(succ[n])):
            if state.get(m) == 1:
                back.add((n, m))
            elif m not in state:
                visit(m)
        state[n] = 2
        post.append(n)

    if not flat.inputs:
        raise ArtifactError("graph has no Input node; add one so the simulator knows where x enters")
    for root in flat.inputs:
        if root not in state:
            visit(root)
    lost = sorted(set(flat.nodes) - set(state))
    if lost:
        raise ArtifactError(f"node(s) {', '.join(repr(n) for n in lost)} cannot be reached from the graph's Input")
    return post[::-1], back


def check_loops(flat: FlatGraph) -> None:
    """Refuse a cycle with no neuron or Delay on it (an algebraic loop: it has no solution per step)."""
    plain = {n for n, node in flat.nodes.items() if type_name(node) not in STATEFUL}
    succ: dict[str, list[str]] = {n: [] for n in plain}
    for a, b in flat.edges:
        if a in plain and b in plain:
            succ[a].append(b)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for m in sorted(succ[n]):
            if state.get(m) == 1:
                loop = stack[stack.index(m) :] + [m]
                raise ArtifactError(
                    f"cycle {' -> '.join(loop)} has no neuron or Delay on it (an algebraic loop); "
                    "a recurrent connection must pass through a neuron"
                )
            if m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(plain):
        if n not in state:
            visit(n)


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
    for name in seq:
        node = flat.nodes[name]
        kind = type_name(node)
        if kind not in LOWERINGS:
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
        kernel = LOWERINGS[kind](name, node, in_shape, _node_context(name, node, ctx))
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


def run(plan: Plan, x: dict[str, np.ndarray], ctx: SimContext, record: bool) -> tuple[np.ndarray, dict[str, np.ndarray]]:
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


__all__ = ["FlatGraph", "Plan", "Shape", "build", "check_loops", "flatten", "order", "run"]
