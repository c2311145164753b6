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
        nodes={"input": nir.Input(np.array([3])), "lif": make_lif(3), "w_rec": nir.Linear(weight=W_REC),
               "output": nir.Output(np.array([3]))},
        edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
    )
    return nir.NIRGraph(
        nodes={"input": nir.Input(np.array([2])), "w_in": nir.Affine(weight=np.ones((3, 2)), bias=np.zeros(3)),
               "rnn": rnn, "output": nir.Output(np.array([3]))},
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
