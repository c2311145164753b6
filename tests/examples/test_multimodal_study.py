"""``examples/multimodal/run.py --smoke`` end to end in a subprocess: 3 searches × 3 modalities of
``digits_spoken``, each with exactly its trial budget, and a results table with 9 measured cells
beside the paper's."""

import re

import pytest


@pytest.mark.slow
def test_smoke_study_fills_the_3x3_table_at_an_equal_budget(tmp_path, smoke_study):
    data = smoke_study("multimodal")
    cells = data["cells"]
    budget = data["meta"]["trials"]
    assert {(c["method"], c["modality"]) for c in cells} == {
        (m, mod) for m in ("grid", "random", "gp") for mod in ("image", "audio", "image+audio")
    }
    for c in cells:
        assert c["trained"] == budget, c  # every search trained exactly the budget
        assert [t["state"] for t in c["trace"]] == ["COMPLETE"] * budget
        assert 0.0 <= c["best"]["test_acc"] <= 1.0 and c["best"]["params"]["lr"] > 0
        assert set(c["best"]["params"]) == {"lr", "correct_rate", "incorrect_rate"}
    datasets = {c["modality"]: c["dataset"] for c in cells}
    assert datasets == {
        "image": "digits_spoken[image]",
        "audio": "digits_spoken[audio]",
        "image+audio": "digits_spoken",
    }
    grid = [c for c in cells if c["method"] == "grid"]
    assert all(len({t["params"]["lr"] for t in c["trace"]}) == budget for c in grid)  # distinct grid points
    md = (tmp_path / "results.md").read_text()
    measured = md.split("## Measured")[1].split("## Paper")[0]
    rows = [r for r in measured.splitlines() if r.startswith("| ") and ("search" in r or "Bayesian" in r)]
    values = [float(v) for r in rows for v in re.findall(r"\*\*(\d+\.\d\d)\*\*", r)]
    assert len(rows) == 3 and len(values) == 9 and all(0 <= v <= 100 for v in values)
    assert "**94.16**" in md.split("## Paper")[1] and (tmp_path / "search.png").stat().st_size > 0
