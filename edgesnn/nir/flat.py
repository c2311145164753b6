"""A NIR graph flattened once for everyone: leaf nodes, edges, evaluation order and back-edges.

The simulator's plan, the ONNX and Lava lowerings, the metrics and the evaluation all walk this
graph, so they inline sub-graphs, order nodes and break cycles identically.

Sub-graphs are inlined with "/"-joined names ("rnn/lif"). An edge that names a sub-graph
connects to its single Input (as destination) or single Output (as source); "rnn.lif" names
a node inside sub-graph "rnn". Sub-graph Input/Output nodes stay in the flat graph as identities.
``nodes`` keeps the graph's declared order (sub-graphs inlined in place), so per-layer results
list layers as the graph declares them.

**Timing convention.** Within one timestep the feed-forward part runs in topological order,
each node seeing this step's values of its predecessors (snnTorch semantics: layer after
layer in the same step). The edges that close cycles (*back-edges*) deliver the previous
step's value instead: snnTorch's RLeaky, v[t] = β·v[t−1] + W·x[t] + V·s[t−1]. Back-edges are
the DFS back-edges of a depth-first search from the Input node(s), successors visited in
sorted name order, so the choice depends only on the graph, never on dict order: for
``input → lif ⇄ w_rec`` the back-edge is ``w_rec → lif``. At t = 0 a back-edge delivers the
network's value *at rest*: one step run on zero input from zero state (so V·s[−1] = b_V,
as RLeaky applies its recurrent Linear to spk = 0; zero when the loop has no bias).
A cycle with no neuron or Delay on it is an algebraic loop and is refused (:func:`check_loops`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

import nir

from ..errors import ArtifactError
from .kinds import NEURON_NODES, STATEFUL, is_kind, kind


@dataclass
class FlatGraph:
    """Leaf nodes (declared order), edges, and the top-level Input/Output nodes (sorted names)."""

    nodes: dict[str, nir.NIRNode]
    edges: list[tuple[str, str]]
    inputs: list[str]
    outputs: list[str]
    _preds: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _succs: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _order: tuple[list[str], frozenset[tuple[str, str]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        preds: dict[str, list[str]] = defaultdict(list)
        succs: dict[str, list[str]] = defaultdict(list)
        for a, b in self.edges:
            preds[b].append(a)
            succs[a].append(b)
        self._preds, self._succs = dict(preds), dict(succs)

    def preds(self, name: str) -> list[str]:
        """Sources of the edges into ``name``, in edge order (back-edges included)."""
        return self._preds.get(name, [])

    def succs(self, name: str) -> list[str]:
        """Destinations of the edges out of ``name``, in edge order."""
        return self._succs.get(name, [])

    def _ordered(self) -> tuple[list[str], frozenset[tuple[str, str]]]:
        if self._order is None:
            seq, back = order(self)
            self._order = (seq, frozenset(back))
        return self._order

    def evaluation_order(self) -> list[str]:
        """Topological order of the graph without its back-edges (:func:`order`)."""
        return list(self._ordered()[0])

    def back_edges(self) -> frozenset[tuple[str, str]]:
        """The edges fed from the previous step (:func:`order`): in ``lif -> w_rec -> lif`` it is
        ``w_rec -> lif``; in ``in -> w1 -> lif1 -> w12 -> lif2 -> w_fb -> lif1`` it is
        ``w_fb -> lif1`` (w12 stays same-step). ArtifactError when a node cannot be reached from
        an Input."""
        return self._ordered()[1]

    def of_type(self, kinds) -> dict[str, nir.NIRNode]:
        """Nodes of ``kinds`` (type names, or NIR classes; :func:`edgesnn.nir.kinds.is_kind`), in order."""
        return {k: n for k, n in self.nodes.items() if is_kind(n, kinds)}

    def neurons(self, kinds: Collection[str] = NEURON_NODES) -> dict[str, nir.NIRNode]:
        """Neuron nodes in order: by default the neuron models and Threshold (``NEURON_NODES``)."""
        return self.of_type(kinds)


def _ports(graph: nir.NIRGraph, kind_: type) -> list[str]:
    return sorted(k for k, n in graph.nodes.items() if isinstance(n, kind_))


def _endpoint(graph: nir.NIRGraph, prefix: str, name: str, role: str, edge) -> str:
    """Flat name of an edge endpoint (role "src" or "dst")."""
    if name in graph.nodes:
        node = graph.nodes[name]
        if not isinstance(node, nir.NIRGraph):
            return prefix + name
        port = nir.Output if role == "src" else nir.Input
        ports = _ports(node, port)
        if len(ports) != 1:
            raise ArtifactError(
                f"edge {edge} connects to sub-graph '{prefix}{name}', which has {len(ports)} {port.__name__} nodes; "
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


def _declared_names(graph: nir.NIRGraph, prefix: str = "") -> Iterator[str]:
    """Leaf names in the graph's own node order, sub-graphs inlined ("rnn/lif")."""
    for name, node in graph.nodes.items():
        if isinstance(node, nir.NIRGraph):
            yield from _declared_names(node, f"{prefix}{name}/")
        else:
            yield prefix + name


def flatten(graph: nir.NIRGraph) -> FlatGraph:
    """Inline sub-graphs; refuse dangling and duplicate edges and edges into the Input.

    Edges are listed sub-graph by sub-graph in sorted name order (inner edges before the
    enclosing graph's), each graph's in its declared order; nodes in the graph's declared order.
    """
    if not isinstance(graph, nir.NIRGraph):
        raise ArtifactError(f"expected a nir.NIRGraph, got {type(graph).__name__}; load it with nir.read(path)")
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
                where = f"sub-graph {prefix[:-1]}" if prefix else "graph"
                raise ArtifactError(f"duplicate edge ({a!r}, {b!r}) in {where}")
            seen.add(flat)
            edges.append(flat)

    walk(graph, "")
    top_in = _ports(graph, nir.Input)
    top_out = _ports(graph, nir.Output)
    for a, b in edges:
        if b in top_in:
            raise ArtifactError(f"edge ('{a}', '{b}') leads into the graph's Input node '{b}'")
    return FlatGraph({k: nodes[k] for k in _declared_names(graph)}, edges, top_in, top_out)


def order(flat: FlatGraph) -> tuple[list[str], set[tuple[str, str]]]:
    """Topological order of the graph without its back-edges, and the back-edges (DFS from the
    Inputs, successors in sorted name order; see the module docstring)."""
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
    plain = {n for n, node in flat.nodes.items() if kind(node) not in STATEFUL}
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


__all__ = ["FlatGraph", "check_loops", "flatten", "order"]
