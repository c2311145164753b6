"""A FLOPs view for comparing with lab reports that count floating-point operations.

Convention (the one of the MNIST lab report's worked example): a multiply-accumulate is 2 FLOPs,
a synaptic operation (an accumulate of a weight) is counted as 2 FLOPs as well (the report's
convention, not a hardware claim), and each bias is one add per output element per pass (per
step for the SNN):

    ANN  FLOPs            = 2 * MACs + bias_adds
    SNN  FLOPs per step   = 2 * SynOps_per_step + bias_adds
    SynOps_per_step(rates) = input_rate * C_in + hidden_rate * C_hid

with ``C_in`` / ``C_hid`` the per-step fan-out sums of the synaptic layers fed by the graph input
/ by neurons (:func:`.synops.capacity`). For 784 -> 10 -> 10 with biases: ANN = 2 * 7,940 + 20 =
15,900; SNN at input rate 1 and hidden rate 0.25 = 2 * (7,840 + 0.25 * 100) + 20 = 15,750.
"""

from __future__ import annotations

import nir

from ..nir.flat import flatten
from . import fanout as fo
from ._graph import SYNAPTIC_TYPES
from .synops import SynOpsResult, capacity, dense_macs


def bias_adds(graph: nir.NIRGraph) -> int:
    """Bias additions of one pass over all synaptic layers."""
    fg = flatten(graph)
    return sum(fo.bias_adds(k, n) for k, n in fg.of_type(SYNAPTIC_TYPES).items())


def ann_flops(graph: nir.NIRGraph) -> int:
    """FLOPs of one pass of the ANN twin: ``2 * MACs + bias adds``."""
    return 2 * sum(dense_macs(graph).values()) + bias_adds(graph)


def snn_flops_per_step(graph: nir.NIRGraph, input_rate: float, hidden_rate: float) -> float:
    """FLOPs per step of the SNN when the input fires at ``input_rate`` and neurons at ``hidden_rate``."""
    caps = capacity(graph, timesteps=1, recurrent_shift=False)
    per_step = sum(input_rate * c_in + hidden_rate * c_hid for c_in, c_hid in caps.values())
    return 2 * per_step + bias_adds(graph)


def snn_flops_measured(graph: nir.NIRGraph, result: SynOpsResult) -> float:
    """FLOPs per step of a recorded run: ``(2 * SynOps + bias_adds * T) / T``."""
    steps = max(result.timesteps, 1)
    return (2 * result.total + bias_adds(graph) * steps) / steps
