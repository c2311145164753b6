"""The verdict a report opens with: is this model good enough, is it cheaper than its ANN, does
it fit the profile — three lines a reader gets before any table.

    accuracy   the measured accuracy on the runtime, beside the ANN twin's test accuracy when
               the training run recorded it (and the gap in percentage points)
    energy     the like-for-like ratio with both device names (memory counted on both sides),
               else the compute-only ratio on the target's cost tables, said to be compute-only
    profile    feasible, or which checks fail and by how much
"""

from __future__ import annotations

from .report import Report


def verdict(r: Report) -> list[tuple[str, str, bool | None]]:
    """``(topic, sentence, good)`` lines; ``good`` None when there is nothing to judge."""
    return [_accuracy(r), _energy(r), _profile(r)]


def _accuracy(r: Report) -> tuple[str, str, bool | None]:
    text = f"{100 * r.accuracy:.2f} % on {r.samples} test samples of {r.dataset} ({r.backend} runtime)"
    ann = (r.training or {}).get("ann_test_acc")
    if ann is None:
        return "accuracy", text, None
    gap = 100 * (r.accuracy - float(ann))
    return "accuracy", f"{text}; its ANN twin {100 * float(ann):.2f} % ({gap:+.2f} pp)", gap >= -2.0


def _energy(r: Report) -> tuple[str, str, bool | None]:
    f = r.like_for_like
    if f is not None and f.snn_over_ann is not None:
        cheaper = f.snn_over_ann < 1
        return (
            "energy",
            f"{f.snn_uj:.4g} µJ per inference on {f.snn_device} vs {f.ann_uj:.4g} µJ for the ANN twin on "
            f"{f.ann_device}: {f.snn_over_ann:.3g}× ({'cheaper' if cheaper else 'dearer'}; memory counted on both sides)",
            cheaper,
        )
    e = r.energy
    if e.snn_over_ann is not None:
        return (
            "energy",
            f"{e.snn_uj:.4g} µJ vs {e.ann_uj:.4g} µJ for the ANN twin on '{e.table}': {e.snn_over_ann:.3g}× "
            "(compute only: the target names no device, so memory is not counted)",
            None,
        )
    return "energy", f"{e.snn_uj:.4g} µJ per inference on '{e.table}' (no ANN comparison)", None


def _profile(r: Report) -> tuple[str, str, bool | None]:
    if not r.checks:
        return "profile", "no profile checks" + (f" ({r.profile})" if r.profile else ""), None
    failed = [c for c in r.checks if not c["ok"]]
    if not failed:
        return "profile", f"fits '{r.profile}': all {len(r.checks)} checks pass", True
    named = ", ".join(
        f"{c['name']} ({c['value']:.4g} > {c['limit']:.4g})" if c["slack"] > 0 else c["name"] for c in failed
    )
    return "profile", f"does not fit '{r.profile}': {len(failed)} of {len(r.checks)} checks fail: {named}", False
