"""The encoder base class and the option/input checks every encoder shares. Numpy only.

``Encoder`` is a frozen dataclass of options with ``encode``, ``to_dict`` and ``from_dict``;
the families live beside it (``encoders_static``, ``encoders_temporal``, ``encoders_multi``)
and the registry ``ENCODERS`` in ``encoders``.
"""

from __future__ import annotations

import abc
import math
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import DataError, ShapeError, UsageError

_RANGE_TOL = 1e-6


def _check_T(T: Any, name: str) -> int:
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 1:
        raise UsageError(f"encoder '{name}': T={T!r} is not valid; give the number of time steps as an integer >= 1")
    return int(T)


def _check_x(x: Any, name: str, unit_range: bool) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise DataError(f"encoder '{name}': x has dtype {arr.dtype}; give a numeric array [B, *features]")
    arr = arr.astype(np.float64, copy=False)
    if arr.ndim < 2:
        raise ShapeError(
            f"encoder '{name}': x has shape {arr.shape}; give a batch [B, *features] (x[None] for one sample)"
        )
    if not np.all(np.isfinite(arr)):
        raise DataError(f"encoder '{name}': x holds {int((~np.isfinite(arr)).sum())} NaN/inf values; clean the input")
    if unit_range and arr.size and (arr.min() < -_RANGE_TOL or arr.max() > 1 + _RANGE_TOL):
        raise DataError(
            f"encoder '{name}': x spans {arr.min():.4g}..{arr.max():.4g} but must lie in [0, 1]; "
            "scale it with edgesnn.data.Preprocessor first"
        )
    return np.clip(arr, 0.0, 1.0) if unit_range else arr


def _number(enc: Encoder, field_name: str, lo: float, hi: float, lo_open: bool = False, hi_open: bool = False) -> None:
    """Coerce option ``field_name`` to float and check it lies in the interval ``lo..hi``."""
    v = getattr(enc, field_name)
    ok_type = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
    fv = float(v) if ok_type else math.nan
    ok = ok_type and math.isfinite(fv) and (lo < fv if lo_open else lo <= fv) and (fv < hi if hi_open else fv <= hi)
    if not ok:
        interval = f"{'(' if lo_open else '['}{lo}, {hi}{')' if hi_open else ']'}"
        raise UsageError(f"encoder '{enc.name}': {field_name}={v!r} is not valid; give a number in {interval}")
    object.__setattr__(enc, field_name, fv)


def _flag(enc: Encoder, field_name: str) -> None:
    v = getattr(enc, field_name)
    if not isinstance(v, (bool, np.bool_)):
        raise UsageError(f"encoder '{enc.name}': {field_name}={v!r} is not valid; give true or false")
    object.__setattr__(enc, field_name, bool(v))


@dataclass(frozen=True)
class Encoder(abc.ABC):
    """Base: subclasses set ``name``, implement ``_encode`` and may override ``steps``/``out_shape``."""

    name: ClassVar[str]
    #: True: x must lie in [0, 1]
    unit_range: ClassVar[bool] = True
    #: True: ``encode`` needs an ``np.random.Generator``
    stochastic: ClassVar[bool] = False
    #: True: the input is a time series whose frames are the steps (T defaults to its length)
    temporal: ClassVar[bool] = False
    #: True: every value ``encode`` returns is a spike, 0 or 1 (the model's input sums are then
    #: sums of weights, exact in float32 on the sum grid: ``edgesnn.numerics.float32``)
    emits_spikes: ClassVar[bool] = False

    def encode(self, x: np.ndarray, T: int | None, rng: np.random.Generator | None = None) -> np.ndarray:
        """Encode ``x [B, *features]`` into ``[T, B, *out_shape]`` float32."""
        arr = _check_x(x, self.name, self.unit_range)
        steps = self.steps(arr.shape[1:], T)
        if self.stochastic and not isinstance(rng, np.random.Generator):
            raise UsageError(f"encoder '{self.name}' is random: pass rng=np.random.default_rng(seed)")
        return np.ascontiguousarray(self._encode(arr, steps, rng), dtype=np.float32)

    def steps(self, feature_shape: tuple[int, ...], T: int | None) -> int:
        """Number of time steps produced for ``feature_shape`` when ``T`` is asked for."""
        return _check_T(T, self.name)

    def out_shape(self, feature_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Per-step feature shape of the encoded input (what the model's input layer sees)."""
        return tuple(feature_shape)

    @abc.abstractmethod
    def _encode(self, x: np.ndarray, T: int, rng: np.random.Generator | None) -> np.ndarray: ...

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **asdict(self)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Encoder:
        """Rebuild from ``to_dict`` output; on the base class the name picks the subclass."""
        from .encoders import ENCODERS, make_encoder  # the registry imports every family

        opts = dict(d)
        name = opts.pop("name", getattr(cls, "name", None))
        if name is None:
            raise UsageError("encoder dict has no 'name'; give one of: " + ", ".join(sorted(ENCODERS)))
        if cls is not Encoder and name != cls.name:
            raise UsageError(f"encoder dict names '{name}' but {cls.__name__} encodes '{cls.name}'")
        return make_encoder(name, **opts)
