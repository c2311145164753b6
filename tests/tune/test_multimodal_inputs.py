"""Tuning on named inputs of a multimodal dataset: ``--inputs`` / ``<dataset>[<inputs>]`` keep the
chosen inputs named (fusion2 trains one branch per kept input), and a tuning setup keeps a dict
feature shape (``tuple()`` of it used to keep only the names, so fusion2 never built)."""

import pytest

from edgesnn.cli import main
from edgesnn.data import load_dataset, prepare, with_inputs
from edgesnn.errors import ShapeError, UsageError
from edgesnn.tune import TuneSetup, static_checks
from edgesnn.tune.run import make_setup


def test_with_inputs_names_the_selection():
    assert with_inputs("digits_spoken", "image") == "digits_spoken[image]"
    assert with_inputs("digits_spoken", ["audio", "image"]) == "digits_spoken[audio,image]"
    assert with_inputs("digits_spoken", None) == with_inputs("digits_spoken", "") == "digits_spoken"
    with pytest.raises(UsageError, match="already selects"):
        with_inputs("digits_spoken[image]", "audio")


def test_kept_inputs_stay_named_with_the_same_samples_and_split():
    one, both = load_dataset("digits_spoken[audio]"), load_dataset("digits_spoken")
    assert (one.kind, one.feature_shape, one.name) == ("multimodal", {"audio": (13, 50)}, "digits_spoken[audio]")
    assert (one.x["audio"] == both.x["audio"]).all() and (one.y == both.y).all()
    a, b = prepare("digits_spoken[image]", 0), prepare("digits_spoken", 0)
    assert (a.test.y == b.test.y).all() and (a.test.x["image"] == b.test.x["image"]).all()


def test_a_misnamed_input_is_one_line_listing_the_inputs():
    with pytest.raises(ShapeError, match=r"no input 'imag' \(did you mean 'image'\?\); its inputs: audio, image"):
        load_dataset("digits_spoken[imag]")
    with pytest.raises(ShapeError, match="one input"):
        load_dataset("digits[image]")


def test_cli_inputs_error_is_one_line_exit_1(capsys):
    assert main(["tune", "--dataset", "digits_spoken", "--inputs", "video", "--trials", "1"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "its inputs: audio, image" in err and "Traceback" not in err


def test_setup_of_named_inputs_keeps_the_dict_shape_and_builds_fusion2(tmp_path):
    setup = make_setup("digits_spoken[image]", "workstation", None, None, None, 1, tmp_path, 0)
    assert setup.family == "fusion2" and setup.feature_shape == {"image": (1, 8, 8)}
    assert TuneSetup.from_dict(setup.to_dict()).feature_shape == {"image": (1, 8, 8)}  # NNI's trial processes
    report = static_checks({"init": "random"}, "fusion2", setup.feature_shape, 10, setup.profile, setup.target)
    assert report.feasible and report.error is None
