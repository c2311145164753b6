"""The ``Dataset`` record and the checks every loaded dataset goes through.

Layout: ``x`` is float32 ``[N, *feature_shape]`` and ``y`` int64 ``[N]`` with values in
``0..C-1``; ``classes[i]`` names class ``i``. Feature shapes by kind:

- ``vector``     ``[F]`` (models view it as ``[1, F]`` for a 1-D CNN)
- ``image``      ``[C, H, W]`` channel-first
- ``timeseries`` ``[channels, length]``
- ``multimodal`` several named inputs: ``x`` is a dict ``name -> [N, *features]`` (each input of
  one of the kinds above, e.g. ``{"image": [N, 1, 8, 8], "audio": [N, 13, 50]}``), one label per
  sample; ``feature_shape`` is then a dict of shapes.

Two optional per-sample arrays travel with ``x`` through ``subset``:

- ``lengths`` int64 ``[N]``: for variable-length time series, the number of valid frames of
  each series. Series are padded with zeros to the longest; after preprocessing the padded
  frames are zero again, so a spiking model gets **zero input current after a series ends** and
  classifies by spike counts over the whole window (its neurons only leak and keep firing from
  their own state). ``None``: every series has the full length.
- ``test_mask`` bool ``[N]``: the dataset's official test samples (e.g. a UCR/UEA archive's
  TEST file); ``split`` then keeps them as the test split and carves validation from the rest.

Numpy only: this module is imported by the torch-free on-device runner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import DataError, ShapeError

KINDS = ("vector", "image", "timeseries", "multimodal")
#: number of feature dimensions each kind has (x.ndim - 1)
KIND_NDIM = {"vector": 1, "timeseries": 2, "image": 3}
#: kind of a dataset from the number of dimensions of x (including N)
KIND_OF_NDIM = {2: "vector", 3: "timeseries", 4: "image"}
MIN_PER_CLASS = 3


@dataclass
class Dataset:
    """A labelled classification set; see the module docstring for the layout."""

    name: str
    x: np.ndarray | dict[str, np.ndarray]
    y: np.ndarray
    classes: list[str]
    kind: str = "vector"
    source: str = field(default="", compare=False)
    lengths: np.ndarray | None = field(default=None, compare=False, repr=False)
    test_mask: np.ndarray | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.x, dict):
            self.kind = "multimodal"
        if self.kind not in KINDS:
            raise ShapeError(f"dataset '{self.name}': kind '{self.kind}' is not one of {', '.join(KINDS)}")
        if self.kind == "multimodal":
            self._init_inputs()
        else:
            self.x = np.ascontiguousarray(self.x, dtype=np.float32)
        self.y = np.asarray(self.y)
        if self.y.ndim != 1 or (self.y.size and not np.issubdtype(self.y.dtype, np.integer)):
            raise ShapeError(
                f"dataset '{self.name}': y must be a 1-D integer array, got {self.y.dtype} {self.y.shape}; "
                "map labels with labels_to_indices"
            )
        self.y = self.y.astype(np.int64, copy=False)
        self.classes = [str(c) for c in self.classes]
        want = KIND_NDIM.get(self.kind, 0) + 1
        if self.kind != "multimodal" and self.x.ndim != want:
            raise ShapeError(
                f"dataset '{self.name}': a {self.kind} dataset needs x with {want} dims "
                f"[N, *features], got shape {self.x.shape}"
            )
        if self.n_samples_x != len(self.y):
            raise ShapeError(
                f"dataset '{self.name}': x has {self.n_samples_x} samples but y has {len(self.y)}; "
                "give one label per sample"
            )
        if self.y.size and (self.y.min() < 0 or self.y.max() >= len(self.classes)):
            raise ShapeError(
                f"dataset '{self.name}': labels must lie in 0..{len(self.classes) - 1} "
                f"(one per class name), got {self.y.min()}..{self.y.max()}"
            )
        if self.lengths is not None:
            self.lengths = np.asarray(self.lengths).astype(np.int64).reshape(-1)
            full = self.x.shape[-1] if self.kind == "timeseries" else 0
            if (
                self.kind != "timeseries"
                or len(self.lengths) != len(self.y)
                or (self.lengths.size and (self.lengths.min() < 1 or self.lengths.max() > full))
            ):
                raise ShapeError(
                    f"dataset '{self.name}': lengths must give one valid length in 1..{full or 'L'} per "
                    f"time series, got {len(self.lengths)} values for {len(self.y)} {self.kind} samples"
                )
        if self.test_mask is not None:
            self.test_mask = np.asarray(self.test_mask, dtype=bool).reshape(-1)
            if len(self.test_mask) != len(self.y):
                raise ShapeError(
                    f"dataset '{self.name}': test_mask has {len(self.test_mask)} entries for {len(self.y)} samples"
                )

    def _init_inputs(self) -> None:
        if not self.x or not all(isinstance(k, str) and k.isidentifier() for k in self.x):
            raise ShapeError(
                f"dataset '{self.name}': a multimodal dataset needs named inputs (identifiers), got {list(self.x)}"
            )
        arrays = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in self.x.items()}
        for k, v in arrays.items():
            if v.ndim not in KIND_OF_NDIM:
                raise ShapeError(
                    f"dataset '{self.name}': input '{k}' has shape {v.shape}; use [N, F] vectors, "
                    "[N, C, L] series or [N, C, H, W] images"
                )
        sizes = {k: len(v) for k, v in arrays.items()}
        if len(set(sizes.values())) > 1:
            raise ShapeError(
                f"dataset '{self.name}': inputs hold different numbers of samples {sizes}; "
                "give every input one entry per sample"
            )
        self.x = dict(sorted(arrays.items()))  # one order everywhere: by name, as the NIR graph

    @property
    def n_samples_x(self) -> int:
        return len(next(iter(self.x.values()))) if isinstance(self.x, dict) else len(self.x)

    @property
    def multimodal(self) -> bool:
        return self.kind == "multimodal"

    @property
    def inputs(self) -> dict[str, np.ndarray]:
        """The named inputs (one input: ``{"x": x}``)."""
        return dict(self.x) if self.multimodal else {"x": self.x}

    @property
    def input_kinds(self) -> dict[str, str]:
        return {k: KIND_OF_NDIM[v.ndim] for k, v in self.inputs.items()} if self.multimodal else {"x": self.kind}

    @property
    def feature_shape(self) -> tuple[int, ...] | dict[str, tuple[int, ...]]:
        if self.multimodal:
            return {k: tuple(int(s) for s in v.shape[1:]) for k, v in self.x.items()}
        return tuple(int(s) for s in self.x.shape[1:])

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def __len__(self) -> int:
        return len(self.y)

    def class_counts(self) -> dict[str, int]:
        """Samples per class name, in class-index order (zeros included)."""
        counts = np.bincount(self.y, minlength=self.n_classes)
        return {name: int(c) for name, c in zip(self.classes, counts)}

    def padding_mask(self) -> np.ndarray | None:
        """``True`` at padded frames, broadcastable to ``x`` (``[N, 1, L]``); ``None`` if none are."""
        if self.lengths is None:
            return None
        return (np.arange(self.x.shape[-1])[None, :] >= self.lengths[:, None])[:, None, :]

    def subset(self, index: np.ndarray) -> Dataset:
        """The samples at ``index`` (classes, names, lengths and test mask kept)."""

        def pick(a):
            return None if a is None else a[index]

        x = {k: v[index] for k, v in self.x.items()} if self.multimodal else self.x[index]
        return Dataset(
            self.name,
            x,
            self.y[index],
            list(self.classes),
            self.kind,
            self.source,
            pick(self.lengths),
            pick(self.test_mask),
        )

    def select(self, name: str) -> Dataset:
        """One named input of a multimodal dataset as a dataset of its own (same samples, labels
        and test split), named ``<dataset>:<input>``: the single-modality baseline of a fusion model."""
        if not self.multimodal:
            raise ShapeError(f"dataset '{self.name}' has one input; ':{name}' selects an input of a multimodal dataset")
        if name not in self.x:
            raise ShapeError(f"dataset '{self.name}' has no input '{name}'; its inputs: {', '.join(self.x)}")
        return Dataset(
            f"{self.name}:{name}",
            self.x[name],
            self.y,
            list(self.classes),
            self.input_kinds[name],
            self.source,
            None,
            self.test_mask,
        )

    def with_x(self, x: np.ndarray | dict[str, np.ndarray], kind: str | None = None) -> Dataset:
        """Same labels and metadata, new features (e.g. after preprocessing)."""
        kind = kind or ("multimodal" if isinstance(x, dict) else self.kind)
        lengths = self.lengths if kind == "timeseries" else None
        return Dataset(self.name, x, self.y, list(self.classes), kind, self.source, lengths, self.test_mask)


def _label_name(value: object) -> str:
    """``1.0`` -> ``'1'``, ``b'a'`` -> ``'a'``, anything else -> ``str(value)``."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def labels_to_indices(labels: Sequence | np.ndarray, where: str = "labels") -> tuple[np.ndarray, list[str]]:
    """Map raw labels to indices ``0..C-1`` in sorted order of the distinct values.

    Numeric labels sort numerically (``[3, 1, 2] -> [2, 0, 1]``, names ``['1', '2', '3']``),
    strings sort lexically. Returns ``(y int64 [N], class names)``.
    """
    arr = np.asarray(labels)
    if arr.ndim != 1:
        raise ShapeError(f"{where}: labels must be 1-D, got shape {arr.shape}; give one label per sample")
    if arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(arr))
        raise DataError(f"{where}: {bad.size} label(s) are NaN/inf (first at sample {bad[0]}); drop or fix those rows")
    if arr.dtype.kind == "O":
        arr = np.array([_label_name(v) for v in arr])
    values, y = np.unique(arr, return_inverse=True)
    return y.astype(np.int64).reshape(-1), [_label_name(v) for v in values]


