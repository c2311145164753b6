"""The like-for-like energy model: counts priced on devices with memory, worked by hand."""

from __future__ import annotations

import pytest

from edgesnn.config.device import Device
from edgesnn.config.loader import load_device, validate
from edgesnn.errors import ConfigError
from edgesnn.metrics.like_for_like import Counts, ann_cost, break_even_rate, snn_cost

SRAM = {
    "name": "sram-chip",
    "kind": "accelerator",
    "covers": "adds, MACs and SRAM accesses",
    "omits": "DRAM, static power",
    "bits": 8,
    "word_bits": 64,
    "constants": {
        "e_synop_pj": {"value": 0.03, "source": "Horowitz 2014 int8 add"},
        "e_neuron_update_pj": {"value": 0.23, "source": "Horowitz 2014 int8 mult + add"},
        "e_spike_pj": {"value": 0.0, "source": "events are priced as memory"},
        "e_mac_pj": {"value": 0.23, "source": "Horowitz 2014 int8 mult + add"},
    },
    "memory": [
        {"max_bytes": 8192, "read_pj": 10.0, "write_pj": 10.0, "source": "Horowitz 8 KB"},
        {"max_bytes": 32768, "read_pj": 20.0, "write_pj": 20.0, "source": "Horowitz 32 KB"},
    ],
}


def device(**over) -> Device:
    return validate(Device, {**SRAM, **over}, where="test device")


def counts(passes: int = 1) -> Counts:
    """An 8-input, 16-hidden, 2-output MLP over T = 10 steps."""
    return Counts(
        synops={"fc1": 400.0, "fc2": 96.0},
        input_fed={"fc1": True, "fc2": False},
        capacity={"fc1": 0.0, "fc2": 16 * 2 * 10},
        weight_bytes={"fc1": 144.0, "fc2": 34.0},
        weights={"fc1": 144, "fc2": 34},
        macs={"fc1": 128.0, "fc2": 32.0},
        outputs={"fc1": 16.0, "fc2": 2.0},
        neurons={"lif1": 16, "lif2": 2},
        state_vars={"lif1": 1, "lif2": 2},
        updates={"lif1": 160.0, "lif2": 20.0},
        spikes={"lif1": 48.0, "lif2": 3.0},
        input_events=50.0,
        timesteps=10,
        passes=passes,
    )


def test_snn_cost_by_hand():
    d, c = device(), counts()
    cost = snn_cost(c, d, weight_bits=8, state_bits=16)
    # compute: SynOps·0.03 + updates·0.23 (spikes cost 0 here)
    assert cost.compute_uj * 1e6 == pytest.approx(496 * 0.03 + 180 * 0.23)
    # memory: a weight read per SynOp (8 KB level: 10 pJ per 64-bit access, 8 bits = 1/8 access),
    # state read+write per update and state variable (16 bits = 1/4 access), an event written
    # and read per spike and input event (32 bits = 1/2 access)
    weights = 496 * 10 / 8
    state = 160 * 1 * 2 * 10 / 4 + 20 * 2 * 2 * 10 / 4
    events = (48 + 3 + 50) * 2 * 10 / 2
    assert cost.memory_uj * 1e6 == pytest.approx(weights + state + events)
    assert cost.total_uj == pytest.approx(cost.compute_uj + cost.memory_uj)
    assert sum(cost.layers_uj.values()) * 1e6 == pytest.approx(cost.total_uj * 1e6 - 50 * 10)  # input events: no layer
    assert cost.counts == {"synops": 496, "weight_reads": 496, "state_accesses": 2 * (160 + 40), "events": 101}


def test_ann_cost_by_hand_and_passes():
    d = device()
    one = ann_cost(counts(), d)
    assert one.compute_uj * 1e6 == pytest.approx(160 * 0.23)
    # per MAC a weight and an activation read (8 bits: 1/8 of a 10 pJ access), per output one write
    assert one.memory_uj * 1e6 == pytest.approx(160 * 2 * 10 / 8 + 18 * 10 / 8)
    ten = ann_cost(counts(passes=10), d)
    assert ten.total_uj == pytest.approx(10 * one.total_uj)


def test_a_device_with_memory_in_its_op_costs_prices_no_access():
    d = device(memory_included=True, memory=[])
    cost = snn_cost(counts(), d, weight_bits=8, state_bits=16)
    assert cost.memory_uj == 0 and cost.compute_uj > 0


def test_break_even_rate_is_where_the_linear_model_meets_the_ann():
    d, c = device(), counts()
    ann_uj = ann_cost(c, d).total_uj
    r = break_even_rate(c, d, 8, 16, ann_uj)
    # rebuild E_snn(r) from the module docstring's F + r·G and check it equals the ANN at r*
    event = 2 * 10 / 2
    fixed = 160 * (0.23 + 2 * 10 / 4) + 20 * (0.23 + 2 * 2 * 10 / 4) + 50 * event + 400 * (0.03 + 10 / 8)
    slope = (16 + 2) * 10 * event + 320 * (0.03 + 10 / 8)
    assert r == pytest.approx((ann_uj * 1e6 - fixed) / slope)
    assert fixed + r * slope == pytest.approx(ann_uj * 1e6)


def test_memory_level_by_size():
    d = device()
    assert d.access_pj(100, 64) == 10 and d.access_pj(10_000, 64) == 20 and d.access_pj(10**9, 64) == 20
    assert d.access_pj(100, 8) == pytest.approx(10 / 8)


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"constants": {"e_mac_pj": {"value": -1, "source": "x" * 5}}}, "greater than or equal to 0"),
        ({"constants": {"e_mac_pj": {"value": "lots", "source": "x" * 5}}}, "valid number"),
        ({"memory": []}, "memory is not priced"),
        ({"memory": list(reversed(SRAM["memory"]))}, "increasing max_bytes"),
        ({"speed": 3}, "unknown key 'speed'"),
    ],
)
def test_bad_device_tables_are_one_line_config_errors(over, message):
    with pytest.raises(ConfigError, match=message) as err:
        device(**over)
    assert "\n" not in str(err.value)


def test_a_missing_constant_names_the_device_and_the_key():
    d = device(constants={"e_mac_pj": {"value": 0.2, "source": "Horowitz"}})
    with pytest.raises(ConfigError, match="device 'sram-chip' has no constant 'e_synop_pj'"):
        snn_cost(counts(), d, 8, 16)


def test_an_unknown_device_in_a_target_file_is_named(tmp_path):
    import yaml

    from edgesnn.config import load_target
    from edgesnn.config.loader import _data_dir

    raw = yaml.safe_load((_data_dir("targets") / "onnx.yaml").read_text())
    raw["ann_baseline"] = "cortx-m4"
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match=r"ann_baseline: unknown device 'cortx-m4' \(did you mean 'cortex-m4'\?\)"):
        load_target(str(path))


def test_builtin_devices_cite_a_source_for_every_constant():
    from edgesnn.config.loader import builtin_names

    names = builtin_names("devices")
    assert {"loihi", "loihi2", "cortex-m4", "horowitz-45nm-int8", "horowitz-45nm-fp32"} <= set(names)
    for name in names:
        d = load_device(name)
        assert d.covers and d.omits and all(len(c.source) > 20 for c in d.constants.values())
    assert "no primary source publishes" in load_device("loihi2").description  # says it borrows Loihi's figures
