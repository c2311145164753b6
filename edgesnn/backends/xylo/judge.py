"""The judge of a Xylo export: the chip's integer arithmetic in edgesnn's own numpy model.

Parity must not trust the simulator under test, so the export's ``model.xylo.npz`` is stepped
by ``edgesnn.runner.xylo.XyloModel`` (the arithmetic, read from xylosim 0.1.3's C++ and checked
bit for bit against ``XyloSim``, is documented there). The same code runs a Xylo bundle on a
device, so what the bundle computes is what export measured.
"""

from __future__ import annotations

import numpy as np

from ...nir.result import RunResult
from ...runner.xylo import XyloModel
from .spec import XyloSpec


def simulate(spec: XyloSpec, x: np.ndarray, record: bool = False) -> RunResult:
    """Run ``x [T, B, Nin]`` (non-negative integer event counts) through ``spec``; output spikes
    ``[T, B, Nout]`` and, with ``record``, hidden and output spike counts keyed by NIR node."""
    model = XyloModel(spec.kwargs(), where="Xylo export")
    T, B = np.shape(x)[:2]
    hidden = np.zeros((T, B, spec.sizes[1]), np.float32) if record else None
    out = model.run(x, hidden=hidden)
    return RunResult(output=out, records=spec.records(hidden, out) if record else {})
