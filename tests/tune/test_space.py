"""Search spaces: NNI's JSON format parsed once, checked, and turned into Optuna distributions."""

import json

import optuna
import pytest

from edgesnn.errors import ConfigError, UsageError
from edgesnn.tune.space import builtin_space, builtin_spaces, load_space, parse_space, to_overrides


def test_builtin_spaces_cover_the_families_and_the_seed_studies_parameters():
    assert set(builtin_spaces()) >= {"mlp", "cnn1d", "cnn2d", "rnn"}
    mlp = builtin_space("mlp").params
    for key in (
        "beta",
        "threshold",
        "slope",
        "lr",
        "timesteps",
        "neuron",
        "encoder",
        "population",
        "loss",
        "correct_rate",
        "incorrect_rate",
        "skip_1",
        "skip_2",
    ):
        assert key in mlp, key
    cnn1d = builtin_space("cnn1d").params
    assert {"w1", "w2", "w3", "wd1", "h1"} <= set(cnn1d)
    assert "wd2" not in cnn1d  # dependent sizes come from Algorithm 1


def test_every_nni_type_maps_and_decodes_like_nni():
    space = parse_space(
        {
            "hidden": {"_type": "choice", "_value": [[16], [32, 16]]},
            "batch_size": {"_type": "randint", "_value": [16, 18]},
            "beta": {"_type": "uniform", "_value": [0.8, 0.9]},
            "population": {"_type": "quniform", "_value": [1, 4, 1]},
            "lr": {"_type": "loguniform", "_value": [1e-3, 1e-2]},
            "slope": {"_type": "qloguniform", "_value": [5, 50, 5]},
            "threshold": {"_type": "normal", "_value": [1.0, 0.1]},
        },
        "mlp",
    )
    d = space.distributions()
    assert (d["batch_size"].low, d["batch_size"].high) == (16, 17)  # NNI randint: upper exclusive
    assert d["lr"].log and d["population"].step == 1.0
    assert d["threshold"].low == pytest.approx(0.7) and d["threshold"].high == pytest.approx(1.3)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    for _ in range(5):
        v = space.sample(study.ask())
        assert v["hidden"] in ([16], [32, 16])
        assert isinstance(v["population"], int) and 1 <= v["population"] <= 4
        assert isinstance(v["slope"], int) and v["slope"] % 5 == 0
        assert v["batch_size"] in (16, 17)


@pytest.mark.parametrize(
    "raw, match",
    [
        ({"beta": {"_type": "gaussian", "_value": [0, 1]}}, "unknown _type 'gaussian'"),
        ({"lr": {"_type": "uniform", "_value": [0.1, 0.01]}}, "low 0.1 > high 0.01"),
        ({"lr": {"_type": "loguniform", "_value": [0, 0.01]}}, "needs low > 0"),
        ({"betta": {"_type": "uniform", "_value": [0.8, 0.9]}}, "did you mean 'beta'"),
        ({"reset": {"_type": "choice", "_value": ["zero"]}}, "target decides"),
        ({"encoder": {"_type": "choice", "_value": ["rate", "morse"]}}, "'morse' is unknown"),
        ({"loss": {"_type": "choice", "_value": [{"_name": "ce_count"}]}}, "nested choices"),
        ({"beta": {"_type": "uniform"}}, "must be"),
        ({"hidden_2": {"_type": "choice", "_value": [8]}}, "1..n without gaps"),
    ],
)
def test_bad_spaces_are_one_line_config_errors(raw, match):
    with pytest.raises(ConfigError, match=match) as info:
        parse_space(raw, "mlp")
    assert "\n" not in str(info.value)


def test_malformed_json_file_names_line_and_column(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"beta": {"_type": "uniform", "_value": [0.8, 0.9]},,}')
    with pytest.raises(ConfigError, match=r"not valid JSON \(line 1, column"):
        load_space(bad, "mlp")
    with pytest.raises(UsageError, match="does not exist"):
        load_space(tmp_path / "missing.json", "mlp")


def test_block_keys_assemble_hidden_and_skip_lists():
    assert to_overrides({"hidden_1": 64, "hidden_2": 32, "skip_2": "add", "beta": 0.9}, "mlp") == {
        "hidden": [64, 32],
        "skip": ["none", "add"],
        "beta": 0.9,
    }


def test_grid_needs_a_finite_space():
    space = parse_space(
        {"hidden_1": {"_type": "choice", "_value": [8, 16]}, "population": {"_type": "quniform", "_value": [1, 3, 1]}},
        "mlp",
    )
    assert space.grid() == {"hidden_1": [8, 16], "population": [1.0, 2.0, 3.0]}
    with pytest.raises(UsageError, match="finite"):
        parse_space({"lr": {"_type": "uniform", "_value": [0.1, 0.2]}}, "mlp").grid()


def test_builtin_space_json_is_what_nni_gets_unchanged():
    space = builtin_space("cnn1d")
    assert json.loads(json.dumps(space.raw)) == space.raw
    assert all(set(v) == {"_type", "_value"} for v in space.raw.values())
