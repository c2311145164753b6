"""What a run returns, from the reference simulator and from every backend alike."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class RunResult:
    """Outputs of one run.

    ``output``: ``[T, B, *out]`` float32 — spikes of the output layer, or the membrane of a
    non-spiking readout. ``records``: node name -> ``[T, B, *shape]`` outputs of every neuron
    node (spikes), filled when the run was asked to record. ``wall_s``: runtime wall time.
    """

    output: np.ndarray
    records: dict[str, np.ndarray] = field(default_factory=dict)
    wall_s: float = 0.0
