"""``load_dataset``: a built-in name or a user file (CSV, NPZ, HDF5, .ts) -> checked ``Dataset``."""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..errors import DataError, ShapeError, UsageError, did_you_mean, unknown_name
from .builtin import BUILTINS
from .dataset import Dataset, check_dataset, labels_to_indices
from .files import READERS, Raw, check_raw_shapes


def path_state(path: str | Path) -> str:
    """ "file", "dir", "other" or "missing"; a name the OS refuses (too long, NUL byte) is "missing"."""
    try:
        p = Path(path)
        return "file" if p.is_file() else "dir" if p.is_dir() else "other" if p.exists() else "missing"
    except (OSError, ValueError):
        return "missing"


def _looks_like_path(s: str) -> bool:
    return bool(Path(s).suffix) or os.sep in s or "/" in s or path_state(s) != "missing"


def _labels(raw: Raw, where: str) -> tuple[np.ndarray, list[str]]:
    """Integer labels with a ``classes`` list are kept as indices; anything else is sorted and mapped."""
    lab = raw.labels
    if raw.classes is not None and lab.dtype.kind in "iu" and lab.size:
        if lab.min() < 0 or lab.max() >= len(raw.classes):
            raise DataError(
                f"{where}: labels span {lab.min()}..{lab.max()} but 'classes' names {len(raw.classes)}; "
                "give one name per label index"
            )
        return lab.astype(np.int64), list(raw.classes)
    return labels_to_indices(lab, where)


def load_file(path: Path, *, label_column: str | None = None) -> Dataset:
    """Read and check a user file; every problem is a one-line ``DataError`` naming the file."""
    where = str(path)
    if path_state(path) == "missing":
        raise DataError(
            f"{where}: file not found; check the path, or use a built-in dataset: {', '.join(sorted(BUILTINS))}"
        )
    if path.is_dir():
        raise DataError(f"{where}: is a directory; give a .csv, .npz, .h5 or .hdf5 file")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise DataError(f"{where}: unsupported extension '{path.suffix}'; use one of {', '.join(sorted(READERS))}")
    if path.stat().st_size == 0:
        raise DataError(f"{where}: the file is empty; write the dataset into it first")
    try:
        raw = reader(path, label_column)
    except (PermissionError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(
            f"{where}: cannot read ({type(exc).__name__}: {exc}); check its permissions and format"
        ) from None
    kind = check_raw_shapes(raw, where)
    y, classes = _labels(raw, where)
    for x in raw.x.values() if isinstance(raw.x, dict) else [raw.x]:
        if x.dtype.kind == "f" and np.isfinite(x).all() and np.abs(x).max(initial=0) > np.finfo(np.float32).max:
            raise DataError(f"{where}: values exceed the float32 range; rescale the features")
    ds = Dataset(path.stem, raw.x, y, classes, kind, str(path.resolve()), lengths=raw.lengths)
    return check_dataset(ds, where, raw.feature_names)


def load_dataset(name_or_path: str | os.PathLike, *, label_column: str | None = None) -> Dataset:
    """A built-in dataset by name (see ``builtin.BUILTINS``) or a user file by path.

    A ``str`` that is a built-in name loads the built-in; a ``Path``, or a string with an
    extension or a directory separator, is read as a file. Anything else is an unknown name.
    ``<dataset>:<input>`` (e.g. ``digits_spoken:audio``) is one input of a multimodal dataset,
    with the same samples and split (``Dataset.select``). ``<dataset>[<input>,...]`` (e.g.
    ``digits_spoken[audio]``, what ``--inputs audio`` names) keeps the listed inputs *named*: still
    a multimodal dataset, so a fusion model trains on it with one branch per kept input.
    """
    subset = SUBSET.match(name_or_path) if isinstance(name_or_path, str) else None
    if subset and path_state(name_or_path) == "missing":
        names = [n.strip() for n in subset["names"].split(",")]
        return keep_inputs(load_dataset(subset["base"], label_column=label_column), names)
    if isinstance(name_or_path, str) and ":" in name_or_path and path_state(name_or_path) == "missing":
        base, _, part = name_or_path.rpartition(":")
        if base in BUILTINS or path_state(base) == "file":
            return load_dataset(base, label_column=label_column).select(part)
    if isinstance(name_or_path, str) and name_or_path in BUILTINS:
        if label_column is not None:
            raise UsageError(
                f"label_column='{label_column}' applies to user files, not the built-in dataset '{name_or_path}'; drop it"
            )
        return check_dataset(BUILTINS[name_or_path](), f"dataset '{name_or_path}'")
    text = os.fspath(name_or_path)
    if not isinstance(name_or_path, str) or _looks_like_path(text):
        return load_file(Path(text).expanduser(), label_column=label_column)
    raise unknown_name("dataset", text, BUILTINS)


#: ``<dataset>[<input>,...]``: named inputs of a multimodal dataset, kept named
SUBSET = re.compile(r"^(?P<base>[^\[\]]+)\[(?P<names>[^\[\]]*)\]$")


def with_inputs(dataset: str, inputs: str | Iterable[str] | None) -> str:
    """The dataset name that keeps only ``inputs`` (a comma list or names) of ``dataset``:
    ``with_inputs("digits_spoken", "image") == "digits_spoken[image]"``; None or empty: ``dataset``."""
    names = [n.strip() for n in (inputs.split(",") if isinstance(inputs, str) else inputs or [])]
    names = [n for n in names if n]
    if not names:
        return dataset
    if SUBSET.match(dataset):
        raise UsageError(f"dataset '{dataset}' already selects its inputs; drop --inputs or the [...] part")
    return f"{dataset}[{','.join(names)}]"


def keep_inputs(ds: Dataset, names: list[str]) -> Dataset:
    """``ds`` with only the named inputs ``names`` (still multimodal, same samples, labels and
    test split), named ``<dataset>[<inputs>]``; a name ``ds`` does not have is one line listing its inputs."""
    if not ds.multimodal:
        raise ShapeError(f"dataset '{ds.name}' has one input; --inputs selects inputs of a multimodal dataset")
    inputs = sorted(ds.x)
    if not all(names) or len(set(names)) != len(names):
        raise UsageError(
            f"--inputs {','.join(names)} must name each input once; inputs of '{ds.name}': {', '.join(inputs)}"
        )
    for n in names:
        if n not in ds.x:
            raise ShapeError(
                f"dataset '{ds.name}' has no input '{n}'{did_you_mean(n, inputs)}; its inputs: {', '.join(inputs)}"
            )
    kept = {n: ds.x[n] for n in names}
    return Dataset(
        f"{ds.name}[{','.join(sorted(kept))}]",
        kept,
        ds.y,
        list(ds.classes),
        "multimodal",
        ds.source,
        None,
        ds.test_mask,
    )
