"""Firing rates and spike counts from recorded spike trains.

For a spiking neuron node (LIF, CubaLIF, IF, Threshold) with record ``s`` of shape
``[T, B, *shape]`` and ``N = prod(shape)`` neurons:

    spikes per inference = (1/B) * sum_{t,b,i} [s[t,b,i] != 0]
    rate                 = spikes per inference / (N * T)        (spikes / neuron / step)

The network's mean rate weights each layer by its neuron count,
``sum_l spikes_l / (T * sum_l N_l)``. Non-spiking nodes (LI, CubaLI, I record a membrane) have
no rate. A graded spike counts once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import nir
import numpy as np

from ..nir.flat import flatten
from ._graph import is_spiking
from .records import neuron_records


@dataclass(frozen=True)
class LayerActivity:
    name: str
    type: str
    neurons: int
    spikes: float  # per inference
    rate: float  # spikes / neuron / step


@dataclass(frozen=True)
class Activity:
    layers: dict[str, LayerActivity]
    mean_rate: float
    spikes: float  # per inference, all spiking layers
    spiking_neurons: int
    timesteps: int
    batch: int

    def to_dict(self) -> dict:
        return asdict(self)


def firing_rates(records: Mapping[str, np.ndarray], graph: nir.NIRGraph) -> Activity:
    """Rate and spikes per inference of every spiking layer, and their neuron-weighted mean."""
    fg = flatten(graph)
    recs = neuron_records(fg, records)
    if not recs:
        return Activity({}, 0.0, 0.0, 0, 0, 0)
    steps, batch = next(iter(recs.values())).shape[:2]
    layers = {}
    for name, rec in recs.items():
        node = fg.nodes[name]
        if not is_spiking(node):
            continue
        n = int(np.prod(rec.shape[2:]))
        spikes = float(np.count_nonzero(rec)) / batch
        layers[name] = LayerActivity(name, type(node).__name__, n, spikes, spikes / (n * steps) if n and steps else 0.0)
    total_n = sum(l.neurons for l in layers.values())
    total_spikes = sum(l.spikes for l in layers.values())
    mean = total_spikes / (total_n * steps) if total_n and steps else 0.0
    return Activity(layers, mean, total_spikes, total_n, int(steps), int(batch))
