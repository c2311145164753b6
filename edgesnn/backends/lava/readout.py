"""Re-align Lava's recorded time series with the simulator's steps and undo the normalisation.

A unit of depth ``d`` records sample ``s``, step ``k`` at buffer index ``s*P + k + d`` (see
``plan.py``). Voltages are mapped back with ``v = v_scale * v' + v_offset``, where in fixed
point ``v' = v_int / (64 * vth_int)`` (Lava left-shifts the threshold by 6 bits); graded
outputs of a connection are divided by their fixed-point scale and get the host-side bias.
"""

from __future__ import annotations

import numpy as np

from ..base import RunResult
from .plan import Plan


def gather(series: np.ndarray, depth: int, timesteps: int, samples: int, period: int) -> np.ndarray:
    """``series[steps, *shape]`` -> ``[T, B, *shape]`` for a unit of ``depth``."""
    idx = np.arange(samples)[None, :] * period + np.arange(timesteps)[:, None] + depth
    return series[idx]


def to_result(
    plan: Plan, raw: dict[str, np.ndarray], timesteps: int, samples: int, record: bool, wall_s: float
) -> RunResult:
    """The ``RunResult`` of one Lava run: outputs concatenated over Output nodes (in graph order)."""
    period = plan.period(timesteps)
    outs = []
    for tap in plan.taps:
        series = gather(raw[tap.unit], tap.depth, timesteps, samples, period)
        if tap.kind == "v":
            pop = plan.populations[tap.unit]
            series = series * pop.v_unit * pop.v_scale + pop.v_offset
        elif tap.kind == "graded":
            conn = plan.connections[tap.unit]
            series = series / conn.out_scale + tap.bias
        outs.append(series.reshape(timesteps, samples, *tap.shape).astype(np.float32))
    output = outs[0] if len(outs) == 1 else np.concatenate([o.reshape(timesteps, samples, -1) for o in outs], axis=-1)
    records = {}
    if record:
        for name, pop in plan.populations.items():
            if name in raw and not pop.readout:
                records[name] = gather(raw[name], pop.depth, timesteps, samples, period).astype(np.float32)
    return RunResult(output=output, records=records, wall_s=wall_s)
