"""Streaming keeps the ONNX states between calls and equals batch prediction."""

from __future__ import annotations

import json

import nir
import numpy as np
import pytest

from edgesnn.data import Preprocessor
from edgesnn.errors import DataError, ShapeError
from edgesnn.runner import Bundle, Pipeline


def test_push_step_over_encoded_steps_equals_batch_counts(digits_bundle, raw_test):
    raw = raw_test[0][:4]
    with Bundle.open(digits_bundle) as bundle:
        pred = bundle.predict(raw)
        x = bundle.encode(raw)  # the same draws predict made
        stream = bundle.stream()
        for n in range(raw.shape[0]):
            results = [stream.push_step(x[t, n]) for t in range(x.shape[0])]
            assert [r.done for r in results] == [False] * (x.shape[0] - 1) + [True]
            np.testing.assert_array_equal(results[-1].counts, pred.counts[n])
            assert results[-1].decision == pred.classes[n] and results[-1].label == pred.labels[n]


def test_push_frame_equals_predict_on_that_sample(digits_bundle, raw_test):
    raw = raw_test[0][:3]
    with Bundle.open(digits_bundle) as bundle:
        stream = bundle.stream()
        for sample in raw:
            result = stream.push(sample.reshape(-1))  # a flat sensor frame is accepted too
            alone = bundle.predict(sample[None])
            np.testing.assert_array_equal(result.counts, alone.counts[0])
            assert result.done and result.step == bundle.timesteps


def test_stream_states_carry_over_without_auto_reset(digits_bundle, raw_test):
    with Bundle.open(digits_bundle) as bundle:
        x = bundle.encode(raw_test[0][:1])
        stream = bundle.stream(auto_reset=False)
        for t in range(x.shape[0]):
            stream.push_step(x[t, 0])
        first = stream.total.copy()
        more = stream.push_step(x[0, 0])
        assert more.step == x.shape[0] + 1 and np.all(more.counts >= first)


def test_bad_frames_are_one_line_errors(digits_bundle):
    with Bundle.open(digits_bundle) as bundle:
        stream = bundle.stream()
        with pytest.raises(ShapeError, match=r"frame has shape \[63\]; this stream expects one raw sample") as err:
            stream.push(np.zeros(63))
        assert "\n" not in str(err.value)
        frame = np.zeros((1, 8, 8))
        frame[0, 3, 3] = np.nan
        with pytest.raises(DataError, match="NaN"):
            stream.push(frame)
        with pytest.raises(ShapeError, match="one encoded timestep"):
            stream.push_step(np.zeros(5))


# ---- delta encoder: a frame is one sensor reading; a hand-made network, real onnxruntime


def _delta_pipeline(per: str, C: int = 3, L: int = 7) -> tuple[Pipeline, np.ndarray]:
    from edgesnn.backends.onnx import nir2onnx

    rng = np.random.default_rng(1)
    n_out = 4
    graph = nir.NIRGraph(
        nodes={
            "x": nir.Input(input_type={"input": np.array([2 * C])}),
            "fc": nir.Affine(
                weight=rng.normal(0, 2.0, (n_out, 2 * C)).astype(np.float32), bias=np.full(n_out, 0.1, np.float32)
            ),
            "lif": nir.LIF(
                tau=np.full(n_out, 2e-3), r=np.full(n_out, 2.0), v_leak=np.zeros(n_out), v_threshold=np.full(n_out, 0.3)
            ),
            "y": nir.Output(output_type={"output": np.array([n_out])}),
        },
        edges=[("x", "fc"), ("fc", "lif"), ("lif", "y")],
        metadata={"dt": 1e-3, "reset": "zero"},
    )
    train = rng.normal(5.0, 3.0, (40, C, L)).cumsum(axis=2)  # raw sensor units, drifting
    pre = Preprocessor("minmax", per=per).fit(train)
    members = {
        "model.stepwise.onnx": nir2onnx(graph, form="stepwise").SerializeToString(),
        "encoder.json": json.dumps(
            {
                "kind": "delta",
                "options": {"threshold": 0.02, "off_spikes": True},
                "timesteps": L,
                "seed": 0,
                "feature_shape": [C, L],
                "input_shape": [C, L],
            }
        ).encode(),
        "preprocessing.json": json.dumps(pre.to_dict()).encode(),
        "classes.json": json.dumps(["rest", "move"]).encode(),
    }
    return Pipeline.from_members(members), rng.normal(5.0, 3.0, (5, C, L)).cumsum(axis=2)


@pytest.mark.parametrize("per", ["channel", "feature"])
def test_delta_stream_of_readings_equals_predict_on_the_series(per):
    from edgesnn.runner.stream import Stream

    pipeline, series = _delta_pipeline(per)
    pred = pipeline.predict(series)
    assert pred.counts.sum() > 0  # the network is not silent: the comparison means something
    stream = Stream(pipeline)
    assert stream.frame_shape == (3,)
    for n, sample in enumerate(series):  # auto reset between windows
        results = [stream.push(sample[:, t]) for t in range(sample.shape[1])]
        assert results[-1].done and not any(r.done for r in results[:-1])
        np.testing.assert_array_equal(results[-1].counts, pred.counts[n])
    with pytest.raises(ShapeError, match="one sensor reading"):
        stream.push(np.zeros(4))
