"""A recurrent sub-graph: the recurrent weights see the LIF's previous-step spikes.

Input(2) -> Affine w_in (3x2) -> rnn{ input -> lif(3) -> w_rec (3x3) -> lif ; lif -> output } -> Output
"""

import nir
import numpy as np
import pytest

from edgesnn.metrics import capacity, firing_rates, synops

W_REC = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])  # fanout per column: [1, 1, 3]


@pytest.fixture
def rnn_graph(make_lif):
    rnn = nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([3])),
            "lif": make_lif(3),
            "w_rec": nir.Linear(weight=W_REC),
            "output": nir.Output(np.array([3])),
        },
        edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
    )
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([2])),
            "w_in": nir.Affine(weight=np.ones((3, 2)), bias=np.zeros(3)),
            "rnn": rnn,
            "output": nir.Output(np.array([3])),
        },
        edges=[("input", "w_in"), ("w_in", "rnn"), ("rnn", "output")],
    )


def test_recurrent_weights_use_previous_step_spikes(rnn_graph):
    s = np.array([[1, 0, 0], [0, 1, 1], [0, 0, 1], [1, 1, 1]], dtype=np.float32)[:, None]
    x = np.array([[1, 1], [0, 1], [0, 0], [1, 0]], dtype=np.float32)[:, None]
    res = synops(rnn_graph, x, {"rnn/lif": s})
    rec = res.layers["rnn/w_rec"]
    # step t delivers s[t-1]: steps 1..3 deliver s[0], s[1], s[2]; the last step's spikes never arrive
    fan = np.array([1, 1, 3])
    assert rec.synops == s[0, 0] @ fan + s[1, 0] @ fan + s[2, 0] @ fan == 1 + 4 + 3
    assert rec.recurrent and rec.sources == ("rnn/lif",)
    assert rec.capacity_hidden == 3 * 5  # T-1 steps of every neuron firing
    # the feed-forward weight sees the input of the same step: 4 input events x fanout 3
    assert res.layers["w_in"].synops == 4 * 3 and not res.layers["w_in"].recurrent
    assert res.neuron_updates == {"rnn/lif": 3 * 4}
    assert firing_rates({"rnn/lif": s}, rnn_graph).layers["rnn/lif"].rate == pytest.approx(7 / 12)


def test_per_step_capacity_ignores_the_recurrent_edge(rnn_graph):
    caps = capacity(rnn_graph)
    assert caps["w_in"] == (6.0, 0.0)
    assert caps["rnn/w_rec"] == (0.0, 5.0)


def test_two_neuron_loop_delays_only_the_feedback_weight(make_lif):
    """in -> w1 -> lif1 -> w12 -> lif2 -> w_fb -> lif1: the loop closes at w_fb -> lif1."""
    g = nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([1])),
            "w1": nir.Linear(weight=np.ones((2, 1))),
            "lif1": make_lif(2),
            "w12": nir.Linear(weight=np.ones((2, 2))),
            "lif2": make_lif(2),
            "w_fb": nir.Linear(weight=np.ones((2, 2))),
            "output": nir.Output(np.array([2])),
        },
        edges=[
            ("input", "w1"),
            ("w1", "lif1"),
            ("lif1", "w12"),
            ("w12", "lif2"),
            ("lif2", "w_fb"),
            ("w_fb", "lif1"),
            ("lif2", "output"),
        ],
    )
    last_step_only = np.zeros((3, 1, 2), dtype=np.float32)
    last_step_only[-1] = 1
    res = synops(g, np.zeros((3, 1, 1)), {"lif1": last_step_only, "lif2": last_step_only})
    assert res.layers["w12"].synops == 2 * 2 and not res.layers["w12"].recurrent
    assert res.layers["w_fb"].synops == 0 and res.layers["w_fb"].recurrent


def test_back_edges_agree_with_the_reference_simulator(rnn_graph, make_lif):
    """The metrics break cycles where the reference simulator does (edgesnn/nir/sim/plan.py)."""
    from edgesnn.metrics._graph import flatten
    from edgesnn.nir.sim import plan

    _, back = plan.order(plan.flatten(rnn_graph))
    assert flatten(rnn_graph).back_edges() == back == {("rnn/w_rec", "rnn/lif")}


def test_reference_simulator_records_feed_the_metrics(rnn_graph, loihi2):
    """Records from the reference simulator: the recurrent SynOps are the previous-step spikes' fan-out."""
    from edgesnn.metrics import measure
    from edgesnn.nir import simulate

    rng = np.random.default_rng(5)
    x = (rng.random((12, 2, 2)) < 0.6).astype(np.float32) * 3.0  # strong drive: the LIF spikes
    run = simulate(rnn_graph, x, dt=1e-3, record=True)
    s = run.records["rnn/lif"]
    assert s.sum() > 0
    rep = measure(rnn_graph, x, run.records, loihi2)
    fan = (W_REC != 0).sum(axis=0)
    assert rep.synops["rnn/w_rec"] == pytest.approx((s[:-1] @ fan).sum() / 2)
    assert rep.synops_counting["w_in"] == "nonzero"  # input values are 0 / 3, not spikes
