"""Energy with memory on both sides: the SNN on its device, its ANN twin on the device it would
otherwise run on, every count reported (the accounting of Lemaire et al., ICONIP 2022, and
Dampfhoffer et al., IEEE TETCI 2023).

Per inference, with ``acc(n, b)`` the cost of moving one ``b``-bit value of a structure of ``n``
bytes on the device (``Device.access_pj``: 0 when the device's operation costs contain their
memory traffic)::

    SNN  compute  Σ_L S_L·e_synop + Σ_N (U_N·e_update + Z_N·e_spike)
         memory   Σ_L S_L·acc(W_L, w)                     a weight read per synaptic event
                + Σ_N U_N·k_N·(acc_r + acc_w)(B_N, s)      state read and written per update
                + (Σ_N Z_N + E_in)·(acc_w + acc_r)(·, 32)  an event written and read once
    ANN  compute  P·Σ_L M_L·e_mac
         memory   P·Σ_L [M_L·acc(W_L, a) + M_L·acc(A_L, a) + O_L·acc_w(A_L, a)]

``S_L`` SynOps of synaptic layer L, ``W_L`` its weights in bytes (``w`` bits each), ``U_N`` updates,
``k_N`` state variables (``B_N`` bytes, ``s`` bits each), ``Z_N`` spikes of neuron layer N,
``E_in`` input events; ``M_L`` MACs of one ANN pass, ``O_L`` its outputs, ``A_L`` its activations
(``a`` = the ANN device's operand bits: weights and activations read once per MAC, no reuse,
outputs written once), ``P`` passes per inference (T for a sequence read frame by frame, else 1).

**Break-even rate** on the same basis. With every neuron firing at rate r, a layer fed by
neurons does ``r·C_L`` SynOps (``C_L`` its capacity over T) and each neuron layer ``r·n_N·T``
spikes; the SynOps of layers fed by the graph input stay as measured::

    E_snn(r) = F + r·G,  F = Σ_N U_N·(e_update + state) + Σ_{L fed by input} S_L·(e_synop + acc_L) + E_in·event
                         G = Σ_{L fed by neurons} C_L·(e_synop + acc_L) + Σ_N n_N·T·(e_spike + event)
    r* = (E_ann − F) / G        (≤ 0: more than the ANN even silent; ≥ 1: cheaper at any rate)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..config.device import MAC, SPIKE, SYNOP, UPDATE, Device

if TYPE_CHECKING:
    import nir

    from .summary import ActivityReport

PJ_PER_UJ = 1e6
EVENT_BITS = 32  # one address event


@dataclass(frozen=True)
class Counts:
    """What one inference does, per layer (graph ids), for both models."""

    synops: dict[str, float]  # synaptic layer -> SynOps
    input_fed: dict[str, bool]  # synaptic layer -> fed by the graph input (its SynOps are data)
    capacity: dict[str, float]  # synaptic layer -> SynOps over T if every source neuron fired every step
    weight_bytes: dict[str, float]  # synaptic layer -> its weights and biases at the SNN's weight bits
    weights: dict[str, int]  # synaptic layer -> weights and biases (count)
    macs: dict[str, float]  # synaptic layer -> MACs of one ANN pass
    outputs: dict[str, float]  # synaptic layer -> outputs of one ANN pass
    neurons: dict[str, int]  # neuron layer -> neurons
    state_vars: dict[str, int]  # neuron layer -> state variables per neuron
    updates: dict[str, float]  # neuron layer -> neuron updates (neurons x T)
    spikes: dict[str, float]  # neuron layer -> spikes
    input_events: float
    timesteps: int
    passes: int  # ANN passes per inference


@dataclass(frozen=True)
class Cost:
    """Energy of one side (µJ per inference): compute and memory, per layer, with the counts priced."""

    device: str
    compute_uj: float
    memory_uj: float
    layers_uj: dict[str, float]
    counts: dict[str, float]
    total_uj: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total_uj", self.compute_uj + self.memory_uj)

    def to_dict(self) -> dict:
        return asdict(self)


def _event_pj(device: Device, c: Counts) -> float:
    buffer = max(c.neurons.values(), default=1) * EVENT_BITS / 8
    return device.access_pj(buffer, EVENT_BITS, write=True) + device.access_pj(buffer, EVENT_BITS)


def _state_pj(device: Device, c: Counts, name: str, state_bits: int) -> float:
    size = c.neurons[name] * c.state_vars[name] * state_bits / 8
    return c.state_vars[name] * (device.access_pj(size, state_bits) + device.access_pj(size, state_bits, write=True))


def snn_cost(c: Counts, device: Device, weight_bits: int, state_bits: int) -> Cost:
    """The SNN's energy on ``device`` (module docstring), per layer and split compute / memory."""
    e_s, e_u, e_z = device.pj(SYNOP), device.pj(UPDATE), device.pj(SPIKE)
    event = _event_pj(device, c)
    layers: dict[str, float] = {}
    compute = memory = 0.0
    reads = state = 0.0
    for name, s in c.synops.items():
        read = device.access_pj(c.weight_bytes[name], weight_bits)
        compute += s * e_s
        memory += s * read
        reads += s
        layers[name] = s * (e_s + read) / PJ_PER_UJ
    for name, u in c.updates.items():
        z = c.spikes.get(name, 0.0)
        st = u * _state_pj(device, c, name, state_bits)
        compute += u * e_u + z * e_z
        memory += st + z * event
        state += u * c.state_vars[name]
        layers[name] = (u * e_u + z * e_z + st + z * event) / PJ_PER_UJ
    memory += c.input_events * event
    events = sum(c.spikes.values()) + c.input_events
    counts = {"synops": reads, "weight_reads": reads, "state_accesses": 2 * state, "events": events}
    return Cost(device.name, compute / PJ_PER_UJ, memory / PJ_PER_UJ, layers, counts)


