"""Energy model: missing constants, the break-even rate, and the rate model against a measured run."""

import numpy as np
import pytest

from edgesnn.config.schema import EnergyConstant, EnergyTable
from edgesnn.errors import ConfigError, UsageError
from edgesnn.metrics import RateModel, ann_energy, break_even_rate, measure, snn_energy, synops
from edgesnn.metrics.energy import PJ_PER_UJ


def table(name="test-table", **pj) -> EnergyTable:
    consts = {k: EnergyConstant(value=v, source="hand-made for a test") for k, v in pj.items()}
    return EnergyTable(table=name, covers="test", omits="everything else", constants=consts)


def test_missing_constant_names_key_and_table():
    t = table("half-table", e_synop_pj=1.0, e_neuron_update_pj=2.0)
    with pytest.raises(ConfigError, match=r"half-table.*e_spike_pj"):
        snn_energy({"a": 1.0}, {"n": 1}, {"n": 1.0}, t)
    with pytest.raises(ConfigError, match=r"half-table.*e_mac_pj"):
        ann_energy({"a": 10}, t)


def test_missing_constant_in_target_fails_measure(tiny_graph, tiny_run, loihi2):
    x, rec = tiny_run
    broken = loihi2.model_copy(update={"energy": table("no-spikes", e_synop_pj=1.0, e_neuron_update_pj=1.0)})
    with pytest.raises(ConfigError, match=r"no-spikes.*e_spike_pj"):
        measure(tiny_graph, x, rec, broken)


@pytest.mark.parametrize("first_layer", ["measured", "same"])
def test_break_even_rate_equalises_energies(tiny_graph, tiny_run, loihi2, first_layer):
    x, rec = tiny_run
    cheap_snn = table(e_synop_pj=0.9, e_neuron_update_pj=0.5, e_spike_pj=0.2)
    costly_ann = table(e_mac_pj=2.0)
    target = loihi2.model_copy(update={"energy": cheap_snn, "ann_energy": costly_ann})
    rep = measure(tiny_graph, x, rec, target, first_layer=first_layer)
    r = rep.break_even_rate
    assert 0 < r < 1
    res = synops(tiny_graph, x, rec)
    model = RateModel.from_table(
        cheap_snn,
        input_synops=10.0,
        input_capacity=20.0,
        hidden_capacity=12.0,
        neuron_updates=16,
        spiking_neurons=4,
        timesteps=4,
        first_layer=first_layer,
    )
    assert res.layers["affine"].synops_from_input == 10.0
    e_ann = rep.ann_energy_uj * PJ_PER_UJ
    assert e_ann == pytest.approx(10 * 2.0)
    assert model.energy_pj(r) == pytest.approx(e_ann, rel=1e-9)
    # by hand, first layer measured: 0.9*(10 + 12 r) + 0.5*16 + 0.2*r*4*4 = 20 -> r = 3/14
    if first_layer == "measured":
        assert r == pytest.approx(3 / 14, rel=1e-12)
    else:
        assert r == pytest.approx((20 - 8) / (0.9 * 32 + 0.2 * 16), rel=1e-12)  # 0.375
    assert (
        break_even_rate(
            cheap_snn,
            e_ann,
            input_synops=10.0,
            input_capacity=20.0,
            hidden_capacity=12.0,
            neuron_updates=16,
            spiking_neurons=4,
            timesteps=4,
            first_layer=first_layer,
        )
        == r
    )


def test_rate_model_matches_a_uniform_run(tiny_graph, loihi2):
    """When every neuron fires at exactly r, the rate model equals the measured energy."""
    steps = 4
    x = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 1], [0, 0, 0]], dtype=np.float32)[:, None]
    half = np.array([[1, 0], [0, 1], [1, 0], [0, 1]], dtype=np.float32)[:, None]  # every neuron r = 0.5
    rep = measure(tiny_graph, x, {"cubalif": half, "lif": half[::-1].copy()}, loihi2)
    model = RateModel.from_table(
        loihi2.energy,
        input_synops=10.0,
        input_capacity=20.0,
        hidden_capacity=12.0,
        neuron_updates=16,
        spiking_neurons=4,
        timesteps=steps,
    )
    assert rep.mean_firing_rate == 0.5
    assert model.energy_pj(0.5) == pytest.approx(rep.energy_uj * PJ_PER_UJ, rel=1e-12)


def test_bad_first_layer_mode():
    with pytest.raises(UsageError, match="first_layer"):
        RateModel(1, 1, 1, 0, 0, 0, 0, 0, 1, first_layer="guess")


def test_no_ann_table_skips_comparison(tiny_graph, tiny_run, loihi2):
    x, rec = tiny_run
    rep = measure(tiny_graph, x, rec, loihi2.model_copy(update={"ann_energy": None}))
    assert rep.ann_energy_uj is None and rep.break_even_rate is None
    assert any("no ann_energy" in n for n in rep.notes)
