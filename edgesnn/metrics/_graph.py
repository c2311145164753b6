"""A NIR graph flattened for metrics: one dict of leaf nodes, one edge list, node categories.

Flattening and back-edges are the reference simulator's (``edgesnn/nir/sim/plan.py``), so the
metrics break cycles exactly where the simulator does: sub-graphs (``nir.NIRGraph`` nodes, e.g. a
recurrent LIF block) are inlined with "/"-joined names ("rnn/lif"), the naming the recorded spike
trains use. Nothing here depends on a training framework: the metrics are functions of the graph
and the recorded spikes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
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


def _plan():
    """The reference simulator's plan module, imported on first use: ``edgesnn.nir`` pulls in
    torch (its ``from_torch``), and importing the metrics alone must stay light."""
    from ..nir.sim import plan

    return plan


def _declared_names(graph: nir.NIRGraph, prefix: str = "") -> Iterator[str]:
    """Leaf names in the graph's own node order, sub-graphs inlined ("rnn/lif")."""
    for name, node in graph.nodes.items():
        if isinstance(node, nir.NIRGraph):
            yield from _declared_names(node, f"{prefix}{name}/")
        else:
            yield prefix + name


@dataclass
class FlatGraph:
    """The reference simulator's flat graph (:func:`edgesnn.nir.sim.plan.flatten`) with the
    queries the metrics ask of it. ``nodes`` keeps the graph's own order, so per-layer results
    list layers as the graph declares them; ``inputs``/``outputs`` are the top-level Input/Output
    nodes.
    """

    nodes: dict[str, nir.NIRNode]
    edges: list[tuple[str, str]]
    inputs: list[str]
    outputs: list[str]
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

    def succs(self, name: str) -> list[str]:
        return self._succs.get(name, [])

    def back_edges(self) -> frozenset[tuple[str, str]]:
        """The edges the reference simulator feeds from the previous step: the back-edges of its
        depth-first walk from the inputs (:func:`edgesnn.nir.sim.plan.order`, the one definition).

        In ``lif -> w_rec -> lif`` it is ``w_rec -> lif``; in ``in -> w1 -> lif1 -> w12 -> lif2 ->
        w_fb -> lif1`` it is ``w_fb -> lif1`` (w12 stays same-step). Raises ArtifactError, as the
        simulator does, when a node cannot be reached from an Input.
        """
        if self._back is None:
            plan = _plan()
            _, back = plan.order(plan.FlatGraph(self.nodes, self.edges, self.inputs, self.outputs))
            self._back = frozenset(back)
        return self._back

    def of_type(self, types: tuple[type, ...] | type) -> dict[str, nir.NIRNode]:
        return {k: n for k, n in self.nodes.items() if isinstance(n, types)}

    def neurons(self) -> dict[str, nir.NIRNode]:
        return {k: n for k, n in self.nodes.items() if is_neuron(n)}


def flatten(graph: nir.NIRGraph) -> FlatGraph:
    """Inline every sub-graph as the reference simulator does (:func:`edgesnn.nir.sim.plan.flatten`:
    an edge naming a sub-graph reaches its single Input / leaves its single Output)."""
    if not isinstance(graph, nir.NIRGraph):
        raise ArtifactError(f"expected a nir.NIRGraph, got {type(graph).__name__}; load it with nir.read(path)")
    flat = _plan().flatten(graph)
    nodes = {k: flat.nodes[k] for k in _declared_names(graph)}
    return FlatGraph(nodes, flat.edges, flat.inputs, flat.outputs)


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
