"""Every node type of the reference simulator on tiny hand-computed graphs."""

import nir
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from edgesnn.nir.simulator import simulate

DT = 1e-3


def chain(*nodes, shape, out_shape=None, metadata=None, type_check=False):
    """Input -> nodes... -> Output, named n0, n1, ..."""
    names = [f"n{i}" for i in range(len(nodes))]
    all_nodes = {
        "input": nir.Input(np.array(shape)),
        **dict(zip(names, nodes)),
        "output": nir.Output(np.array(out_shape or shape)),
    }
    seq = ["input", *names, "output"]
    return nir.NIRGraph(
        nodes=all_nodes, edges=list(zip(seq, seq[1:])), metadata={"dt": DT, **(metadata or {})}, type_check=type_check
    )


def lif(beta, thr, v_reset=None):
    beta, thr = np.asarray(beta, float), np.asarray(thr, float)
    return nir.LIF(
        tau=DT / (1 - beta), r=1 / (1 - beta), v_leak=np.zeros_like(beta), v_threshold=thr,
        v_reset=np.zeros_like(thr) if v_reset is None else np.asarray(v_reset, float),
    )  # fmt: skip


def const(value, steps, batch=1):
    value = np.asarray(value, np.float32)
    return np.broadcast_to(value, (steps, batch, *value.shape)).copy()


def test_lif_two_neurons_reset_to_zero():
    # v <- beta*v + 0.6, threshold 1: beta .5 -> .6 .9 1.05*; beta .8 -> .6 1.08*
    out = simulate(chain(lif([0.5, 0.8], [1.0, 1.0]), shape=[2]), const([0.6, 0.6], 6)).output[:, 0]
    np.testing.assert_array_equal(out[:, 0], [0, 0, 1, 0, 0, 1])
    np.testing.assert_array_equal(out[:, 1], [0, 1, 0, 1, 0, 1])


def test_lif_reset_subtract_none_and_v_reset():
    g = chain(lif([0.8], [1.0]), shape=[1])
    # subtract: .6, 1.08* -> .08, .664, 1.1312* -> .1312, .70496, 1.163968*
    sub = simulate(g, const([0.6], 6), reset="subtract").output[:, 0, 0]
    np.testing.assert_array_equal(sub, [0, 1, 0, 1, 0, 1])
    # none: v keeps growing past threshold -> spikes every step after the first crossing
    np.testing.assert_array_equal(simulate(g, const([0.6], 4), reset="none").output[:, 0, 0], [0, 1, 1, 1])
    # zero with v_reset = 0.6: .6, 1.08* -> .6, 1.08* ... (with v_reset 0 it was every other step)
    g2 = chain(lif([0.8], [1.0], v_reset=[0.6]), shape=[1])
    np.testing.assert_array_equal(simulate(g2, const([0.6], 4)).output[:, 0, 0], [0, 1, 1, 1])


def test_lif_threshold_is_strict_and_metadata_reset_applies():
    g = chain(lif([0.0], [1.0]), shape=[1])  # beta 0: v = input
    np.testing.assert_array_equal(simulate(g, const([1.0], 3)).output[:, 0, 0], [0, 0, 0])
    g_sub = chain(lif([0.5], [1.0]), shape=[1], metadata={"reset": "subtract"})
    # .9, 1.35* -> .35, 1.075* -> .075
    np.testing.assert_array_equal(simulate(g_sub, const([0.9], 3)).output[:, 0, 0], [0, 1, 1])


def test_li_outputs_the_membrane():
    li = nir.LI(tau=np.array([DT / 0.5]), r=np.array([2.0]), v_leak=np.array([0.0]))  # v <- .5 v + x
    out = simulate(chain(li, shape=[1]), const([1.0], 4)).output[:, 0, 0]
    np.testing.assert_allclose(out, [1.0, 1.5, 1.75, 1.875])


def test_li_leaks_towards_v_leak():
    li = nir.LI(tau=np.array([DT / 0.5]), r=np.array([0.0]), v_leak=np.array([2.0]))  # v <- .5 v + .5*2
    np.testing.assert_allclose(simulate(chain(li, shape=[1]), const([0.0], 3)).output[:, 0, 0], [1.0, 1.5, 1.75])