def _nonfinite_where(ds: Dataset, feature_names: Sequence[str] | None) -> str:
    bad = ~np.isfinite(ds.x)
    n_bad = int(bad.sum())
    rows = np.flatnonzero(bad.reshape(len(ds.x), -1).any(axis=1))
    first = np.argwhere(bad)[0]
    feat = tuple(int(i) for i in first[1:])
    if feature_names is not None and len(feat) == 1:
        feat_s = f"column '{feature_names[feat[0]]}'"
    else:
        feat_s = f"feature index {feat[0] if len(feat) == 1 else feat}"
    return f"{n_bad} NaN/inf value(s) in {rows.size} sample(s), first at sample {first[0]}, {feat_s}"


def check_dataset(ds: Dataset, where: str, feature_names: Sequence[str] | None = None) -> Dataset:
    """Raise a one-line ``DataError`` if ``ds`` cannot be trained on; return it otherwise.

    Checks: at least one sample; finite values; at least two classes present; at least
    ``3 x n_classes`` samples (enough for a stratified train/val/test split).
    """
    if len(ds) == 0:
        raise DataError(f"{where}: no samples; give a file with at least one data row")
    for name, x in ds.inputs.items():
        if not np.all(np.isfinite(x)):
            part = ds if not ds.multimodal else ds.with_x(x, kind=KIND_OF_NDIM[x.ndim])
            label = f"input '{name}': " if ds.multimodal else ""
            raise DataError(
                f"{where}: {label}{_nonfinite_where(part, feature_names)}; drop or impute them before loading"
            )
    present = np.unique(ds.y)
    if present.size < 2:
        only = ds.classes[int(present[0])]
        raise DataError(f"{where}: only one class ('{only}') present; a classifier needs at least 2 classes")
    need = MIN_PER_CLASS * ds.n_classes
    if len(ds) < need:
        raise DataError(
            f"{where}: {len(ds)} samples for {ds.n_classes} classes; need at least {need} "
            f"({MIN_PER_CLASS} per class) to split into train/val/test"
        )
    return ds
