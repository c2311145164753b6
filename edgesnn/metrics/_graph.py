"""A NIR graph flattened for metrics: one dict of leaf nodes, one edge list, node categories.

Sub-graphs (``nir.NIRGraph`` nodes, e.g. a recurrent LIF block) are inlined with "/"-joined
names ("rnn/lif"), the naming the recorded spike trains use. An edge into a sub-graph node goes
to the sub-graph's Input node(s); an edge out of it leaves from its Output node(s). Nothing here
depends on a training framework: the metrics are functions of the graph and the recorded spikes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields

import nir
import numpy as np

from ..errors import ArtifactError, ShapeError

#: neuron node type -> state variables per neuron (v; i and v for the current-based ones).
#: Threshold is the stateless "fire" half of a neuron whose integration lives in its integrator.
NEURON_STATE_VARS: dict[type, int] = {
    nir.LIF: 1,
    nir.IF: 1,
    nir.LI: 1,
    nir.I: 1,
    nir.CubaLIF: 2,
    nir.CubaLI: 2,
    nir.Threshold: 0,
}
#: neuron types whose recorded output is a spike train (the others record a membrane / current)
SPIKING_TYPES: tuple[type, ...] = (nir.LIF, nir.CubaLIF, nir.IF, nir.Threshold)
#: nodes with synapses: SynOps, fan-out and dense MACs are defined for these
SYNAPTIC_TYPES: tuple[type, ...] = (nir.Affine, nir.Linear, nir.Conv1d, nir.Conv2d)
#: nodes whose parameters are counted as weights (Scale is elementwise, no fan-out)
WEIGHT_TYPES: tuple[type, ...] = SYNAPTIC_TYPES + (nir.Scale,)
_META_FIELDS = {"input_type", "output_type", "metadata"}


def is_neuron(node: nir.NIRNode) -> bool:
    return type(node) in NEURON_STATE_VARS


def is_spiking(node: nir.NIRNode) -> bool:
    return isinstance(node, SPIKING_TYPES)


@dataclass
class FlatGraph:
    """Leaf nodes by full name, edges between them, and the names of the top-level Input nodes."""

    nodes: dict[str, nir.NIRNode]
    edges: list[tuple[str, str]]
    inputs: list[str]
    _preds: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _succs: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _back: frozenset[tuple[str, str]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        preds: dict[str, list[str]] = defaultdict(list)
        succs: dict[str, list[str]] = defaultdict(list)
        for a, b in self.edges:
            preds[b].append(a)
            succs[a].append(b)
        self._preds, self._succs = dict(preds), dict(succs)

    def preds(self, name: str) -> list[str]:
        return self._preds.get(name, [])

    def back_edges(self) -> frozenset[tuple[str, str]]:
        """Edges that close a cycle in a depth-first walk from the inputs, successors in sorted
        name order — the choice the reference simulator makes (``edgesnn/nir/sim/plan.py``).

        These are the edges a per-step simulator feeds from the previous step: in
        ``lif -> w_rec -> lif`` it is ``w_rec -> lif``; in ``in -> w1 -> lif1 -> w12 -> lif2 ->
        w_fb -> lif1`` it is ``w_fb -> lif1`` (w12 stays same-step).
        """
        if self._back is None:
            state: dict[str, int] = {}  # 1 on the stack, 2 done
            back: set[tuple[str, str]] = set()
            for root in [*self.inputs, *self.nodes]:
                if root in state:
                    continue
                state[root] = 1
                stack = [(root, iter(sorted(set(self._succs.get(root, [])))))]
                while stack:
                    node, succs = stack[-1]
                    nxt = next(succs, None)
                    if nxt is None:
                        state[node] = 2
                        stack.pop()
                    elif state.get(nxt) == 1:
                        back.add((node, nxt))
                    elif nxt not in state:
                        state[nxt] = 1
                        stack.append((nxt, iter(sorted(set(self._succs.get(nxt, []))))))
            self._back = frozenset(back)
        return self._back

    def succs(self, name: str) -> list[str]:
        return self._succs.get(name, [])

    def of_type(self, types: tuple[type, ...] | type) -> dict[str, nir.NIRNode]:
        return {k: n for k, n in self.nodes.items() if isinstance(n, types)}

    def neurons(self) -> dict[str, nir.NIRNode]:
        return {k: n for k, n in self.nodes.items() if is_neuron(n)}


def flatten(graph: nir.NIRGraph) -> FlatGraph:
    """Inline every sub-graph; top-level Input nodes are the graph's inputs."""
    if not isinstance(graph, nir.NIRGraph):
        raise ArtifactError(f"expected a nir.NIRGraph, got {type(graph).__name__}; load it with nir.read(path)")
    nodes: dict[str, nir.NIRNode] = {}
    edges: list[tuple[str, str]] = []
    _collect(graph, "", nodes, edges)
    inputs = [k for k, n in graph.nodes.items() if isinstance(n, nir.Input)]
    return FlatGraph(nodes, edges, inputs)


