"""The `nir` backend: the graph file is the artifact, the reference simulator runs it."""

import numpy as np
import pytest

from edgesnn.backends import get_backend
from edgesnn.config import load_target
from edgesnn.errors import ArtifactError, UnsupportedPrimitiveError
from edgesnn.nir.graph import graph_settings, read_graph
from edgesnn.nir.simulator import simulate


@pytest.fixture
def target():
    return load_target("nir")


@pytest.fixture
def sinabs(nir_fixtures):
    graph = read_graph(nir_fixtures / "cnn_sinabs.nir")
    graph.metadata = {"dt": 1e-3, "reset": "subtract", "timesteps": 6, "encoder": "events"}
    return graph


def test_registered_under_its_name():
    backend = get_backend("nir")
    assert (backend.name, backend.artifact_name) == ("nir", "model.nir")
    assert backend.available()


def test_export_writes_a_reloadable_graph_with_metadata(tmp_path, target, sinabs):
    paths = get_backend("nir").export(sinabs, tmp_path, target)
    assert paths == [tmp_path / "model.nir"]
    back = read_graph(paths[0])
    s = graph_settings(back)
    assert (s["dt"], s["reset"], s["timesteps"], s["encoder"], s["defaulted"]) == (1e-3, "subtract", 6, "events", [])
    assert sorted(back.nodes) == sorted(sinabs.nodes)


def test_run_equals_simulate(tmp_path, target, sinabs):
    backend = get_backend("nir")
    (path,) = backend.export(sinabs, tmp_path, target)
    x = (np.random.default_rng(2).random((6, 3, 2, 34, 34)) < 0.3).astype(np.float32)
    res = backend.run(path, x, target, record=True)
    ref = simulate(sinabs, x, record=True)
    assert res.output.shape == (6, 3, 10) and res.wall_s > 0
    assert ref.records["1"].sum() > 0
    np.testing.assert_array_equal(res.output, ref.output)
    for name in ref.records:
        np.testing.assert_array_equal(res.records[name], ref.records[name])
    np.testing.assert_array_equal(backend.run(tmp_path, x, target).output, ref.output)  # the directory works too


def test_unsupported_primitive_is_refused_at_export(tmp_path, target, sinabs):
    narrow = target.model_copy(update={"supports": ["Input", "Output", "Affine", "LIF"]})
    with pytest.raises(UnsupportedPrimitiveError) as err:
        get_backend("nir").export(sinabs, tmp_path, narrow)
    assert err.value.node_type in {"Conv2d", "Flatten", "IF", "SumPool2d"}
    assert "target 'nir'" in str(err.value)
    assert not (tmp_path / "model.nir").exists()


def test_run_on_a_bad_artifact(tmp_path, target):
    bad = tmp_path / "model.nir"
    bad.write_bytes(b"not hdf5 at all")
    with pytest.raises(ArtifactError, match="model.nir"):
        get_backend("nir").run(bad, np.zeros((2, 1, 1), np.float32), target)
