"""The recording format the metrics read, checked once.

``x``: ``[T, B, *input_shape]`` for the graph's single Input node, or ``{Input name: array}``.
``records``: ``{node name: [T, B, *shape]}`` with the output of every neuron node (LIF, CubaLIF,
IF, LI, CubaLI, I, Threshold); "/"-joined names inside sub-graphs ("rnn/lif"). Extra keys are
ignored. Every array shares one T and one B.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..errors import DataError, ShapeError
from ._graph import FlatGraph


def inputs_as_dict(fg: FlatGraph, x: np.ndarray | Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Map ``x`` to the graph's Input node(s); a single array needs a single Input node."""
    if isinstance(x, Mapping):
        missing = sorted(set(fg.inputs) - set(x))
        if missing:
            raise DataError(f"no input array for Input node(s) {missing}; give x as {{name: array}} for {fg.inputs}")
        return {k: np.asarray(x[k]) for k in fg.inputs}
    if len(fg.inputs) != 1:
        raise DataError(f"graph has Input nodes {fg.inputs}; pass x as a dict {{name: [T, B, *shape] array}}")
    return {fg.inputs[0]: np.asarray(x)}


def neuron_records(fg: FlatGraph, records: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The record of every neuron node, checked to be ``[T, B, *shape]`` with one T and B."""
    missing = sorted(set(fg.neurons()) - set(records))
    if missing:
        raise DataError(
            f"records lack neuron node(s) {missing}; the run must record every neuron node (have: {sorted(records)})"
        )
    out = {k: np.asarray(records[k]) for k in fg.neurons()}
    dims = {k: v.shape[:2] for k, v in out.items() if v.ndim >= 2}
    if len(dims) != len(out) or len(set(dims.values())) > 1:
        shapes = {k: v.shape for k, v in out.items()}
        raise ShapeError(f"records must all be [T, B, *shape] with one T and B; got {shapes}")
    if any(0 in d for d in dims.values()):
        raise DataError(f"records hold no steps or no samples (T, B = {next(iter(dims.values()))}); record a run first")
    return out
