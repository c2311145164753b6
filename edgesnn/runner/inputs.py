"""Raw sensor input for the runner: read ``.npy`` / ``.csv`` files and check samples and frames.

Raw values are what the sensor produced, before any scaling: the bundle's preprocessing is
applied inside the runner. A sample of feature shape ``(C, L)`` may also be given flat (one
CSV row of ``C·L`` values, row-major). Every failure is one line naming what to change.

A multimodal bundle takes a dict ``name -> raw samples`` (``check_named_samples``), one entry
per input the model was trained with, each checked like a single input, all with the same N.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..errors import DataError, ShapeError, first_line


def _shape(shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _finite(x: np.ndarray, what: str) -> None:
    bad = ~np.isfinite(x)
    if bad.any():
        first = np.unravel_index(int(np.argmax(bad)), x.shape)
        raise DataError(
            f"{what} holds {int(bad.sum())} NaN/inf values (first at index {list(map(int, first))}); "
            "clean or drop those samples first"
        )


def _numeric(x, what: str) -> np.ndarray:
    try:
        arr = np.asarray(x)
    except Exception:
        raise DataError(f"{what} is not an array ({type(x).__name__}); give numbers") from None
    if arr.dtype.kind not in "biuf":
        raise DataError(f"{what} has dtype {arr.dtype}; give numeric raw sensor values")
    return arr.astype(np.float64, copy=False)


def check_samples(raw, feature_shape: tuple[int, ...], what: str = "raw input") -> np.ndarray:
    """Raw samples as float64 ``[N, *feature_shape]``.

    Accepts ``[N, *feature_shape]``, ``[N, prod(feature_shape)]`` (flat rows) or one sample
    ``feature_shape`` (a batch of one). ``what`` names the input in errors.
    """
    if isinstance(raw, Mapping):
        raise DataError(
            f"{what} is a dict of inputs {sorted(map(str, raw))}, but this bundle's model takes one "
            "input: give one array of raw samples"
        )
    arr = _numeric(raw, what)
    feature_shape = tuple(feature_shape)
    size = math.prod(feature_shape)
    if arr.shape == feature_shape:
        arr = arr[None]  # one sample
    elif arr.ndim == 2 and arr.shape[1] == size:
        arr = arr.reshape(len(arr), *feature_shape)  # flat rows
    if arr.ndim < 2 or arr.shape[1:] != feature_shape:
        per = math.prod(arr.shape[1:]) if arr.ndim >= 2 else arr.size
        raise ShapeError(
            f"{what} has shape {_shape(arr.shape)} ({per} values per sample); the bundle's model "
            f"expects samples {_shape(feature_shape)} ({size} values): give [N, {size}] or "
            f"[N, {', '.join(map(str, feature_shape))}]"
        )
    if len(arr) == 0:
        raise ShapeError(f"{what} holds no samples; give at least one row")
    _finite(arr, what)
    return arr


def check_names(given, shapes: dict[str, tuple[int, ...]], what: str = "raw input") -> None:
    """DataError (one line, the expected names and shapes) unless ``given`` is a mapping with
    exactly the input names of ``shapes``."""
    expected = ", ".join(f"{n} {_shape(tuple(s))}" for n, s in shapes.items())
    if not isinstance(given, Mapping):
        fix = (
            "give --input NAME=PATH once per input"
            if what.startswith("--input")
            else "give a dict name -> array (command line: --input NAME=PATH for each)"
        )
        raise DataError(f"{what}: this bundle's model takes several named inputs ({expected}); {fix}")
    names = [str(n) for n in given]
    missing = [n for n in shapes if n not in given]
    extra = [n for n in names if n not in shapes]
    if missing or extra:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unknown {', '.join(extra)}"] if extra else []
        )
        raise DataError(
            f"{what} names {sorted(names) or 'no inputs'} ({'; '.join(parts)}); this bundle's model "
            f"takes the inputs {expected}"
        )


def check_named_samples(raw, feature_shapes: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    """Raw samples of a multimodal model: dict name -> float64 ``[N, *feature_shapes[name]]``
    (each entry accepts what ``check_samples`` accepts), every input with the same N."""
    check_names(raw, feature_shapes)
    out = {n: check_samples(raw[n], shape, f"raw input '{n}'") for n, shape in feature_shapes.items()}
    counts = {n: len(v) for n, v in out.items()}
    if len(set(counts.values())) > 1:
        raise ShapeError(f"raw inputs hold different numbers of samples {counts}; give the same samples of every input")
    return out


def check_frame(frame, shape: tuple[int, ...], what: str, name: str = "frame") -> np.ndarray:
    """One stream frame as float64 of exactly ``shape`` (or its flat size); ``name`` names it in errors."""
    arr = _numeric(frame, name)
    shape = tuple(shape)
    if arr.shape != shape and arr.size == math.prod(shape) and arr.ndim <= 1:
        arr = arr.reshape(shape)
    if arr.shape != shape:
        raise ShapeError(f"{name} has shape {_shape(arr.shape)}; this stream expects {what} of shape {_shape(shape)}")
    _finite(arr, name)
    return arr


def parse_inputs(args: list[str] | tuple[str, ...] | str) -> str | dict[str, str]:
    """Command-line ``--input`` values → one path, or a dict name -> path for ``NAME=PATH`` values
    (a multimodal bundle: one per input). A value is ``NAME=PATH`` when it holds ``=`` and no file
    of that whole name exists."""
    from ..errors import UsageError

    args = [args] if isinstance(args, str) else list(args)
    named: dict[str, str] = {}
    plain = []
    for a in args:
        name, sep, path = a.partition("=")
        if sep and name.isidentifier() and not Path(a).exists():
            if name in named:
                raise UsageError(f"--input {name}= is given twice; give one NAME=PATH per input")
            named[name] = path
        else:
            plain.append(a)
    if named and plain:
        raise UsageError(f"--input {plain[0]} has no NAME=; give every input as NAME=PATH (inputs {sorted(named)})")
    if not named:
        if len(plain) != 1:
            raise UsageError(
                f"{len(plain)} --input files without NAME=; a one-input bundle takes one file, a "
                "multimodal one NAME=PATH per input"
            )
        return plain[0]
    return named


def load_inputs(spec: str | Path | dict) -> np.ndarray | dict[str, np.ndarray]:
    """``load_raw`` of one path, or of every path of a dict name -> path."""
    if isinstance(spec, Mapping):
        return {str(n): load_raw(p) for n, p in spec.items()}
    return load_raw(spec)


def load_raw(path: str | Path) -> np.ndarray:
    """Raw samples from a ``.npy`` array or a ``.csv`` of one sample per row (an optional header
    line is skipped; comma, semicolon or whitespace separated)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"input '{path}' does not exist; give raw samples as .npy or .csv")
    suffix = path.suffix.lower()
    if suffix in (".npy", ".npz"):
        return read_array(path)
    if suffix in (".csv", ".txt"):
        return _load_csv(path)
    raise DataError(f"input '{path}': unknown file type '{path.suffix}'; give raw samples as .npy, .npz or .csv")


