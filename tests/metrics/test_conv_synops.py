"""Convolution SynOps are exact, padding/stride/dilation edge effects included.

Oracle: a brute-force loop over every input event and every output connection of it.
"""

import itertools

import nir
import numpy as np
import pytest

from edgesnn.metrics import dense_macs, synops


def brute_force_conv_synops(events, weight, stride, padding, dilation, groups=1):
    """sum over events e[t,b,c,*i] of #(o, y, kk) with y*s - p + kk*d == i and W[o, c', kk] != 0."""
    steps, batch, c_in, *spatial = events.shape
    c_out, cpg, *k = weight.shape
    out = [(n + 2 * p - d * (kk - 1) - 1) // s + 1 for n, p, d, kk, s in zip(spatial, padding, dilation, k, stride)]
    total = 0
    for t, b, c, *i in zip(*np.nonzero(events)):
        n_events = events[(t, b, c, *i)]
        g = c // cpg
        for o in range(g * (c_out // groups), (g + 1) * (c_out // groups)):
            for y in itertools.product(*(range(n) for n in out)):
                for kk in itertools.product(*(range(n) for n in k)):
                    hit = all(
                        yy * s - p + q * d == ii for yy, s, p, q, d, ii in zip(y, stride, padding, kk, dilation, i)
                    )
                    if hit and weight[(o, c % cpg, *kk)] != 0:
                        total += n_events
    return total / batch


def _sparse_weight(rng, shape, p_zero=0.3):
    w = rng.normal(size=shape)
    w[rng.random(shape) < p_zero] = 0.0
    return w


def conv2d_graph(weight, stride, padding, dilation, in_shape, groups=1):
    conv = nir.Conv2d(
        input_shape=in_shape[1:],
        weight=weight,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        bias=np.zeros(weight.shape[0]),
    )
    out = conv.output_type["output"]
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array(in_shape)),
            "conv": conv,
            "lif": nir.LIF(tau=np.ones(out), r=np.ones(out), v_leak=np.zeros(out), v_threshold=np.ones(out)),
            "output": nir.Output(np.array(out)),
        },
        edges=[("input", "conv"), ("conv", "lif"), ("lif", "output")],
        type_check=groups == 1,  # nir 1.0.8 infers C_in = weight.shape[1], wrong for groups > 1
    ), tuple(int(v) for v in out)


@pytest.mark.parametrize(
    "stride, padding, dilation",
    [((1, 1), (1, 1), (1, 1)), ((2, 1), (1, 2), (1, 1)), ((2, 2), (0, 0), (2, 1)), ((3, 2), (2, 1), (1, 2))],
)
def test_conv2d_matches_brute_force(stride, padding, dilation):
    rng = np.random.default_rng(1)
    weight = _sparse_weight(rng, (3, 2, 3, 2))
    in_shape = (2, 7, 6)
    g, out = conv2d_graph(weight, stride, padding, dilation, in_shape)
    x = (rng.random((3, 2, *in_shape)) < 0.3).astype(np.float32)
    rec = {"lif": np.zeros((3, 2, *out), dtype=np.float32)}
    res = synops(g, x, rec)
    expected = brute_force_conv_synops(x, weight, stride, padding, dilation)
    assert res.layers["conv"].synops == pytest.approx(expected, abs=1e-9)
    # edge effects matter: the naive count (events x non-zero weights per input channel x ...) differs
    assert expected > 0


def test_conv2d_groups_and_macs():
    rng = np.random.default_rng(2)
    weight = _sparse_weight(rng, (4, 1, 3, 3))  # depthwise-like: 4 groups
    in_shape = (4, 5, 5)
    g, out = conv2d_graph(weight, (1, 1), (1, 1), (1, 1), in_shape, groups=4)
    x = (rng.random((2, 1, *in_shape)) < 0.5).astype(np.float32)
    res = synops(g, x, {"lif": np.zeros((2, 1, *out))})
    assert res.layers["conv"].synops == pytest.approx(brute_force_conv_synops(x, weight, (1, 1), (1, 1), (1, 1), 4))
    assert dense_macs(g)["conv"] == 4 * 5 * 5 * 1 * 3 * 3


def test_conv1d_same_padding_matches_torch():
    """'same' padding follows PyTorch (smaller half before): check against torch's conv with a 0/1 kernel."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    weight = _sparse_weight(rng, (3, 2, 4))  # even kernel: asymmetric padding
    conv = nir.Conv1d(input_shape=9, weight=weight, stride=1, padding="same", dilation=2, groups=1, bias=np.zeros(3))
    g = nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([2, 9])),
            "conv": conv,
            "lif": nir.LIF(
                tau=np.ones((3, 9)), r=np.ones((3, 9)), v_leak=np.zeros((3, 9)), v_threshold=np.ones((3, 9))
            ),
            "output": nir.Output(np.array([3, 9])),
        },
        edges=[("input", "conv"), ("conv", "lif"), ("lif", "output")],
    )
    x = (rng.random((4, 2, 2, 9)) < 0.4).astype(np.float32)
    res = synops(g, x, {"lif": np.zeros((4, 2, 3, 9))})
    mask = torch.tensor((weight != 0).astype(np.float32))
    ev = torch.tensor(x.reshape(8, 2, 9))
    expected = torch.nn.functional.conv1d(ev, mask, padding="same", dilation=2).sum().item() / 2
    assert res.layers["conv"].synops == pytest.approx(expected)


def test_sum_pool_and_flatten_pass_event_counts(make_lif):
    """IF -> SumPool2d(2) -> Flatten -> Affine: pooled counts times the Affine's fan-out."""
    rng = np.random.default_rng(4)
    shape = (2, 4, 4)
    w = _sparse_weight(rng, (3, 8))
    g = nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array(shape)),
            "if": nir.IF(r=np.ones(shape), v_threshold=np.ones(shape)),
            "pool": nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0])),
            "flat": nir.Flatten(input_type={"input": np.array([2, 2, 2])}, start_dim=0),
            "fc": nir.Linear(weight=w),
            "lif": make_lif(3),
            "output": nir.Output(np.array([3])),
        },
        edges=[("input", "if"), ("if", "pool"), ("pool", "flat"), ("flat", "fc"), ("fc", "lif"), ("lif", "output")],
    )
    spikes = (rng.random((5, 1, *shape)) < 0.5).astype(np.float32)
    res = synops(g, np.zeros((5, 1, *shape)), {"if": spikes, "lif": np.zeros((5, 1, 3))})
    fan = (w != 0).sum(axis=0).reshape(2, 2, 2)
    expected = 0
    for _t, _, c, i, j in zip(*np.nonzero(spikes)):
        expected += fan[c, i // 2, j // 2]
    assert res.layers["fc"].synops == expected
    assert res.layers["fc"].sources == ("if",)
