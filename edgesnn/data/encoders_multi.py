"""The multimodal encoder: one encoder per named input, all on one time axis."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..errors import ShapeError, UsageError
from .encoders_base import Encoder, _check_T


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
