import pytest

from edgesnn.config import check_profile, list_profiles, list_targets, load_profile, load_target
from edgesnn.errors import ConfigError, UsageError


def test_builtins_load_and_cite_every_constant():
    names = {p.name for p in list_profiles()}
    assert {"wearable", "always-on-audio", "implant"} <= names
    targets = {t.name: t for t in list_targets()}
    assert {"loihi2", "lava-float", "onnx-cpu", "cortex-m"} <= set(targets)
    for t in targets.values():
        for table in filter(None, (t.energy, t.ann_energy)):
            for key, const in table.constants.items():
                assert key.endswith("_pj") and len(const.source) > 10
    assert targets["loihi2"].energy.pj("e_synop_pj") == 23.6
    assert targets["cortex-m"].numerics.weight_bits == 8 and targets["cortex-m"].max_memory_bytes == 262144


def test_profile_from_path_and_unknown_name(tmp_path):
    p = tmp_path / "mine.yaml"
    p.write_text("dt_s: 0.002\nlimits: {max_timesteps: 10}\n")
    prof = load_profile(str(p))
    assert prof.name == "mine" and prof.default_timesteps == 10
    with pytest.raises(UsageError, match="did you mean 'wearable'"):
        load_profile("wearabel")


def test_typos_and_bad_values_reported_at_once(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("dt_s: 0.001\nlimits:\n  max_timestep: 10\n  max_energy_uj: -1\n  max_param_bytes: lots\n")
    with pytest.raises(ConfigError) as err:
        load_profile(str(p))
    msg = str(err.value)
    assert "did you mean 'max_timesteps'" in msg and "max_energy_uj" in msg and "max_param_bytes" in msg
    assert "\n" not in msg


def test_missing_and_non_yaml_files(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        load_profile(str(tmp_path / "nope.yaml"))
    bad = tmp_path / "x.yaml"
    bad.write_text("[1, 2")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_target(str(bad))


def test_missing_energy_constant_is_named():
    t = load_target("loihi2")
    with pytest.raises(ConfigError, match="e_mac_pj"):
        t.energy.pj("e_mac_pj")


def test_checks_slack_signs():
    prof = load_profile("implant")
    checks = {c.name: c for c in check_profile(prof, {"timesteps": 21, "mean_firing_rate": 0.0, "param_bytes": 100})}
    assert checks["max_timesteps"].slack == 5 and not checks["max_timesteps"].ok
    assert "--set timesteps=16" in checks["max_timesteps"].note
    assert checks["min_mean_firing_rate"].slack == pytest.approx(0.0005) and not checks["min_mean_firing_rate"].ok
    assert checks["max_param_bytes"].ok and checks["max_param_bytes"].slack < 0
    assert "max_energy_uj" not in checks  # a metric not given is not checked


def test_check_direction_is_a_field_and_one_record_serves_the_tuner():
    from edgesnn.config import Check

    rebuilt = Check("min_mean_firing_rate", 0.0, 0.001)  # as ``edgesnn evaluate`` rebuilds a report row
    assert rebuilt.is_max is False and rebuilt.slack == pytest.approx(0.001) and not rebuilt.ok
    assert rebuilt.to_dict() == {
        "name": "min_mean_firing_rate",
        "value": 0.0,
        "limit": 0.001,
        "note": "",
        "slack": 0.001,
        "ok": False,
    }
    with pytest.raises(ValueError, match="is_max"):
        Check("energy_floor_uj", 1.0, 0.5)  # not a profile limit: its direction must be given
    floor = Check("energy_floor_uj", 1.0, 0.5, is_max=True, stage="static")
    assert floor.slack == 0.5 and floor.scaled == 1.0
    assert floor.to_dict() == {
        "name": "energy_floor_uj",
        "value": 1.0,
        "limit": 0.5,
        "slack": 0.5,
        "stage": "static",
        "ok": False,
    }


def test_latency_budget_is_a_timestep_budget_in_time_units(tmp_path):
    """wearable states its budget as latency: 10 s at dt 100 ms = 100 steps; the check says so."""
    prof = load_profile("wearable")
    assert prof.step_budget == 100 and prof.default_timesteps == 25  # static inputs keep 25 steps
    ok = {c.name: c for c in check_profile(prof, {"timesteps": 100})}["max_latency_ms"]
    assert ok.ok and ok.value == pytest.approx(10000) and "100 steps × 100 ms" in ok.note
    over = {c.name: c for c in check_profile(prof, {"timesteps": 120})}["max_latency_ms"]
    assert not over.ok and over.slack == pytest.approx(2000) and "--set timesteps=100" in over.note
    both = tmp_path / "both.yaml"
    both.write_text("dt_s: 0.01\nlimits: {max_timesteps: 80, max_latency_ms: 500}\n")
    assert load_profile(both).step_budget == 50  # the tighter of the two
    bad = tmp_path / "bad.yaml"
    bad.write_text("dt_s: 0.01\nlimits: {max_latency_ms: 5}\n")
    with pytest.raises(ConfigError, match="shorter than one step"):
        load_profile(bad)