def test_cubalif_and_cubali():
    a, b = 0.5, 0.25
    kw = dict(tau_syn=np.array([DT / (1 - a)]), tau_mem=np.array([DT / (1 - b)]), r=np.array([1 / (1 - b)]),
              v_leak=np.array([0.0]), w_in=np.array([1 / (1 - a)]))  # fmt: skip
    x = np.zeros((5, 1, 1), np.float32)
    x[0] = 1.0
    # I: 1, .5, .25, .125, .0625; v = .25 v + I: 1, .75, .4375, .234375, .12109375
    v = simulate(chain(nir.CubaLI(**kw), shape=[1]), x).output[:, 0, 0]
    np.testing.assert_allclose(v, [1, 0.75, 0.4375, 0.234375, 0.12109375])
    # threshold .7: spike at 0 (v=1 -> 0), then v = .5, .375, ... never above .7; I is not reset
    s = simulate(chain(nir.CubaLIF(**kw, v_threshold=np.array([0.7])), shape=[1]), x).output[:, 0, 0]
    np.testing.assert_array_equal(s, [1, 0, 0, 0, 0])
    s2 = simulate(chain(nir.CubaLIF(**kw, v_threshold=np.array([0.45])), shape=[1]), x).output[:, 0, 0]
    np.testing.assert_array_equal(s2, [1, 1, 0, 0, 0])  # .5 > .45; then .25*0 + .25 = .25


def test_integrator_uses_dt():
    node = nir.I(r=np.array([1 / DT, 2 / DT]))  # v <- v + dt*r*x
    out = simulate(chain(node, shape=[2]), const([1.0, 0.5], 3)).output[:, 0]
    np.testing.assert_allclose(out, [[1, 1], [2, 2], [3, 3]])


def test_if_adds_input_fires_at_threshold_and_subtracts_by_default():
    node = nir.IF(r=np.array([1.0]), v_threshold=np.array([1.0]))
    # v: .5, 1.0* (>=) -> 0, .5, 1.0* ...   with .7: .7, 1.4* -> .4, 1.1* -> .1, .8
    np.testing.assert_array_equal(simulate(chain(node, shape=[1]), const([0.5], 4)).output[:, 0, 0], [0, 1, 0, 1])
    np.testing.assert_array_equal(simulate(chain(node, shape=[1]), const([0.7], 4)).output[:, 0, 0], [0, 1, 1, 0])
    # an explicit reset "zero" (graph metadata) resets to v_reset instead: .7, 1.4* -> 0, .7, 1.4*
    g = chain(node, shape=[1], metadata={"reset": "zero"})
    np.testing.assert_array_equal(simulate(g, const([0.7], 4)).output[:, 0, 0], [0, 1, 0, 1])


def test_threshold_node():
    node = nir.Threshold(threshold=np.array([0.5, 1.0]))
    x = np.array([[[0.5, 1.5]], [[0.6, 1.0]]], np.float32)
    np.testing.assert_array_equal(simulate(chain(node, shape=[2]), x).output[:, 0], [[0, 1], [1, 0]])


def test_delay_shifts_each_element_by_its_own_steps():
    node = nir.Delay(delay=np.array([2 * DT, 0.0]))
    x = np.arange(1, 6, dtype=np.float32)[:, None, None] * np.ones((1, 2, 2), np.float32)
    out = simulate(chain(node, shape=[2]), x).output
    np.testing.assert_array_equal(out[:, 0, 0], [0, 0, 1, 2, 3])
    np.testing.assert_array_equal(out[:, 1, 1], [1, 2, 3, 4, 5])


def test_affine_linear_scale_and_summed_skip_connection():
    w, b = np.array([[1.0, 2.0], [0.0, -1.0]]), np.array([0.5, 0.0])
    g = nir.NIRGraph(
        nodes={"input": nir.Input(np.array([2])), "aff": nir.Affine(weight=w, bias=b), "lin": nir.Linear(weight=w),
               "sc": nir.Scale(scale=np.array([10.0, 100.0])), "output": nir.Output(np.array([2]))},
        edges=[("input", "aff"), ("input", "lin"), ("input", "sc"), ("aff", "output"), ("lin", "output"), ("sc", "output")],
        type_check=False,
    )  # fmt: skip
    x = np.array([[[1.0, 3.0]]], np.float32)
    expected = (w @ x[0, 0] + b) + w @ x[0, 0] + np.array([10.0, 300.0])
    np.testing.assert_allclose(simulate(g, x).output[0, 0], expected)


def _recurrent(nodes_order, reverse_edges=False):
    nodes = {"input": nir.Input(np.array([1])), "lif": lif([0.0], [0.5]),
             "w": nir.Affine(weight=np.array([[-0.6]]), bias=np.array([0.3])), "output": nir.Output(np.array([1]))}  # fmt: skip
    edges = [("input", "lif"), ("lif", "w"), ("w", "lif"), ("lif", "output")]
    return nir.NIRGraph(
        nodes={k: nodes[k] for k in nodes_order},
        edges=edges[::-1] if reverse_edges else edges,
        type_check=False,
        metadata={"dt": DT},
    )


def test_recurrent_loop_delivers_the_previous_step():
    # v[t] = x[t] + (-0.6*s[t-1] + 0.3), beta 0, threshold .5; s[-1] = 0 so the bias arrives at t = 0
    g = _recurrent(["input", "lif", "w", "output"])
    res = simulate(g, const([0.3], 6), record=True)
    np.testing.assert_array_equal(res.output[:, 0, 0], [1, 0, 1, 0, 1, 0])
    np.testing.assert_array_equal(res.records["lif"], res.output)


