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
from ..nir.flat import flatten
from ..nir.geometry import pool_geometry
from . import fanout as fo
from ._graph import NEURON_STATE_VARS, SYNAPTIC_TYPES, WEIGHT_TYPES, array_fields, neuron_shape, port_shape


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
    return {k: int(np.prod(neuron_shape(k, n))) * NEURON_STATE_VARS[type(n)] for k, n in fg.neurons().items()}


def state_bytes(graph: nir.NIRGraph, state_bits: int) -> float:
    """Bytes of neuron state at ``state_bits`` per variable."""
    return sum(state_counts(graph).values()) * _bits(state_bits, "state_bits") / 8


def node_shapes(graph: nir.NIRGraph) -> dict[str, tuple[int, ...]]:
    """Per-step output shape (one sample) of every node, inferred along the edges where undeclared."""
    fg = flatten(graph)
    shapes: dict[str, tuple[int, ...]] = {}

    def shape(name: str, path: tuple[str, ...] = ()) -> tuple[int, ...]:
        if name in shapes:
            return shapes[name]
        if name in path:
            raise ShapeError(f"cannot infer shapes around the cycle through node '{name}'")
        node = fg.nodes[name]

        def incoming() -> tuple[int, ...]:
            preds = fg.preds(name)
            if not preds:
                raise ShapeError(f"node '{name}' ({type(node).__name__}) has no declared shape and no input edge")
            return shape(preds[0], path + (name,))

        if type(node) in NEURON_STATE_VARS:
            out = neuron_shape(name, node)
        elif isinstance(node, SYNAPTIC_TYPES):
            declared = fo.expected_input_shape(node)
            out = fo.output_shape(name, node, declared if declared is not None else incoming())
        elif type(node) in _SHAPE_RULES:
            out = _SHAPE_RULES[type(node)](node, incoming())
        else:
            out = port_shape(node) or incoming()
        shapes[name] = tuple(int(v) for v in out)
        return shapes[name]

    for name in fg.nodes:
        shape(name)
    return shapes


def _pool_shape(node: nir.SumPool2d | nir.AvgPool2d, in_shape: tuple[int, ...]) -> tuple[int, ...]:
    c, *spatial = in_shape[-3:]
    return (c, *pool_geometry(type(node).__name__, node).out_shape(spatial))


def _flatten_shape(node: nir.Flatten, in_shape: tuple[int, ...]) -> tuple[int, ...]:
    declared = port_shape(node)
    if declared is not None:
        return declared
    start, end = int(node.start_dim) % len(in_shape), int(node.end_dim) % len(in_shape)
    return in_shape[:start] + (int(np.prod(in_shape[start : end + 1])),) + in_shape[end + 1 :]


_SHAPE_RULES = {nir.SumPool2d: _pool_shape, nir.AvgPool2d: _pool_shape, nir.Flatten: _flatten_shape}


def activation_sizes(graph: nir.NIRGraph) -> dict[str, int]:
    """Elements of each node's per-step output for one sample (Output nodes excluded)."""
    fg = flatten(graph)
    shapes = node_shapes(graph)
    return {k: int(np.prod(shapes[k])) for k, n in fg.nodes.items() if not isinstance(n, nir.Output)}


def activation_bytes(graph: nir.NIRGraph, bits: int = 32) -> float:
    """Peak single inter-layer buffer for one sample: ``max(activation_sizes) * bits / 8``."""
    sizes = activation_sizes(graph)
    return max(sizes.values(), default=0) * _bits(bits, "activation bits") / 8
