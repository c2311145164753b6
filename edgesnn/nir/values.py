"""What values flow along a NIR graph's edges: small integers (spikes, spike counts) or reals.

A synaptic sum Σ_j w_ij·x_j is computed exactly in float32, in *any* order, when its inputs
are integers of known bound and its weights sit on a fine enough power-of-two grid (see
:mod:`edgesnn.numerics.float32`). This module finds which inputs are integers.

``integer_bound(node)`` is the largest |value| a node outputs when every value it outputs is
an integer, else None (a real number):

* spiking neurons and Threshold (LIF, CubaLIF, IF, Threshold): 1 (spikes are 0 or 1);
* an Input: ``input_bound`` (1 when the model's encoder emits spikes, None for real features);
* SumPool2d: k_h·k_w times its input's bound (a count of spikes in the window);
* Flatten, Delay and the ports pass their input's bound through;
* everything else (Affine, Linear, Conv, Scale, AvgPool, I, LI, CubaLI): None.

A node's *input* is the sum of its incoming edges, so its bound is the sum of their bounds
(None if any is None).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .flat import FlatGraph
from .kinds import SPIKING, kind

PASS_THROUGH = frozenset({"Flatten", "Delay", "Output"})


def integer_bounds(flat: FlatGraph, input_bound: int | None | Mapping[str, int | None]) -> dict[str, int | None]:
    """Bound of each node's *input* (the sum of its incoming edges): an int, or None for reals.

    ``input_bound``: one bound for every Input node, or a bound per Input node name.
    """
    out: dict[str, int | None] = {}

    def produced(name: str, visiting: frozenset) -> int | None:
        if name in out:
            return out[name]
        node = flat.nodes[name]
        k = kind(node)
        if k in SPIKING:
            bound = 1
        elif k == "Input":
            bound = input_bound.get(name) if isinstance(input_bound, Mapping) else input_bound
        elif name in visiting:  # a cycle through no spiking node: nothing to say
            bound = None
        elif k in PASS_THROUGH:
            bound = received(name, visiting | {name})
        elif k == "SumPool2d":
            inner = received(name, visiting | {name})
            bound = None if inner is None else inner * int(np.prod(np.asarray(node.kernel_size)))
        else:
            bound = None
        out[name] = bound
        return bound

    def received(name: str, visiting: frozenset) -> int | None:
        total = 0
        for src in flat.preds(name):
            b = produced(src, visiting)
            if b is None:
                return None
            total += b
        return total

    return {name: (None if kind(flat.nodes[name]) == "Input" else received(name, frozenset())) for name in flat.nodes}


__all__ = ["integer_bounds"]
