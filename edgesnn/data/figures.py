"""The class-frequency figure: samples per class in each split, for any dataset.

``class_frequencies(dataset, seed)`` splits the dataset exactly as ``train`` and ``tune`` do
(same seed, same fractions, same ``top_k`` / ``label_column``) and counts the samples of each
class per split; ``plot_class_frequencies`` draws them as grouped bars (one group per class,
one bar per split), the miRNA study's "class frequencies" figure. matplotlib is imported on
demand, so importing this module stays cheap.
"""

from __future__ import annotations

import os
from pathlib import Path

from .splits import SPLIT_NAMES


def class_frequencies(
    name_or_path: str | os.PathLike, seed: int = 0, *, label_column: str | None = None, top_k: int | None = None
) -> dict:
    """``{"dataset", "classes", "counts": {split: {class: n}}, "seed", "top_k"}`` of the split by ``seed``."""
    from .prepare import raw_splits

    ds, splits = raw_splits(name_or_path, seed, label_column=label_column, top_k=top_k)
    return {
        "dataset": os.fspath(name_or_path),
        "classes": [str(c) for c in ds.classes],
        "counts": {n: {str(k): int(v) for k, v in counts.items()} for n, counts in splits.class_counts.items()},
        "seed": int(seed),
        "top_k": top_k,
    }


def plot_class_frequencies(freq: dict, path: str | Path, title: str | None = None) -> Path:
    """Grouped bars of ``freq["counts"]`` (as ``class_frequencies`` returns) written to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    classes = list(freq["classes"])
    splits = [s for s in SPLIT_NAMES if s in freq["counts"]]
    width = 0.8 / max(1, len(splits))
    x = np.arange(len(classes))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.55 * len(classes) + 2), 3.6))
    for i, split in enumerate(splits):
        counts = [freq["counts"][split].get(c, 0) for c in classes]
        bars = ax.bar(x + (i - (len(splits) - 1) / 2) * width, counts, width, label=f"{split} ({sum(counts)})")
        ax.bar_label(bars, fontsize=6, padding=1)
    ax.set_xticks(x, classes, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("samples")
    ax.set_title(title or f"class frequencies: {freq['dataset']} (split seed {freq['seed']})", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
