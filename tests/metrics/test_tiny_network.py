"""A 3 -> 2 -> 2 network with hand-written spike trains: every figure computed by hand.

Input x (T=4):  [1,0,1] [0,1,0] [1,1,1] [0,0,0]     fanout W1 = [2, 1, 2]
Hidden (CubaLIF): [0,1] [1,0] [1,1] [0,0]           fanout W2 = [1, 2]
Output (LIF):     [0,0] [0,1] [1,0] [0,1]

SynOps W1 = (2+2) + 1 + (2+1+2) + 0 = 10;  SynOps W2 = 2 + 1 + (1+2) + 0 = 6;  total 16
Neuron updates = (2 + 2) neurons x 4 steps = 16;  spikes = 4 + 3 = 7
Rates: hidden 4 / (2*4) = 0.5; output 3 / 8 = 0.375; mean 7 / 16 = 0.4375
Loihi (Davies 2018): 16 * 23.6 + 16 * 52 + 7 * 1.7 = 377.6 + 832 + 11.9 = 1221.5 pJ
ANN twin: 6 + 4 = 10 MACs * 0.23 pJ (int8, Horowitz) = 2.3 pJ
"""

import numpy as np
import pytest

from edgesnn.errors import DataError, ShapeError
from edgesnn.metrics import count_params, dense_macs, firing_rates, measure, param_bytes, state_bytes, synops
from edgesnn.metrics.params import activation_bytes


def test_synops_neuron_updates_spikes(tiny_graph, tiny_run):
    x, rec = tiny_run
    res = synops(tiny_graph, x, rec)
    assert res.layers["affine"].synops == 10
    assert res.layers["affine_1"].synops == 6
    assert res.total == 16
    assert res.neuron_updates == {"cubalif": 8, "lif": 8}
    assert res.neuron_updates_total == 16
    assert res.layers["affine"].sources == ("input",)
    assert res.layers["affine_1"].sources == ("cubalif",)
    assert res.layers["affine"].counting == "spikes"
    assert not res.layers["affine_1"].recurrent
    # capacity: every source fires every step -> T * sum(fanout)
    assert res.layers["affine"].capacity_input == 4 * 5
    assert res.layers["affine_1"].capacity_hidden == 4 * 3


def test_firing_rates(tiny_graph, tiny_run):
    _, rec = tiny_run
    act = firing_rates(rec, tiny_graph)
    assert act.layers["cubalif"].spikes == 4
    assert act.layers["lif"].spikes == 3
    assert act.layers["cubalif"].rate == 0.5
    assert act.layers["lif"].rate == 0.375
    assert act.mean_rate == pytest.approx(7 / 16)
    assert act.spikes == 7


def test_batch_is_averaged(tiny_graph, tiny_run):
    """A second, silent sample halves every activity figure but not the neuron updates."""
    x, rec = tiny_run
    x2 = np.concatenate([x, np.zeros_like(x)], axis=1)
    rec2 = {k: np.concatenate([v, np.zeros_like(v)], axis=1) for k, v in rec.items()}
    res = synops(tiny_graph, x2, rec2)
    assert res.total == 8
    assert res.neuron_updates_total == 16
    assert firing_rates(rec2, tiny_graph).mean_rate == pytest.approx(7 / 32)


