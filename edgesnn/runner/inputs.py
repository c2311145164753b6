"""Raw sensor input for the runner: read ``.npy`` / ``.csv`` files and check samples and frames.

Raw values are what the sensor produced, before any scaling: the bundle's preprocessing is
applied inside the runner. A sample of feature shape ``(C, L)`` may also be given flat (one
CSV row of ``C·L`` values, row-major). Every failure is one line naming what to change.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..errors import DataError, ShapeError


def _shape(shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _finite(x: np.ndarray, what: str) -> None:
    bad = ~np.isfinite(x)
    if bad.any():
        first = np.unravel_index(int(np.argmax(bad)), x.shape)
        raise DataError(f"{what} holds {int(bad.sum())} NaN/inf values (first at index {list(map(int, first))}); "
                        "clean or drop those samples first")


def _numeric(x, what: str) -> np.ndarray:
    try:
        arr = np.asarray(x)
    except Exception:
        raise DataError(f"{what} is not an array ({type(x).__name__}); give numbers") from None
    if arr.dtype.kind not in "biuf":
        raise DataError(f"{what} has dtype {arr.dtype}; give numeric raw sensor values")
    return arr.astype(np.float64, copy=False)


def check_samples(raw, feature_shape: tuple[int, ...]) -> np.ndarray:
    """Raw samples as float64 ``[N, *feature_shape]``.

    Accepts ``[N, *feature_shape]``, ``[N, prod(feature_shape)]`` (flat rows) or one sample
    ``feature_shape`` (a batch of one).
    """
    arr = _numeric(raw, "raw input")
    feature_shape = tuple(feature_shape)
    size = math.prod(feature_shape)
    if arr.shape == feature_shape:
        arr = arr[None]  # one sample
    elif arr.ndim == 2 and arr.shape[1] == size:
        arr = arr.reshape(len(arr), *feature_shape)  # flat rows
    if arr.ndim < 2 or arr.shape[1:] != feature_shape:
        per = math.prod(arr.shape[1:]) if arr.ndim >= 2 else arr.size
        raise ShapeError(f"raw input has shape {_shape(arr.shape)} ({per} values per sample); the bundle's model "
                         f"expects samples {_shape(feature_shape)} ({size} values): give [N, {size}] or "
                         f"[N, {', '.join(map(str, feature_shape))}]")
    if len(arr) == 0:
        raise ShapeError("raw input holds no samples; give at least one row")
    _finite(arr, "raw input")
    return arr


def check_frame(frame, shape: tuple[int, ...], what: str) -> np.ndarray:
    """One stream frame as float64 of exactly ``shape`` (or its flat size)."""
    arr = _numeric(frame, "frame")
    shape = tuple(shape)
    if arr.shape != shape and arr.size == math.prod(shape) and arr.ndim <= 1:
        arr = arr.reshape(shape)
    if arr.shape != shape:
        raise ShapeError(f"frame has shape {_shape(arr.shape)}; this stream expects {what} of shape {_shape(shape)}")
    _finite(arr, "frame")
    return arr


def load_raw(path: str | Path) -> np.ndarray:
    """Raw samples from a ``.npy`` array or a ``.csv`` of one sample per row (an optional header
    line is skipped; comma, semicolon or whitespace separated)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"input '{path}' does not exist; give raw samples as .npy or .csv")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        try:
            return np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise DataError(f"input '{path}' is not a readable .npy array ({str(exc).splitlines()[0]})") from None
    if suffix in (".csv", ".txt"):
        return _load_csv(path)
    raise DataError(f"input '{path}': unknown file type '{path.suffix}'; give raw samples as .npy or .csv")


def _load_csv(path: Path) -> np.ndarray:
    lines = [ln.strip() for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    if not lines:
        raise DataError(f"input '{path}' is empty; give one raw sample per row")
    sep = "," if "," in lines[0] else (";" if ";" in lines[0] else None)
    rows = []
    for i, line in enumerate(lines):
        cells = line.split(sep)
        try:
            rows.append([float(c) for c in cells])
        except ValueError:
            if i == 0:
                continue  # a header line
            raise DataError(f"input '{path}', line {i + 1}: not a row of numbers ({line[:60]!r})") from None
    if not rows:
        raise DataError(f"input '{path}' holds a header but no rows of numbers")
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise ShapeError(f"input '{path}': rows have different lengths {sorted(widths)}; give one sample per row")
    return np.asarray(rows, dtype=np.float64)
