"""Input encoders: features ``x [B, *features]`` -> time-major ``[T, B, *out]`` float32. Numpy only.

The on-device runner imports this module without torch, so encoders are plain frozen
dataclasses of options with ``encode``, ``to_dict`` and ``from_dict``; ``ENCODERS`` maps a
name to its class. ``rate``, ``frozen_rate``, ``latency`` and ``static`` keep the feature shape and
repeat a static sample over T steps. The temporal encoders (``direct``, ``direct_delta``, ``delta``,
``level_crossing``, ``sigma_delta``) take a time series ``[B, C, L]`` frame by frame: ``[L, B, C]``
(direct) or ``[L, B, 2C]`` (direct_delta: frames and their changes; the others: up and down
spike channels), resampled to T frames when T is given (see each class for the maths).

Inputs must be finite; ``rate``, ``frozen_rate`` and ``latency`` also need ``x`` in [0, 1] (what
``Preprocessor`` produces). Randomness comes only from the ``np.random.Generator`` passed in,
so ``encode_batch(enc, x, T, seed)`` is reproducible by seed.

Modules: ``encoders_base`` (the ``Encoder`` base and its checks), ``encoders_static`` (static,
rate, frozen_rate, latency), ``encoders_temporal`` (direct, delta, level_crossing, sigma_delta and the input
grid), ``encoders_multi`` (multi); this module holds the registry and re-exports them all.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np

from ..errors import UsageError, did_you_mean, unknown_name
from .encoders_base import Encoder
from .encoders_multi import MultiEncoder
from .encoders_static import FrozenRateEncoder, LatencyEncoder, RateEncoder, StaticEncoder
from .encoders_temporal import (
    INPUT_LEVELS,
    DeltaEncoder,
    DirectDeltaEncoder,
    DirectEncoder,
    LevelCrossingEncoder,
    SigmaDeltaEncoder,
    TemporalEncoder,
    fit_delta_scale,
    input_grid,
    resample,
)

#: encoder streams of ``np.random.default_rng([seed, stream])``: one per use of a split, so
#: training, validation and test draws never overlap and each can be replayed alone
VAL_STREAM, TEST_STREAM, CALIBRATION_STREAM = 10**6, 2 * 10**6, 3 * 10**6


def _direct_peak(encoder: Encoder, x) -> float:
    """The largest magnitude a direct encoder sends for the training data ``x`` (the frames, and
    for ``direct_delta`` their scaled changes too)."""
    from dataclasses import replace

    return float(np.abs(replace(encoder, step_size=None).encode(x, None)).max(initial=0.0))


def on_input_grid(encoder: Encoder, x) -> Encoder:
    """``encoder`` with the direct inputs quantised to ``input_grid`` of what they send for the
    training data ``x`` (a dict for a ``MultiEncoder``, which shares one peak over all inputs,
    spikes counting 1)."""
    from dataclasses import replace

    if isinstance(encoder, DirectEncoder) and encoder.step_size is None:
        return replace(encoder, step_size=input_grid(_direct_peak(encoder, x)))
    if isinstance(encoder, MultiEncoder) and any(isinstance(e, DirectEncoder) for e in encoder.encoders.values()):
        peak = max(_direct_peak(e, x[n]) if isinstance(e, DirectEncoder) else 1.0 for n, e in encoder.encoders.items())
        return MultiEncoder(
            {
                n: replace(e, step_size=input_grid(peak)) if isinstance(e, DirectEncoder) else e
                for n, e in encoder.encoders.items()
            }
        )
    return encoder


def fit_encoder(encoder: Encoder, x) -> Encoder:
    """``encoder`` with what it learns from the training data ``x`` set (``direct_delta``: the
    scale of the changes, ``fit_delta_scale``; a dict per input for a ``MultiEncoder``); other
    encoders unchanged."""
    if isinstance(encoder, DirectDeltaEncoder) and encoder.delta_scale is None:
        return fit_delta_scale(encoder, x)
    if isinstance(encoder, MultiEncoder):
        return MultiEncoder({n: fit_encoder(e, x[n]) for n, e in encoder.encoders.items()})
    return encoder


ENCODERS: dict[str, type[Encoder]] = {
    cls.name: cls
    for cls in (
        StaticEncoder,
        RateEncoder,
        FrozenRateEncoder,
        LatencyEncoder,
        DirectEncoder,
        DirectDeltaEncoder,
        DeltaEncoder,
        LevelCrossingEncoder,
        SigmaDeltaEncoder,
        MultiEncoder,
    )
}


def emits_spikes(name: str | None) -> bool:
    """Whether the encoder called ``name`` outputs only spikes (0/1); False for an unknown name."""
    cls = ENCODERS.get(name or "")
    return bool(cls and cls.emits_spikes)


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


__all__ = [
    "CALIBRATION_STREAM",
    "ENCODERS",
    "emits_spikes",
    "INPUT_LEVELS",
    "TEST_STREAM",
    "VAL_STREAM",
    "DeltaEncoder",
    "DirectDeltaEncoder",
    "DirectEncoder",
    "FrozenRateEncoder",
    "Encoder",
    "LatencyEncoder",
    "LevelCrossingEncoder",
    "MultiEncoder",
    "RateEncoder",
    "SigmaDeltaEncoder",
    "StaticEncoder",
    "TemporalEncoder",
    "encode_batch",
    "input_grid",
    "make_encoder",
    "on_input_grid",
    "fit_encoder",
    "resample",
]
