"""Input encoders: features ``x [B, *features]`` -> time-major ``[T, B, *out]`` float32. Numpy only.

The on-device runner imports this module without torch, so encoders are plain frozen
dataclasses of options with ``encode``, ``to_dict`` and ``from_dict``; ``ENCODERS`` maps a
name to its class. ``rate``, ``latency`` and ``static`` keep the feature shape and repeat a
static sample over T steps. The temporal encoders (``direct``, ``delta``, ``level_crossing``,
``sigma_delta``) take a time series ``[B, C, L]`` frame by frame: ``[L, B, C]`` (direct) or
``[L, B, 2C]`` (up and down spike channels), resampled to T frames when T is given (see each
class for the maths).

Inputs must be finite; ``rate`` and ``latency`` also need ``x`` in [0, 1] (what
``Preprocessor`` produces). Randomness comes only from the ``np.random.Generator`` passed in,
so ``encode_batch(enc, x, T, seed)`` is reproducible by seed.
"""

from __future__ import annotations

import abc
import math
from dataclasses import asdict, dataclass, field, fields
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
    #: True: the input is a time series whose frames are the steps (T defaults to its length)
    temporal: ClassVar[bool] = False

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


def resample(x: np.ndarray, T: int) -> np.ndarray:
    """Linear interpolation of series ``x [B, C, L]`` onto ``T`` equally spaced points.

    Point ``k`` of the output sits at ``t_k = k (L - 1) / (T - 1)`` on the input's frame axis
    (``T = 1``: the first frame), so the first and last frames are kept and ``T = L`` is the
    identity. Used when a model runs a series with fewer (or more) steps than it has frames.
    """
    L = x.shape[-1]
    if T == L:
        return x
    pos = np.linspace(0.0, L - 1.0, T) if T > 1 else np.zeros(1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, L - 1)
    frac = pos - lo
    return x[..., lo] * (1.0 - frac) + x[..., hi] * frac


@dataclass(frozen=True)
class TemporalEncoder(Encoder):
    """Base of the encoders for time series ``x [B, C, L]``: the series is its own time axis.

    One frame per step, so ``T = L`` by default; asked for another ``T`` the series is first
    resampled linearly to ``T`` frames (``resample``). Output ``[T, B, *out]``. Static data
    (``[B, F]`` vectors, ``[B, C, H, W]`` images) has no time axis: refused with a ``ShapeError``
    (use static, rate or latency). Subclasses define the per-frame maths as a state machine,
    ``start(x0)`` and ``step(state, u_t) -> (state, out_t)``, so a stream can be encoded frame
    by frame (the on-device runner) with exactly the steps of ``encode`` on the whole series.
    """

    unit_range: ClassVar[bool] = False
    temporal: ClassVar[bool] = True
    #: output channels per input channel (up/down encoders: 2)
    fanout: ClassVar[int] = 1

    def steps(self, feature_shape, T):
        if len(feature_shape) != 2:
            raise ShapeError(
                f"encoder '{self.name}' needs time series x [B, C, L], got features {list(feature_shape)}; "
                "use static, rate or latency for static data"
            )
        return feature_shape[1] if T is None else _check_T(T, self.name)

    def out_shape(self, feature_shape):
        self.steps(feature_shape, None)
        return (feature_shape[0] * self.channel_factor,)

    @property
    def channel_factor(self) -> int:
        return self.fanout

    def _encode(self, x, T, rng):
        u = resample(x, T)  # [B, C, T]
        state = self.start(u[:, :, 0])
        out = []
        for t in range(T):
            state, s = self.step(state, u[:, :, t])
            out.append(s)
        return np.stack(out)

    def start(self, u0: np.ndarray) -> Any:
        """The encoder state before the first frame ``u0 [B, C]``."""
        return None

    @abc.abstractmethod
    def step(self, state: Any, u: np.ndarray) -> tuple[Any, np.ndarray]:
        """One frame ``u [B, C]`` -> (new state, this step's output ``[B, C·fanout]``)."""


@dataclass(frozen=True)
class DirectEncoder(TemporalEncoder):
    """Direct (current) input of a time series: step ``t`` gets frame ``t``, ``s[t, b] = x[b, :, t]``.

    The neurons of the first layer integrate the sensor values as input current; no spikes
    are made by the encoder. Padded frames of a variable-length series are zero: no current.
    """

    name: ClassVar[str] = "direct"
    #: the input's quantisation step (an ADC's LSB, a power of two for a fixed-point chip):
    #: frames become ``clip(round(x / step), -127, 127) · step``; None: not quantised
    step_size: float | None = None

    def __post_init__(self) -> None:
        if self.step_size is not None:
            _number(self, "step_size", 0.0, math.inf, lo_open=True, hi_open=True)

    def _quantize(self, u: np.ndarray) -> np.ndarray:
        if self.step_size is None:
            return u
        return np.clip(np.round(u / self.step_size), -INPUT_LEVELS, INPUT_LEVELS) * self.step_size

    def _encode(self, x, T, rng):
        return self._quantize(resample(x, T).transpose(2, 0, 1))

    def step(self, state, u):
        return state, self._quantize(u)


