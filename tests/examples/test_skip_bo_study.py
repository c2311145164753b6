"""``examples/skip_bo/run.py --smoke`` end to end in a subprocess: GP and random search over skip
adjacency matrices on digits (cnn2d) and basic_motions, each at the same trial budget, with the
drop curves, the best topologies (firing rate, MACs) and the no-skip reference filled in."""

import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_smoke_study_compares_gp_and_random_at_an_equal_budget(tmp_path, smoke_study):
    data = smoke_study("skip_bo")
    budget, seeds = data["meta"]["trials"], data["meta"]["seeds"]
    searches = data["searches"]
    assert {(s["dataset"], s["method"]) for s in searches} == {
        (d, m) for d in ("digits", "basic_motions") for m in ("gp", "random")
    }
    for s in searches:
        assert len(s["trials"]) == budget and s["space_edges"] >= 6
        for t in s["trials"]:
            assert t["state"] == "COMPLETE", t
            # the drop is the twin's validation accuracy minus the SNN's, as recorded
            assert math.isclose(t["drop"], t["ann_val_acc"] - t["val_acc"], abs_tol=1e-9)
            assert t["macs"] > 0 and 0 <= t["mean_firing_rate"] <= 1 and t["synops"] >= 0
            n = len(t["matrix"])
            assert all(t["matrix"][i][j] == 0 for i in range(n) for j in range(min(n, i + 2)))
    for by_method in data["curves"].values():
        for c in by_method.values():
            assert len(c["mean"]) == budget and len(c["finals"]) == seeds
            assert all(a >= b for a, b in zip(c["mean"], c["mean"][1:]))  # best so far never rises
    # a paired comparison: GP's startup trials are the random sampler's draws of the same seed
    for d in ("digits", "basic_motions"):
        first = {s["method"]: s["trials"][0]["matrix"] for s in searches if s["dataset"] == d and s["seed"] == 0}
        assert first["gp"] == first["random"]
    assert len(data["chain"]) == 2 * seeds and all(c["macs"] > 0 for c in data["chain"])
    md = (tmp_path / "results.md").read_text()
    for section in ("## Drop curves", "## Best topologies found", "## Skip kinds", "## Beside the paper"):
        assert section in md
    best = md.split("## Best topologies found")[1].split("## Skip kinds")[0]
    rows = [r for r in best.splitlines() if r.startswith("| digits") or r.startswith("| basic_motions")]
    assert len(rows) == len(searches) + len(data["chain"])
    assert "8 %" in md and (tmp_path / "drop_curves.png").stat().st_size > 0


def test_bad_arguments_are_one_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples/skip_bo/run.py"), "--trials", "0", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1 and proc.stderr.strip().count("\n") == 0 and "must be ≥ 1" in proc.stderr
