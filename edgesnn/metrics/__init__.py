"""Metrics of a NIR graph and a recorded run: parameters, memory, activity, SynOps, energy.

Every figure is computed from the NIR graph plus the recorded spike trains
(``records: {node name: [T, B, *shape]}`` for every neuron node, "/"-joined names inside
sub-graphs) and the input ``x: [T, B, *input_shape]`` — never from a training framework — so it
is the same whichever runtime produced the spikes. See DESIGN §5 and :mod:`.energy`.
"""

from .activity import Activity, LayerActivity, firing_rates
from .energy import (
    CAVEAT,
    EnergyBreakdown,
    RateModel,
    ann_energy,
    break_even_rate,
    snn_energy,
    table_info,
)
from .flops import ann_flops, bias_adds, snn_flops_measured, snn_flops_per_step
from .params import activation_bytes, count_params, param_bytes, state_bytes
from .summary import ActivityReport, measure, profile_metrics
from .synops import LayerSynOps, SynOpsResult, capacity, dense_macs, synops

__all__ = [
    "Activity",
    "ActivityReport",
    "CAVEAT",
    "EnergyBreakdown",
    "LayerActivity",
    "LayerSynOps",
    "RateModel",
    "SynOpsResult",
    "activation_bytes",
    "ann_energy",
    "ann_flops",
    "bias_adds",
    "break_even_rate",
    "capacity",
    "count_params",
    "dense_macs",
    "firing_rates",
    "measure",
    "param_bytes",
    "profile_metrics",
    "snn_energy",
    "snn_flops_measured",
    "snn_flops_per_step",
    "state_bytes",
    "synops",
    "table_info",
]
