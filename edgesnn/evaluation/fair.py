"""The report's like-for-like energy section: which devices, what was counted, what it costs.

The SNN is priced on its target's ``device``; its ANN twin on the device the application would
otherwise run on — ``--ann-baseline``, else the target's ``ann_baseline``, else the profile's,
else the SNN's own device — both with memory counted (``edgesnn/metrics/like_for_like.py``).
"""

from __future__ import annotations

from ..config import Profile
from ..config.loader import load_device
from ..metrics import ActivityReport
from ..metrics.like_for_like import ann_cost, break_even_rate, counts_from, snn_cost
from .artifact import Artifact
from .report import LikeForLike


def baseline_name(art: Artifact, profile: Profile | None, override: str | None) -> str | None:
    """The ANN baseline device's name (see the module docstring); None without an SNN device."""
    if art.target.device is None:
        return None
    return override or art.target.ann_baseline or (profile.ann_baseline if profile else None) or art.target.device


def like_for_like(
    art: Artifact, a: ActivityReport, profile: Profile | None, ann_baseline: str | None = None
) -> LikeForLike | None:
    """The section (None when the target names no device)."""
    ann_name = baseline_name(art, profile, ann_baseline)
    if ann_name is None:
        return None
    snn_dev, ann_dev = load_device(art.target.device), load_device(ann_name)
    kind = ((art.manifest or {}).get("data") or {}).get("kind")
    num = art.target.numerics
    c = counts_from(art.graph, a, num.weight_bits, passes=int(a.timesteps) if kind == "timeseries" else 1)
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
