"""A Xylo IMU bundle: the export's own integer specification, run on a device by numpy alone
(``edgesnn.runner.xylo``, the judge's code), giving the spikes XyloSim gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from edgesnn.errors import ArtifactError, DataError, UsageError


@pytest.fixture(scope="module")
def xylo_export(tmp_path_factory):
    from edgesnn.backends import get_backend

    if not get_backend("xylo").available():
        pytest.skip("rockpool / xylosim are not installed here (scripts/xylo.sh)")
    from edgesnn.export import export
    from edgesnn.train import train

    root = tmp_path_factory.mktemp("xylo-bundle")
    train(
        "basic_motions",
        "wearable",
        target="xylo-imu",
        seed=0,
        ann_twin=False,
        out=root / "run",
        progress=False,
    )
    export(root / "run", "xylo-imu", out=root / "export")
    return root / "export"


@pytest.fixture(scope="module")
def xylo_bundle(xylo_export, tmp_path_factory):
    from edgesnn.package import package

    out = tmp_path_factory.mktemp("xylo-zip") / "motions.zip"
    return package(xylo_export, out=out)


@pytest.fixture(scope="module")
def raw(xylo_export):
    from edgesnn.package.evidence import raw_test_split

    return raw_test_split(json.loads((xylo_export / "manifest.json").read_text())["data"])


def test_bundle_ships_the_exported_specification_and_needs_numpy_only(xylo_bundle, xylo_export):
    m = xylo_bundle.manifest
    assert "model.xylo.npz" in xylo_bundle.members and "model.stepwise.onnx" not in xylo_bundle.members
    assert m["bundle_format"] == 2 and m["model"] == "model.xylo.npz" and m["forms"] == ["xylo"]
    assert list(m["runner_needs"]) == ["numpy"]
    assert m["quantization"] == {
        "scheme": "xylo",
        "weights": "the target's integers, in model.xylo.npz",
        "matches_export": True,
    }
    with zipfile.ZipFile(xylo_bundle.out) as z:
        assert z.read("model.xylo.npz") == (xylo_export / "model.xylo.npz").read_bytes()
        assert "pip install numpy\n" in z.read("README.md").decode()


def test_training_for_xylo_puts_every_integer_on_the_chips_grid(xylo_export):
    """Weights, thresholds and biases trained for xylo-imu are exported without re-rounding."""
    grid = json.loads((xylo_export / "xylo.json").read_text())["grid"]
    assert grid["values"] > 1000 and grid["off_grid"] == 0 and grid["clipped"] == 0
    assert grid["max_step_err"] < 1e-3


def test_runner_gives_xylosims_spikes_on_the_test_split(xylo_bundle, xylo_export, raw):
    from edgesnn.backends import get_backend
    from edgesnn.config import load_target
    from edgesnn.runner import Bundle

    x, y = raw
    with Bundle.open(xylo_bundle.out) as bundle:
        encoded = bundle.encode(x)
        here = bundle.run(encoded)
        pred = bundle.predict(x)
    assert type(bundle.pipeline.model).__name__ == "XyloModel"
    sim = get_backend("xylo").run(xylo_export / "model.xylo.npz", encoded, load_target("xylo-imu")).output
    assert here.sum() > 0 and np.array_equal(here, sim)
    assert float((pred.classes == y).mean()) == xylo_bundle.manifest["accuracy"]["runner"]


def test_stream_of_one_sample_equals_predict(xylo_bundle, raw):
    from edgesnn.runner import Bundle

    x = raw[0][:1]
    with Bundle.open(xylo_bundle.out) as bundle:
        counts = bundle.predict(x).counts[0]
        stream = bundle.stream()
        for t in range(x.shape[-1]):
            result = stream.push(x[0][:, t])
    assert np.array_equal(result.counts, counts)


def test_device_runs_it_without_onnxruntime(xylo_bundle, raw, tmp_path):
    from edgesnn.runner import Bundle
    from edgesnn.runner.deploy import copy_runner

    device = tmp_path / "device"
    copy_runner(device)
    x = raw[0][:4]
    np.save(tmp_path / "raw.npy", x)
    code = (
        "import sys; sys.modules['onnxruntime'] = sys.modules['torch'] = None\n"
        "import edgesnn; assert edgesnn.__file__.startswith(sys.argv[1]), edgesnn.__file__\n"
        "from edgesnn.runner import main; sys.exit(main(sys.argv[2:]))"
    )
    env = {**os.environ, "PYTHONPATH": str(device)}
    res = subprocess.run(
        [sys.executable, "-c", code, str(device), str(xylo_bundle.out), "--input", str(tmp_path / "raw.npy"), "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    with Bundle.open(xylo_bundle.out) as bundle:
        here = bundle.predict(x)
    assert [p["counts"] for p in json.loads(res.stdout)["predictions"]] == here.counts.tolist()


def test_a_format_1_runner_refuses_it_by_number(xylo_bundle, monkeypatch):
    from edgesnn.runner import archive

    monkeypatch.setattr(archive, "BUNDLE_FORMAT", 1)
    with pytest.raises(ArtifactError, match="bundle format 2, newer than this runner reads"):
        archive.read_bundle(xylo_bundle.out)


def test_unrolled_is_refused_for_xylo(xylo_export, tmp_path):
    from edgesnn.package import package

    with pytest.raises(UsageError, match="--unrolled is an ONNX form"):
        package(xylo_export, out=tmp_path / "b.zip", unrolled=True)
    assert not (tmp_path / "b.zip").exists()


def test_xylo_model_refuses_graded_input_and_a_damaged_spec(xylo_export):
    from edgesnn.runner.xylo import XyloModel

    data = (xylo_export / "model.xylo.npz").read_bytes()
    model = XyloModel.from_bytes(data)
    n_in = model.input_shape[0]
    with pytest.raises(DataError, match="event counts"):
        model.run(np.full((3, 1, n_in), 0.5, np.float32))
    with np.load(xylo_export / "model.xylo.npz") as z:
        spec = {k: z[k] for k in z.files}
    spec["dash_mem"] = np.full_like(spec["dash_mem"], 16)
    with pytest.raises(ArtifactError, match="shape or range"):
        XyloModel(spec)
    with pytest.raises(ArtifactError, match="not a readable npz"):
        XyloModel.from_bytes(b"not a zip")


def test_evaluate_reports_the_chips_cycles_and_published_power(xylo_export):
    from edgesnn.backends.xylo.cycles import cycles_per_step
    from edgesnn.backends.xylo.power import PUBLISHED_POWER_UW
    from edgesnn.backends.xylo.spec import XyloSpec
    from edgesnn.evaluation import evaluate

    report = evaluate(xylo_export, limit=8)
    spec = XyloSpec.load(xylo_export / "model.xylo.npz")
    figures = {f["name"]: f["value"] for f in report.device["figures"]}
    p_in = figures["input channels with an event per step (p_in)"]
    p_hid = figures["hidden neurons spiking per step (p_hid)"]
    assert p_in == min(1.0, report.activity.input_rate) and 0 < p_hid <= 1
    assert p_hid == min(1.0, report.activity.firing_rates[spec.meta["hidden"]])
    measured = figures["cycles per step at the measured activity"]
    assert (
        measured
        == cycles_per_step(spec, p_in, p_hid)
        < figures["cycles per step, worst case (every channel and neuron active)"]
    )
    window = figures["window (T · dt)"]
    assert window == report.latency.timesteps * spec.dt
    for what, uw, _ in PUBLISHED_POWER_UW:
        assert figures[f"window energy at the {what}"] == pytest.approx(uw * window)
    assert report.to_dict()["device"]["device"] == "SynSense Xylo IMU (SYNS63300)"
