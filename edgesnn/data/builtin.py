"""Built-in offline datasets: real data bundled with installed packages, never downloaded.

Only scikit-learn's bundled sets are available offline in the pinned environment
(docs/dependencies.md "Offline real data"). Values are raw (not scaled); ``prepare`` fits the
preprocessing on the training split.

| name          | kind       | feature shape | classes | samples | what                                  |
|---------------|------------|---------------|---------|---------|---------------------------------------|
| digits        | image      | [1, 8, 8]     | 10      | 1797    | handwritten digits, 0..16 grey levels |
| digits_rows   | timeseries | [8, 8]        | 10      | 1797    | same digits read row by row: channel = image column, time = image row (sequential-digits task) |
| breast_cancer | vector     | [30]          | 2       | 569     | Wisconsin diagnostic cell-nucleus measurements |
| wine          | vector     | [13]          | 3       | 178     | chemical analysis of three cultivars  |
| iris          | vector     | [4]           | 3       | 150     | Fisher's iris measurements (cm)       |

Add one by writing a ``() -> Dataset`` function and an entry in ``BUILTINS``.
"""

from __future__ import annotations

from collections.abc import Callable

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
        return Dataset(name, bunch.data, bunch.target, [str(c) for c in bunch.target_names], "vector",
                       f"sklearn:{loader_name}")

    load.__name__ = f"load_{name}"
    load.__doc__ = f"scikit-learn's bundled ``{loader_name}()`` as a vector dataset."
    return load


BUILTINS: dict[str, Callable[[], Dataset]] = {
    "digits": load_digits,
    "digits_rows": load_digits_rows,
    "breast_cancer": _tabular("breast_cancer", "load_breast_cancer"),
    "wine": _tabular("wine", "load_wine"),
    "iris": _tabular("iris", "load_iris"),
}

