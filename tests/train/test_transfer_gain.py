"""ANN→SNN threshold balancing scales θ by each neuron's input gain (``transfer.input_gain``):
a Lapicque network fires and classifies after transfer (it was silent at chance before), and the
gain is the charge per step snnTorch's update really adds for a constant input."""

import pytest
import torch

from edgesnn.models.neurons import make_neuron
from edgesnn.train import train
from edgesnn.train.ann import train_ann
from edgesnn.train.transfer import input_gain

HIDDEN = {"hidden": [32]}
HP = dict(beta=0.85, alpha=0.7, threshold=1e9, surrogate="fast_sigmoid", slope=25.0, reset="subtract",
          learn_beta=False, learn_threshold=False)  # fmt: skip


@pytest.mark.parametrize("kind", ["leaky", "lapicque", "synaptic", "rleaky"])
def test_input_gain_is_the_steady_state_charge_per_step(kind):
    neuron = make_neuron({**HP, "neuron": kind}, (4,))  # θ = 1e9: never fires, pure leaky integration
    v_prev = v = torch.zeros(4)
    for _ in range(400):
        neuron(torch.ones(4))
        v_prev, v = v, neuron.mem.clone()
    leak = 1 - float(torch.log(torch.tensor(1 / 0.85))) if kind == "lapicque" else 0.85
    # steady state of v ← leak·v + g: the charge per step is v − leak·v
    assert torch.allclose(v - leak * v_prev, input_gain(neuron).expand(4), rtol=1e-4)
    expected = {"leaky": 1.0, "rleaky": 1.0, "lapicque": 0.1625, "synaptic": 1 / 0.3}[kind]
    assert float(input_gain(neuron).mean()) == pytest.approx(expected, rel=1e-3)


@pytest.fixture(scope="module")
def ann_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ann") / "ann"
    return train_ann("digits", "workstation", model="mlp", overrides=HIDDEN, epochs=3, seed=1, out=out)


@pytest.mark.parametrize("neuron", ["lapicque", "leaky"])
def test_transferred_snn_fires_and_classifies(ann_run, neuron):
    # lr ~ 0: the one training epoch cannot move the weights, so the activity is the transferred net's
    result = train(
        "digits", "workstation", model="mlp", overrides={**HIDDEN, "neuron": neuron, "lr": 1e-12}, epochs=1,
        seed=1, progress=False, transfer_from=ann_run.out,
    )  # fmt: skip
    m = result.metrics
    rates = m["activity"]["firing_rates"]
    hidden = [v for k, v in rates.items() if "acts_0" in k]
    assert hidden and hidden[0] > 0.02, rates  # was ~0.0004 for Lapicque before the gain
    assert m["ann_test_acc"] > 0.7
    assert m["transfer_test_acc"] > 0.5, m["transfer_test_acc"]  # 10 classes: chance 0.1; measured 0.75
    assert m["transfer_drop_pp"] < 20
