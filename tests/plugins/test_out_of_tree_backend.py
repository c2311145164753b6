"""A backend that lives outside edgesnn, installed as its own package, works end to end.

``tests/plugins/edgesnn-f32sim`` is a separate distribution (its own ``pyproject.toml`` with an
``edgesnn.backends`` entry point). It is pip-installed into a temporary folder and put on
``PYTHONPATH`` of CLI subprocesses; a target YAML naming ``backend: f32sim`` then exports,
runs and evaluates through it, with parity against the reference simulator — edgesnn's own
code is not touched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

PLUGIN = Path(__file__).parent / "edgesnn-f32sim"
TARGET = """\
name: f32-wearable
description: the reference simulator in float32, through an out-of-tree backend
backend: f32sim
numerics: {weight_bits: 32, state_bits: 32, reset: zero, quantize: none}
supports: [Input, Output, Flatten, Affine, Linear, LIF, CubaLIF, IF, LI]
parity_tolerance: 0.0
energy:
  table: horowitz-45nm-fp32
  covers: fp32 accumulates per synaptic event and one multiply-accumulate per neuron update
  omits: memory traffic, static power
  constants:
    e_synop_pj: {value: 0.9, source: "Horowitz, ISSCC 2014, 45 nm: fp32 add 0.9 pJ"}
    e_neuron_update_pj: {value: 4.6, source: "Horowitz, ISSCC 2014, 45 nm: fp32 mult 3.7 + add 0.9 pJ"}
    e_spike_pj: {value: 0.0, source: "no spike fabric on a CPU"}
"""


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory) -> dict:
    site = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "--target",
            str(site),
            str(PLUGIN),
        ],
        check=True,
    )
    assert (site / "edgesnn_f32sim").is_dir()
    return {**os.environ, "PYTHONPATH": str(site), "OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    from edgesnn.train import train

    run = tmp_path_factory.mktemp("f32") / "run"
    train(
        "digits",
        "wearable",
        target="onnx-cpu",
        epochs=2,
        out=run,
        progress=False,
        ann_twin=False,
        overrides={"hidden": [32], "timesteps": 10, "lr": 5e-3},
    )
    return run


def edgesnn(env: dict, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).parent / "edgesnn"), *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_plugin_backend_exports_runs_and_evaluates(plugin_env, trained, tmp_path):
    target = tmp_path / "f32.yaml"
    target.write_text(TARGET)
    out = tmp_path / "export"
    done = edgesnn(plugin_env, "export", trained, "--target", target, "--out", out, "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {"model.nir", "model.f32.npz", "target.yaml", "parity.json", "manifest.json"} == set(result["files"])
    parity = result["parity"]
    assert parity["backend"] == "f32sim" and parity["passed"]
    assert parity["vs_reference"]["mismatches"] == 0 and parity["vs_torch"]["spike_agreement"] == 1.0

    # run the export directory (its target.yaml travels with it) on an input file
    x = (np.random.default_rng(0).random((10, 4, 1, 8, 8)) < 0.3).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    done = edgesnn(plugin_env, "run", out, "--input", tmp_path / "x.npy", "--output", tmp_path / "y.npy")
    assert done.returncode == 0, done.stderr
    from edgesnn.nir import read_graph, simulate

    assert np.array_equal(np.load(tmp_path / "y.npy"), simulate(read_graph(out / "model.nir"), x).output)

    done = edgesnn(plugin_env, "evaluate", out, "--dataset", "digits", "--json", "--out", tmp_path / "report")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["target"] == "f32-wearable" and report["backend"] == "f32sim"
    assert 0.3 < report["accuracy"] <= 1.0


def test_unknown_backend_in_a_target_is_one_line(plugin_env, tmp_path):
    """Without the plug-in installed, the same YAML names an unknown backend: exit 2, one line."""
    target = tmp_path / "f32.yaml"
    target.write_text(TARGET)
    env = {k: v for k, v in plugin_env.items() if k != "PYTHONPATH"}
    done = edgesnn(env, "targets", "show", target)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "f32sim" in done.stderr and "onnx" in done.stderr


def test_target_cannot_ask_more_than_its_backend(tmp_path):
    from edgesnn.config import load_target
    from edgesnn.errors import ConfigError

    bad = tmp_path / "bad.yaml"
    bad.write_text(TARGET.replace("backend: f32sim", "backend: lava").replace("LIF, ", "LIF, Threshold, "))
    with pytest.raises(ConfigError, match="Threshold.*lava"):
        load_target(bad)
    bad.write_text(TARGET.replace("backend: f32sim", "backend: onnx") + "runtime: {precision: fixed_pt}\n")
    with pytest.raises(ConfigError, match="precision 'fixed_pt'"):
        load_target(bad)
