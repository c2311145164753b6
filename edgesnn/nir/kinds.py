"""The node taxonomy of NIR, defined once: which primitives are neurons, synapses, spiking, stateful.

Every set holds NIR type names (``type(node).__name__``, what NIR files store), so a set reads
the same in the simulator, the backends, the metrics and the evaluation; :func:`is_kind` tests a
node against one. A backend's own "what I support" table stays in the backend.

=================  =============================================================================
``NEURONS``        the neuron models, each with a state and dynamics: I, IF, LI, LIF, CubaLI,
                   CubaLIF (what ``simulate(record=True)`` records)
``SPIKING``        nodes whose output is a spike train: LIF, CubaLIF, IF and Threshold (the
                   others output a membrane potential or a current)
``NEURON_NODES``   a layer of neurons as the metrics read it: ``NEURONS`` plus Threshold, the
                   stateless "fire" half of a neuron whose integration lives in the I/LI before it
``STATE_VARS``     state variables per neuron of each ``NEURON_NODES`` type: v (1) for I, IF, LI,
                   LIF; i and v (2) for CubaLI, CubaLIF; none for Threshold
``SYNAPSES``       nodes with synapses (a weight per connection): Affine, Linear, Conv1d, Conv2d;
                   SynOps, fan-out and dense MACs are defined for these
``WEIGHTED``       nodes whose parameters count as weights: ``SYNAPSES`` plus Scale (elementwise)
``CONVS``          Conv1d, Conv2d; ``POOLS``: SumPool2d, AvgPool2d (geometry: :mod:`.geometry`)
``STATEFUL``       nodes that carry state across timesteps, ``NEURONS`` plus Delay: a cycle through
                   one of them is well defined, any other cycle is an algebraic loop
``PORTS``          Input, Output
=================  =============================================================================
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from types import MappingProxyType

NEURONS = frozenset({"I", "IF", "LI", "LIF", "CubaLI", "CubaLIF"})
SPIKING = frozenset({"LIF", "CubaLIF", "IF", "Threshold"})
NEURON_NODES = NEURONS | {"Threshold"}
#: neuron node type -> state variables per neuron (ordered as the metrics list them)
STATE_VARS: Mapping[str, int] = MappingProxyType(
    {"LIF": 1, "IF": 1, "LI": 1, "I": 1, "CubaLIF": 2, "CubaLI": 2, "Threshold": 0}
)
SYNAPSES = frozenset({"Affine", "Linear", "Conv1d", "Conv2d"})
WEIGHTED = SYNAPSES | {"Scale"}
CONVS = frozenset({"Conv1d", "Conv2d"})
POOLS = frozenset({"SumPool2d", "AvgPool2d"})
STATEFUL = NEURONS | {"Delay"}
PORTS = frozenset({"Input", "Output"})


def kind(node) -> str:
    """The NIR type name of ``node`` ("LIF", "Conv2d"...)."""
    return type(node).__name__


def is_kind(node, kinds: str | Collection[str] | type | tuple[type, ...]) -> bool:
    """Whether ``node`` is of ``kinds``: a type name or a collection of them (exact name), or NIR
    classes (``isinstance``)."""
    if isinstance(kinds, type) or (isinstance(kinds, tuple) and kinds and all(isinstance(k, type) for k in kinds)):
        return isinstance(node, kinds)
    if isinstance(kinds, str):
        return kind(node) == kinds
    return kind(node) in kinds


__all__ = [
    "CONVS",
    "NEURONS",
    "NEURON_NODES",
    "POOLS",
    "PORTS",
    "SPIKING",
    "STATEFUL",
    "STATE_VARS",
    "SYNAPSES",
    "WEIGHTED",
    "is_kind",
    "kind",
]