def _collect(graph: nir.NIRGraph, prefix: str, nodes: dict, edges: list) -> tuple[list[str], list[str]]:
    ports_in: dict[str, list[str]] = {}
    ports_out: dict[str, list[str]] = {}
    for name, node in graph.nodes.items():
        full = prefix + name
        if isinstance(node, nir.NIRGraph):
            ins, outs = _collect(node, full + "/", nodes, edges)
            if not ins or not outs:
                raise ArtifactError(f"sub-graph '{full}' needs Input and Output nodes to be connected")
            ports_in[name], ports_out[name] = ins, outs
        else:
            nodes[full] = node
            ports_in[name] = ports_out[name] = [full]
    for a, b in graph.edges:
        if a not in ports_out or b not in ports_in:
            bad = a if a not in ports_out else b
            raise ArtifactError(f"edge ({a!r}, {b!r}) in graph '{prefix or '/'}' names no node {bad!r}")
        edges.extend((s, d) for s in ports_out[a] for d in ports_in[b])
    ins = [prefix + k for k, n in graph.nodes.items() if isinstance(n, nir.Input)]
    outs = [prefix + k for k, n in graph.nodes.items() if isinstance(n, nir.Output)]
    return ins, outs


def port_shape(node: nir.NIRNode, port: str = "output") -> tuple[int, ...] | None:
    """The node's declared input or output shape (no batch, no time), or None if undefined."""
    types = node.output_type if port == "output" else node.input_type
    value = (types or {}).get(port)
    if value is None:
        return None
    arr = np.asarray(value)
    if arr.dtype == object or arr.size == 0 or arr.ndim != 1:
        return None
    return tuple(int(v) for v in arr)


def neuron_shape(name: str, node: nir.NIRNode) -> tuple[int, ...]:
    """Shape of a neuron population: its parameter arrays (NIR stores them per neuron)."""
    param = node.threshold if isinstance(node, nir.Threshold) else node.r
    shape = np.shape(param)
    declared = port_shape(node)
    if declared is not None and int(np.prod(declared)) > int(np.prod(shape)):
        return declared
    if not shape:
        raise ShapeError(f"neuron node '{name}' has scalar parameters and no output type; give per-neuron arrays")
    return tuple(int(s) for s in shape)


def array_fields(node: nir.NIRNode) -> dict[str, np.ndarray]:
    """The numeric array parameters of a node (not its types or metadata)."""
    out = {}
    for f in fields(node):
        if f.name in _META_FIELDS:
            continue
        value = getattr(node, f.name)
        if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
            out[f.name] = value
    return out


def ints(value, n: int) -> tuple[int, ...]:
    """An int or per-dimension sequence (NIR stores both) as ``n`` ints."""
    arr = np.atleast_1d(np.asarray(value)).astype(int)
    return tuple(int(a) for a in (np.repeat(arr, n) if arr.size == 1 else arr))
