"""The runner imports and runs in a fresh venv holding only numpy and onnxruntime (from PyPI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

PINS = ["numpy==2.4.6", "onnxruntime==1.31.1"]


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_runner_in_a_fresh_venv(digits_bundle, raw_test, tmp_path):
    from edgesnn.runner import Bundle
    from edgesnn.runner.deploy import copy_runner

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = str(venv / "bin" / "python")
    pip = subprocess.run(
        [py, "-m", "pip", "install", "-q", "--disable-pip-version-check", *PINS],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if pip.returncode != 0:
        pytest.skip(f"cannot install {' '.join(PINS)} from the package index: {pip.stderr.strip()[-300:]}")
    installed = subprocess.run([py, "-m", "pip", "list", "--format=json"], capture_output=True, text=True, check=True)
    names = {p["name"].lower() for p in json.loads(installed.stdout)}
    assert {"numpy", "onnxruntime"} <= names and not names & {"torch", "snntorch", "nir", "edgesnn", "scikit-learn"}

    device = tmp_path / "device"
    copy_runner(device)
    x = raw_test[0][:6]
    np.savetxt(tmp_path / "raw.csv", x.reshape(len(x), -1), delimiter=",")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONPATH"] = str(device)
    res = subprocess.run(
        [py, "-m", "edgesnn.runner", str(digits_bundle), "--input", str(tmp_path / "raw.csv"), "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    there = json.loads(res.stdout)["predictions"]
    with Bundle.open(digits_bundle) as bundle:
        here = bundle.predict(x)
    assert [p["class"] for p in there] == here.classes.tolist()
    assert [p["counts"] for p in there] == here.counts.tolist()
