"""``prepare``: load -> (top-k classes) -> stratified split -> preprocessing fitted on train."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from .dataset import Dataset, check_dataset
from .load import load_dataset
from .preprocess import Preprocessor
from .splits import SPLIT_NAMES, TEST_FRACTION, VAL_FRACTION, Splits, keep_top_k_classes, split

#: statistic pooling per dataset kind (see preprocess.py): per channel for time series
DEFAULT_PER = {"vector": "feature", "image": "feature", "timeseries": "channel"}
#: scaling per dataset kind: static data to [0, 1] (what rate / latency codes need); a time
#: series to zero mean and unit variance per channel, its frames fed as signed input current (a
#: constant [0, 1] offset would drive every neuron at every step and saturate a long window)
DEFAULT_PREPROCESS = {"vector": "zscore-minmax", "image": "zscore-minmax", "timeseries": "zscore"}


@dataclass
class Prepared:
    """Preprocessed splits, the fitted preprocessor and the ``spec`` a checkpoint stores."""

    splits: Splits
    preprocessor: Preprocessor | dict[str, Preprocessor]
    spec: dict[str, Any]

    @property
    def train(self) -> Dataset:
        return self.splits.train

    @property
    def val(self) -> Dataset:
        return self.splits.val

    @property
    def test(self) -> Dataset:
        return self.splits.test


def shape_json(shape) -> list[int] | dict[str, list[int]]:
    """A feature shape (or a dict of them, one per input) as JSON lists."""
    return {k: list(v) for k, v in shape.items()} if isinstance(shape, dict) else list(shape)


def raw_splits(
    name_or_path: str | os.PathLike,
    seed: int,
    *,
    label_column: str | None = None,
    top_k: int | None = None,
    val: float = VAL_FRACTION,
    test: float = TEST_FRACTION,
) -> tuple[Dataset, Splits]:
    """The loaded dataset (top-k classes kept) and its unscaled splits by ``seed``: what ``prepare``
    scales, and what a bundle replays raw."""
    ds = load_dataset(name_or_path, label_column=label_column)
    if top_k is not None:
        ds = check_dataset(keep_top_k_classes(ds, top_k), f"dataset '{ds.name}' (top_k={top_k})")
    return ds, split(ds, seed, val=val, test=test)


def fit_preprocessor(kind: str | None, ds: Dataset) -> Preprocessor | dict[str, Preprocessor]:
    """``kind`` (None: ``DEFAULT_PREPROCESS`` of the data kind) fitted on ``ds`` (padded frames
    ignored); one per input of a multimodal dataset, each pooled and scaled as its own data kind."""
    if ds.multimodal:
        return {
            n: Preprocessor(kind or DEFAULT_PREPROCESS[k], per=DEFAULT_PER[k]).fit(ds.x[n])
            for n, k in ds.input_kinds.items()
        }
    return Preprocessor(kind or DEFAULT_PREPROCESS[ds.kind], per=DEFAULT_PER[ds.kind]).fit(
        ds.x, ignore=ds.padding_mask()
    )


def preprocessing_dict(pre: Preprocessor | dict[str, Preprocessor]) -> dict[str, Any]:
    """JSON-able: ``Preprocessor.to_dict`` or ``{"inputs": {name: to_dict}}``."""
    if isinstance(pre, dict):
        return {"inputs": {n: p.to_dict() for n, p in pre.items()}}
    return pre.to_dict()


def preprocessor_from_dict(d: dict[str, Any]) -> Preprocessor | dict[str, Preprocessor]:
    if "inputs" in d:
        return {n: Preprocessor.from_dict(v) for n, v in d["inputs"].items()}
    return Preprocessor.from_dict(d)


def scaled(ds: Dataset, pre: Preprocessor | dict[str, Preprocessor]) -> Dataset:
    """``ds`` with its features transformed by ``pre``; padded frames stay zero (no input current)."""
    if ds.multimodal:
        return ds.with_x({n: pre[n].transform(x) for n, x in ds.x.items()})
    x = pre.transform(ds.x)
    mask = ds.padding_mask()
    if mask is not None:
        x = np.where(mask, np.float32(0.0), x)
    return ds.with_x(x)


def prepare(
    name_or_path: str | os.PathLike,
    seed: int,
    *,
    label_column: str | None = None,
    top_k: int | None = None,
    preprocess: str | None = None,
    val: float = VAL_FRACTION,
    test: float = TEST_FRACTION,
) -> Prepared:
    """Load, optionally keep the ``top_k`` most frequent classes, split by ``seed``, and scale.

    The preprocessor (``preprocess``, default ``DEFAULT_PREPROCESS`` of the data kind) is
    fitted on the training split only and applied to all three. ``spec``
    is JSON-able: dataset (name or path as given), source (absolute path or sklearn loader), kind, feature_shape, classes, class counts per split,
    preprocessing dict, seed, split fractions, top_k and label_column.
    """
    if preprocess is not None:
        Preprocessor(preprocess)  # validate the name before loading anything
    ds, raw = raw_splits(name_or_path, seed, label_column=label_column, top_k=top_k, val=val, test=test)
    pre = fit_preprocessor(preprocess, raw.train)
    splits = Splits(
        *(scaled(getattr(raw, n), pre) for n in SPLIT_NAMES),
        seed=raw.seed,
        fractions=raw.fractions,
        indices=raw.indices,
    )
    spec = {
        "dataset": os.fspath(name_or_path),
        "name": ds.name,
        "source": ds.source,
        "kind": ds.kind,
        "feature_shape": shape_json(ds.feature_shape),
        "classes": list(ds.classes),
        "class_counts": splits.class_counts,
        "preprocessing": preprocessing_dict(pre),
        "seed": int(seed),
        "split": dict(raw.fractions),
        "top_k": top_k,
        "label_column": label_column,
        "padded": ds.lengths is not None,
    }
    return Prepared(splits, pre, spec)
