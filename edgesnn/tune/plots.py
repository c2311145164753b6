"""Plots of a tuning run (matplotlib, Agg backend: no display needed).

- ``pareto.png``: validation accuracy vs energy per inference (or, tuning ``energy_vs_ann``,
  vs the SNN/ANN energy ratio with the ANN baseline marked at 1); feasible trials as dots, trained
  but infeasible as crosses, the Pareto front joined; statically rejected trials (never
  trained) are drawn at their energy floor on the accuracy-0 line.
- ``exploration.png``: one panel per hyper-parameter, the value each trial tried against its
  validation accuracy (the seed pipeline's search-space exploration plot).
- ``accuracy_per_trial.png``: train, validation and test accuracy of every trial against its
  number (Fra's Figure 1): the best running training accuracy and the best validation accuracy
  of any epoch, and the test accuracy of the weights kept (best by validation); trials stopped
  early (pruned, or stopped by NNI's assessor) show their best validation accuracy as an open
  marker, trained trials that violate the profile are crossed out (they cannot be chosen), trials
  rejected before training a tick at 0; the best feasible trial is ringed.
- ``confusion.png``: the best trial's confusion matrix on the test split.
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


def _energy(r: TrialRecord, key: str = "energy_uj") -> float | None:
    e = r.metrics.get(key, r.metrics.get("energy_floor_uj") if key == "energy_uj" else None)
    return e if isinstance(e, (int, float)) and math.isfinite(e) else None


def plot_pareto(
    records: list[TrialRecord], front: list[TrialRecord], path: Path, title: str, baseline: str | None = None
) -> Path:
    """``front``: ``pareto_front(records, ["accuracy", "energy"])``, drawn as a line. With
    ``baseline`` (the ANN baseline device's name) the x axis is ``energy_vs_ann`` — SNN energy
    over the ANN twin's, like for like — and the ANN baseline is the line x = 1."""
    key = "energy_vs_ann" if baseline else "energy_uj"
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
        pts = [(_energy(r, key), r.metrics.get("val_acc", 0.0)) for r in rs if _energy(r, key) is not None]
        if pts:
            ax.scatter(*zip(*pts), marker=marker, color=color, label=f"{label} ({len(pts)})")
    front = sorted((r for r in front if _energy(r, key) is not None), key=lambda r: _energy(r, key))
    if front:
        ax.plot(
            [_energy(r, key) for r in front],
            [r.metrics["val_acc"] for r in front],
            "-",
            color="tab:green",
            alpha=0.6,
            label="Pareto front",
        )
    if baseline:
        ax.axvline(1.0, color="tab:blue", ls="--", label=f"ANN baseline ({baseline}) = 1")
        ax.set_xlabel("SNN energy / ANN twin energy, memory counted (< 1: the SNN is cheaper)")
    else:
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


STOPPED = ("PRUNED", "EARLY_STOPPED")


def plot_accuracy_per_trial(records: list[TrialRecord], path: Path, title: str, best: TrialRecord | None) -> Path:
    """Train / validation / test accuracy per trial (module docstring)."""
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(max(8.4, 0.18 * len(records) + 5), 4.2))
    done = [r for r in records if r.state == "COMPLETE" and r.stage == "trained"]
    series = (
        ("train_acc", "train (best epoch)", "^", "tab:blue"),
        ("val_acc", "validation (best epoch)", "o", "tab:orange"),
        ("test_acc", "test (weights kept)", "s", "tab:green"),
    )
    for key, label, marker, color in series:
        pts = [(r.number, r.metrics[key]) for r in done if isinstance(r.metrics.get(key), (int, float))]
        if pts:
            ax.scatter(*zip(*pts), marker=marker, s=22, color=color, label=label, zorder=3)
    infeasible = [r for r in done if not r.feasible]
    if infeasible:
        ax.scatter(
            [r.number for r in infeasible],
            [r.metrics.get("val_acc", 0.0) for r in infeasible],
            marker="x",
            s=60,
            color="tab:gray",
            label=f"violates the profile, not chosen ({len(infeasible)})",
            zorder=4,
        )
    stopped = [r for r in records if r.state in STOPPED]
    if stopped:
        ax.scatter(
            [r.number for r in stopped],
            [r.metrics.get("val_acc", 0.0) for r in stopped],
            marker="o",
            s=22,
            facecolors="none",
            edgecolors="tab:red",
            label=f"stopped early: best validation so far ({len(stopped)})",
            zorder=3,
        )
    rejected = [r for r in records if r.stage == "static" or r.state == "FAIL"]
    if rejected:
        ax.scatter(
            [r.number for r in rejected],
            [0.0] * len(rejected),
            marker="|",
            s=40,
            color="tab:gray",
            label=f"rejected before training or failed ({len(rejected)})",
        )
    if best is not None:
        ax.scatter(
            [best.number],
            [best.metrics.get("val_acc", 0.0)],
            s=160,
            facecolors="none",
            edgecolors="black",
            label=f"best (trial {best.number}, test {best.metrics.get('test_acc', 0.0):.3f})",
            zorder=4,
        )
    ax.set_xlabel("trial number")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("accuracy")
    ax.set_ylim(-0.03, 1.03)
    ax.grid(alpha=0.3)
    ax.set_title(title, fontsize=9)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_confusion(confusion: dict, path: Path, title: str) -> Path:
    """``confusion``: ``{"classes": [...], "matrix": rows true, columns predicted}`` (a trial's
    ``test_confusion``), drawn with its counts."""
    import numpy as np

    cm, classes = np.asarray(confusion["matrix"]), list(confusion["classes"])
    plt = _pyplot()
    size = min(9.0, 2.8 + 0.45 * len(classes))
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(cm, cmap="Blues")
    ticks = range(len(classes))
    ax.set_xticks(ticks, classes, rotation=90 if len(classes) > 6 else 0, fontsize=8)
    ax.set_yticks(ticks, classes, fontsize=8)
    if len(classes) <= 20:
        peak = cm.max(initial=1)
        for (i, j), v in np.ndenumerate(cm):
            if v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=8, color="white" if v > peak / 2 else "black")
    total = cm.sum()
    acc = float(np.trace(cm) / total) if total else 0.0
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    import textwrap

    head = textwrap.fill(title, 60)
    ax.set_title(f"{head}\ntest accuracy {acc:.4f} ({int(np.trace(cm))}/{int(total)})", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
