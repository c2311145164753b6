"""The ONNX export applies the target's numerics: a cortex-m artifact is integer ONNX (int8 codes,
int64 states), and parity is measured on that artifact (the one that ships) against the integer
judge, not on float weights."""

from __future__ import annotations

import warnings

import numpy as np
import onnx
import pytest
from onnx import numpy_helper


@pytest.fixture(scope="module")
def cortex_run(tmp_path_factory):
    from edgesnn.train import train

    run = tmp_path_factory.mktemp("cortex") / "run"
    train(
        "digits",
        "wearable",
        target="cortex-m",
        epochs=1,
        out=run,
        progress=False,
        ann_twin=False,
        overrides={"hidden": [32], "timesteps": 10},
    )
    return run


def _weights(path) -> list[np.ndarray]:
    model = onnx.load(str(path))
    return [numpy_helper.to_array(t) for t in model.graph.initializer if np.prod(t.dims) >= 8]


def test_cortex_m_export_is_integer_onnx_with_exact_parity(cortex_run, tmp_path):
    from edgesnn.export import export

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # trained on the grid: nothing to round, nothing to warn about
        result = export(cortex_run, "cortex-m", out=tmp_path / "cm")
    parity = result.parity
    assert parity["passed"] and parity["vs_reference"]["mismatches"] == 0 and parity["precision"] == "integer"
    assert parity["integer_grid"]["off_grid"] == 0 and parity["integer_grid"]["values"] > 0
    assert "vs_float64_reference" in parity
    weights = _weights(tmp_path / "cm" / "model.onnx")
    assert weights and all(w.dtype == np.int64 and np.abs(w).max() <= 2**31 for w in weights)


def test_float_weights_are_rounded_onto_the_integer_grid_with_a_warning(tmp_path):
    """Off-grid float weights: the cortex-m export rounds them (warned), and parity stays exact."""
    from edgesnn.errors import EdgeSNNWarning
    from edgesnn.export import export
    from edgesnn.nir.graph import write_graph
    from edgesnn.testing import contract_graphs

    src = write_graph(contract_graphs()["mlp"], tmp_path / "mlp.nir")
    with pytest.warns(EdgeSNNWarning, match="off the int8 integer grid"):
        result = export(src, "cortex-m", out=tmp_path / "q", reset="zero")
    assert result.parity["vs_reference"]["mismatches"] == 0 and result.parity["integer_grid"]["off_grid"] > 0
    assert all(w.dtype == np.int64 for w in _weights(tmp_path / "q" / "model.onnx"))
    floats = export(src, "cortex-m", out=tmp_path / "f", reset="zero", quantize=False)
    assert floats.parity["precision"] == "float32"  # quantize=False: the float model, weights as given
