"""The ``loihi2`` judge (``backends/lava/judge.py``) computes what Lava's bit-accurate models compute.

Every graph shape the Lava backend lowers (dense, conv + pooling, two inputs, recurrence,
CubaLIF biases into ``u``, IF with subtractive reset, graded input, a skip path) runs through a
real Lava fixed-point run and through the judge; outputs and every recorded population must be
equal, value for value. Weights here are random (off Loihi's grid), so the float reference differs
from both: the judge is what a fixed-point export's parity is measured against.
"""

from __future__ import annotations

import nir
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


def _grid_recurrent_graded(seed=0, n_in=6, h=16, n_out=4):
    """An RLeaky network as training for loihi2 leaves it: weights m/256 (8-bit m), beta on the
    12-bit grid, gain 1, thresholds 1; its graded input sits on a 1/16 grid (8-bit at X = 16)."""
    rng = np.random.default_rng(seed)
    tau, dt = 4e-3, 1e-3  # keep = 1 - dt/tau = 0.75, r = tau/dt: input gain 1

    def lif(n):
        return nir.LIF(
            tau=np.full(n, tau), r=np.full(n, tau / dt), v_leak=np.zeros(n), v_threshold=np.ones(n), v_reset=np.zeros(n)
        )

    def w(shape, sd):
        k = np.clip(np.round(rng.normal(0, sd, shape) * 256), -127, 127)
        k.flat[0] = 127
        return k / 256

    sub = nir.NIRGraph(
        {
            "input": nir.Input(np.array([h])),
            "lif": lif(h),
            "w_rec": nir.Linear(w((h, h), 0.15)),
            "output": nir.Output(np.array([h])),
        },
        [("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
    )
    nodes = {
        "input": nir.Input(np.array([n_in])),
        "fc1": nir.Linear(w((h, n_in), 0.3)),
        "rnn": sub,
        "fc2": nir.Linear(w((n_out, h), 0.3)),
        "lif2": lif(n_out),
        "output": nir.Output(np.array([n_out])),
    }
    edges = [("input", "fc1"), ("fc1", "rnn"), ("rnn", "fc2"), ("fc2", "lif2"), ("lif2", "output")]
    x = np.round(np.random.default_rng(seed + 1).normal(0, 2.0, (30, 6, n_in)) * 16).clip(-127, 127) / 16
    return nir.NIRGraph(nodes, edges, metadata={"dt": dt, "reset": "zero"}), x.astype(np.float32)


def test_graded_input_on_the_grid_is_exact_on_loihi2(lava_backend, tmp_path):
    """Graded input at X = 16 into weights of exponent -8: the population takes V = 2**13 so every
    sum is an integer (not floored by weight_exp = -4 each step), and Lava, the judge and the float
    graph agree spike for spike - the gate still silences the recurrent layer between samples."""
    from edgesnn.backends.lava.backend import plan_for

    graph, x = _grid_recurrent_graded()
    target = load_target("loihi2")
    _, report = plan_for(graph, target, x)
    assert report["input_scale"] == 16.0 and report["layers"]["fc1"]["weight_exp"] >= 0
    assert max(p["vth"] for p in report["populations"].values()) == 2**13
    assert all(p["on_grid"] for p in report["populations"].values()) and report["clipped"] == 0
    lava_backend.export(graph, tmp_path, target)
    got = lava_backend.run(tmp_path / "model.nir", x, target, record=True)
    ref = simulate(graph, x, record=True)
    assert ref.output.sum() > 0
    np.testing.assert_array_equal(got.output, ref.output)
    for name, rec in ref.records.items():
        np.testing.assert_array_equal(got.records[name], rec, err_msg=name)


def test_graded_input_falls_back_to_exact_weights_beyond_the_largest_state_scale():
    """Weights of exponent -11 at X = 16 would need V = 2**16: the population keeps V = 2**12 (its
    weights exact, the graded sum shifted right by 4), still on the grid."""
    from edgesnn.backends.lava.backend import plan_for

    graph, x = _grid_recurrent_graded()
    graph.nodes["fc1"] = nir.Linear(np.round(graph.nodes["fc1"].weight * 256 / 8) / 2048)  # exponent -11
    _, report = plan_for(graph, load_target("loihi2"), x)
    assert report["layers"]["fc1"]["weight_exp"] < 0 and report["layers"]["fc1"]["rel_err"] == 0.0
    assert report["populations"]["rnn/lif"]["on_grid"] and report["populations"]["rnn/lif"]["vth"] == 2**12
