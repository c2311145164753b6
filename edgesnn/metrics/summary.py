"""One call from a graph, its input and the recorded spikes to every figure of DESIGN §5.

``measure(graph, x, records, target)`` computes parameters and memory (at the target's
numerics), firing rates, spikes, SynOps, neuron updates, SNN energy on the target's cost table,
the ANN twin's MACs and energy, and the break-even firing rate. Nothing here looks at a training
framework: the same graph and spikes give the same report whichever runtime produced them.
``profile_metrics(report)`` gives the keys ``edgesnn.config.checks.RULES`` checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Literal

import nir
import numpy as np

from ..config.checks import RULES
from ..config.schema import Target
from . import params as pm
from .activity import firing_rates
from .energy import PJ_PER_UJ, RateModel, ann_energy, snn_energy, table_info
from .synops import synops

#: every break-even note starts with this
BREAK_EVEN_NOTE = "break-even rate"


def break_even_note(rate: float | None) -> str | None:
    """The note a break-even firing rate calls for (undefined, <= 0 or >= 1), else None."""
    if rate is None:
        return f"{BREAK_EVEN_NOTE} undefined: on this table the SNN's energy does not depend on its firing rate"
    if rate <= 0:
        return f"{BREAK_EVEN_NOTE} <= 0: the SNN costs more than its ANN twin even when silent"
    if rate >= 1:
        return f"{BREAK_EVEN_NOTE} >= 1: the SNN is cheaper than its ANN twin at any firing rate"
    return None


@dataclass(frozen=True)
class ActivityReport:
    """Every figure per inference (mean over the batch); energies in microjoules."""

    target: str
    timesteps: int
    batch: int
    params: dict
    param_bytes: float
    state_bytes: float
    activation_bytes: float
    firing_rates: dict[str, float]
    mean_firing_rate: float
    spikes: dict[str, float]
    spikes_total: float
    input_rate: float
    synops: dict[str, float]
    synops_total: float
    synops_counting: dict[str, str]
    dense_macs: dict[str, float]  # per inference (macs x T): the dense alternative per layer
    neuron_updates: dict[str, int]
    neuron_updates_total: int
    energy_uj_layers: dict[str, float]
    energy_uj: float
    energy_components_uj: dict[str, float]
    ann_macs: dict[str, int]
    ann_macs_total: int
    ann_energy_uj: float | None
    break_even_rate: float | None
    break_even_first_layer: str
    energy_tables: dict
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def measure(
    graph: nir.NIRGraph,
    x: np.ndarray | Mapping[str, np.ndarray],
    records: Mapping[str, np.ndarray],
    target: Target,
    first_layer: Literal["measured", "same"] = "measured",
) -> ActivityReport:
    """The full activity / cost report of one recorded run of ``graph`` on input ``x``."""
    num = target.numerics
    syn = synops(graph, x, records)
    act = firing_rates(records, graph)
    spikes = {k: l.spikes for k, l in act.layers.items()}
    e_snn = snn_energy({k: l.synops for k, l in syn.layers.items()}, syn.neuron_updates, spikes, target.energy)
    macs = {k: l.macs for k, l in syn.layers.items()}
    notes = [
        f"layer '{k}' input is not binary: SynOps count non-zero values; dense MACs x T = {l.dense_macs:g}"
        for k, l in syn.layers.items()
        if l.counting != "spikes"
    ]
    ann_uj = rate = None
    if target.ann_energy is None:
        notes.append(f"target '{target.name}' has no ann_energy table: no ANN comparison")
    else:
        ann_uj = ann_energy(macs, target.ann_energy).total_uj
        model = RateModel.from_table(
            target.energy,
            input_synops=sum(l.synops_from_input for l in syn.layers.values()),
            input_capacity=sum(l.capacity_input for l in syn.layers.values()),
            hidden_capacity=sum(l.capacity_hidden for l in syn.layers.values()),
            neuron_updates=syn.neuron_updates_total,
            spiking_neurons=act.spiking_neurons,
            timesteps=syn.timesteps,
            first_layer=first_layer,
        )
        rate = model.break_even(ann_uj * PJ_PER_UJ)
        note = break_even_note(rate)
        if note is not None:
            notes.append(note)
    return ActivityReport(
        target=target.name,
        timesteps=syn.timesteps,
        batch=syn.batch,
        params=pm.count_params(graph),
        param_bytes=pm.param_bytes(graph, num.weight_bits),
        state_bytes=pm.state_bytes(graph, num.state_bits),
        activation_bytes=pm.activation_bytes(graph, num.state_bits),
        firing_rates={k: l.rate for k, l in act.layers.items()},
        mean_firing_rate=act.mean_rate,
        spikes=spikes,
        spikes_total=act.spikes,
        input_rate=_input_rate(x),
        synops={k: l.synops for k, l in syn.layers.items()},
        synops_total=syn.total,
        synops_counting={k: l.counting for k, l in syn.layers.items()},
        dense_macs={k: l.dense_macs for k, l in syn.layers.items()},
        neuron_updates=syn.neuron_updates,
        neuron_updates_total=syn.neuron_updates_total,
        energy_uj_layers=e_snn.layers_uj,
        energy_uj=e_snn.total_uj,
        energy_components_uj=e_snn.components_uj,
        ann_macs=macs,
        ann_macs_total=sum(macs.values()),
        ann_energy_uj=ann_uj,
        break_even_rate=rate,
        break_even_first_layer=first_layer,
        energy_tables=table_info(target),
        notes=notes,
    )


def _input_rate(x: np.ndarray | Mapping[str, np.ndarray]) -> float:
    """Input events per input element per step (non-zero entries), over all inputs."""
    arrays = [np.asarray(a) for a in (x.values() if isinstance(x, Mapping) else [x])]
    events = sum(int(np.count_nonzero(a)) for a in arrays)
    size = sum(a.size for a in arrays)
    return events / size if size else 0.0


def profile_metrics(report: ActivityReport) -> dict[str, float]:
    """The metrics ``check_profile`` compares with a profile's limits (keys of ``RULES``)."""
    metrics = {
        "timesteps": float(report.timesteps),
        "param_bytes": float(report.param_bytes),
        "state_bytes": float(report.state_bytes),
        "energy_uj": float(report.energy_uj),
        "mean_firing_rate": float(report.mean_firing_rate),
    }
    return {key: metrics[key] for key, _ in RULES.values() if key in metrics}
