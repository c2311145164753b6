"""The one input check of a run: ``[T, B, *shape]`` per Input, numeric, finite, non-empty.

The reference simulator, the ONNX and Lava backends (and a plug-in's) all take their input
through :func:`check_inputs`, so a wrong shape, a missing modality or a NaN is the same
one-line error whichever runtime is asked.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..errors import DataError, ShapeError, did_you_mean


def check_input(x, in_shape: tuple[int, ...], name: str) -> np.ndarray:
    """``x`` as an array ``[T, B, *in_shape]``, non-empty, numeric and finite; else a one-line error."""
    try:
        x = np.asarray(x)
    except Exception as exc:
        raise DataError(f"input is not an array ({exc})") from None
    want = ["T", "B", *in_shape]
    if x.ndim != len(want) or tuple(x.shape[2:]) != in_shape:
        raise ShapeError(
            f"input has shape {list(x.shape)} but the graph's Input '{name}' expects [{', '.join(map(str, want))}] "
            "(time-major)"
        )
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ShapeError(f"input has shape {list(x.shape)}: needs at least one timestep and one sample")
    if not np.issubdtype(x.dtype, np.number) and x.dtype != bool:
        raise DataError(f"input has dtype {x.dtype}; expected numeric values (float32 spikes or currents)")
    if not np.isfinite(x).all():
        bad = int(np.size(x) - np.isfinite(x).sum())
        raise DataError(f"input contains {bad} NaN or infinite value(s); clean the data before running")
    return x


def check_inputs(x, shapes: Mapping[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    """``x`` as ``{Input name: [T, B, *shape]}`` in the order of ``shapes`` (name -> feature shape).

    A bare array is accepted for a graph with one Input. A dict must name every Input exactly
    (DataError listing the expected names otherwise); each entry is checked by ``check_input``
    and all must share T and B (ShapeError).
    """
    names = list(shapes)
    expected = ", ".join(f"'{n}' {list(shapes[n])}" for n in names)
    if not isinstance(x, Mapping):
        if len(names) != 1:
            raise DataError(f"the graph has {len(names)} inputs ({expected}); pass a dict name -> [T, B, *shape]")
        return {names[0]: check_input(x, tuple(shapes[names[0]]), names[0])}
    unknown = [k for k in x if k not in shapes]
    if unknown:
        raise DataError(
            f"unknown input '{unknown[0]}'{did_you_mean(unknown[0], names)}; the graph's inputs are {expected}"
        )
    missing = [n for n in names if n not in x]
    if missing:
        raise DataError(f"input '{missing[0]}' is missing; the graph's inputs are {expected}")
    xs = {n: check_input(x[n], tuple(shapes[n]), n) for n in names}
    lead = {n: tuple(v.shape[:2]) for n, v in xs.items()}
    if len(set(lead.values())) > 1:
        raise ShapeError(f"inputs disagree on [T, B]: {', '.join(f'{n} {list(tb)}' for n, tb in lead.items())}")
    return xs
