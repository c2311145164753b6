"""The ``loihi2`` judge (``backends/lava/judge.py``) computes what Lava's bit-accurate models compute.

Every graph shape the Lava backend lowers (dense, conv + pooling, two inputs, recurrence,
CubaLIF biases into ``u``, IF with subtractive reset, graded input, a skip path) runs through a
real Lava fixed-point run and through the judge; outputs and every recorded population must be
equal, value for value. Weights here are random (off Loihi's grid), so the float reference differs
from both: the judge is what a fixed-point export's parity is measured against.
"""

from __future__ import annotations

import numpy as np
import pytest

from edgesnn.config import load_target
from edgesnn.nir.graph import read_graph
from edgesnn.nir.simulator import simulate
from edgesnn.testing import contract_graphs, contract_input

from .test_lava import _skip_graph, cuba, recurrent, spikes

pytestmark = [pytest.mark.lava, pytest.mark.timeout(300)]


def _graded(seed=0, T=16, B=5, n=20):
    """Real-valued input (a series read frame by frame) into ``recurrent``'s RLeaky network."""
    return np.random.default_rng(seed).normal(0, 1.5, (T, B, n)).astype(np.float32)


CASES = {
    "mlp": lambda fx: (contract_graphs()["mlp"], contract_input(contract_graphs()["mlp"], 20, 6)),
    "cnn": lambda fx: (contract_graphs()["cnn"], contract_input(contract_graphs()["cnn"], 12, 3)),
    "multimodal": lambda fx: (contract_graphs()["multi"], contract_input(contract_graphs()["multi"], 12, 4)),
    "cuba_bias_into_u": lambda fx: (cuba(readout=True), spikes(25, 5, (20,))),
    "recurrent_graded": lambda fx: (recurrent(), _graded()),
    "skip_delay": lambda fx: (_skip_graph(), spikes(20, 4, (4,), p=0.5)),
    "sinabs_if_subtract": lambda fx: (read_graph(fx / "cnn_sinabs.nir"), spikes(8, 2, (2, 34, 34), p=0.2)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_judge_equals_lava_fixed_point(lava_backend, nir_fixtures, tmp_path, case):
    graph, x = CASES[case](nir_fixtures)
    target = load_target("loihi2")
    lava_backend.export(graph, tmp_path, target)
    got = lava_backend.run(tmp_path / "model.nir", x, target, record=True)
    judge = lava_backend.reference(tmp_path / "model.nir", x, target, record=True)
    assert np.abs(got.output).sum() > 0  # something to compare
    np.testing.assert_array_equal(judge.output, got.output)
    assert set(judge.records) == set(got.records) and got.records
    for name, rec in got.records.items():
        np.testing.assert_array_equal(judge.records[name], rec, err_msg=name)


def test_judge_is_not_the_float_reference(lava_backend, tmp_path):
    """Off-grid weights and truncating decays: the judge and the float simulator disagree somewhere
    (so judging a fixed-point export by the float graph would blame Lava for Loihi's arithmetic)."""
    graph, x = recurrent(), _graded()
    target = load_target("loihi2")
    lava_backend.export(graph, tmp_path, target)
    judge = lava_backend.reference(tmp_path / "model.nir", x, target, record=True)
    ref = simulate(graph, x, record=True)
    assert any(not np.array_equal(judge.records[n], ref.records[n]) for n in judge.records)


def test_float_target_has_no_judge(lava_backend, tmp_path):
    graph = contract_graphs()["mlp"]
    target = load_target("lava-float")
    lava_backend.export(graph, tmp_path, target)
    assert lava_backend.reference(tmp_path / "model.nir", contract_input(graph), target) is None


def test_decay_truncates_towards_zero():
    from edgesnn.backends.lava.judge import decay

    v = np.array([-4097, -1, 0, 1, 4097], np.int64)
    np.testing.assert_array_equal(decay(v, 2048), [-2048, 0, 0, 0, 2048])  # -4097/2 -> -2048, not -2049
