"""``edgesnn tune`` through the CLI entry point: help, one-line errors with exit 1, JSON output."""

import json

from edgesnn.cli import main


def test_help_lists_the_options(capsys):
    assert main(["tune", "--help"]) == 0
    text = capsys.readouterr().out
    for opt in (
        "--dataset",
        "--profile",
        "--target",
        "--model",
        "--space",
        "--engine",
        "--tuner",
        "--trials",
        "--timeout",
        "--jobs",
        "--storage",
        "--study",
        "--resume",
        "--epochs",
        "--out",
        "--json",
        "--objectives",
        "--nni-remote",
    ):
        assert opt in text, opt


def test_bad_inputs_are_one_line_errors_exit_1(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"beta": {"_type": "uniform", "_value": [0.99, 0.8]}}')
    cases = [
        (["--space", str(bad)], "low 0.99 > high 0.8"),
        (["--engine", "nni", "--tuner", "GP"], "GP"),
        (["--engine", "ray"], "unknown engine 'ray'"),
        (["--objectives", "accuracy,speed"], "unknown objective 'speed'"),
        (["--tuner", "cmaes"], "one objective"),
    ]
    for extra, match in cases:
        code = main(["tune", "--dataset", "wine", "--trials", "1", "--out", str(tmp_path / "r"), *extra])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 1, extra
        assert len(err) == 1 and err[0].startswith("error:") and match in err[0], (extra, err)


def test_json_output_and_next_command(tmp_path, tiny_space, capsys):
    out = tmp_path / "r"
    code = main(
        [
            "tune",
            "--dataset",
            "wine",
            "--space",
            str(tiny_space),
            "--trials",
            "2",
            "--epochs",
            "1",
            "--tuner",
            "random",
            "--out",
            str(out),
            "--json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["trials"] == 2 and data["out"] == str(out)
    if code == 0:
        assert data["next"] == f"edgesnn export {out / 'best'} --target loihi2"
    else:  # two random draws may both be infeasible: then exit 2 (profile violated), no best
        assert code == 2 and data["best"] is None
