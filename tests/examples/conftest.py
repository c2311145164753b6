"""Each study's ``run.py --smoke`` runs the way CI and a user run it: a subprocess, one thread."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def smoke_study(tmp_path):
    """``smoke_study("nni_hpo")`` runs ``examples/nni_hpo/run.py --smoke --out tmp_path`` (in
    tmp_path, OMP_NUM_THREADS=1, 300 s at most), asserts exit 0 and returns its ``results.json``."""

    def run(study: str, *args: str) -> dict[str, Any]:
        proc = subprocess.run(
            [sys.executable, str(ROOT / "examples" / study / "run.py"), "--smoke", "--out", str(tmp_path), *args],
            capture_output=True,
            text=True,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
            timeout=300,
            cwd=tmp_path,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        return json.loads((tmp_path / "results.json").read_text())

    return run
