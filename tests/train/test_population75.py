"""Population coding up to 75 neurons per class (the miRNA study's largest): every loss trains on
it, the readout sums each class's group, and the ANN twin's logits are read the same way."""

import numpy as np
import pytest
import torch

from edgesnn.models import build, resolve, run_snn
from edgesnn.readout import predict
from edgesnn.train.loop import ann_accuracy, class_logits
from edgesnn.train.losses import make_loss
from edgesnn.tune.space import parse_space

C, POP = 10, 75


@pytest.mark.parametrize("loss", ["ce_count", "mse_count", "ce_rate"])
def test_every_loss_runs_and_learns_on_750_output_neurons(loss):
    hp = resolve("cnn1d", {"population": POP, "loss": loss, "w1": 4, "w2": 4, "w3": 4, "hidden": [], "lr": 5e-3})
    model = build(hp, (40,), C, seed=0)
    assert model.n_out == C * POP
    x = torch.rand(8, 4, 1, 40)
    y = torch.arange(4) % C
    fn = make_loss(hp, C)
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    first = None
    for _ in range(5):
        out = run_snn(model, x)
        assert out.shape == (8, 4, C * POP)
        value = fn(out, y)
        assert torch.isfinite(value)
        first = value.item() if first is None else first
        opt.zero_grad()
        value.backward()
        opt.step()
    assert fn(run_snn(model, x), y).item() < first  # gradients reach the population's weights


def test_readout_sums_each_class_group_of_75():
    out = np.zeros((3, 2, C * POP), np.float32)
    out[:, 0, 7 * POP : 8 * POP] = 1.0  # sample 0: every neuron of class 7
    out[0, 1, 2 * POP + 74] = 1.0  # sample 1: one spike, last neuron of class 2's group
    assert predict(out, C).tolist() == [7, 2]


def test_ann_twin_reads_population_logits_by_class():
    hp = resolve("cnn1d", {"population": POP, "w1": 4, "w2": 4, "w3": 4, "hidden": []})
    twin = build(hp, (40,), C, ann=True, seed=0)
    logits = torch.zeros(2, C * POP)
    logits[0, 3 * POP : 4 * POP] = 1.0
    logits[1, 9 * POP] = 5.0
    assert class_logits(twin, logits).shape == (2, C)
    assert class_logits(twin, logits).argmax(-1).tolist() == [3, 9]
    acc = ann_accuracy(twin, torch.rand(6, 1, 40), np.arange(6) % C)
    assert 0.0 <= acc <= 1.0


def test_a_search_space_may_offer_75_neurons_per_class():
    space = parse_space({"population": {"_type": "choice", "_value": [1, 25, 50, 75]}}, "cnn1d")
    assert space.params["population"].grid() == [1, 25, 50, 75]
