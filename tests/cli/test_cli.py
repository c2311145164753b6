"""The command line: help, listings, one-line errors with exit codes, nothing half-written."""

import json
import subprocess
import sys

import pytest

from edgesnn.cli import main


def run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_help_lists_the_verbs(capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    for verb in ("train", "export", "run", "profiles", "targets"):
        assert verb in out


def test_help_is_instant_without_torch():
    code = "import sys; from edgesnn.cli import app; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_profiles_and_targets_json(capsys):
    code, out, _ = run(["profiles", "--json"], capsys)
    assert code == 0 and {p["name"] for p in json.loads(out)} >= {"wearable", "implant", "always-on-audio"}
    code, out, _ = run(["targets", "show", "loihi2", "--json"], capsys)
    assert code == 0 and json.loads(out)["energy"]["constants"]["e_synop_pj"]["value"] == 23.6


@pytest.mark.parametrize(
    "argv,fragment",
    [
        (["train", "--dataset", "digitz"], "unknown dataset 'digitz' (did you mean 'digits'?)"),
        (["train", "--dataset", "digits", "--profile", "wearabel"], "did you mean 'wearable'"),
        (["train", "--dataset", "digits", "--target", "loihi3"], "unknown target"),
        (["train", "--dataset", "digits", "--model", "transformer"], "unknown model"),
        (["train", "--dataset", "digits", "--set", "betta=0.9"], "did you mean 'beta'"),
        (["train", "--dataset", "wine", "--model", "cnn1d", "--set", "wd1=40"], "wider than the input length"),
        (["train", "--dataset", "digits", "--out", "/etc/hostname/run"], "not writable"),
        (["profiles", "show", "nope"], "unknown profile"),
    ],
)
def test_bad_input_is_one_line_exit_1(argv, fragment, capsys, tmp_path):
    code, out, err = run(argv, capsys)
    assert code == 1
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err


def test_bad_profile_files(tmp_path, capsys):
    typo = tmp_path / "typo.yaml"
    typo.write_text("dt_s: 0.001\nlimits: {max_timestep: 5, max_energy_uj: -2}\n")
    code, _, err = run(["train", "--dataset", "digits", "--profile", str(typo)], capsys)
    assert code == 1 and "did you mean 'max_timesteps'" in err and "max_energy_uj" in err
    code, _, err = run(["train", "--dataset", "digits", "--profile", str(tmp_path / "missing.yaml")], capsys)
    assert code == 1 and "does not exist" in err


def test_bad_csv_files(tmp_path, capsys):
    nan = tmp_path / "nan.csv"
    nan.write_text("a,b,label\n1,2,0\nnan,3,1\n1,1,0\n2,2,1\n")
    code, _, err = run(["train", "--dataset", str(nan)], capsys)
    assert code == 1 and "NaN" in err
    one = tmp_path / "one.csv"
    one.write_text("a,label\n" + "".join(f"{i},x\n" for i in range(10)))
    code, _, err = run(["train", "--dataset", str(one)], capsys)
    assert code == 1 and "class" in err


def test_violated_profile_exits_2_and_keeps_the_run(tmp_path, capsys):
    prof = tmp_path / "tiny.yaml"
    prof.write_text("dt_s: 0.001\nlimits: {max_param_bytes: 10}\ndefault_target: onnx-cpu\n")
    code, out, err = run(
        ["train", "--dataset", "wine", "--profile", str(prof), "--epochs", "1", "--out", str(tmp_path / "r"), "--json"],
        capsys,
    )
    assert code == 2 and "violates profile" in err
    assert json.loads(out)["feasible"] is False and (tmp_path / "r" / "checkpoint.pt").is_file()


def test_existing_out_needs_force(tmp_path, capsys):
    (tmp_path / "r").mkdir()
    code, _, err = run(["train", "--dataset", "wine", "--epochs", "1", "--out", str(tmp_path / "r")], capsys)
    assert code == 1 and "--force" in err
