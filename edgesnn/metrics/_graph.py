"""The graph helpers the metrics share: the hub's flat graph and node taxonomy as NIR classes,
declared port shapes, neuron population shapes, numeric parameter arrays.

The flat graph is the hub's (:mod:`edgesnn.nir.flat`), so the metrics inline sub-graphs and
break cycles exactly where the reference simulator does: sub-graphs (``nir.NIRGraph`` nodes, e.g.
a recurrent LIF block) are inlined with "/"-joined names ("rnn/lif"), the naming the recorded
spike trains use. The node categories are :mod:`edgesnn.nir.kinds`'. Nothing here depends on a
training framework: the metrics are functions of the graph and the recorded spikes.
"""

from __future__ import annotations

from dataclasses import fields

import nir
import numpy as np

from ..errors import ShapeError
from ..nir import kinds
from ..nir.flat import FlatGraph, flatten


def _classes(names) -> tuple[type, ...]:
    return tuple(getattr(nir, n) for n in names)


#: neuron node type -> state variables per neuron (v; i and v for the current-based ones).
#: Threshold is the stateless "fire" half of a neuron whose integration lives in its integrator.
NEURON_STATE_VARS: dict[type, int] = {getattr(nir, k): v for k, v in kinds.STATE_VARS.items()}
#: neuron types whose recorded output is a spike train (the others record a membrane / current)
SPIKING_TYPES: tuple[type, ...] = _classes(sorted(kinds.SPIKING))
#: nodes with synapses: SynOps, fan-out and dense MACs are defined for these
SYNAPTIC_TYPES: tuple[type, ...] = _classes(sorted(kinds.SYNAPSES))
#: nodes whose parameters are counted as weights (Scale is elementwise, no fan-out)
WEIGHT_TYPES: tuple[type, ...] = _classes(sorted(kinds.WEIGHTED))
_META_FIELDS = {"input_type", "output_type", "metadata"}


def is_neuron(node: nir.NIRNode) -> bool:
    """A neuron model or a Threshold (:data:`edgesnn.nir.kinds.NEURON_NODES`)."""
    return kinds.kind(node) in kinds.NEURON_NODES


def is_spiking(node: nir.NIRNode) -> bool:
    return kinds.kind(node) in kinds.SPIKING


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


__all__ = [
    "NEURON_STATE_VARS",
    "SPIKING_TYPES",
    "SYNAPTIC_TYPES",
    "WEIGHT_TYPES",
    "FlatGraph",
    "array_fields",
    "flatten",
    "is_neuron",
    "is_spiking",
    "neuron_shape",
    "port_shape",
]
