"""Input encoders: features ``x [B, *features]`` -> time-major ``[T, B, *out]`` float32. Numpy only.

The on-device runner imports this module without torch, so encoders are plain frozen
dataclasses of options with ``encode``, ``to_dict`` and ``from_dict``; ``ENCODERS`` maps a
name to its class. ``rate``, ``latency`` and ``static`` keep the feature shape; ``delta`` turns
a time series ``[B, C, L]`` into ``[L, B, 2C]`` (see each class for the maths).

Inputs must be finite; ``rate`` and ``latency`` also need ``x`` in [0, 1] (what
``Preprocessor`` produces). Randomness comes only from the ``np.random.Generator`` passed in,
so ``encode_batch(enc, x, T, seed)`` is reproducible by seed.
"""

from __future__ import annotations

import abc
import math
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

import numpy as np

from ..errors import DataError, ShapeError, UsageError, did_you_mean, unknown_name

_RANGE_TOL = 1e-6
#: encoder streams of ``np.random.default_rng([seed, stream])``: one per use of a split, so
#: training, validation and test draws never overlap and each can be replayed alone
VAL_STREAM, TEST_STREAM, CALIBRATION_STREAM = 10**6, 2 * 10**6, 3 * 10**6


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
        raise ShapeError(f"encoder '{name}': x has shape {arr.shape}; give a batch [B, *features] (x[None] for one sample)")
    if not np.all(np.isfinite(arr)):
        raise DataError(f"encoder '{name}': x holds {int((~np.isfinite(arr)).sum())} NaN/inf values; clean the input")
    if unit_range and arr.size and (arr.min() < -_RANGE_TOL or arr.max() > 1 + _RANGE_TOL):
        raise DataError(
            f"encoder '{name}': x spans {arr.min():.4g}..{arr.max():.4g} but must lie in [0, 1]; "
            "scale it with edgesnn.data.Preprocessor first"
        )
    return np.clip(arr, 0.0, 1.0) if unit_range else arr


def _number(enc: "Encoder", field_name: str, lo: float, hi: float, lo_open: bool = False, hi_open: bool = False) -> None:
    """Coerce option ``field_name`` to float and check it lies in the interval ``lo..hi``."""
    v = getattr(enc, field_name)
    ok_type = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
    fv = float(v) if ok_type else math.nan
    ok = ok_type and math.isfinite(fv) and (lo < fv if lo_open else lo <= fv) and (fv < hi if hi_open else fv <= hi)
    if not ok:
        interval = f"{'(' if lo_open else '['}{lo}, {hi}{')' if hi_open else ']'}"
        raise UsageError(f"encoder '{enc.name}': {field_name}={v!r} is not valid; give a number in {interval}")
    object.__setattr__(enc, field_name, fv)


@dataclass(frozen=True)
class Encoder(abc.ABC):
    """Base: subclasses set ``name``, implement ``_encode`` and may override ``steps``/``out_shape``."""

    name: ClassVar[str]
    #: True: x must lie in [0, 1]
    unit_range: ClassVar[bool] = True
    #: True: ``encode`` needs an ``np.random.Generator``
    stochastic: ClassVar[bool] = False

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
    def from_dict(cls, d: dict[str, Any]) -> "Encoder":
        """Rebuild from ``to_dict`` output; on the base class the name picks the subclass."""
        opts = dict(d)
        name = opts.pop("name", getattr(cls, "name", None))
        if name is None:
            raise UsageError("encoder dict has no 'name'; give one of: " + ", ".join(sorted(ENCODERS)))
        if cls is not Encoder and name != cls.name:
            raise UsageError(f"encoder dict names '{name}' but {cls.__name__} encodes '{cls.name}'")
        return make_encoder(name, **opts)


@dataclass(frozen=True)
class StaticEncoder(Encoder):
    """Current injection: the same analogue input every step, ``s[t, b] = x[b]`` for t < T.

    Accepts any finite values (a raw current), not only [0, 1].
    """

    name: ClassVar[str] = "static"
    unit_range: ClassVar[bool] = False

    def _encode(self, x, T, rng):
        return np.broadcast_to(x, (T, *x.shape))


@dataclass(frozen=True)
class RateEncoder(Encoder):
    """Bernoulli rate code: ``s[t, b, i] ~ Bernoulli(p)``, ``p = clip(gain * x[b, i], 0, 1)``,
    independent over steps, so ``E[s] = p`` and the spike count over T steps is Binomial(T, p).
    Draws come from the generator passed in (snnTorch's ``spikegen.rate`` with a seed).
    """

    name: ClassVar[str] = "rate"
    stochastic: ClassVar[bool] = True
    gain: float = 1.0

    def __post_init__(self) -> None:
        _number(self, "gain", 0.0, math.inf, lo_open=True, hi_open=True)

    def _encode(self, x, T, rng):
        p = np.clip(x * self.gain, 0.0, 1.0).astype(np.float32)
        return rng.random((T, *x.shape), dtype=np.float32) < p


