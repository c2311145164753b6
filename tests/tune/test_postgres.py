"""Many machines, one study: two worker processes on a real PostgreSQL 15 on loopback."""

import json
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import optuna
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "postgres.sh"
EDGESNN = str(Path(sys.executable).parent / "edgesnn")


@pytest.fixture(scope="module")
def postgres_url():
    root = Path(tempfile.mkdtemp(prefix="edgesnn-pg-"))  # /tmp: reachable by the postgres user
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = subprocess.run(
        ["bash", str(SCRIPT), "start", str(root), str(port)], capture_output=True, text=True, timeout=300
    )
    if started.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"could not start PostgreSQL with scripts/postgres.sh: {started.stderr.strip()[-300:]}")
    yield started.stdout.strip().splitlines()[-1]
    subprocess.run(["bash", str(SCRIPT), "stop", str(root)], capture_output=True, timeout=120)
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.postgres
@pytest.mark.slow
def test_two_workers_share_one_study_no_duplicate_no_loss(postgres_url, tmp_path):
    # every configuration trains (none is rejected before training) and each takes seconds, so the
    # study outlasts the few seconds a worker can start later than the other
    space = tmp_path / "space.json"
    space.write_text(
        json.dumps(
            {
                "hidden_1": {"_type": "choice", "_value": [32, 48]},
                "timesteps": {"_type": "choice", "_value": [10, 12]},
                "lr": {"_type": "loguniform", "_value": [0.002, 0.01]},
            }
        )
    )
    n = 6
    args = [
        "tune",
        "--dataset",
        "digits",
        "--space",
        str(space),
        "--trials",
        str(n),
        "--epochs",
        "1",
        "--storage",
        postgres_url,
        "--study",
        "two-workers",
        "--json",
    ]
    workers = [
        subprocess.Popen(
            [EDGESNN, *args, "--out", str(tmp_path / f"w{i}")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in (1, 2)
    ]
    outs = [w.communicate(timeout=600) for w in workers]
    for w, (_, err) in zip(workers, outs):
        assert w.returncode in (0, 2), err[-2000:]  # 2: no trial met the profile (still a complete study)
    from edgesnn.tune.optuna_storage import VOID, _driver

    study = optuna.load_study(study_name="two-workers", storage=_driver(postgres_url))
    counted = [t for t in study.trials if VOID not in t.user_attrs]
    assert len(counted) == n and all(t.state.is_finished() for t in counted)
    assert sorted(t.number for t in counted) == list(range(n))  # no gap: nothing lost, nothing run twice
    trained_by = {}
    for i in (1, 2):
        for d in (tmp_path / f"w{i}" / "trials").glob("*"):
            assert d.name not in trained_by, f"trial {d.name} trained by both workers"
            trained_by[d.name] = i
    assert set(trained_by.values()) == {1, 2}, "both workers should have trained something"
    trained = {
        f"{t.number:04d}"
        for t in counted  # a pruned trial stopped training: it leaves no checkpoint
        if t.user_attrs["record"]["stage"] == "trained" and t.user_attrs["record"]["state"] != "PRUNED"
    }
    assert set(trained_by) == trained
    # each worker's table shows the study as it stood when that worker finished: the worker that
    # finished last sees every trial; one that finished first may not yet see a trial still running
    tables = [
        [t["number"] for t in json.loads((tmp_path / f"w{i}" / "results.json").read_text())["trials"]] for i in (1, 2)
    ]
    assert all(numbers == sorted(set(numbers)) and set(numbers) <= set(range(n)) for numbers in tables)
    assert list(range(n)) in tables


def test_unreachable_postgres_is_a_one_line_exit_1(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    r = subprocess.run(
        [
            EDGESNN,
            "tune",
            "--dataset",
            "wine",
            "--trials",
            "1",
            "--out",
            str(tmp_path / "r"),
            "--storage",
            f"postgresql://u:secret@127.0.0.1:{port}/db",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 1
    lines = [l for l in r.stderr.splitlines() if l.startswith("error:")]
    assert len(lines) == 1 and "cannot open the study storage" in lines[0] and "secret" not in r.stderr