def read_array(path: str | Path) -> np.ndarray:
    """The array of a ``.npy`` file, or of a ``.npz`` holding exactly one array; never unpickles.

    Anything else (a directory, an empty or corrupt file, an archive of several arrays) is a
    one-line DataError naming the file."""
    path = Path(path)
    if path.is_dir():
        raise DataError(f"input '{path}' is a directory; give a .npy file")
    if not path.is_file():
        raise DataError(f"input '{path}' does not exist")
    import zipfile

    try:
        loaded = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"input '{path}' is not a readable .npy array ({first_line(exc)[:120]})") from None
    if isinstance(loaded, np.lib.npyio.NpzFile):
        with loaded:
            names = list(loaded.files)
            if len(names) != 1:
                raise DataError(
                    f"input '{path}' is an .npz archive of {len(names)} arrays ({', '.join(names[:6]) or 'none'}); "
                    "give a .npy file, an .npz of one array, or NAME=PATH per input"
                )
            try:
                return loaded[names[0]]
            except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
                raise DataError(f"input '{path}': array '{names[0]}' is not readable ({type(exc).__name__})") from None
    return loaded


def as_float32(x: np.ndarray, what: str) -> np.ndarray:
    """``x`` as float32; values float32 cannot hold (|x| > 3.4e38, NaN, inf) are a DataError,
    not an overflow warning."""
    _finite(x, what)
    if x.dtype.kind == "f" and x.size and float(np.abs(x).max()) > float(np.finfo(np.float32).max):
        raise DataError(
            f"{what} holds values up to {float(np.abs(x).max()):.3g}, beyond float32's range (3.4e38); scale the input"
        )
    return x.astype(np.float32)


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
