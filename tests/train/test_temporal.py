"""A sensor series end to end: one frame per step, trained, exported with parity, packaged and
streamed reading by reading; and a multimodal model through NIR → ONNX → Lava float."""

from __future__ import annotations

import json

import numpy as np
import pytest


@pytest.fixture(scope="module")
def motions_run(tmp_path_factory):
    from edgesnn.train import train

    out = tmp_path_factory.mktemp("motions") / "run"
    return train(
        "basic_motions",
        "wearable",
        model="rnn",
        epochs=2,
        seed=0,
        out=out,
        progress=False,
        ann_twin=False,
        overrides={"hidden": [16], "batch_size": 8, "encoder": "level_crossing", "encoder_threshold": 0.2},
    )


def test_series_runs_one_frame_per_step_under_a_latency_budget(motions_run):
    m, spec = motions_run.metrics, motions_run.data_spec
    assert m["timesteps"] == 100 and spec["input_shape"] == [6, 100]  # the whole series, read frame by frame
    assert motions_run.model.input_shape == (12,)  # 6 channels × up/down
    assert spec["preprocessing"]["kind"] == "zscore" and spec["split"]["official_test"]
    latency = {c.name: c for c in motions_run.checks}["max_latency_ms"]
    assert latency.value == pytest.approx(10000) and latency.ok  # 100 frames at 10 Hz


def test_series_exports_with_parity_and_streams_like_predict(motions_run, tmp_path):
    from edgesnn.export import export
    from edgesnn.package import package
    from edgesnn.package.evidence import raw_test_split
    from edgesnn.runner import Bundle

    result = export(motions_run.out, "onnx", out=tmp_path / "onnx")
    parity = json.loads((tmp_path / "onnx" / "parity.json").read_text())
    assert parity["passed"] and parity["vs_reference"]["mismatches"] == 0 and parity["vs_torch"]["mismatches"] == 0
    bundle = tmp_path / "b.zip"
    package(result.out, out=bundle)
    x_raw, _ = raw_test_split(motions_run.data_spec)
    with Bundle.open(bundle) as b:
        want = b.predict(x_raw[:3])
        for i in range(3):
            stream = b.stream()
            results = stream.run(list(x_raw[i].T))  # 100 readings of 6 channels
            assert results[-1].done and results[-1].decision == want.classes[i]
            np.testing.assert_array_equal(results[-1].counts, want.counts[i])


def test_resampled_series_cannot_stream(motions_run, tmp_path):
    from edgesnn.train import train

    run = train(
        "basic_motions",
        "wearable",
        model="rnn",
        epochs=1,
        seed=0,
        progress=False,
        ann_twin=False,
        overrides={"hidden": [8], "timesteps": 50},
    )
    assert run.metrics["timesteps"] == 50  # resampled: 100 frames → 50 steps


@pytest.mark.slow
def test_multimodal_trained_model_identical_in_onnx_and_lava(tmp_path):
    from edgesnn.export import export
    from edgesnn.nir import input_shapes
    from edgesnn.train import load_checkpoint, train

    run = train(
        "digits_spoken",
        "workstation",
        model="fusion2",
        epochs=2,
        seed=0,
        out=tmp_path / "run",
        progress=False,
        ann_twin=False,
        overrides={"hidden": [16], "branch_hidden": 16, "init": "random"},
    )
    assert run.data_spec["encoder"]["name"] == "multi" and run.metrics["timesteps"] == 50
    graph = load_checkpoint(tmp_path / "run").to_nir()
    assert {k: tuple(v) for k, v in input_shapes(graph).items()} == {"audio": (13,), "image": (1, 8, 8)}
    for target in ("onnx", "lava-float"):
        export(tmp_path / "run", target, out=tmp_path / target)
        parity = json.loads((tmp_path / target / "parity.json").read_text())
        assert parity["vs_reference"]["mismatches"] == 0 and parity["vs_torch"]["mismatches"] == 0, target
        assert parity["vs_reference"]["runtime_accuracy"] > 0.15  # above chance (0.1): the model is not silent
