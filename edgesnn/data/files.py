"""Readers for user files: CSV, NPZ, HDF5 and ``.ts``, registered by extension in ``READERS``.

Each reader returns a ``Raw`` record (features, raw labels, optional class names and
column names); ``load.load_dataset`` maps labels to indices and runs the dataset checks.

- **CSV**: a header row, one sample per row. The label column is ``label_column`` or the first
  of ``label``, ``class``, ``target``, ``y`` present (case-insensitive); a sample identifier
  column (``id``, ``sample``, ``sample_id``, ``case_id``, ``barcode``: a TCGA export's first
  column) is skipped; every other column is a numeric feature. Labels may be numbers or strings.
  The miRNA study's TCGA preprocessing is ``top_k=10`` (``--top-k 10``: the ten most frequent
  classes) with the default ``zscore-minmax`` scaling of vectors (``preprocess.py``).
- **NPZ** (``np.savez``): arrays ``x`` (or ``X``) and ``y``; optional ``classes`` (names for
  integer labels ``0..C-1``). ``x`` is ``[N, F]`` vectors, ``[N, C, L]`` time series or
  ``[N, C, H, W]`` channel-first images.
- **HDF5** (``.h5``/``.hdf5``): datasets ``x``/``X`` and ``y`` at the root, optional ``classes``,
  same shapes as NPZ.

- **.ts** (the sktime/aeon UCR/UEA archive text format, ``sources/ts_archive.py``): one case
  per line after ``@data``, channels separated by ``:``, the class label last. Variable-length
  series are zero-padded to the longest and their lengths kept (``Raw.lengths``).

For NPZ and HDF5, ``label_column`` names the label array instead of ``y``.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError, ShapeError, UsageError, did_you_mean, first_line
from .dataset import KIND_OF_NDIM

LABEL_CANDIDATES = ("label", "class", "target", "y")
#: sample identifier columns of a CSV: never features (a TCGA export starts with its barcodes)
ID_COLUMNS = ("id", "sample", "sample_id", "case_id", "barcode")
X_KEYS = ("x", "X")
Y_KEYS = ("y", "Y")


@dataclass
class Raw:
    x: np.ndarray | dict[str, np.ndarray]  # a dict: named inputs of a multimodal file
    labels: np.ndarray
    classes: list[str] | None = None
    feature_names: list[str] | None = None
    lengths: np.ndarray | None = None  # valid frames per variable-length time series


def _pick_label_column(header: list[str], label_column: str | None, where: str) -> int:
    if label_column is not None:
        if label_column in header:
            return header.index(label_column)
        raise DataError(
            f"{where}: no column '{label_column}'{did_you_mean(label_column, header)}; columns are: {', '.join(header)}"
        )
    lowered = [h.lower() for h in header]
    for cand in LABEL_CANDIDATES:
        if cand in lowered:
            return lowered.index(cand)
    raise DataError(
        f"{where}: no label column (looked for {', '.join(LABEL_CANDIDATES)}); pass "
        f"label_column= one of: {', '.join(header)}"
    )


def _numeric_column(values: list[str], name: str, where: str) -> np.ndarray:
    try:
        return np.asarray(values, dtype=np.float64)
    except ValueError:
        pass
    for row, v in enumerate(values):
        try:
            float(v)
        except ValueError:
            what = "a missing value" if v == "" else f"non-numeric value '{v[:40]}'"
            raise DataError(
                f"{where}: column '{name}' has {what} at data row {row + 1}; features must be numbers "
                "(encode categories as numbers or drop the column)"
            ) from None
    raise DataError(f"{where}: column '{name}' could not be read as numbers")  # pragma: no cover


def read_csv(path: Path, label_column: str | None = None) -> Raw:
    where = str(path)
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = [r for r in csv.reader(fh) if any(c.strip() for c in r)]
    if not rows:
        raise DataError(f"{where}: the file is empty; give a CSV with a header row and data rows")
    header = [h.strip() for h in rows[0]]
    body = rows[1:]
    if not body:
        raise DataError(f"{where}: only a header row, no data rows; add one row per sample")
    for i, r in enumerate(body):
        if len(r) != len(header):
            raise DataError(
                f"{where}: data row {i + 1} has {len(r)} fields but the header has {len(header)}; "
                "every row needs one value per column"
            )
    li = _pick_label_column(header, label_column, where)
    feature_idx = [j for j in range(len(header)) if j != li and header[j].lower() not in ID_COLUMNS]
    if not feature_idx:
        raise DataError(f"{where}: only the label column '{header[li]}'; add feature columns")
    columns = list(zip(*[[c.strip() for c in r] for r in body]))
    x = np.stack([_numeric_column(list(columns[j]), header[j], where) for j in feature_idx], axis=1)
    raw_labels = list(columns[li])
    if any(v == "" for v in raw_labels):
        row = raw_labels.index("") + 1
        raise DataError(f"{where}: label column '{header[li]}' is empty at data row {row}; label every row")
    try:
        labels = np.asarray(raw_labels, dtype=np.float64)
    except ValueError:
        labels = np.asarray(raw_labels, dtype=str)
    return Raw(x, labels, None, [header[j] for j in feature_idx])


def _pick(keys: list[str], wanted: tuple[str, ...], what: str, where: str, fix: str) -> str:
    for k in wanted:
        if k in keys:
            return k
    raise DataError(
        f"{where}: no {what} array (looked for {', '.join(wanted)}; found {', '.join(keys) or 'nothing'}); {fix}"
    )


def _decode(arr: np.ndarray) -> np.ndarray:
    if arr.dtype.kind == "S" or arr.dtype.kind == "O":
        return np.array([v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in arr])
    return arr


def _features(get: Callable[[str], np.ndarray], key: str, where: str) -> np.ndarray:
    x = np.asarray(get(key))
    if x.dtype.kind not in "biuf":
        raise DataError(f"{where}: features '{key}' have dtype {x.dtype}; save them as a numeric (float) array")
    _refuse_nan_padding(x, key, where)
    return x


def _refuse_nan_padding(x: np.ndarray, key: str, where: str) -> None:
    """Series ``[N, C, L]`` whose NaNs are all trailing frames were padded with NaN: say how to pad."""
    if x.ndim != 3 or x.dtype.kind != "f":
        return
    bad = np.isnan(x).any(axis=1)  # [N, L]
    if not bad.any():
        return
    trailing = np.flip(np.logical_and.accumulate(np.flip(bad, axis=1), axis=1), axis=1)
    if (bad == trailing).all():
        i = int(np.flatnonzero(bad.any(axis=1))[0])
        raise DataError(
            f"{where}: '{key}' looks padded with NaN (series {i} has {int((~bad[i]).sum())} valid frames of "
            f"{x.shape[2]}); pad series with zeros and save a 'lengths' array of valid frames per series"
        )


def _arrays_raw(get: Callable[[str], np.ndarray], keys: list[str], label_key: str | None, where: str) -> Raw:
    """``x`` (or several named inputs ``x_<name>``), ``y``, optional ``classes`` and ``lengths``."""
    fix = "save the features as 'x' (or one 'x_<name>' per input) and the labels as 'y'"
    named = sorted(k for k in keys if k.startswith("x_") and k[2:].isidentifier())
    if named and not any(k in keys for k in X_KEYS):
        x = {k[2:]: _features(get, k, where) for k in named}
    else:
        x = _features(get, _pick(keys, X_KEYS, "feature", where, fix), where)
    yk = _pick(keys, (label_key,) if label_key else Y_KEYS, "label", where, fix)
    labels = _decode(np.asarray(get(yk)))
    classes = None
    if "classes" in keys:
        classes = [str(c) for c in _decode(np.asarray(get("classes")).reshape(-1))]
    lengths = np.asarray(get("lengths")).reshape(-1) if "lengths" in keys else None
    if lengths is not None and lengths.dtype.kind not in "iu":
        raise DataError(f"{where}: 'lengths' has dtype {lengths.dtype}; save the valid frames per series as integers")
    return Raw(x, labels.reshape(-1) if labels.ndim == 2 and 1 in labels.shape else labels, classes, None, lengths)


def read_npz(path: Path, label_column: str | None = None) -> Raw:
    where = str(path)
    if not zipfile.is_zipfile(path):
        raise DataError(f"{where}: cannot read as NPZ (not a zip archive); write it with np.savez(path, x=..., y=...)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            return _arrays_raw(lambda k: npz[k], list(npz.files), label_column, where)
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DataError(f"{where}: cannot read as NPZ ({exc}); write it with np.savez(path, x=..., y=...)") from None
    except ValueError as exc:
        if "pickle" in str(exc):
            raise DataError(
                f"{where}: holds object arrays (pickled); save labels as strings or ints, "
                "e.g. np.array(labels, dtype=str)"
            ) from None
        raise DataError(f"{where}: cannot read as NPZ ({exc}); write it with np.savez(path, x=..., y=...)") from None


def open_hdf5(path: Path, fix: str):
    """``h5py.File(path, "r")``, or a one-line ``DataError`` naming the file and ``fix``."""
    import h5py

    try:
        return h5py.File(path, "r")
    except OSError as exc:
        raise DataError(f"{path}: cannot open as HDF5 ({exc}){fix}") from None


def read_hdf5(path: Path, label_column: str | None = None) -> Raw:
    import h5py

    where = str(path)
    with open_hdf5(path, "; give an HDF5 file with datasets 'x' and 'y'") as fh:
        try:
            keys = [k for k in fh.keys() if isinstance(fh[k], h5py.Dataset)]

            def get(k: str) -> np.ndarray:
                ds = fh[k]
                return ds.asstr()[()] if h5py.check_string_dtype(ds.dtype) is not None else ds[()]

            return _arrays_raw(get, keys, label_column, where)
        except (RuntimeError, KeyError, OSError, TypeError) as exc:  # h5py's errors for a damaged file
            raise DataError(f"{where}: damaged HDF5 file ({first_line(exc)[:120]}); write it again with h5py") from None


def read_ts_file(path: Path, label_column: str | None = None) -> Raw:
    if label_column is not None:
        raise UsageError(
            f"label_column='{label_column}' does not apply to {path}: a .ts case's label is its last ':' field; drop it"
        )
    from .sources.ts_archive import read_ts  # on demand: the on-device runner never reads .ts files

    data = read_ts(path)
    return Raw(data.x, data.y, data.classes, None, None if data.equal_length else data.lengths)


READERS: dict[str, Callable[[Path, str | None], Raw]] = {
    ".csv": read_csv,
    ".npz": read_npz,
    ".h5": read_hdf5,
    ".hdf5": read_hdf5,
    ".ts": read_ts_file,
}


def check_raw_shapes(raw: Raw, where: str) -> str:
    """Validate x/y shapes of a raw file and return the dataset kind."""
    if raw.labels.ndim != 1:
        raise ShapeError(f"{where}: labels must be 1-D [N], got shape {raw.labels.shape}; give one label per sample")
    if isinstance(raw.x, dict):
        for name, x in raw.x.items():
            _check_features(x, raw.labels, f"{where}: input 'x_{name}'")
        return "multimodal"
    _check_features(raw.x, raw.labels, f"{where}: x")
    return KIND_OF_NDIM[raw.x.ndim]


def _check_features(x: np.ndarray, labels: np.ndarray, what: str) -> None:
    if x.ndim not in KIND_OF_NDIM:
        raise ShapeError(
            f"{what} has shape {x.shape}; use [N, F] vectors, [N, C, L] time series or [N, C, H, W] images"
        )
    if len(x) != len(labels):
        raise DataError(f"{what} has {len(x)} samples but y has {len(labels)} labels; give one label per sample")
    if x.ndim == 4 and x.shape[-1] in (1, 3, 4) and x.shape[1] not in (1, 3, 4):
        raise ShapeError(
            f"{what}: images of shape {x.shape} look channel-last; images are channel-first "
            "[N, C, H, W]: save x.transpose(0, 3, 1, 2)"
        )
