"""The report's like-for-like energy section: which devices, what was counted, what it costs.

The SNN is priced on its target's ``device``; its ANN twin on the device the application would
otherwise run on — ``--ann-baseline``, else the target's ``ann_baseline``, else the profile's,
else the SNN's own device — both with memory counted (``edgesnn/metrics/like_for_like.py``).
"""

from __future__ import annotations

import numpy as np

from ..config import Profile
from ..config.loader import load_device
from ..metrics import ActivityReport
from ..metrics.like_for_like import Counts, ann_cost, break_even_rate, snn_cost
from .artifact import Artifact
from .report import LikeForLike


def baseline_name(art: Artifact, profile: Profile | None, override: str | None) -> str | None:
    """The ANN baseline device's name (see the module docstring); None without an SNN device."""
    if art.target.device is None:
        return None
    return override or art.target.ann_baseline or (profile.ann_baseline if profile else None) or art.target.device


def counts(art: Artifact, a: ActivityReport, passes: int) -> Counts:
    """What one inference does, per layer, from the measured activity and the graph."""
    from ..metrics._graph import SYNAPTIC_TYPES, neuron_shape, port_shape
    from ..metrics.synops import capacity
    from ..nir import kinds
    from ..nir.flat import flatten

    fg = flatten(art.graph)
    T = int(a.timesteps)
    synaptic = fg.of_type(SYNAPTIC_TYPES)
    caps = capacity(art.graph, timesteps=T)
    layers = a.params["layers"]
    bits = art.target.numerics.weight_bits
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


def like_for_like(
    art: Artifact, a: ActivityReport, profile: Profile | None, ann_baseline: str | None = None
) -> LikeForLike | None:
    """The section (None when the target names no device)."""
    ann_name = baseline_name(art, profile, ann_baseline)
    if ann_name is None:
        return None
    snn_dev, ann_dev = load_device(art.target.device), load_device(ann_name)
    kind = ((art.manifest or {}).get("data") or {}).get("kind")
    c = counts(art, a, passes=int(a.timesteps) if kind == "timeseries" else 1)
    num = art.target.numerics
    snn, ann = snn_cost(c, snn_dev, num.weight_bits, num.state_bits), ann_cost(c, ann_dev)
    rate = break_even_rate(c, snn_dev, num.weight_bits, num.state_bits, ann.total_uj)
    return LikeForLike(
        snn_dev.name,
        ann_dev.name,
        snn.total_uj,
        snn.compute_uj,
        snn.memory_uj,
        snn.layers_uj,
        ann.total_uj,
        ann.compute_uj,
        ann.memory_uj,
        ann.layers_uj,
        c.passes,
        snn.total_uj / ann.total_uj if ann.total_uj > 0 else None,
        rate,
        {"snn": snn.counts, "ann": ann.counts},
        {"snn": snn_dev.table(), "ann": ann_dev.table()},
    )