def ann_cost(c: Counts, device: Device) -> Cost:
    """The ANN twin's energy on ``device`` (module docstring), per layer and split compute / memory."""
    e_mac, bits = device.pj(MAC), device.bits
    layers: dict[str, float] = {}
    compute = memory = 0.0
    macs = writes = 0.0
    for name, m in c.macs.items():
        m, out = m * c.passes, c.outputs[name] * c.passes
        w_size = c.weights[name] * bits / 8
        a_size = max(c.outputs[name], 1) * bits / 8
        mem = m * (device.access_pj(w_size, bits) + device.access_pj(a_size, bits))
        mem += out * device.access_pj(a_size, bits, write=True)
        compute += m * e_mac
        memory += mem
        macs += m
        writes += out
        layers[name] = (m * e_mac + mem) / PJ_PER_UJ
    counts = {"macs": macs, "weight_reads": macs, "activation_reads": macs, "activation_writes": writes}
    return Cost(device.name, compute / PJ_PER_UJ, memory / PJ_PER_UJ, layers, counts)


def break_even_rate(c: Counts, device: Device, weight_bits: int, state_bits: int, ann_uj: float) -> float | None:
    """``r*`` with ``E_snn(r*) = E_ann`` on the same basis (module docstring); None if ``G = 0``."""
    e_s, e_u, e_z = device.pj(SYNOP), device.pj(UPDATE), device.pj(SPIKE)
    event = _event_pj(device, c)
    fixed = sum(u * (e_u + _state_pj(device, c, n, state_bits)) for n, u in c.updates.items())
    fixed += c.input_events * event
    slope = sum(c.neurons[n] * c.timesteps * (e_z + event) for n in c.updates)
    for name, s in c.synops.items():
        per = e_s + device.access_pj(c.weight_bytes[name], weight_bits)
        if c.input_fed[name]:
            fixed += s * per
        else:
            slope += c.capacity[name] * per
    return (ann_uj * PJ_PER_UJ - fixed) / slope if slope > 0 else None


