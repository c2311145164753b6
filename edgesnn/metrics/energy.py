"""The energy model, in one place. Every figure is per inference; tables give picojoules.

SNN (the target's ``energy`` table)::

    E_snn = SynOps * e_synop_pj + neuron_updates * e_neuron_update_pj + spikes * e_spike_pj

ANN twin (the target's ``ann_energy`` table)::

    E_ann = MACs * e_mac_pj

Results are reported in microjoules (1 uJ = 1e6 pJ), per layer and in total. A constant
missing from a table is a ``ConfigError`` naming the key and the table (``EnergyTable.pj``).

Break-even firing rate (:class:`RateModel`). SynOps scale linearly with the event rate of each
layer's input. Assume every neuron fires at the same mean rate ``r`` (spikes / neuron / step),
so every hidden layer's input rate is ``r``; let ``C_hid`` be the SynOps a run of T steps would
do if every neuron spiked every step (the hidden *capacity*), ``U`` the neuron updates and
``N_sp`` the spiking neurons. The graph input's SynOps ``S_in`` are either as measured
(``first_layer="measured"``, default: the input is data, not a free rate) or ``r * C_in``
(``first_layer="same"``). Then

    E_snn(r) = e_synop * (S_in + r * C_hid) + e_update * U + e_spike * r * T * N_sp

is linear in r, and E_snn(r*) = E_ann at

    r* = (E_ann - e_update * U - e_synop * S_in) / (e_synop * C_hid + e_spike * T * N_sp)   (measured)
    r* = (E_ann - e_update * U) / (e_synop * (C_in + C_hid) + e_spike * T * N_sp)           (same)

``r* <= 0``: the SNN costs more than the ANN twin even when silent; ``r* >= 1``: it is cheaper
even when every neuron fires every step. Below r* the SNN wins *on this table*.

What the tables leave out: memory traffic (weight and state reads: 10 pJ per 8 KB SRAM read,
20 pJ per 32 KB, 100 pJ per 1 MB at 45 nm, Horowitz ISSCC 2014), static power, routing and
host I/O. Once memory access is counted, SNNs beat ANNs only at low spike counts (Dampfhoffer,
Mesquida, Valentian, Anghel, "Are SNNs really more energy-efficient than ANNs? An in-depth
hardware-aware study", IEEE TETCI 2023): read the break-even rate as an optimistic bound.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Literal

from ..config.schema import EnergyTable, Target
from ..errors import ConfigError, UsageError

SYNOP, UPDATE, SPIKE, MAC = "e_synop_pj", "e_neuron_update_pj", "e_spike_pj", "e_mac_pj"
PJ_PER_UJ = 1e6
CAVEAT = (
    "compute-only cost table: memory traffic and static power are omitted; once memory access is "
    "counted SNNs win only at low spike counts (Dampfhoffer et al., 'Are SNNs really more "
    "energy-efficient than ANNs? An in-depth hardware-aware study', IEEE TETCI 2023)"
)
FIRST_LAYER_MODES = ("measured", "same")


@dataclass(frozen=True)
class EnergyBreakdown:
    """Energy per layer and per component (uJ per inference) under one named table."""

    table: str
    layers_uj: dict[str, float]
    components_uj: dict[str, float]
    total_uj: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total_uj", float(sum(self.components_uj.values())))

    def to_dict(self) -> dict:
        return asdict(self)


def snn_energy(
    synops: Mapping[str, float],
    neuron_updates: Mapping[str, float],
    spikes: Mapping[str, float],
    table: EnergyTable,
) -> EnergyBreakdown:
    """``E_snn`` per layer: synaptic layers carry their SynOps, neuron layers updates and spikes."""
    e_s, e_u, e_sp = table.pj(SYNOP), table.pj(UPDATE), table.pj(SPIKE)
    layers: dict[str, float] = {}
    for name, n in synops.items():
        layers[name] = layers.get(name, 0.0) + n * e_s / PJ_PER_UJ
    for name, n in neuron_updates.items():
        layers[name] = layers.get(name, 0.0) + n * e_u / PJ_PER_UJ
    for name, n in spikes.items():
        layers[name] = layers.get(name, 0.0) + n * e_sp / PJ_PER_UJ
    components = {
        "synops": sum(synops.values()) * e_s / PJ_PER_UJ,
        "neuron_updates": sum(neuron_updates.values()) * e_u / PJ_PER_UJ,
        "spikes": sum(spikes.values()) * e_sp / PJ_PER_UJ,
    }
    return EnergyBreakdown(table.table, layers, components)


def ann_energy(macs: Mapping[str, float], table: EnergyTable) -> EnergyBreakdown:
    """``E_ann = MACs * e_mac_pj`` per layer of the ANN twin."""
    e_mac = table.pj(MAC)
    layers = {name: n * e_mac / PJ_PER_UJ for name, n in macs.items()}
    return EnergyBreakdown(table.table, layers, {"macs": sum(macs.values()) * e_mac / PJ_PER_UJ})


def ann_table(target: Target) -> EnergyTable:
    if target.ann_energy is None:
        raise ConfigError(f"target '{target.name}' has no ann_energy table; add one with e_mac_pj to its YAML")
    return target.ann_energy


@dataclass(frozen=True)
class RateModel:
    """``E_snn(r)`` in pJ as a linear function of the mean firing rate ``r`` (see module doc)."""

    e_synop_pj: float
    e_update_pj: float
    e_spike_pj: float
    input_synops: float  # S_in, measured
    input_capacity: float  # C_in
    hidden_capacity: float  # C_hid
    neuron_updates: float  # U
    spiking_neurons: int  # N_sp
    timesteps: int  # T
    first_layer: Literal["measured", "same"] = "measured"

    def __post_init__(self) -> None:
        if self.first_layer not in FIRST_LAYER_MODES:
            raise UsageError(f"first_layer must be one of {FIRST_LAYER_MODES}, got {self.first_layer!r}")

    @classmethod
    def from_table(cls, table: EnergyTable, **counts) -> RateModel:
        return cls(table.pj(SYNOP), table.pj(UPDATE), table.pj(SPIKE), **counts)

    def _fixed_and_slope(self) -> tuple[float, float]:
        fixed = self.e_update_pj * self.neuron_updates
        slope = self.e_synop_pj * self.hidden_capacity + self.e_spike_pj * self.timesteps * self.spiking_neurons
        if self.first_layer == "measured":
            fixed += self.e_synop_pj * self.input_synops
        else:
            slope += self.e_synop_pj * self.input_capacity
        return fixed, slope

    def energy_pj(self, rate: float) -> float:
        fixed, slope = self._fixed_and_slope()
        return fixed + slope * rate

    def break_even(self, ann_pj: float) -> float | None:
        """The rate r* with ``energy_pj(r*) == ann_pj``; None when E_snn does not depend on r."""
        fixed, slope = self._fixed_and_slope()
        return (ann_pj - fixed) / slope if slope > 0 else None


def table_info(target: Target) -> dict:
    """Names, coverage, omissions and sourced constants of the target's cost tables."""

    def one(t: EnergyTable | None) -> dict | None:
        if t is None:
            return None
        consts = {k: {"value_pj": c.value, "source": c.source} for k, c in t.constants.items()}
        return {"table": t.table, "covers": t.covers, "omits": t.omits, "constants": consts}

    return {"snn": one(target.energy), "ann": one(target.ann_energy), "caveat": CAVEAT}


def break_even_rate(
    table: EnergyTable,
    ann_pj: float,
    *,
    input_synops: float,
    input_capacity: float,
    hidden_capacity: float,
    neuron_updates: float,
    spiking_neurons: int,
    timesteps: int,
    first_layer: Literal["measured", "same"] = "measured",
) -> float | None:
    """Mean firing rate r* at which ``E_snn(r*) = ann_pj`` on ``table`` (formula in the module doc)."""
    model = RateModel.from_table(
        table,
        input_synops=input_synops,
        input_capacity=input_capacity,
        hidden_capacity=hidden_capacity,
        neuron_updates=neuron_updates,
        spiking_neurons=spiking_neurons,
        timesteps=timesteps,
        first_layer=first_layer,
    )
    return model.break_even(ann_pj)
