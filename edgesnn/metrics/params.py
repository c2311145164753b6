"""Parameters and memory of a NIR graph: weights, neuron state, activations.

- ``count_params``: per weight node (Affine, Linear, Conv1d, Conv2d, Scale) its weights and
  biases; ``total = weights + biases`` (the synaptic memory). Neuron parameters (tau, r, v_leak,
  v_threshold, v_reset, w_in, ...) are counted apart as ``neuron_params``: NIR stores them per
  neuron even when a framework shares one value, so they are an upper bound.
- ``param_bytes(graph, weight_bits) = total * weight_bits / 8`` (weights and biases at the
  target's weight precision; neuron parameters excluded, a chip keeps them in its neuron
  configuration, not in synaptic memory).
- ``state_bytes(graph, state_bits) = sum_layers neurons * vars * state_bits / 8`` with one state
  variable (v) per LIF, IF, LI and I neuron and two (i, v) per CubaLIF and CubaLI; Threshold 0.
- ``activation_bytes(graph, bits)``: the largest tensor passed between two nodes for one
  sample and one step, ``max_node prod(output shape) * bits / 8``. It is the peak single buffer;
  a layer-by-layer executor holds a layer's input and output at once (up to twice this).
  ``measure`` uses the target's state precision (32 bits on the float targets, 24 on Loihi 2);
  binary spikes could be packed to 1 bit, which this does not assume.
"""

from __future__ import annotations

import nir
import numpy as np

from ..errors import ConfigError, ShapeError
from . import fanout as fo
from ._graph import NEURON_STATE_VARS, SYNAPTIC_TYPES, WEIGHT_TYPES, array_fields, flatten, neuron_shape, port_shape


def count_params(graph: nir.NIRGraph) -> dict:
    """``{"layers": {name: {type, weights, biases, total}}, weights, biases, total, neuron_params}``."""
    fg = flatten(graph)
    layers = {}
    for name, node in fg.of_type(WEIGHT_TYPES).items():
        w = int(np.size(node.scale if isinstance(node, nir.Scale) else node.weight))
        b = int(np.size(node.bias)) if getattr(node, "bias", None) is not None else 0
        layers[name] = {"type": type(node).__name__, "weights": w, "biases": b, "total": w + b}
    neuron_params = sum(int(a.size) for n in fg.neurons().values() for a in array_fields(n).values())
    weights = sum(v["weights"] for v in layers.values())
    biases = sum(v["biases"] for v in layers.values())
    return {
        "layers": layers,
        "weights": weights,
        "biases": biases,
        "total": weights + biases,
        "neuron_params": neuron_params,
    }


def _bits(bits: int, what: str) -> int:
    if not isinstance(bits, (int, np.integer)) or isinstance(bits, bool) or bits <= 0:
        raise ConfigError(f"{what} must be a positive number of bits, got {bits!r}")
    return int(bits)


def param_bytes(graph: nir.NIRGraph, weight_bits: int) -> float:
    """Bytes of weights and biases at ``weight_bits`` each."""
    return count_params(graph)["total"] * _bits(weight_bits, "weight_bits") / 8


def state_counts(graph: nir.NIRGraph) -> dict[str, int]:
    """State variables per neuron node (neurons x variables per neuron)."""
    fg = flatten(graph)
    return {
        k: int(np.prod(neuron_shape(k, n))) * NEURON_STATE_VARS[type(n)] for k, n in fg.neurons().items()
    }


def state_bytes(graph: nir.NIRGraph, state_bits: int) -> float:
    """Bytes of neuron state at ``state_bits`` per variable."""
    return sum(state_counts(graph).values()) * _bits(state_bits, "state_bits") / 8


def activation_sizes(graph: nir.NIRGraph) -> dict[str, int]:
    """Elements of each node's per-step output for one sample (Output nodes excluded)."""
    fg = flatten(graph)
    sizes = {}
    for name, node in fg.nodes.items():
        if isinstance(node, nir.Output):
            continue
        if isinstance(node, SYNAPTIC_TYPES):
            shape = fo.output_shape(name, node)
        elif type(node) in NEURON_STATE_VARS:
            shape = neuron_shape(name, node)
        else:
            shape = port_shape(node)
        if shape is None:
            raise ShapeError(
                f"node '{name}' ({type(node).__name__}) has no output shape; build the graph with type checking"
            )
        sizes[name] = int(np.prod(shape))
    return sizes


def activation_bytes(graph: nir.NIRGraph, bits: int = 32) -> float:
    """Peak single inter-layer buffer for one sample: ``max(activation_sizes) * bits / 8``."""
    sizes = activation_sizes(graph)
    return max(sizes.values(), default=0) * _bits(bits, "activation bits") / 8
