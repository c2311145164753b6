"""Integer neurons for int8 targets (``numerics.quantize: int8``, e.g. ``cortex-m``): the graph an
integer artifact computes, in whole numbers from input to spike.

Every neuron layer j has one step 1/λ_j (per neuron; per output channel for a convolution)
found by :mod:`.rows`: the weights into it, its bias and its threshold are integers in that unit.
With s_in the scale of a synapse's input values (1 for spikes and spike counts; 1/k after a k-window
average pool; 1/127 for real-valued input, which is quantised to ``x̂ = clip(rint(127·x), ±127)``)
and g the neuron's input gain (a·r for LIF/LI, r for IF, a_syn·w_in for CubaLIF/CubaLI)::

    codes  Ŵ = clip(rint(λ_j·g·s_in·W), ±127)       bias  B̂ = rint(λ_j·g·b)      threshold  Θ = rint(λ_j·θ)

The state is an integer membrane V = λ_j·v (and current I = λ_j·i). Decays and the CubaLIF
membrane gain are 12-bit fixed point, K = rint(4096·keep), applied with round-half-up::

    LIF      V ← ⌊(K·V + 2048) / 4096⌋ + Σ Ŵ·x̂ + B̂;    s = [V > Θ];   reset: V ← 0 | V − Θ·s
    IF       V ← V + Σ Ŵ·x̂ + B̂;                        s = [V ≥ Θ]
    CubaLIF  I ← ⌊(K_s·I + 2048) / 4096⌋ + Σ Ŵ·x̂ + B̂;   V ← ⌊(K·V + 2048)/4096⌋ + ⌊(G·I + 2048)/4096⌋
    LI / CubaLI: the same without spike; the graph's output is V / λ_j (float32)

(a gain code of 4096 is an exact ×1 and is skipped). The result is a NIR graph whose parameters
hold these integers (weights, biases, thresholds; gains folded so that each neuron's own gain is 1)
and whose ``metadata["integer"]`` holds the input scale and the output's 1/λ. The reference
simulator runs it with integer kernels (``nir/sim/neurons_int.py``), the ONNX backend lowers
it to integer ONNX; both from this one graph.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import nir
import numpy as np

from ..errors import UnsupportedPrimitiveError
from ..nir.flat import flatten
from ..nir.kinds import SPIKING, SYNAPSES, kind
from ..nir.sim.neurons_int import DECAY_BITS, ONE, code
from .rows import row_scale

INPUT_LEVELS = 127  # real-valued input → int8 codes x̂ = rint(127·x)
NEURONS = frozenset({"LIF", "IF", "LI", "CubaLIF", "CubaLI"})
PASS = frozenset({"Flatten", "Input", "Output", "SumPool2d", "AvgPool2d"})  # Input: a sub-graph's


@dataclass
class IntegerGraph:
    """The integer graph, the input's scale, how many weights were rounded (``off_grid`` of
    ``values``: 0 for a model trained on the grid) and each neuron layer's 1/λ."""

    graph: nir.NIRGraph
    input_scale: float
    off_grid: int = 0
    values: int = 0
    out_scale: dict[str, np.ndarray] = field(default_factory=dict)  # 1/λ per neuron layer


def refuse(name: str, node, why: str) -> UnsupportedPrimitiveError:
    return UnsupportedPrimitiveError(
        name, f"{kind(node)} ({why})", sorted(NEURONS | SYNAPSES | PASS), where="int8 integer lowering"
    )


def _gain(node, dt: float) -> np.ndarray:
    k = kind(node)
    if k in ("LIF", "LI"):
        return dt / np.asarray(node.tau, np.float64) * np.asarray(node.r, np.float64)
    if k == "IF":
        return np.asarray(node.r, np.float64)
    w_in = 1.0 if node.w_in is None else np.asarray(node.w_in, np.float64)
    return dt / np.asarray(node.tau_syn, np.float64) * w_in


def _unit_gain(node, dt: float) -> None:
    """Set the neuron's own input gain to 1 (it is folded into the codes)."""
    k = kind(node)
    if k in ("LIF", "LI"):
        node.r = np.asarray(node.tau, np.float64) / dt
    elif k == "IF":
        node.r = np.ones_like(np.asarray(node.r, np.float64))
    else:
        node.w_in = np.asarray(node.tau_syn, np.float64) / dt


def _rows(value, shape: tuple, conv: bool, name: str, node, what: str) -> np.ndarray:
    """A per-neuron parameter as one value per row (per output channel for a convolution)."""
    arr = np.broadcast_to(np.asarray(value, np.float64), shape)
    if not conv:
        return arr.reshape(-1)
    per = arr.reshape(shape[0], -1)
    if np.any(per != per[:, :1]):
        raise refuse(name, node, f"{what} differs within a channel")
    return per[:, 0]


