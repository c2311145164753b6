"""``--set @recipe``: a measured bundle of hyper-parameters, built in (``recipes/``) or the
user's YAML file, applied in order with ``key=value`` items; bad recipes are one-line errors."""

import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pytest

from edgesnn.cli import main
from edgesnn.config.loader import builtin_names, load_recipe
from edgesnn.errors import ConfigError, UsageError
from edgesnn.models import parse_set, resolve


def test_every_builtin_recipe_names_real_hyper_parameters():
    assert "spoken_digits" in builtin_names("recipes")
    for name in builtin_names("recipes"):
        recipe = load_recipe(name)
        hp = resolve("rnn", recipe)  # an unknown key or bad value would raise here
        assert all(hp[k] == v for k, v in recipe.items())


def test_spoken_digits_recipe_is_the_measured_one():
    import edgesnn

    recipe = load_recipe("spoken_digits")
    assert edgesnn.load_recipe("spoken_digits") == recipe  # the Python API's name for it
    assert recipe["encoder"] == "direct_delta" and recipe["hidden"] == [128, 128]
    assert recipe["slope"] == 5.0 and recipe["epochs"] == 150 and recipe["aug_noise"] == 0.2
    assert recipe["weight_decay"] == 0.0  # measured without the series default's decay


def test_items_apply_in_order():
    assert parse_set(["@spoken_digits", "epochs=5"])["epochs"] == 5
    assert parse_set(["epochs=5", "@spoken_digits"])["epochs"] == 150
    assert parse_set(["beta=0.5", "@spoken_digits"])["beta"] == 0.5  # keys the recipe does not set stay


def test_a_user_recipe_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("hidden: [32]\nbeta: 0.8  # a comment\n")
    assert parse_set([f"@{path}", "beta=0.7"]) == {"hidden": [32], "beta": 0.7}


def test_unknown_recipe_lists_the_builtins():
    with pytest.raises(UsageError, match="unknown recipe 'spoken_digit'.*spoken_digits"):
        parse_set(["@spoken_digit"])


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("- hidden\n- beta\n", "must hold a mapping"),
        ("1: 2\n", "keys must be hyper-parameter names"),
        ("a: [\n", "not valid YAML"),
    ],
)
def test_a_malformed_recipe_file_is_a_config_error(tmp_path, text, match):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=match):
        load_recipe(path)


def test_train_names_the_recipe_of_a_set_that_has_one():
    from edgesnn.cli.train import recipe_hint

    assert "--set @spoken_digits" in recipe_hint("spoken_digits", ["epochs=3"])
    assert recipe_hint("spoken_digits", ["@spoken_digits"]) is None
    assert recipe_hint("basic_motions", []) is None


def _cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def test_train_takes_a_recipe_and_refuses_a_bad_one_before_writing(tmp_path):
    recipe = tmp_path / "small.yaml"
    recipe.write_text("hidden: [8]\nencoder: direct\n")
    run = tmp_path / "run"
    code, out, err = _cli("train", "-d", "basic_motions", "--set", f"@{recipe}", "-e", "1", "-o", run, "--json")
    assert code == 0, err
    hp = json.loads(out)["hparams"]
    assert hp["hidden"] == [8] and hp["encoder"] == "direct" and (run / "metrics.json").is_file()

    typo = tmp_path / "typo.yaml"
    typo.write_text("hiden: [8]\n")
    for bad, needle in ((f"@{typo}", "hiden"), ("@nope", "unknown recipe 'nope'")):
        code, _, err = _cli("train", "-d", "basic_motions", "--set", bad, "-e", "1", "-o", tmp_path / "no")
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert code == 1 and len(lines) == 1 and needle in lines[0] and "Traceback" not in err, err
        assert not (tmp_path / "no").exists()
