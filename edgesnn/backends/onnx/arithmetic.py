"""The float conventions the ONNX lowering shares with the reference simulator.

Spikes must be identical to ``edgesnn.nir.simulator``, so every coefficient is computed here
with the same numpy expressions in the same dtype as ``edgesnn/nir/sim/neurons.py`` (with
a = dt/τ: keep = 1 − a, leak = a·v_leak, gain = a·r; CubaLIF's synaptic gain (1 − keep_syn)·w_in;
I's gain dt·r), and every update is emitted in the simulator's operation order. IEEE
add/sub/mul/div/compare are correctly rounded, so the same sequence of operations in the same
dtype gives the same bits on numpy and onnxruntime.

``dtype`` is the arithmetic of the whole model:
* float64 — the simulator's default arithmetic: bit-identical to ``simulate(graph, x)``
  (spikes and membranes). The one place where two libraries could disagree, the order in
  which numpy's BLAS and onnxruntime's MLAS add the products of a synaptic sum, does not
  matter there: products of float32 weights and float32 inputs are exact in float64 and their
  sums are exact as long as they span less than 2^53, so every order gives the same bits.
* float32 — what a device runs, about twice as fast. Spikes equal the float64 reference
  unless a membrane lands within float32 rounding (~1e-7 relative) of its threshold; graded
  outputs (LI membranes) differ by that rounding. Pure float32 also leaves onnxruntime its
  fastest kernels (MLAS SGEMM, native Conv).
* integer — int64 states and sums of an integer graph (``numerics/integer.py``): input quantised
  to int8 codes, 12-bit fixed-point decays; bit-identical to ``simulate(graph, x, dtype=np.int64)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import UsageError

PRECISIONS = {"float32": np.float32, "float64": np.float64, "integer": np.int64}


@dataclass(frozen=True)
class Arithmetic:
    """dt (s), reset of LIF/CubaLIF, reset of IF, the arithmetic dtype, and ``lean``: leave
    out additions of an all-zero leak (same values, one node fewer per neuron step)."""

    dt: float
    reset: str = "zero"
    if_reset: str = "subtract"
    dtype: type = np.float32
    lean: bool = True
    #: an integer graph's ``metadata["integer"]`` (``numerics/integer.py``): input scale, output 1/λ
    integer: dict | None = None

    @classmethod
    def of(cls, ctx, precision: str = "float32", lean: bool = True, integer: dict | None = None) -> Arithmetic:
        """From the simulator's SimContext and a precision name ("integer" needs ``integer``)."""
        if precision not in PRECISIONS:
            raise UsageError(f"unknown precision '{precision}'; choose from: {', '.join(PRECISIONS)}")
        if (precision == "integer") != isinstance(integer, dict):
            raise UsageError("precision 'integer' lowers an integer graph (edgesnn.numerics.integer.to_integer)")
        return cls(float(ctx.dt), ctx.reset, ctx.if_reset, PRECISIONS[precision], lean, integer)

    @property
    def is_integer(self) -> bool:
        return self.integer is not None

    def arr(self, value) -> np.ndarray:
        return np.asarray(value, dtype=self.dtype)

    def euler(self, tau, r, v_leak) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(keep, leak, gain) of v ← keep·v + leak + gain·x, as ``sim.neurons._euler``."""
        a = self.dt / self.arr(tau)
        return 1.0 - a, a * self.arr(v_leak), a * self.arr(r)

    def synapse(self, tau_syn, w_in) -> tuple[np.ndarray, np.ndarray]:
        """(keep, gain) of I ← keep·I + gain·x for CubaLIF/CubaLI."""
        keep = 1.0 - self.dt / self.arr(tau_syn)
        return keep, (1.0 - keep) * self.arr(1.0 if w_in is None else w_in)

    def integrator_gain(self, r) -> np.ndarray:
        """dt·r of the integrator I."""
        return self.dt * self.arr(r)

    def delay_steps(self, delay) -> np.ndarray:
        """round(τ/dt) whole steps per element (τ in the arithmetic dtype, as the simulator)."""
        return np.rint(self.arr(delay) / self.dt).astype(np.int64)
