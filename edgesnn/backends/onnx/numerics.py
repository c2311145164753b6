"""The float conventions the ONNX lowering shares with the reference simulator.

Spikes must be identical to ``edgesnn.nir.simulator`` in float32, so every constant is
computed here exactly as the simulator computes it, and every update is emitted in the same
operation order (IEEE add/sub/mul/div/compare are correctly rounded, so the same sequence of
float32 operations gives the same bits on numpy and onnxruntime).

Synaptic layers (Affine, Linear, Conv, pooling) sum many products, and numpy's BLAS and
onnxruntime's MLAS sum them in different orders: in float32 about 5 % of outputs differ in
the last bit. Both therefore accumulate in float64 and round the layer's output to float32
once, which makes the two results equal except when a float64 sum lies within ~1e-16 of a
float32 rounding boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import UsageError

RESETS = ("zero", "subtract", "none")
DEFAULT_DT = 1e-4
DEFAULT_RESET = "zero"


@dataclass(frozen=True)
class Numerics:
    """dt (s), reset mode, the dtype synaptic sums accumulate in, and the state dtype."""

    dt: float = DEFAULT_DT
    reset: str = DEFAULT_RESET
    syn_dtype: type = np.float64
    state_dtype: type = np.float32

    def __post_init__(self):
        if not (np.isfinite(self.dt) and self.dt > 0):
            raise UsageError(f"dt must be a positive number of seconds, got {self.dt!r}")
        if self.reset not in RESETS:
            raise UsageError(f"reset must be one of {', '.join(RESETS)}, got {self.reset!r}")

    def f(self, value) -> np.ndarray:
        """A parameter in the state dtype."""
        return np.asarray(value, dtype=self.state_dtype)

    def ratio(self, tau) -> np.ndarray:
        """dt/τ, computed as the simulator does: float32 dt divided by float32 τ."""
        return self.f(self.f(self.dt) / self.f(tau))

    def dt_r(self, r) -> np.ndarray:
        """dt·r for the integrator I (float32 product)."""
        return self.f(self.f(self.dt) * self.f(r))

    def delay_steps(self, delay) -> np.ndarray:
        """NIR Delay's τ (seconds) as whole steps: round(τ/dt), at least 0."""
        steps = np.rint(np.asarray(delay, dtype=np.float64) / self.dt).astype(np.int64)
        if (steps < 0).any():
            raise UsageError(f"Delay holds a negative delay {float(np.min(delay))}; delays must be >= 0")
        return steps
