"""The report's PNG plots (matplotlib, Agg backend): one small function per figure.

``PLOTS`` maps a file name to a function ``(report) -> Figure | None`` (None: nothing to draw).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .report import Report

DPI = 110


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def firing_rates(report: Report):
    """Bar per spiking layer: rate in spikes / neuron / step; the mean as a line."""
    rates = report.activity.firing_rates
    if not rates:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.4, 0.5 * len(rates) + 1.8))
    names = [k for k in report.activity.layers if k in rates] + [k for k in rates if k not in report.activity.layers]
    ax.barh([report.layer_names.get(k, k) for k in names], [rates[k] for k in names], color="#3b75af")
    ax.axvline(
        report.activity.mean_firing_rate, color="#c44e52", ls="--", label=f"mean {report.activity.mean_firing_rate:.3f}"
    )
    ax.set_xlabel("firing rate (spikes / neuron / step)")
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    ax.set_title(f"Firing rates — {report.model} on {report.target}")
    fig.tight_layout()
    return fig


def raster(report: Report):
    """Spike raster of test sample 0: the input and every spiking layer, time on x."""
    panels = []
    if report.sample_input is not None:
        panels.append(("input", np.asarray(report.sample_input)))
    panels += [
        (report.layer_names.get(k, k), np.asarray(report.sample_records[k]))
        for k in report.activity.layers
        if k in report.activity.firing_rates and k in report.sample_records
    ]
    if not panels:
        return None
    plt = _plt()
    heights = [max(1.0, min(3.0, v[0].size / 40)) for _, v in panels]
    fig, axes = plt.subplots(
        len(panels),
        1,
        figsize=(6.4, sum(heights) + 1.2),
        sharex=True,
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    for ax, (name, rec) in zip(axes[:, 0], panels):
        flat = rec.reshape(rec.shape[0], -1)
        t, i = np.nonzero(flat)
        ax.scatter(t, i, s=4, marker="|", color="black")
        ax.set_ylim(-0.5, flat.shape[1] - 0.5)
        ax.set_ylabel(f"{name}\n({flat.shape[1]})", fontsize=8)
    axes[-1, 0].set_xlabel("timestep")
    axes[-1, 0].set_xlim(-0.5, panels[0][1].shape[0] - 0.5)
    axes[0, 0].set_title(f"Spike raster, test sample 0 — {report.model}")
    fig.tight_layout()
    return fig


def confusion(report: Report):
    """Confusion matrix with counts: rows true class, columns predicted."""
    cm = np.asarray(report.confusion)
    plt = _plt()
    size = min(9.0, 2.5 + 0.45 * len(report.classes))
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(cm, cmap="Blues")
    ticks = range(len(report.classes))
    ax.set_xticks(ticks, report.classes, rotation=90 if len(report.classes) > 12 else 0)
    ax.set_yticks(ticks, report.classes)
    if len(report.classes) <= 20:
        peak = cm.max(initial=1)
        for (r, c), v in np.ndenumerate(cm):
            if v:
                ax.text(c, r, str(v), ha="center", va="center", fontsize=7, color="white" if v > peak / 2 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"Confusion matrix — accuracy {report.accuracy:.3f}")
    fig.tight_layout()
    return fig


def energy(report: Report):
    """Energy per layer (SNN, target table) and the totals of the SNN and its ANN twin."""
    e = report.energy
    plt = _plt()
    fig, (ax1, ax2) = plt.subplots(
        1, 2, figsize=(9.6, 0.45 * len(e.snn_layers_uj) + 2.4), gridspec_kw={"width_ratios": [2, 1]}
    )
    names = [k for k in report.activity.layers if k in e.snn_layers_uj]
    names += [k for k in e.snn_layers_uj if k not in names]
    ax1.barh([report.layer_names.get(k, k) for k in names], [e.snn_layers_uj[k] for k in names], color="#55a868")
    ax1.invert_yaxis()
    ax1.set_xlabel("µJ per inference")
    ax1.set_title(f"SNN energy per layer ({e.table})", fontsize=9)
    labels, values, colors = ["SNN"], [e.snn_uj], ["#55a868"]
    if e.ann_uj is not None:
        labels, values, colors = labels + ["ANN twin"], values + [e.ann_uj], colors + ["#8172b2"]
    ax2.bar(labels, values, color=colors)
    ax2.set_ylabel("µJ per inference")
    ax2.set_title("total (compute only)", fontsize=9)
    for i, v in enumerate(values):
        ax2.text(i, v, f"{v:.3g}", ha="center", va="bottom", fontsize=8)
    fig.tight_layout()
    return fig


PLOTS: dict[str, Callable[[Report], object]] = {
    "firing_rates.png": firing_rates,
    "raster.png": raster,
    "confusion.png": confusion,
    "energy.png": energy,
}


def render_pngs(report: Report) -> dict[str, bytes]:
    """File name -> PNG bytes for every plot that has something to draw."""
    import io

    plt = _plt()
    out = {}
    for name, fn in PLOTS.items():
        fig = fn(report)
        if fig is None:
            continue
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI)
        plt.close(fig)
        out[name] = buf.getvalue()
    return out
