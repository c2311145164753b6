"""What every lowering of a NIR node to the reference simulator produces.

A *lowering* turns one NIR primitive plus the shape arriving at it into a :class:`Kernel`:
the per-sample output shape, a state initialiser and a pure step function
``(x[B, *in], state) -> (y[B, *out], state)``. Step functions never modify ``x`` in place
(several consumers may share it). Registries of lowerings live next to their implementations
(``ops.LOWERINGS``, ``neurons.LOWERINGS``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...errors import ArtifactError, ShapeError
from ..geometry import Shape

#: reset mechanisms a spiking neuron can use (graph.metadata["reset"])
RESET_MODES = ("zero", "subtract", "none")


@dataclass(frozen=True)
class SimContext:
    """Global settings of one simulation: time step (s), reset modes, arithmetic dtype.

    A neuron's own ``metadata["reset"]`` overrides the graph's reset unless ``reset_forced``
    (the caller passed ``reset=`` explicitly).
    """

    dt: float
    reset: str  # LIF and CubaLIF
    if_reset: str  # IF (see neurons.py for why IF has its own default)
    dtype: Any = np.float64
    reset_forced: bool = False


def _stateless(batch: int) -> None:
    return None


@dataclass
class Kernel:
    """One node, ready to run: shapes exclude the batch dimension."""

    in_shape: Shape
    out_shape: Shape
    step: Callable[[np.ndarray, Any], tuple[np.ndarray, Any]]
    init: Callable[[int], Any] = _stateless
    neuron: bool = False


Lowering = Callable[[str, Any, Shape, SimContext], Kernel]


def as_shape(value: Any) -> Shape:
    """A NIR shape (list, array, scalar) as a tuple of ints."""
    return tuple(int(v) for v in np.atleast_1d(np.asarray(value)).ravel())


def param(name: str, field: str, value: Any, shape: Shape, ctx: SimContext) -> np.ndarray:
    """Node parameter ``field`` as a ``ctx.dtype`` array broadcast to ``shape`` (one-line error if it cannot be)."""
    if value is None:
        raise ArtifactError(f"node '{name}' has no '{field}'; the NIR file is incomplete")
    arr = np.asarray(value, dtype=ctx.dtype)
    try:
        return np.broadcast_to(arr, shape).copy()
    except ValueError:
        raise ShapeError(
            f"node '{name}': parameter '{field}' has shape {list(arr.shape)} but its input has shape {list(shape)}"
        ) from None