#: signed 8-bit input levels of a fixed-point chip (Loihi's graded input, an 8-bit ADC)
INPUT_LEVELS = 127


def input_grid(peak: float) -> float:
    """The finest power-of-two step that holds ``±peak`` in ``INPUT_LEVELS`` levels:
    ``2^-floor(log2(127 / peak))``. A fixed-point runtime that scales its input by the power of
    two fitted to the data it sees (≤ ``peak`` after clipping) then represents every quantised
    frame exactly."""
    return 1.0 if peak <= 0 else float(2.0 ** -math.floor(math.log2(INPUT_LEVELS / peak)))


def on_input_grid(encoder: "Encoder", x) -> "Encoder":
    """``encoder`` with the direct inputs quantised to ``input_grid`` of the training data ``x``
    (a dict for a ``MultiEncoder``, which shares one peak over all inputs, spikes counting 1)."""
    from dataclasses import replace

    if isinstance(encoder, DirectEncoder) and encoder.step_size is None:
        return replace(encoder, step_size=input_grid(float(np.abs(x).max(initial=0.0))))
    if isinstance(encoder, MultiEncoder) and any(isinstance(e, DirectEncoder) for e in encoder.encoders.values()):
        peak = max(float(np.abs(x[n]).max(initial=0.0)) if isinstance(e, DirectEncoder) else 1.0
                   for n, e in encoder.encoders.items())
        return MultiEncoder({n: replace(e, step_size=input_grid(peak)) if isinstance(e, DirectEncoder) else e
                             for n, e in encoder.encoders.items()})
    return encoder


def _up_down(up: np.ndarray, down: np.ndarray | None) -> np.ndarray:
    return up if down is None else np.concatenate([up, down], axis=1)


@dataclass(frozen=True)
class DeltaEncoder(TemporalEncoder):
    """Change (send-on-delta) code: ``d[t] = x[t] - x[t-1]`` with ``d[0] = 0`` (no change before
    the first frame); ``on[t] = d[t] > θ``, ``off[t] = -d[t] > θ``. Output ``[T, B, 2C]`` =
    ``concat(on, off)`` along channels (``[T, B, C]`` of on-spikes only when ``off_spikes=False``).
    The threshold is in the units of x (after preprocessing: a fraction of the training range).
    """

    name: ClassVar[str] = "delta"
    threshold: float = 0.1
    off_spikes: bool = True

    def __post_init__(self) -> None:
        _number(self, "threshold", 0.0, math.inf, hi_open=True)
        _flag(self, "off_spikes")

    @property
    def channel_factor(self) -> int:
        return 2 if self.off_spikes else 1

    def start(self, u0):
        return u0

    def step(self, prev, u):
        d = u - prev
        return u, _up_down(d > self.threshold, (-d > self.threshold) if self.off_spikes else None)


@dataclass(frozen=True)
class LevelCrossingEncoder(TemporalEncoder):
    """Level-crossing (asynchronous delta modulator) code with up and down channels.

    A reference level ``r`` starts at the first frame, ``r[0] = x[0]``. At each step, with
    ``e[t] = x[t] - r[t-1]``: ``up[t] = e[t] ≥ θ``, ``down[t] = -e[t] ≥ θ`` and the reference
    moves one level towards the signal, ``r[t] = r[t-1] + θ·(up[t] - down[t])``. Unlike
    ``delta`` (which compares consecutive samples and misses a slow drift smaller than θ per
    step), every crossing of a level ``r[0] + kθ`` is reported, at most one per step (a faster
    change is reported over the following steps: the encoder is slew-limited to θ per step).
    The reconstruction ``r[t]`` stays within θ of ``x[t]`` whenever ``|x[t] - x[t-1]| ≤ θ``.
    Output ``[T, B, 2C]`` = ``concat(up, down)``. The front end of event-based IMU and audio chips.
    """

    name: ClassVar[str] = "level_crossing"
    fanout: ClassVar[int] = 2
    threshold: float = 0.05

    def __post_init__(self) -> None:
        _number(self, "threshold", 0.0, math.inf, lo_open=True, hi_open=True)

    def start(self, u0):
        return u0.copy()

    def step(self, ref, u):
        e = u - ref
        up, down = e >= self.threshold, -e >= self.threshold
        return ref + self.threshold * (up.astype(np.float64) - down), _up_down(up, down)


