"""Plots of a sweep (matplotlib, Agg backend: no display needed), one pair per factor.

- ``factor_<name>.png``: final test accuracy (mean over seeds, bar = spread) and best validation
  accuracy against the factor's value; the baseline's value is starred. Numbers on a numeric
  axis, names (encoder, loss) as categories.
- ``curves_<name>.png``: learning curves, one line per value (mean over seeds): training loss
  and validation accuracy per epoch; the baseline is the thick black line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .spec import value_key

if TYPE_CHECKING:
    from .run import SweepResult


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _numeric(values) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _title(result: SweepResult, name: str) -> str:
    seeds = len(result.seeds)
    return (
        f"{result.plan.family} on {result.dataset}, profile {result.profile.name}: {name} "
        f"(baseline {value_key(result.plan.baseline_hp.get(name))}; {seeds} seed{'s' if seeds > 1 else ''})"
    )


def plot_factor(result: SweepResult, name: str, path: Path) -> Path:
    plt = _pyplot()
    points = result.plan.points
    pts = [p for p in points if p.factor == name]
    numeric = _numeric([p.value for p in pts])
    xs = [p.value for p in pts] if numeric else list(range(len(pts)))
    # a configuration whose every seed failed (diverged) is a gap (NaN)
    test = [[r.metrics["test_acc"] for r in result.runs_of(p)] or [np.nan] for p in pts]
    val = [np.mean([r.metrics["val_acc"] for r in result.runs_of(p)] or [np.nan]) for p in pts]
    fig, ax = plt.subplots(figsize=(5.6, 3.8))
    line = "-" if numeric else ""  # categories are not joined: there is nothing between two encoders
    ax.errorbar(xs, [np.mean(t) for t in test], yerr=[np.std(t) for t in test], fmt="o" + line, capsize=3, label="test")
    ax.plot(xs, val, "s" + ("--" if numeric else ""), color="tab:gray", alpha=0.8, label="validation (best epoch)")
    for x, p, t in zip(xs, pts, test):
        if p.is_baseline:
            ax.plot([x], [np.mean(t)], "*", color="tab:red", markersize=14, label="baseline")
    if not numeric:
        ax.set_xticks(xs, [value_key(p.value) for p in pts])
    elif min(xs) > 0 and max(xs) / min(xs) >= 20:
        ax.set_xscale("log")
    ax.set_xlabel(name)
    ax.set_ylabel("accuracy")
    ax.set_title(_title(result, name), fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_curves(result: SweepResult, name: str, path: Path) -> Path:
    plt = _pyplot()
    pts = [p for p in result.plan.points if p.factor == name]
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(10, 3.8))
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, max(len(pts), 2)))
    for p, color in zip(pts, colors):
        runs = result.runs_of(p)
        if not runs:  # every seed diverged: no curve
            continue
        n = min(len(r.history) for r in runs)
        epochs = np.arange(1, n + 1)
        loss = np.mean([[h["loss"] for h in r.history[:n]] for r in runs], axis=0)
        acc = np.mean([[h["val_acc"] for h in r.history[:n]] for r in runs], axis=0)
        style = {"color": "black", "lw": 2.4} if p.is_baseline else {"color": color, "lw": 1.4}
        label = value_key(p.value) + (" (baseline)" if p.is_baseline else "")
        loss_ax.plot(epochs, loss, **style, label=label)
        acc_ax.plot(epochs, acc, **style, label=label)
    loss_ax.set_ylabel("training loss (epoch mean)")
    acc_ax.set_ylabel("validation accuracy")
    from matplotlib.ticker import MaxNLocator

    for ax in (loss_ax, acc_ax):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    acc_ax.legend(title=name, fontsize=8)
    fig.suptitle(_title(result, name), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