def test_back_edge_choice_does_not_depend_on_dict_or_edge_order():
    x = (np.random.default_rng(1).random((12, 4, 1)) * 0.8).astype(np.float32)
    a = simulate(_recurrent(["input", "lif", "w", "output"]), x).output
    b = simulate(_recurrent(["output", "w", "lif", "input"], reverse_edges=True), x).output
    assert a.sum() > 0
    np.testing.assert_array_equal(a, b)


def test_flatten_excludes_the_batch_dimension():
    x = np.random.default_rng(0).normal(size=(2, 3, 2, 3, 4)).astype(np.float32)
    out = simulate(chain(nir.Flatten(input_type=None, start_dim=0), shape=[2, 3, 4], out_shape=[24]), x).output
    np.testing.assert_array_equal(out, x.reshape(2, 3, 24))
    mid = simulate(chain(nir.Flatten(input_type=None, start_dim=1, end_dim=2), shape=[2, 3, 4], out_shape=[2, 12]), x)
    np.testing.assert_array_equal(mid.output, x.reshape(2, 3, 2, 12))


def _torch(x):
    return torch.from_numpy(np.asarray(x, np.float64))


@pytest.mark.parametrize(
    "stride, padding, dilation, groups, kernel",
    [((1, 1), (0, 0), (1, 1), 1, (3, 3)), ((2, 1), (1, 2), (1, 2), 2, (3, 2)), ((1, 1), "same", (2, 1), 1, (4, 3)),
     ((2, 2), "valid", (1, 1), 4, (2, 2))],
)  # fmt: skip
def test_conv2d_equals_torch(stride, padding, dilation, groups, kernel):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 4, 9, 10)).astype(np.float32)
    w, b = rng.normal(size=(8, 4 // groups, *kernel)), rng.normal(size=8)
    node = nir.Conv2d(
        input_shape=None, weight=w, stride=stride, padding=padding, dilation=dilation, groups=groups, bias=b
    )
    ref = F.conv2d(_torch(x.reshape(6, 4, 9, 10)), _torch(w), _torch(b), stride, padding, dilation, groups).numpy()
    out = simulate(chain(node, shape=[4, 9, 10], out_shape=list(ref.shape[1:])), x).output
    np.testing.assert_allclose(out, ref.reshape(2, 3, *ref.shape[1:]), rtol=1e-5, atol=1e-5)


def test_conv1d_equals_torch():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 3, 4, 11)).astype(np.float32)
    w, b = rng.normal(size=(6, 2, 3)), rng.normal(size=6)
    node = nir.Conv1d(input_shape=None, weight=w, stride=2, padding=1, dilation=2, groups=2, bias=b)
    ref = F.conv1d(_torch(x.reshape(6, 4, 11)), _torch(w), _torch(b), 2, 1, 2, 2).numpy()
    out = simulate(chain(node, shape=[4, 11], out_shape=list(ref.shape[1:])), x).output
    np.testing.assert_allclose(out, ref.reshape(2, 3, *ref.shape[1:]), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kernel, stride, padding", [((2, 2), (2, 2), (0, 0)), ((3, 2), (1, 2), (1, 1))])
def test_pooling_equals_torch(kernel, stride, padding):
    x = np.random.default_rng(5).random((2, 3, 3, 7, 8)).astype(np.float32)
    flat = _torch(x.reshape(6, 3, 7, 8))
    avg = F.avg_pool2d(flat, kernel, stride, padding, count_include_pad=True).numpy()
    total = avg * (kernel[0] * kernel[1])
    for node_type, ref in [(nir.SumPool2d, total), (nir.AvgPool2d, avg)]:
        node = node_type(kernel_size=np.array(kernel), stride=np.array(stride), padding=np.array(padding))
        out = simulate(chain(node, shape=[3, 7, 8], out_shape=list(ref.shape[1:])), x).output
        np.testing.assert_allclose(out, ref.reshape(2, 3, *ref.shape[1:]), rtol=1e-5, atol=1e-6)


def test_node_metadata_reset_beats_graph_reset_and_argument_beats_both():
    node = lif([0.5], [1.0])
    node.metadata = {"reset": "subtract"}
    g = chain(node, shape=[1], metadata={"reset": "zero"})
    x = const([0.9], 5)
    # subtract: .9, 1.35* -> .35, 1.075* -> .075, .9375, 1.36875*   (zero would give 0 1 0 1 0)
    np.testing.assert_array_equal(simulate(g, x).output[:, 0, 0], [0, 1, 1, 0, 1])
    np.testing.assert_array_equal(simulate(g, x, reset="zero").output[:, 0, 0], [0, 1, 0, 1, 0])
