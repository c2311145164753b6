"""The simulator's neuron maths equals snnTorch's, spike for spike, under the documented mappings.

Graphs are written by hand with LIF: tau = dt/(1-beta), r = 1/(1-beta); CubaLIF: tau_syn =
dt/(1-alpha), w_in = 1/(1-alpha), tau_mem = dt/(1-beta), r = 1/(1-beta); RLeaky's recurrent
Linear as an Affine that closes a cycle inside a sub-graph.
"""

import nir
import numpy as np
import pytest
import torch

snn = pytest.importorskip("snntorch")

from edgesnn.nir.simulator import simulate  # noqa: E402

T, B, N_IN, N_HID, N_OUT = 25, 8, 12, 20, 5
DT = 1e-3


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def _linear(n_in, n_out, rng):
    lin = torch.nn.Linear(n_in, n_out).double()
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(rng.normal(0, 0.8, (n_out, n_in))))
        lin.bias.copy_(torch.from_numpy(rng.normal(0, 0.2, n_out)))
    return lin


def _affine(lin):
    return nir.Affine(weight=lin.weight.detach().numpy().copy(), bias=lin.bias.detach().numpy().copy())


def _lif(beta, thr):
    return nir.LIF(
        tau=DT / (1 - beta), r=1 / (1 - beta), v_leak=np.zeros_like(beta), v_threshold=thr, v_reset=np.zeros_like(thr)
    )


def _cuba(alpha, beta, thr):
    return nir.CubaLIF(
        tau_syn=DT / (1 - alpha), tau_mem=DT / (1 - beta), r=1 / (1 - beta), v_leak=np.zeros_like(beta),
        v_threshold=thr, v_reset=np.zeros_like(thr), w_in=1 / (1 - alpha),
    )  # fmt: skip


def _graph(nodes, edges):
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata={"dt": DT, "reset": "zero"})


def _spikes_in(rng):
    return (rng.random((T, B, N_IN)) < 0.4).astype(np.float32)


def _run_torch(layers, x):
    """Step snnTorch neurons (init_hidden=False) with a plain loop; return both layers' spikes."""
    fc1, lif1, fc2, lif2 = layers
    states = [None, None]
    s1, s2 = [], []
    with torch.no_grad():
        for t in range(T):
            xt = torch.from_numpy(x[t]).double()
            out1 = lif1(fc1(xt), *(states[0] or ()))
            spk1, states[0] = out1[0], tuple(out1[1:])
            out2 = lif2(fc2(spk1.double()), *(states[1] or ()))
            spk2, states[1] = out2[0], tuple(out2[1:])
            s1.append(spk1.numpy())
            s2.append(spk2.numpy())
    return np.stack(s1), np.stack(s2)


def test_leaky_mlp_matches_snntorch(rng):
    beta1, beta2 = rng.uniform(0.5, 0.95, N_HID), rng.uniform(0.5, 0.95, N_OUT)
    thr1, thr2 = np.full(N_HID, 1.0), np.full(N_OUT, 0.7)
    fc1, fc2 = _linear(N_IN, N_HID, rng), _linear(N_HID, N_OUT, rng)
    mk = dict(reset_mechanism="zero", reset_delay=False)
    lif1 = snn.Leaky(beta=torch.from_numpy(beta1), threshold=1.0, **mk).double()
    lif2 = snn.Leaky(beta=torch.from_numpy(beta2), threshold=0.7, **mk).double()
    x = _spikes_in(rng)
    ref1, ref2 = _run_torch((fc1, lif1, fc2, lif2), x)

    graph = _graph(
        {"input": nir.Input(np.array([N_IN])), "fc1": _affine(fc1), "lif1": _lif(beta1, thr1),
         "fc2": _affine(fc2), "lif2": _lif(beta2, thr2), "output": nir.Output(np.array([N_OUT]))},
        [("input", "fc1"), ("fc1", "lif1"), ("lif1", "fc2"), ("fc2", "lif2"), ("lif2", "output")],
    )  # fmt: skip
    res = simulate(graph, x, record=True)
    assert ref1.sum() > 0.05 * ref1.size and ref2.sum() > 0  # a real test: both layers spike
    np.testing.assert_array_equal(res.records["lif1"], ref1)
    np.testing.assert_array_equal(res.output, ref2)


