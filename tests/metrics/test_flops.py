"""The MNIST lab report's worked example, reproduced exactly by the FLOPs view.

ANN 784 -> 10 -> 10: MACs 784*10 + 10*10 = 7,940 -> 2 FLOPs each = 15,880, + 20 bias adds = 15,900.
SNN, input rate 1, hidden rate 0.25: SynOps per step 784*10*1 + 10*10*0.25 = 7,865
-> 2 * 7,865 = 15,730, + 20 bias adds = 15,750 FLOPs per step.
"""

import nir
import numpy as np

from edgesnn.metrics import ann_flops, bias_adds, dense_macs, snn_flops_measured, snn_flops_per_step, synops


def mnist_graph(make_lif) -> nir.NIRGraph:
    rng = np.random.default_rng(0)
    w1 = rng.uniform(0.1, 1.0, (10, 784))  # dense: no zero weights
    w2 = rng.uniform(0.1, 1.0, (10, 10))
    return nir.NIRGraph.from_list(
        nir.Affine(weight=w1, bias=np.ones(10)), make_lif(10), nir.Affine(weight=w2, bias=np.ones(10)), make_lif(10)
    )


def test_ann_flops_15900(make_lif):
    g = mnist_graph(make_lif)
    assert sum(dense_macs(g).values()) == 7_940
    assert bias_adds(g) == 20
    assert ann_flops(g) == 15_900


def test_snn_flops_per_step_15750(make_lif):
    assert snn_flops_per_step(mnist_graph(make_lif), input_rate=1.0, hidden_rate=0.25) == 15_750


def test_measured_run_reproduces_the_rate_view(make_lif):
    """A run where every input fires every step and hidden neurons fire 1 step in 4 gives 15,750."""
    g = mnist_graph(make_lif)
    steps = 8
    x = np.ones((steps, 1, 784))
    hidden = np.zeros((steps, 1, 10))
    hidden[::4] = 1  # rate exactly 0.25 for every neuron
    res = synops(g, x, {"lif": hidden, "lif_1": np.zeros((steps, 1, 10))})
    assert res.total == steps * 7_865
    assert snn_flops_measured(g, res) == 15_750


def test_zero_weights_do_not_count(make_lif):
    g = mnist_graph(make_lif)
    g.nodes["affine"].weight[:, :392] = 0.0  # half the inputs have no synapse
    assert snn_flops_per_step(g, 1.0, 0.25) == 2 * (392 * 10 + 25) + 20
    assert ann_flops(g) == 15_900  # the dense twin still multiplies every weight
