"""int8 weight quantisation: the maths, and the cortex-m bundle with its measured accuracy change."""

from __future__ import annotations

import json
import zipfile

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from edgesnn.numerics.int8 import quantize_weights
from edgesnn.runner import Bundle


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float32,
        st.tuples(st.integers(1, 6), st.integers(1, 6)),
        elements=st.floats(-4, 4, width=32, allow_nan=False),
    )
)
def test_quantised_weights_are_on_the_grid_and_within_half_a_step(w):
    deq, q, s = quantize_weights(w)
    assert q.dtype == np.int8 and np.abs(q.astype(int)).max(initial=0) <= 127
    assert np.abs(deq.astype(np.float64) - w).max(initial=0) <= s / 2 + 1e-6
    deq2, q2, s2 = quantize_weights(deq)  # idempotent: a model trained with fake-quant is unchanged
    np.testing.assert_array_equal(q2, q)


def test_cortex_m_bundle_measures_the_accuracy_change(digits_export, raw_test, tmp_path):
    """A float export bundled for cortex-m ships the integer model, with float and integer accuracy."""
    import onnx

    from edgesnn.package import package

    result = package(digits_export, target="cortex-m", out=tmp_path / "m.zip")
    q = result.manifest["quantization"]
    assert q["scheme"] == "int8-integer" and q["values"] > 0 and q["off_grid"] > 0  # a float model: rounded
    assert q["delta_pp"] == 100 * (q["accuracy_quantized"] - q["accuracy_float"])
    x_raw, y = raw_test
    with Bundle.open(result.out) as bundle:
        acc = float((bundle.predict(x_raw).classes == y).mean())
    assert acc == q["accuracy_quantized"] == result.manifest["accuracy"]["runner"]
    report = json.loads(zipfile.ZipFile(result.out).read("report.json"))
    assert q["accuracy_float"] == report["accuracy"]  # the float model is the evaluated one
    model = onnx.load_from_string(zipfile.ZipFile(result.out).read("model.stepwise.onnx"))
    states = [i for i in model.graph.input if i.name.startswith("state.")]
    assert states and all(i.type.tensor_type.elem_type == onnx.TensorProto.INT64 for i in states)