@pytest.mark.parametrize("reset", ["zero", "none"])
def test_synaptic_mlp_matches_snntorch(rng, reset):
    """CubaLIF equals snnTorch's Synaptic spike for spike, with reset to zero and with no reset."""
    a1, b1 = rng.uniform(0.3, 0.9, N_HID), rng.uniform(0.5, 0.95, N_HID)
    a2, b2 = rng.uniform(0.3, 0.9, N_OUT), rng.uniform(0.5, 0.95, N_OUT)
    fc1, fc2 = _linear(N_IN, N_HID, rng), _linear(N_HID, N_OUT, rng)
    mk = dict(reset_mechanism=reset, reset_delay=False, threshold=1.0)
    syn1 = snn.Synaptic(alpha=torch.from_numpy(a1), beta=torch.from_numpy(b1), **mk).double()
    syn2 = snn.Synaptic(alpha=torch.from_numpy(a2), beta=torch.from_numpy(b2), **mk).double()
    x = _spikes_in(rng)
    ref1, ref2 = _run_torch((fc1, syn1, fc2, syn2), x)

    graph = _graph(
        {"input": nir.Input(np.array([N_IN])), "fc1": _affine(fc1), "syn1": _cuba(a1, b1, np.ones(N_HID)),
         "fc2": _affine(fc2), "syn2": _cuba(a2, b2, np.ones(N_OUT)), "output": nir.Output(np.array([N_OUT]))},
        [("input", "fc1"), ("fc1", "syn1"), ("syn1", "fc2"), ("fc2", "syn2"), ("syn2", "output")],
    )  # fmt: skip
    res = simulate(graph, x, reset=None if reset == "zero" else reset, record=True)
    if reset == "zero":
        assert ref1.sum() > 0.05 * ref1.size and ref2.sum() > 0
    else:
        assert 0 < ref1.sum() < ref1.size
    np.testing.assert_array_equal(res.records["syn1"], ref1)
    np.testing.assert_array_equal(res.output, ref2)


def test_rleaky_matches_snntorch(rng):
    beta = rng.uniform(0.5, 0.95, N_HID)
    fc1 = _linear(N_IN, N_HID, rng)
    rlif = snn.RLeaky(
        beta=torch.from_numpy(beta), threshold=1.0, linear_features=N_HID, all_to_all=True,
        reset_mechanism="zero", reset_delay=False,
    ).double()  # fmt: skip
    with torch.no_grad():
        rlif.recurrent.weight.copy_(torch.from_numpy(rng.normal(0, 0.6, (N_HID, N_HID))))
        rlif.recurrent.bias.copy_(torch.from_numpy(rng.normal(0, 0.3, N_HID)))
    x = _spikes_in(rng)
    spk, mem = rlif.init_rleaky()
    ref = []
    with torch.no_grad():
        for t in range(T):
            spk, mem = rlif(fc1(torch.from_numpy(x[t]).double()), spk.double(), mem)
            ref.append(spk.numpy())
    ref = np.stack(ref)

    rnn = nir.NIRGraph(
        nodes={"input": nir.Input(np.array([N_HID])), "lif": _lif(beta, np.ones(N_HID)),
               "w_rec": _affine(rlif.recurrent), "output": nir.Output(np.array([N_HID]))},
        edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
    )  # fmt: skip
    graph = _graph(
        {
            "input": nir.Input(np.array([N_IN])),
            "fc1": _affine(fc1),
            "rnn": rnn,
            "output": nir.Output(np.array([N_HID])),
        },
        [("input", "fc1"), ("fc1", "rnn"), ("rnn", "output")],
    )
    res = simulate(graph, x, record=True)
    assert 0.05 * ref.size < ref.sum() < 0.95 * ref.size
    assert set(res.records) == {"rnn/lif"}
    np.testing.assert_array_equal(res.output, ref)