def test_energy_on_loihi2_table(tiny_graph, tiny_run, loihi2):
    x, rec = tiny_run
    rep = measure(tiny_graph, x, rec, loihi2)
    assert rep.energy_uj == pytest.approx((16 * 23.6 + 16 * 52.0 + 7 * 1.7) * 1e-6, rel=1e-12)
    assert rep.energy_components_uj["synops"] == pytest.approx(16 * 23.6e-6)
    # per layer: synaptic layers carry SynOps, neuron layers updates + spikes
    assert rep.energy_uj_layers["affine"] == pytest.approx(10 * 23.6e-6)
    assert rep.energy_uj_layers["lif"] == pytest.approx((8 * 52.0 + 3 * 1.7) * 1e-6)
    assert sum(rep.energy_uj_layers.values()) == pytest.approx(rep.energy_uj)
    assert rep.ann_macs_total == 10
    assert rep.ann_energy_uj == pytest.approx(10 * 0.23e-6)
    assert rep.input_rate == pytest.approx(6 / 12)
    assert rep.energy_tables["snn"]["table"] == "loihi-davies2018"
    assert "Dampfhoffer" in rep.energy_tables["caveat"]
    # the ANN twin is far cheaper on this table: the SNN never breaks even
    assert rep.break_even_rate < 0
    assert any("even when silent" in n for n in rep.notes)


def test_params_and_memory(tiny_graph, loihi2):
    counts = count_params(tiny_graph)
    assert counts["layers"]["affine"] == {"type": "Affine", "weights": 6, "biases": 2, "total": 8}
    assert counts["total"] == 6 + 2 + 4 + 2
    # CubaLIF: tau_syn, tau_mem, r, v_leak, v_threshold, v_reset, w_in; LIF: tau, r, v_leak, v_threshold, v_reset
    assert counts["neuron_params"] == 7 * 2 + 5 * 2
    assert param_bytes(tiny_graph, 8) == 14
    assert param_bytes(tiny_graph, 32) == 56
    # CubaLIF has two state variables (i, v), LIF one: (2*2 + 2*1) * 24 bits = 18 bytes
    assert state_bytes(tiny_graph, 24) == 18
    assert activation_bytes(tiny_graph, 32) == 3 * 4  # the input (3 values) is the largest tensor
    assert dense_macs(tiny_graph) == {"affine": 6, "affine_1": 4}


def test_graded_input_counts_nonzero_and_reports_dense_macs(tiny_graph, tiny_run, loihi2):
    x, rec = tiny_run
    graded = x * 0.37  # same non-zero pattern, non-binary values
    rep = measure(tiny_graph, graded, rec, loihi2)
    assert rep.synops["affine"] == 10
    assert rep.synops_counting["affine"] == "nonzero"
    assert rep.dense_macs["affine"] == 6 * 4
    assert any("not binary" in n for n in rep.notes)


def test_missing_record_is_a_data_error(tiny_graph, tiny_run):
    x, rec = tiny_run
    with pytest.raises(DataError, match="lif"):
        synops(tiny_graph, x, {"cubalif": rec["cubalif"]})


def test_mismatched_time_is_a_shape_error(tiny_graph, tiny_run):
    x, rec = tiny_run
    with pytest.raises(ShapeError):
        synops(tiny_graph, x[:3], rec)


def test_batch_chunks_add_up(tiny_graph, tiny_run, monkeypatch):
    """Large runs are processed a few samples at a time; the totals do not depend on the chunking."""
    import sys

    x, rec = tiny_run
    rng = np.random.default_rng(0)
    x5 = (rng.random((4, 5, 3)) < 0.5).astype(np.float32)
    rec5 = {k: (rng.random((4, 5, 2)) < 0.5).astype(np.float32) for k in rec}
    whole = synops(tiny_graph, x5, rec5)
    monkeypatch.setattr(sys.modules["edgesnn.metrics.synops"], "_CHUNK_ELEMENTS", 1)
    chunked = synops(tiny_graph, x5, rec5)
    assert chunked.total == pytest.approx(whole.total)
    for name, layer in whole.layers.items():
        assert chunked.layers[name].synops_from_input == pytest.approx(layer.synops_from_input)
        assert chunked.layers[name].input_events == pytest.approx(layer.input_events)


def test_empty_run_is_a_data_error(tiny_graph, tiny_run):
    x, rec = tiny_run
    with pytest.raises(DataError, match="no steps or no samples"):
        synops(tiny_graph, x[:, :0], {k: v[:, :0] for k, v in rec.items()})
