"""``--input`` files for ``edgesnn run``: arrays ``[T, B, *features]`` (one per input of a
multimodal model), checked at the boundary."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import DataError, ShapeError


def load_input(path: Path) -> np.ndarray:
    """A ``.npy`` array (or a one-array ``.npz``) ``[T, B, *features]`` as float32; refuses other
    files, object arrays, NaN/inf and values beyond float32's range."""
    from ..runner.inputs import as_float32, read_array

    x = read_array(path)
    if not np.issubdtype(x.dtype, np.number) and x.dtype != np.bool_:
        raise DataError(f"input '{path}' has dtype {x.dtype}; expected a float32 array [T, B, *features]")
    if x.ndim < 3:
        raise ShapeError(f"input '{path}' has shape {x.shape}; expected [T, B, *features] (rank ≥ 3)")
    return as_float32(x, f"input '{path}'")


def load_inputs(items: list[str] | Path | str) -> np.ndarray | dict[str, np.ndarray]:
    """``--input`` values: one ``PATH`` (an array), or ``NAME=PATH`` per input of a multimodal
    model (a dict; the runtime checks the names against the model's and lists them if wrong)."""
    from ..runner.inputs import parse_inputs

    parsed = parse_inputs([str(items)] if isinstance(items, (str, Path)) else list(items))
    if isinstance(parsed, dict):
        return {name: load_input(Path(path)) for name, path in parsed.items()}
    return load_input(Path(parsed))
