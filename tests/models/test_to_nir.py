"""torch (snnTorch zoo) → NIR → reference simulator: identical spikes (reset to zero)."""

import nir
import numpy as np
import pytest
import snntorch as snn
import torch

from edgesnn.errors import UnsupportedPrimitiveError, UsageError
from edgesnn.models import build, resolve, run_snn
from edgesnn.models.to_nir import to_nir
from edgesnn.nir import simulate

ZOO = [
    ("mlp", (1, 8, 8), {}),
    ("mlp", (64,), {"skip": "concat", "hidden": [32, 32]}),
    ("mlp", (64,), {"skip": "add", "hidden": [64, 64]}),
    ("cnn2d", (1, 8, 8), {}),
    ("cnn2d", (1, 8, 8), {"pool": "sum"}),
    ("cnn1d", (30,), {}),
    ("cnn1d", (30,), {"pool": "sum"}),
    ("rnn", (13,), {}),
    ("fusion", (1, 8, 8), {}),
    ("fusion", (13,), {}),
    ("mlp", (13,), {"neuron": "synaptic"}),
    ("mlp", (13,), {"neuron": "lapicque"}),
]


def _spiky(model, gain=3.0):
    """Scale weights up so every layer spikes on random input (a stronger test than silence)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (torch.nn.Linear, torch.nn.Conv1d, torch.nn.Conv2d)):
                m.weight.mul_(gain)
    return model


@pytest.mark.parametrize("family,shape,over", ZOO, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(ZOO)])
def test_zoo_model_matches_reference_simulator(family, shape, over):
    gain = 15.0 if over.get("neuron") == "lapicque" else 3.0  # Lapicque's input gain is ln(1/β)
    model = _spiky(build(resolve(family, over), shape, 4, seed=0), gain).eval()
    x = (torch.rand(20, 6, *model.input_shape, generator=torch.Generator().manual_seed(1)) < 0.4).float()
    with torch.no_grad():
        expected = run_snn(model, x).numpy()
    graph = to_nir(model, dt=1e-3, metadata={"timesteps": 20})
    got = simulate(graph, x.numpy()).output
    assert expected.sum() > 0, "test input must make the output layer spike"
    np.testing.assert_array_equal(got, expected)


def test_metadata_carries_dt_and_reset_and_per_neuron_params():
    model = build(resolve("mlp", {"beta": 0.8}), (13,), 3, seed=0)
    g = to_nir(model, dt=5e-4, metadata={"encoder": "rate", "timesteps": 10})
    assert g.metadata["dt"] == 5e-4 and g.metadata["reset"] == "zero" and g.metadata["encoder"] == "rate"
    lif = next(n for n in g.nodes.values() if isinstance(n, nir.LIF))
    # tau = dt / (1 - beta), r = 1 / (1 - beta): one value per neuron
    np.testing.assert_allclose(lif.tau, np.full(128, 5e-4 / 0.2), rtol=1e-6)
    np.testing.assert_allclose(lif.r, np.full(128, 5.0), rtol=1e-6)
    assert lif.metadata["reset"] == "zero"


def test_mapping_back_gives_beta():
    """β = 1 − dt/τ recovers the trained decay for any dt."""
    for dt in (1e-4, 1e-3):
        g = to_nir(build(resolve("mlp", {"beta": 0.93}), (13,), 3), dt=dt)
        lif = next(n for n in g.nodes.values() if isinstance(n, nir.LIF))
        np.testing.assert_allclose(1 - dt / lif.tau, 0.93, rtol=1e-5)


def test_subtract_reset_documented_difference():
    """snnTorch's same-step subtract reset re-checks the post-reset membrane at the next step
    (reset = H(v[t-1] − θ)); the simulator subtracts once per spike. They agree while the
    membrane never exceeds 2θ, and can differ when it does — the documented difference."""
    model = build(resolve("mlp", {"reset": "subtract", "hidden": [16]}), (8,), 2, seed=0).eval()
    g = to_nir(model, dt=1e-3)
    assert g.metadata["reset"] == "subtract"
    weak = torch.full((15, 3, 8), 0.05)
    with torch.no_grad():
        np.testing.assert_array_equal(simulate(g, weak.numpy()).output, run_snn(model, weak).numpy())
    _spiky(_spiky(model))
    strong = torch.ones(15, 3, 8) * 3
    g2 = to_nir(model, dt=1e-3)
    with torch.no_grad():
        ref, tor = simulate(g2, strong.numpy()).output, run_snn(model, strong).numpy()
    assert ref.shape == tor.shape  # may differ in spikes; recorded, not asserted equal


def test_max_pool_is_refused_never_dropped():
    model = build(resolve("cnn2d", {"pool": "max"}), (1, 8, 8), 3)
    with pytest.raises(UnsupportedPrimitiveError, match="MaxPool2d"):
        to_nir(model, dt=1e-3)


def test_user_module_with_snntorch_defaults_is_refused_clearly():
    class Mine(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(4, 2)
            self.lif = snn.Leaky(beta=torch.full((2,), 0.9), init_hidden=True)  # reset_delay=True default

        def forward(self, x):
            return self.lif(self.fc(x))

    with pytest.raises(UsageError, match="reset_delay"):
        to_nir(Mine(), dt=1e-3, input_shape=(4,))


def test_user_module_converts():
    class Mine(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(4, 3)
            self.lif = snn.Leaky(
                beta=torch.full((3,), 0.9), init_hidden=True, reset_mechanism="zero", reset_delay=False
            )

        def forward(self, x):
            return self.lif(self.fc(x))

    m = Mine()
    with torch.no_grad():
        m.fc.weight.mul_(4)
    x = torch.rand(10, 2, 4)
    g = to_nir(m, dt=1e-3, input_shape=(4,))
    from edgesnn.models import run_snn as run

    with torch.no_grad():
        np.testing.assert_array_equal(simulate(g, x.numpy()).output, run(m, x).numpy())


def test_dt_must_be_positive():
    with pytest.raises(UsageError):
        to_nir(build(resolve("mlp", {}), (4,), 2), dt=0)


def test_1d_cnn_graph_survives_write_and_read(tmp_path):
    """NIR infers a grouped conv's input channels wrongly; reading our 1-D pooling back must work."""
    from edgesnn.nir import read_graph, write_graph

    model = build(resolve("cnn1d", {}), (30,), 3, seed=0)
    graph = to_nir(model, dt=1e-3)
    write_graph(graph, tmp_path / "m.nir")
    again = read_graph(tmp_path / "m.nir")
    x = (np.random.default_rng(0).random((6, 2, 1, 30)) < 0.5).astype(np.float32)
    np.testing.assert_array_equal(simulate(again, x).output, simulate(graph, x).output)
    assert "edgesnn_repaired" not in again.metadata