def counts_from(graph: nir.NIRGraph, a: ActivityReport, weight_bits: int, passes: int) -> Counts:
    """What one inference does, per layer, from the measured activity ``a`` and the graph
    (``weight_bits``: the SNN's; ``passes``: the ANN twin's per inference)."""
    from ..nir import kinds
    from ..nir.flat import flatten
    from ._graph import SYNAPTIC_TYPES, neuron_shape, port_shape
    from .synops import capacity

    fg = flatten(graph)
    T = int(a.timesteps)
    synaptic = fg.of_type(SYNAPTIC_TYPES)
    caps = capacity(graph, timesteps=T)
    layers = a.params["layers"]
    bits = weight_bits
    weights = {k: int(layers[k]["total"]) if k in layers else 0 for k in synaptic}
    outputs = {}
    for k, node in synaptic.items():
        w = np.asarray(node.weight)
        per_output = max(w.size // max(w.shape[0], 1), 1)  # weights behind one output value
        outputs[k] = float(a.ann_macs.get(k, 0)) / per_output
    neurons = {k: n for k, n in fg.neurons().items() if k in a.neuron_updates}
    inputs = sum(int(np.prod(port_shape(fg.nodes[k]) or (0,))) for k in fg.inputs)
    return Counts(
        synops={k: float(a.synops.get(k, 0.0)) for k in synaptic},
        input_fed={k: caps.get(k, (0.0, 0.0))[0] > 0 for k in synaptic},
        capacity={k: float(caps.get(k, (0.0, 0.0))[1]) for k in synaptic},
        weight_bytes={k: weights[k] * bits / 8 for k in synaptic},
        weights=weights,
        macs={k: float(a.ann_macs.get(k, 0)) for k in synaptic},
        outputs=outputs,
        neurons={k: int(np.prod(neuron_shape(k, n))) for k, n in neurons.items()},
        state_vars={k: int(kinds.STATE_VARS.get(type(n).__name__, 1)) for k, n in neurons.items()},
        updates={k: float(a.neuron_updates[k]) for k in neurons},
        spikes={k: float(a.spikes.get(k, 0.0)) for k in neurons},
        input_events=float(a.input_rate) * inputs * T,
        timesteps=T,
        passes=passes,
    )


def ann_baseline(target, profile=None, override: str | None = None) -> str | None:
    """The device the ANN twin is priced on: ``override`` (``--ann-baseline``), else the target's
    ``ann_baseline``, else the profile's, else the SNN's own device; None when the target names no device."""
    if target.device is None:
        return None
    return override or target.ann_baseline or getattr(profile, "ann_baseline", None) or target.device


@dataclass(frozen=True)
class Comparison:
    """Both sides priced on their devices (``compare``)."""

    counts: Counts
    snn_device: Device
    ann_device: Device
    snn: Cost
    ann: Cost
    break_even_rate: float | None

    @property
    def ratio(self) -> float | None:
        return self.snn.total_uj / self.ann.total_uj if self.ann.total_uj > 0 else None


def compare(
    graph: nir.NIRGraph, a: ActivityReport, target, profile, passes: int, override: str | None = None
) -> Comparison | None:
    """The SNN on ``target.device`` and its twin on ``ann_baseline(...)``, memory counted; None when
    the target names no device."""
    from ..config.loader import load_device

    ann_name = ann_baseline(target, profile, override)
    if ann_name is None:
        return None
    snn_dev, ann_dev = load_device(target.device), load_device(ann_name)
    num = target.numerics
    c = counts_from(graph, a, num.weight_bits, passes)
    snn, ann = snn_cost(c, snn_dev, num.weight_bits, num.state_bits), ann_cost(c, ann_dev)
    rate = break_even_rate(c, snn_dev, num.weight_bits, num.state_bits, ann.total_uj)
    return Comparison(c, snn_dev, ann_dev, snn, ann, rate)
