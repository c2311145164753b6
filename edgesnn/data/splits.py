"""Class selection and stratified train/validation/test splits (reproducible by seed).

The default split fractions are defined here once (``VAL_FRACTION``, ``TEST_FRACTION``): every
caller that splits, or rebuilds a split from a stored spec, takes them from here. They are
fractions of *all* samples: test first, then validation from the rest (``split``), so the
training part is ``1 − VAL_FRACTION − TEST_FRACTION`` = 65 % of the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import DataError, UsageError
from .dataset import Dataset

SPLIT_NAMES = ("train", "val", "test")
#: default fraction of all samples in the validation part (model selection, early stopping)
VAL_FRACTION = 0.15
#: default fraction of all samples in the test part (ignored for a dataset with an official one)
TEST_FRACTION = 0.2


def keep_top_k_classes(ds: Dataset, k: int) -> Dataset:
    """Keep the ``k`` most frequent classes (ties: lower class index first).

    Kept classes are relabelled ``0..k-1`` in their original index order, with their names.
    ``k >= n_classes`` returns the dataset unchanged.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise UsageError(f"top_k={k!r} is not valid; give an integer >= 2 (a classifier needs two classes)")
    if k >= ds.n_classes:
        return ds
    counts = np.bincount(ds.y, minlength=ds.n_classes)
    order = sorted(range(ds.n_classes), key=lambda c: (-counts[c], c))
    kept = np.array(sorted(order[:k]))
    remap = np.full(ds.n_classes, -1, dtype=np.int64)
    remap[kept] = np.arange(k)
    mask = remap[ds.y] >= 0
    kept_ds = ds.subset(np.flatnonzero(mask))
    return Dataset(
        ds.name,
        kept_ds.x,
        remap[kept_ds.y],
        [ds.classes[c] for c in kept],
        ds.kind,
        ds.source,
        kept_ds.lengths,
        kept_ds.test_mask,
    )


@dataclass
class Splits:
    """Three disjoint stratified parts of one dataset and the sample indices of each."""

    train: Dataset
    val: Dataset
    test: Dataset
    seed: int
    fractions: dict[str, float]
    indices: dict[str, np.ndarray] = field(repr=False, default_factory=dict)

    @property
    def class_counts(self) -> dict[str, dict[str, int]]:
        """split name -> {class name: samples}."""
        return {name: getattr(self, name).class_counts() for name in SPLIT_NAMES}


def _check_fractions(val: float, test: float) -> None:
    ok = 0.0 <= val < 1.0 and 0.0 < test < 1.0 and val + test < 1.0
    if not ok:
        raise UsageError(
            f"split fractions val={val}, test={test} are not valid; need 0 <= val, 0 < test, val + test < 1"
        )


def _stratified(index: np.ndarray, y: np.ndarray, size: float, seed: int, what: str, ds: Dataset):
    """``size`` of ``index`` split off, stratified by ``y``; at least one sample per class when the
    fraction would give fewer (a small official training split, e.g. 50 series of 10 classes)."""
    from sklearn.model_selection import train_test_split

    n, k = len(index), int(np.unique(y).size)
    amount = k if math.ceil(size * n) < k <= n - k else size
    try:
        return train_test_split(index, test_size=amount, random_state=seed, shuffle=True, stratify=y)
    except ValueError as exc:
        counts = ds.class_counts()
        smallest = min(counts, key=counts.get)
        raise DataError(
            f"dataset '{ds.name}': cannot split off a stratified {what} part ({exc}); smallest class "
            f"'{smallest}' has {counts[smallest]} samples: add samples, change the fraction, or use top_k"
        ) from None


def split(ds: Dataset, seed: int, val: float = VAL_FRACTION, test: float = TEST_FRACTION) -> Splits:
    """Stratified split: ``test`` of all samples, then ``val`` of all from the remainder.

    Uses ``sklearn.model_selection.train_test_split(stratify=y, random_state=seed)`` twice
    (the second with fraction ``val / (1 - test)``), so the same seed gives the same split.
    ``val=0`` gives an empty validation set.

    A dataset with an official test split (``ds.test_mask``) keeps it: ``test`` is ignored and
    the validation part is ``val`` of the official training samples, stratified by ``seed``.
    """
    _check_fractions(val, test)
    seed = int(seed)
    index = np.arange(len(ds))
    official = ds.test_mask is not None and ds.test_mask.any() and not ds.test_mask.all()
    if official:
        rest, test_idx = index[~ds.test_mask], index[ds.test_mask]
        val_of_rest = val
    else:
        rest, test_idx = _stratified(index, ds.y, test, seed, "test", ds)
        val_of_rest = val / (1.0 - test)
    if val > 0:
        train_idx, val_idx = _stratified(rest, ds.y[rest], val_of_rest, seed, "validation", ds)
    else:
        train_idx, val_idx = rest, np.array([], dtype=np.int64)
    parts = {"train": np.asarray(train_idx), "val": np.asarray(val_idx), "test": np.asarray(test_idx)}
    return Splits(
        *(ds.subset(parts[n]) for n in SPLIT_NAMES),
        seed=seed,
        fractions={"val": float(val), "test": float(test), **({"official_test": True} if official else {})},
        indices=parts,
    )