@dataclass(frozen=True)
class SigmaDeltaEncoder(TemporalEncoder):
    """First-order sigma-delta modulator with up and down channels (signed pulse density).

    An integrator accumulates the signal minus the pulses already sent:
    ``v[t] = v[t-1] + x[t]``; ``up[t] = v[t] ≥ θ``, ``down[t] = v[t] ≤ -θ``;
    ``v[t] ← v[t] - θ·(up[t] - down[t])`` (``v[-1] = 0``). The pulse density tracks the signal,
    ``Σ_{t<n} (up - down)·θ = Σ_{t<n} x[t] - v[n-1]`` with ``|v| < θ`` whenever ``|x| ≤ θ``, so a
    window's spike count estimates the integral of x to within one pulse. With data in [0, 1]
    (the default preprocessing) only the up channel fires, at rate ``≈ x/θ`` for ``x ≤ θ``.
    Output ``[T, B, 2C]``.
    """

    name: ClassVar[str] = "sigma_delta"
    fanout: ClassVar[int] = 2
    threshold: float = 0.5

    def __post_init__(self) -> None:
        _number(self, "threshold", 0.0, math.inf, lo_open=True, hi_open=True)

    def start(self, u0):
        return np.zeros_like(u0)

    def step(self, v, u):
        v = v + u
        up, down = v >= self.threshold, v <= -self.threshold
        return v - self.threshold * (up.astype(np.float64) - down), _up_down(up, down)


def _flag(enc: Encoder, field_name: str) -> None:
    v = getattr(enc, field_name)
    if not isinstance(v, (bool, np.bool_)):
        raise UsageError(f"encoder '{enc.name}': {field_name}={v!r} is not valid; give true or false")
    object.__setattr__(enc, field_name, bool(v))


@dataclass(frozen=True)
class MultiEncoder(Encoder):
    """One encoder per named input of a multimodal sample, all on one time axis of T steps.

    ``x`` is a dict ``name -> [B, *features]``; the output a dict ``name -> [T, B, *out]``.
    T is the asked T, else the common length of the time-series inputs (their frames are the
    steps; static inputs such as an image are rate/latency/static coded over the same T).
    Random encoders draw from the one generator in input-name order, so a seed fixes all.
    """

    name: ClassVar[str] = "multi"
    unit_range: ClassVar[bool] = False
    encoders: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.encoders or not all(isinstance(e, Encoder) for e in self.encoders.values()):
            raise UsageError("encoder 'multi' needs one encoder per input name, e.g. {'image': rate, 'audio': direct}")
        object.__setattr__(self, "encoders", dict(sorted(self.encoders.items())))

    @property
    def stochastic(self) -> bool:  # type: ignore[override]
        return any(e.stochastic for e in self.encoders.values())

    @property
    def temporal(self) -> bool:  # type: ignore[override]
        return any(e.temporal for e in self.encoders.values())

    def _shapes(self, feature_shape) -> dict:
        if not isinstance(feature_shape, dict) or set(feature_shape) != set(self.encoders):
            got = list(feature_shape) if isinstance(feature_shape, dict) else "one input"
            raise ShapeError(f"encoder 'multi' encodes inputs {list(self.encoders)}, got {got}")
        return feature_shape

    def steps(self, feature_shape, T):
        shapes = self._shapes(feature_shape)
        if T is not None:
            return _check_T(T, self.name)
        lengths = {n: e.steps(shapes[n], None) for n, e in self.encoders.items() if e.temporal}
        if not lengths:
            raise UsageError("encoder 'multi' has no time-series input to take T from; give timesteps")
        if len(set(lengths.values())) > 1:
            raise ShapeError(f"time-series inputs have different lengths {lengths}; give timesteps to resample them")
        return next(iter(lengths.values()))

    def out_shape(self, feature_shape):
        shapes = self._shapes(feature_shape)
        return {n: tuple(e.out_shape(tuple(shapes[n]))) for n, e in self.encoders.items()}

    def encode(self, x, T, rng=None):
        if not isinstance(x, dict):
            raise ShapeError(f"encoder 'multi' takes a dict of inputs {list(self.encoders)}, got one array")
        self._shapes({n: np.asarray(v).shape[1:] for n, v in x.items()})
        steps = self.steps({n: np.asarray(v).shape[1:] for n, v in x.items()}, T)
        return {n: e.encode(x[n], steps, rng) for n, e in self.encoders.items()}

    def _encode(self, x, T, rng):  # pragma: no cover - encode is overridden
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "inputs": {n: e.to_dict() for n, e in self.encoders.items()}}


ENCODERS: dict[str, type[Encoder]] = {
    cls.name: cls for cls in (StaticEncoder, RateEncoder, LatencyEncoder, DirectEncoder, DeltaEncoder,
                              LevelCrossingEncoder, SigmaDeltaEncoder, MultiEncoder)
}


def make_encoder(name: str, **opts: Any) -> Encoder:
    """An encoder by name with checked options, e.g. ``make_encoder("rate", gain=0.5)``."""
    cls = ENCODERS.get(name)
    if cls is None:
        raise unknown_name("encoder", name, ENCODERS)
    if cls is MultiEncoder:
        inputs = opts.get("inputs", opts.get("encoders"))
        if not isinstance(inputs, dict) or set(opts) - {"inputs", "encoders"}:
            raise UsageError("encoder 'multi' takes inputs={name: encoder dict or Encoder}")
        return MultiEncoder({n: e if isinstance(e, Encoder) else Encoder.from_dict(e) for n, e in inputs.items()})
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
