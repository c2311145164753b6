"""A NIR graph as a flat, ordered execution plan (what both ONNX forms are built from).

* Sub-graphs (``nir.NIRGraph`` nodes) are inlined; their nodes are named by their path joined
  with "/" (``rnn/lif``). Their Input/Output nodes are pass-throughs and
  are removed by wiring every source of a pass-through to every destination, keeping the edge
  order (several edges into one node are summed in edge order).
* Edges are classified by a depth-first walk from the graph's Input in edge order: an edge
  into a node that is still on the walk's stack closes a cycle (a **back edge**) and delivers
  the previous step's value (zero at t = 0); every other edge delivers within the same step.
  ``order`` is a topological order of the forward edges (reverse post-order of that walk).
* Feature shapes (no batch dimension, as in NIR) are propagated from the Input, so pooling
  nodes without types and sub-graphs get concrete shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import nir
import numpy as np

from ...errors import ArtifactError, ShapeError, UsageError

PASS_THROUGH = (nir.Input, nir.Output)


@dataclass
class Plan:
    """The flattened graph. ``inputs[name]`` lists ``(source, is_back_edge)`` in edge order."""

    nodes: dict[str, nir.NIRNode]
    order: list[str]
    inputs: dict[str, list[tuple[str, bool]]]
    shapes: dict[str, tuple[int, ...]]
    input_name: str
    output_name: str
    back_sources: list[str] = field(default_factory=list)
    in_shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def in_shape(self) -> tuple[int, ...]:
        return self.shapes[self.input_name]

    @property
    def out_shape(self) -> tuple[int, ...]:
        return self.shapes[self.output_name]

    def consumers(self, name: str) -> list[str]:
        return [n for n in self.order if any(src == name for src, _ in self.inputs[n])]


def _endpoint(nodes: dict, name: str, role: str) -> str:
    """Resolve an edge end ``name`` or ``name.port`` to a (possibly nested) node path."""
    if name in nodes:
        node = nodes[name]
        if isinstance(node, nir.NIRGraph):
            ports = node.inputs if role == "dst" else node.outputs
            if len(ports) != 1:
                raise UsageError(f"edge to sub-graph '{name}' is ambiguous: it has ports {sorted(ports)}; name one as '{name}.<port>'")
            return f"{name}/{next(iter(ports))}"
        return name
    head, _, port = name.rpartition(".")
    if head in nodes and isinstance(nodes[head], nir.NIRGraph) and port in nodes[head].nodes:
        return f"{head}/{port}"
    raise ArtifactError(f"edge end '{name}' names no node of the graph; nodes: {', '.join(sorted(nodes))}")


def _flatten(graph: nir.NIRGraph, prefix: str, nodes: dict, edges: list) -> None:
    for name, node in graph.nodes.items():
        path = f"{prefix}{name}"
        if isinstance(node, nir.NIRGraph):
            _flatten(node, f"{path}/", nodes, edges)
        else:
            nodes[path] = node
    for src, dst in graph.edges:
        edges.append((prefix + _endpoint(graph.nodes, src, "src"), prefix + _endpoint(graph.nodes, dst, "dst")))


def _drop_pass_throughs(nodes: dict, edges: list, keep: set[str]) -> list:
    for name in [n for n, node in nodes.items() if isinstance(node, PASS_THROUGH) and n not in keep]:
        sources = [s for s, d in edges if d == name]
        rewired = []
        for src, dst in edges:
            if dst == name:
                continue
            rewired.extend([(s, dst) for s in sources] if src == name else [(src, dst)])
        edges[:] = rewired
        del nodes[name]
    return edges


def _walk(start: str, succ: dict[str, list[str]]) -> tuple[list[str], set[tuple[str, str]]]:
    """Iterative DFS: reverse post-order and the edges that close a cycle."""
    post, back, state = [], set(), {start: 1}
    stack = [(start, iter(succ.get(start, [])))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            state[node] = 2
            post.append(node)
        elif state.get(child) == 1:
            back.add((node, child))
        elif child not in state:
            state[child] = 1
            stack.append((child, iter(succ.get(child, []))))
    return post[::-1], back


def build_plan(graph: nir.NIRGraph) -> Plan:
    """Flatten, order and shape ``graph``; one Input and one Output at the top level."""
    if not isinstance(graph, nir.NIRGraph):
        raise UsageError(f"expected a nir.NIRGraph, got {type(graph).__name__}; read a .nir file with nir.read first")
    top_in = [n for n, v in graph.nodes.items() if isinstance(v, nir.Input)]
    top_out = [n for n, v in graph.nodes.items() if isinstance(v, nir.Output)]
    if len(top_in) != 1 or len(top_out) != 1:
        raise UsageError(f"graph must have exactly one Input and one Output node, found inputs {top_in} and outputs {top_out}")
    nodes: dict[str, nir.NIRNode] = {}
    edges: list[tuple[str, str]] = []
    _flatten(graph, "", nodes, edges)
    _drop_pass_throughs(nodes, edges, keep={top_in[0], top_out[0]})
    succ: dict[str, list[str]] = {}
    for src, dst in edges:
        succ.setdefault(src, []).append(dst)
    order, back = _walk(top_in[0], succ)
    unreached = sorted(set(nodes) - set(order))
    if unreached:
        raise ArtifactError(f"nodes {unreached} are not reachable from the input '{top_in[0]}'; connect or remove them")
    if top_out[0] not in order:
        raise ArtifactError(f"the output '{top_out[0]}' is not reachable from the input '{top_in[0]}'")
    inputs = {n: [] for n in order}
    for src, dst in edges:
        inputs[dst].append((src, (src, dst) in back))
    plan = Plan(nodes, order, inputs, {}, top_in[0], top_out[0])
    plan.back_sources = sorted({s for s, _ in back}, key=order.index)
    _infer_shapes(plan)
    return plan


# ---- shapes ------------------------------------------------------------------------------


def _pair(v, n: int = 2) -> tuple[int, ...]:
    arr = np.atleast_1d(np.asarray(v)).astype(int).ravel()
    return tuple(int(a) for a in (np.repeat(arr, n) if arr.size == 1 else arr))


def conv_pads(node, spatial: tuple[int, ...]) -> list[tuple[int, int]]:
    """(begin, end) padding per spatial dim; 'same' pads like torch (extra on the end)."""
    n = len(spatial)
    kernel = node.weight.shape[2:]
    dil, stride = _pair(node.dilation, n), _pair(node.stride, n)
    if isinstance(node.padding, str):
        if node.padding == "valid":
            return [(0, 0)] * n
        total = [d * (k - 1) for d, k in zip(dil, kernel)]
        return [(t // 2, t - t // 2) for t in total]
    p = _pair(node.padding, n)
    del stride
    return [(a, a) for a in p]


def _conv_shape(node, shape):
    n = node.weight.ndim - 2
    spatial = shape[1:]
    if len(shape) != n + 1 or shape[0] != node.weight.shape[1] * int(node.groups):
        raise ShapeError(f"conv input shape {tuple(shape)} does not fit weight {node.weight.shape} (groups {node.groups})")
    pads, dil, stride = conv_pads(node, spatial), _pair(node.dilation, n), _pair(node.stride, n)
    out = [(s + a + b - d * (k - 1) - 1) // st + 1
           for s, (a, b), d, k, st in zip(spatial, pads, dil, node.weight.shape[2:], stride)]
    return (node.weight.shape[0], *out)


def _pool_shape(node, shape):
    k, s, p = _pair(node.kernel_size), _pair(node.stride), _pair(node.padding)
    return (shape[0], *[(x + 2 * pp - kk) // ss + 1 for x, kk, ss, pp in zip(shape[1:], k, s, p)])


def _affine_shape(node, shape):
    if shape[-1] != node.weight.shape[-1]:
        raise ShapeError(f"input of {shape} does not fit weight {node.weight.shape}")
    return (*shape[:-1], node.weight.shape[-2])


def _flatten_shape(node, shape):
    nd = len(shape)
    s, e = int(node.start_dim) % nd, int(node.end_dim) % nd
    return (*shape[:s], int(np.prod(shape[s:e + 1])), *shape[e + 1:])


_SHAPE_RULES = {
    nir.Affine: _affine_shape,
    nir.Linear: _affine_shape,
    nir.Conv1d: _conv_shape,
    nir.Conv2d: _conv_shape,
    nir.SumPool2d: _pool_shape,
    nir.AvgPool2d: _pool_shape,
    nir.Flatten: _flatten_shape,
}


def _infer_shapes(plan: Plan) -> None:
    top = plan.nodes[plan.input_name]
    plan.shapes[plan.input_name] = tuple(int(d) for d in np.asarray(top.input_type["input"]).ravel())
    for name in plan.order[1:]:
        node = plan.nodes[name]
        srcs = [s for s, back in plan.inputs[name] if not back]
        in_shapes = {plan.shapes[s] for s in srcs}
        if len(in_shapes) != 1:
            raise ShapeError(f"node '{name}' receives inputs of different shapes {sorted(in_shapes)}")
        shape = in_shapes.pop()
        plan.in_shapes[name] = shape
        rule = _SHAPE_RULES.get(type(node))
        try:
            plan.shapes[name] = tuple(int(d) for d in rule(node, shape)) if rule else shape
        except ShapeError as err:
            raise ShapeError(f"node '{name}' ({type(node).__name__}): {err}") from None
    for name in plan.order[1:]:
        for src, back in plan.inputs[name]:
            if back and plan.shapes[src] != plan.in_shapes[name]:
                raise ShapeError(f"recurrent edge {src} -> {name} carries shape {plan.shapes[src]}, expected {plan.in_shapes[name]}")
