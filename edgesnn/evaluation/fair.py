"""The report's like-for-like energy section: which devices, what was counted, what it costs.

The SNN is priced on its target's ``device``; its ANN twin on the device the application would
otherwise run on — ``--ann-baseline``, else the target's ``ann_baseline``, else the profile's,
else the SNN's own device — both with memory counted (``edgesnn/metrics/like_for_like.py``).
"""

from __future__ import annotations

from ..config import Profile
from ..metrics import ActivityReport
from ..metrics.like_for_like import compare
from .artifact import Artifact
from .report import LikeForLike


def like_for_like(
    art: Artifact, a: ActivityReport, profile: Profile | None, ann_baseline: str | None = None
) -> LikeForLike | None:
    """The section (None when the target names no device)."""
    kind = ((art.manifest or {}).get("data") or {}).get("kind")
    passes = int(a.timesteps) if kind == "timeseries" else 1
    cmp = compare(art.graph, a, art.target, profile, passes, override=ann_baseline)
    if cmp is None:
        return None
    snn, ann = cmp.snn, cmp.ann
    return LikeForLike(
        cmp.snn_device.name,
        cmp.ann_device.name,
        snn.total_uj,
        snn.compute_uj,
        snn.memory_uj,
        snn.layers_uj,
        ann.total_uj,
        ann.compute_uj,
        ann.memory_uj,
        ann.layers_uj,
        cmp.counts.passes,
        cmp.ratio,
        cmp.break_even_rate,
        {"snn": snn.counts, "ann": ann.counts},
        {"snn": cmp.snn_device.table(), "ann": cmp.ann_device.table()},
    )
