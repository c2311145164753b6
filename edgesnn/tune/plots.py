"""Plots of a tuning run (matplotlib, Agg backend: no display needed).

- ``pareto.png``: validation accuracy vs energy per inference; feasible trials as dots, trained
  but infeasible as crosses, the Pareto front joined; statically rejected trials (never
  trained) are drawn at their energy floor on the accuracy-0 line.
- ``exploration.png``: one panel per hyper-parameter, the value each trial tried against its
  validation accuracy (the seed pipeline's search-space exploration plot).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from .trial import TrialRecord


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _energy(r: TrialRecord) -> float | None:
    e = r.metrics.get("energy_uj", r.metrics.get("energy_floor_uj"))
    return e if isinstance(e, (int, float)) and math.isfinite(e) else None


def plot_pareto(records: list[TrialRecord], front: list[TrialRecord], path: Path, title: str) -> Path:
    """``front``: ``pareto_front(records, ["accuracy", "energy"])``, drawn as a line."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    groups = {
        "feasible": ([r for r in records if r.state == "COMPLETE" and r.feasible], "o", "tab:green"),
        "trained, infeasible": (
            [r for r in records if r.stage == "trained" and not r.feasible and r.state == "COMPLETE"],
            "x",
            "tab:red",
        ),
        "rejected before training (energy floor)": ([r for r in records if r.state == "INFEASIBLE"], "|", "tab:gray"),
    }
    for label, (rs, marker, color) in groups.items():
        pts = [(_energy(r), r.metrics.get("val_acc", 0.0)) for r in rs if _energy(r) is not None]
        if pts:
            ax.scatter(*zip(*pts), marker=marker, color=color, label=f"{label} ({len(pts)})")
    front = sorted(front, key=lambda r: r.metrics["energy_uj"])
    if front:
        ax.plot(
            [r.metrics["energy_uj"] for r in front],
            [r.metrics["val_acc"] for r in front],
            "-",
            color="tab:green",
            alpha=0.6,
            label="Pareto front",
        )
    ax.set_xlabel("energy per inference (µJ)")
    ax.set_ylabel("validation accuracy")
    ax.set_title(title, fontsize=10)
    if ax.get_legend_handles_labels()[0]:  # no trial finished: nothing to label
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_exploration(records: list[TrialRecord], path: Path, title: str) -> Path:
    plt = _pyplot()
    names = sorted({k for r in records for k in r.params})
    cols = min(4, max(1, len(names)))
    rows = max(1, math.ceil(len(names) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        for r in records:
            if name not in r.params:
                continue
            v = r.params[name]
            x = (
                v
                if isinstance(v, (int, float)) and not isinstance(v, bool)
                else json.dumps(v)
                if isinstance(v, list)
                else str(v)
            )
            color = "tab:green" if r.feasible else ("tab:gray" if r.state == "INFEASIBLE" else "tab:red")
            ax.scatter([x], [r.metrics.get("val_acc", 0.0)], s=14, color=color)
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    fig.suptitle(
        f"{title} — green feasible, red trained but infeasible, pruned or failed, grey rejected before training",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