@dataclass(frozen=True)
class LatencyEncoder(Encoder):
    """Linear time-to-first-spike code: one spike per feature, brighter = earlier.

    ``t_i = round((1 - x_i) * (T - 1))`` (round half to even), so ``x = 1`` fires at step 0
    and ``x -> 0`` at step ``T - 1``; features with ``x_i < threshold`` never fire. This is
    snnTorch's ``spikegen.latency(..., linear=True, normalize=True, clip=True)``
    (tau = T - 1, first_spike_time = 0), computed in float32 like it. Example T=5:
    x=[0.02, 0.5, 1] -> t=[4, 2, 0].
    """

    name: ClassVar[str] = "latency"
    threshold: float = 0.01

    def __post_init__(self) -> None:
        _number(self, "threshold", 0.0, 1.0)

    def _encode(self, x, T, rng):
        flat = x.reshape(-1).astype(np.float32)  # float32 arithmetic, as the data and snnTorch
        out = np.zeros((T, flat.size), dtype=np.float32)
        fire = np.flatnonzero(flat >= np.float32(self.threshold))
        t = np.rint((np.float32(1.0) - flat[fire]) * np.float32(T - 1)).astype(np.int64)
        out[np.clip(t, 0, T - 1), fire] = 1.0
        return out.reshape(T, *x.shape)


@dataclass(frozen=True)
class DeltaEncoder(Encoder):
    """Change (send-on-delta) code for time series ``x [B, C, L]``; one step per sample, T = L.

    With ``d[t] = x[:, :, t] - x[:, :, t-1]`` and ``d[0] = 0`` (no change before the first
    sample): ``on[t] = d[t] > threshold``, ``off[t] = -d[t] > threshold``. Output
    ``[L, B, 2C]`` = ``concat(on, off)`` along channels (``[L, B, C]`` of on-spikes only when
    ``off_spikes=False``). Static data (``[B, F]`` vectors, ``[B, C, H, W]`` images) has no time
    axis to differentiate, so it is refused with a ``ShapeError``: use static, rate or latency.
    Accepts any finite values; the threshold is in the units of x.
    """

    name: ClassVar[str] = "delta"
    unit_range: ClassVar[bool] = False
    threshold: float = 0.1
    off_spikes: bool = True

    def __post_init__(self) -> None:
        _number(self, "threshold", 0.0, math.inf, hi_open=True)
        if not isinstance(self.off_spikes, (bool, np.bool_)):
            raise UsageError(f"encoder 'delta': off_spikes={self.off_spikes!r} is not valid; give true or false")
        object.__setattr__(self, "off_spikes", bool(self.off_spikes))

    def steps(self, feature_shape, T):
        if len(feature_shape) != 2:
            raise ShapeError(
                f"encoder 'delta' needs time series x [B, C, L], got features {list(feature_shape)}; "
                "use static, rate or latency for static data"
            )
        L = feature_shape[1]
        if T is not None and _check_T(T, self.name) != L:
            raise ShapeError(f"encoder 'delta' makes one step per sample: T must be the series length {L}, got {T}")
        return L

    def out_shape(self, feature_shape):
        if len(feature_shape) != 2:
            self.steps(feature_shape, None)
        return (feature_shape[0] * (2 if self.off_spikes else 1),)

    def _encode(self, x, T, rng):
        d = np.diff(x, axis=2, prepend=x[:, :, :1])  # [B, C, L], d[..., 0] = 0
        spikes = [d > self.threshold] + ([-d > self.threshold] if self.off_spikes else [])
        return np.concatenate(spikes, axis=1).transpose(2, 0, 1)  # [L, B, C or 2C]


ENCODERS: dict[str, type[Encoder]] = {
    cls.name: cls for cls in (StaticEncoder, RateEncoder, LatencyEncoder, DeltaEncoder)
}


def make_encoder(name: str, **opts: Any) -> Encoder:
    """An encoder by name with checked options, e.g. ``make_encoder("rate", gain=0.5)``."""
    cls = ENCODERS.get(name)
    if cls is None:
        raise unknown_name("encoder", name, ENCODERS)
    allowed = [f.name for f in fields(cls)]
    for key in opts:
        if key not in allowed:
            raise UsageError(
                f"encoder '{name}' has no option '{key}'{did_you_mean(key, allowed)}; "
                f"options: {', '.join(allowed) or 'none'}"
            )
    return cls(**opts)


def encode_batch(encoder: Encoder | str, x: np.ndarray, T: int | None, seed: int) -> np.ndarray:
    """``encoder.encode(x, T, np.random.default_rng(seed))``; a name uses default options."""
    enc = make_encoder(encoder) if isinstance(encoder, str) else encoder
    return enc.encode(x, T, np.random.default_rng(seed))
