import pytest
import torch

from edgesnn.errors import ShapeError, UsageError
from edgesnn.models import algorithm1, build, parse_set, resolve, run_snn

CASES = [
    ("mlp", (1, 8, 8), {}),
    ("mlp", (64,), {"skip": "concat", "hidden": [16, 16]}),
    ("mlp", (64,), {"skip": "add", "hidden": [64, 64]}),
    ("cnn2d", (1, 8, 8), {"pool": "sum"}),
    ("cnn1d", (30,), {}),
    ("cnn1d", (3, 40), {}),
    ("rnn", (13,), {}),
    ("fusion", (1, 8, 8), {}),
    ("fusion", (13,), {}),
    ("mlp", (13,), {"neuron": "synaptic"}),
    ("mlp", (13,), {"neuron": "lapicque"}),
]


@pytest.mark.parametrize("family,shape,over", CASES)
def test_every_model_runs_and_twin_matches_weights(family, shape, over):
    hp = resolve(family, over)
    snn_model, ann = build(hp, shape, 3, seed=1), build(hp, shape, 3, ann=True, seed=1)
    x = torch.rand(5, 2, *snn_model.input_shape)
    out = run_snn(snn_model, x)
    assert out.shape == (5, 2, 3) and set(out.unique().tolist()) <= {0.0, 1.0}
    assert ann(x[0]).shape == (2, 3)
    snn_w = {k: v.shape for k, v in snn_model.state_dict().items() if k.endswith(("weight", "bias"))}
    ann_w = {k: v.shape for k, v in ann.state_dict().items() if k.endswith(("weight", "bias"))}
    assert snn_w == ann_w  # the recurrent V too: the rnn's twin is an Elman ReLU network


def test_rnn_twin_is_an_elman_relu_network():
    """h[t] = ReLU(W·x[t] + b + V·h[t−1]); logits averaged over the frames; one step = plain ReLU."""
    from edgesnn.models import run_ann

    ann = build(resolve("rnn", {"hidden": [4]}), (3,), 2, ann=True, seed=0)
    x = torch.rand(6, 2, 3)
    W, b = ann.dense.ops[0].parts[0].weight, ann.dense.ops[0].parts[0].bias
    V, R = ann.dense.acts[0].recurrent.weight, ann.dense.readout.parts[0]
    h, outs = torch.zeros(2, 4), []
    for t in range(6):
        h = torch.relu(x[t] @ W.T + b + (h @ V.T if t else 0))
        outs.append(R(h))
    torch.testing.assert_close(run_ann(ann, x), torch.stack(outs).mean(0))
    torch.testing.assert_close(run_ann(ann, x[0]), R(torch.relu(x[0] @ W.T + b)))


def test_per_neuron_parameters():
    m = build(resolve("cnn2d", {}), (1, 8, 8), 3)
    assert m.conv.acts[0].beta.shape == (8, 4, 4) and m.conv.acts[0].threshold.shape == (8, 4, 4)


def test_same_seed_same_weights():
    hp = resolve("mlp", {})
    a, b = build(hp, (64,), 10, seed=3), build(hp, (64,), 10, seed=3)
    assert all(torch.equal(a.state_dict()[k], b.state_dict()[k]) for k in a.state_dict())


def test_algorithm1_derives_valid_sizes():
    s = algorithm1(30, 3, 2)
    assert s["L1"] == 14 and s["L3"] >= 1
    for k in (2, 3):
        assert 1 <= s[f"wd{k}"] <= s[f"L{k - 1}"] and s[f"h{k}"] <= s[f"L{k - 1}"] - s[f"wd{k}"] + 1


@pytest.mark.parametrize("L,wd1,h1", [(10, 11, 1), (10, 5, 7), (10, 0, 1)])
def test_algorithm1_refuses_impossible_shapes(L, wd1, h1):
    with pytest.raises(ShapeError):
        algorithm1(L, wd1, h1)


def test_impossible_cnn1d_is_a_clear_error_before_any_tensor():
    with pytest.raises(ShapeError, match="wd1"):
        build(resolve("cnn1d", {"wd1": 50}), (30,), 2)


def test_unknown_hparam_and_bad_values():
    with pytest.raises(UsageError, match="did you mean 'beta'"):
        resolve("mlp", {"betta": 0.5})
    with pytest.raises(UsageError):
        resolve("mlp", {"beta": 1.5})
    with pytest.raises(UsageError, match="unknown model"):
        resolve("transformer", {})
    with pytest.raises(ShapeError):
        build(resolve("mlp", {"skip": "add", "hidden": [16, 8]}), (64,), 2)


def test_parse_set():
    assert parse_set(["beta=0.95", "hidden=[32, 16]", "neuron=synaptic", "learn_beta=true"]) == {
        "beta": 0.95,
        "hidden": [32, 16],
        "neuron": "synaptic",
        "learn_beta": True,
    }
    with pytest.raises(UsageError):
        parse_set(["beta"])
