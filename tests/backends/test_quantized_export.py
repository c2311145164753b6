"""The ONNX export applies the target's numerics: a cortex-m artifact holds int8-grid weights,
and parity is measured on that artifact (the one that ships), not on float weights."""

from __future__ import annotations

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


def _on_int8_grid(w: np.ndarray) -> bool:
    scale = np.abs(w).max() / 127
    return scale == 0 or bool(np.allclose(w / scale, np.rint(w / scale), atol=1e-3))


def test_cortex_m_export_ships_int8_weights_with_exact_parity(cortex_run, tmp_path):
    from edgesnn.export import export

    result = export(cortex_run, "cortex-m", out=tmp_path / "cm")
    assert result.parity["passed"] and result.parity["vs_reference"]["mismatches"] == 0
    model = onnx.load(str(tmp_path / "cm" / "model.onnx"))
    weights = [numpy_helper.to_array(t) for t in model.graph.initializer if len(t.dims) == 2]
    assert weights and all(_on_int8_grid(w.astype(np.float64)) for w in weights)


def test_float_weights_are_quantised_by_the_export(tmp_path):
    """Off-grid float weights: the cortex-m artifact differs from the float one (it was quantised)."""
    from edgesnn.backends import get_backend
    from edgesnn.config import load_target
    from edgesnn.testing import contract_graphs

    graph = contract_graphs()["mlp"]
    backend = get_backend("onnx")
    backend.export(graph, tmp_path / "f", load_target("onnx"), stepwise_too=False)
    backend.export(graph, tmp_path / "q", load_target("cortex-m"), stepwise_too=False)
    backend.export(graph, tmp_path / "raw", load_target("cortex-m"), stepwise_too=False, quantize=False)

    def weights(folder):
        m = onnx.load(str(tmp_path / folder / "model.onnx"))
        return {t.name: numpy_helper.to_array(t) for t in m.graph.initializer if t.dims and len(t.dims) == 2}

    f, q, raw = weights("f"), weights("q"), weights("raw")
    assert f.keys() == q.keys() and f
    assert all(np.array_equal(f[k], raw[k]) for k in f)
    assert any(not np.array_equal(f[k], q[k]) for k in f)
    assert all(_on_int8_grid(q[k].astype(np.float64)) for k in q)
