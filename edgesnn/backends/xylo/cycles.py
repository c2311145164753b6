"""Clock cycles a Xylo IMU core spends on one time step, and the clock real time needs.

The cycle counts per operation are those of Rockpool 3.1's model for the SYNS63300 core
(``devices/xylo/syns63300/power_cycles_model.py``): 3.5 cycles per input event delivered to an
input-fed neuron, 7 per recurrent synapse update, 8 per output synapse update, 19 fixed cycles
per hidden neuron and 12 per output neuron. With spike probabilities p (0..1; worst case 1)::

    cycles = N_in (p_in · IEN · 3.5 + 1)                      input events
           + N_hid (fanout · 7 · p_hid + 3)                   recurrent currents
           + OEN · p_hid · (1 + N_out · 8)                    output currents
           + N_hid (19 + 3 p_hid)                             hidden neuron updates (no aliases)
           + 12 N_out                                         output neuron updates

``fanout`` is the mean number of non-zero recurrent weights per hidden neuron. Real time at a
step of ``dt`` seconds needs a master clock of ``cycles · (1 + margin) / dt`` (margin 20 %, as
Rockpool's ``est_clock_freq``). Energy per cycle is not published for Xylo IMU, so this is a
latency/clock figure, not an energy one.
"""

from __future__ import annotations

import numpy as np

from .spec import XyloSpec


def cycles_per_step(spec: XyloSpec, p_in: float = 1.0, p_hid: float = 1.0) -> float:
    n_in, n_hid, n_out = spec.sizes
    ien = int(np.count_nonzero(np.abs(spec.weights_in).sum(axis=0)))
    oen = int(np.count_nonzero(np.abs(spec.weights_out).sum(axis=1)))
    fanout = float(np.mean(np.count_nonzero(spec.weights_rec, axis=1))) if n_hid else 0.0
    return float(
        n_in * (p_in * ien * 3.5 + 1)
        + n_hid * (fanout * 7 * p_hid + 3)
        + oen * p_hid * (1 + n_out * 8)
        + n_hid * (19 + 3 * p_hid)
        + 12 * n_out
    )


def realtime_clock_hz(spec: XyloSpec, margin: float = 0.2) -> float:
    """The master clock that runs the worst case (every channel and neuron active) in real time."""
    return cycles_per_step(spec) * (1 + margin) / float(spec.dt)