def to_integer(graph: nir.NIRGraph, spike_input: bool) -> IntegerGraph:
    """The integer graph of ``graph`` (a copy). ``spike_input``: the Input carries spikes (else real
    values in about [0, 1], quantised to 127 levels)."""
    from ..nir.semantics import graph_settings

    graph = copy.deepcopy(graph)
    flat = flatten(graph)
    dt = float(graph_settings(graph)["dt"])
    scale_in = 1.0 if spike_input else 1.0 / INPUT_LEVELS
    out = IntegerGraph(graph, scale_in)
    value_scale: dict[str, float | None] = {}  # scale of each node's output values (None: not integer)

    def scale_of(name: str, seen=()) -> float | None:
        if name in value_scale:
            return value_scale[name]
        node, k = flat.nodes[name], kind(flat.nodes[name])
        if k == "Input" and name in flat.inputs:
            s = scale_in
        elif k in SPIKING:
            s = 1.0
        elif k in PASS and name not in seen:
            preds = [scale_of(p, (*seen, name)) for p in flat.preds(name)]
            s = preds[0] if len(preds) == 1 else None
            if s is not None and k == "AvgPool2d":
                s = s / float(np.prod(np.asarray(node.kernel_size)))
        else:
            s = None  # a membrane (LI), a weight layer's sum: not a value a synapse may read
        value_scale[name] = s
        return s

    for name, node in flat.nodes.items():
        k = kind(node)
        if k not in NEURONS | SYNAPSES | PASS:
            raise refuse(name, node, "no integer form")
        if k in NEURONS:
            _neuron(name, node, flat, dt, scale_of, out)
    for name, node in list(flat.nodes.items()):
        if kind(node) == "AvgPool2d":  # its 1/k lives in the next layer's codes
            _replace(graph, name, nir.SumPool2d(node.kernel_size, node.stride, node.padding))
    graph.metadata = {**(graph.metadata or {}), "integer": _metadata(flat, out)}
    return out


def _sources(flat, name: str) -> list[str]:
    """The nodes feeding ``name``, seen through sub-graph Input/Output identities."""
    found = []
    for p in flat.preds(name):
        identity = kind(flat.nodes[p]) in ("Input", "Output") and flat.preds(p)
        found += _sources(flat, p) if identity else [p]
    return found


def _neuron(name, node, flat, dt, scale_of, out: IntegerGraph) -> None:
    k = kind(node)
    syns = _sources(flat, name)
    for s in syns:
        if kind(flat.nodes[s]) not in SYNAPSES:
            raise refuse(name, node, f"fed by {kind(flat.nodes[s])} '{s}', not by a weight layer")
        if len(flat.succs(s)) != 1:
            raise refuse(s, flat.nodes[s], "a weight layer must feed exactly one neuron layer")
    if np.any(np.asarray(getattr(node, "v_leak", 0.0)) != 0):
        raise refuse(name, node, "v_leak ≠ 0")
    v_reset = getattr(node, "v_reset", None)
    if v_reset is not None and np.any(np.asarray(v_reset) != 0):
        raise refuse(name, node, "v_reset ≠ 0")
    weights = [flat.nodes[s] for s in syns]
    conv = any(kind(w) in ("Conv1d", "Conv2d") for w in weights)
    n_rows = weights[0].weight.shape[0]
    shape = _neuron_shape(node, weights)
    gain = _rows(_gain(node, dt), shape, conv, name, node, "gain")
    effs, biases = [], np.zeros(n_rows)
    for s, w in zip(syns, weights):
        s_in = scale_of(flat.preds(s)[0]) if len(flat.preds(s)) == 1 else None
        if s_in is None:
            raise refuse(s, w, "its input is not spikes, spike counts or the network input")
        effs.append(np.asarray(w.weight, np.float64) * s_in * gain.reshape(-1, *([1] * (w.weight.ndim - 1))))
        if getattr(w, "bias", None) is not None:
            biases = biases + np.asarray(w.bias, np.float64).reshape(-1) * gain
    rows = np.concatenate([e.reshape(n_rows, -1) for e in effs], axis=1)
    spiking = k in SPIKING
    theta = _rows(node.v_threshold, shape, conv, name, node, "v_threshold") if spiking else np.zeros(n_rows)
    lam = row_scale(rows, theta, biases)
    holder = next((w for w in weights if getattr(w, "bias", None) is not None), None)
    for w, eff in zip(weights, effs):
        x = eff * lam.reshape(-1, *([1] * (eff.ndim - 1)))
        out.values += x.size
        out.off_grid += int(np.count_nonzero(np.abs(x - np.rint(x)) > 1e-3))
        w.weight = np.clip(np.rint(x), -127, 127)
        if getattr(w, "bias", None) is not None:
            w.bias = np.rint(biases * lam) if w is holder else np.zeros(n_rows)

    def per_neuron(v):
        v = np.asarray(v, np.float64)
        return np.broadcast_to(v.reshape(-1, *([1] * (len(shape) - 1))) if conv else v.reshape(shape), shape).copy()

    if spiking:
        node.v_threshold = per_neuron(np.rint(theta * lam))
    out.out_scale[name] = per_neuron(1.0 / lam)
    _unit_gain(node, dt)


def _neuron_shape(node, weights) -> tuple:
    for field_ in ("tau", "r", "tau_mem", "v_threshold"):
        value = getattr(node, field_, None)
        if value is not None and np.ndim(value):
            return tuple(np.shape(value))
    return (weights[0].weight.shape[0],)


def _replace(graph: nir.NIRGraph, flat_name: str, node) -> None:
    *path, leaf = flat_name.split("/")
    g = graph
    for p in path:
        g = g.nodes[p]
    g.nodes[leaf] = node


def _metadata(flat, out: IntegerGraph) -> dict:
    (o,) = flat.outputs
    (src,) = _sources(flat, o)
    scale = out.out_scale.get(src) if kind(flat.nodes[src]) in ("LI", "CubaLI") else None
    return {
        "input_scale": out.input_scale,
        "decay_bits": DECAY_BITS,
        "output_scale": None if scale is None else np.asarray(scale, np.float32).tolist(),
    }


__all__ = ["DECAY_BITS", "INPUT_LEVELS", "ONE", "IntegerGraph", "code", "to_integer"]
