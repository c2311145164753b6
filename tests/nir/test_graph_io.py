"""read_graph / write_graph / graph_settings: bad files are one-line ArtifactErrors."""

import h5py
import nir
import numpy as np
import pytest

from edgesnn.errors import ArtifactError
from edgesnn.nir.graph import DEFAULT_DT, graph_settings, read_graph, sim_context, write_graph


def _lif_graph(metadata=None):
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([3])),
            "fc": nir.Affine(weight=np.eye(3), bias=np.zeros(3)),
            "lif": nir.LIF(tau=np.full(3, 1e-2), r=np.ones(3), v_leak=np.zeros(3), v_threshold=np.ones(3)),
            "output": nir.Output(np.array([3])),
        },
        edges=[("input", "fc"), ("fc", "lif"), ("lif", "output")],
        metadata=metadata or {},
    )


def _one_line(exc_info, *fragments):
    msg = str(exc_info.value)
    assert "\n" not in msg and "Traceback" not in msg
    for f in fragments:
        assert f in msg, msg


def test_missing_file(tmp_path):
    with pytest.raises(ArtifactError) as err:
        read_graph(tmp_path / "nope.nir")
    _one_line(err, "nope.nir", "does not exist")


def test_truncated_file(tmp_path, nir_fixtures):
    bad = tmp_path / "cut.nir"
    bad.write_bytes((nir_fixtures / "cnn_sinabs.nir").read_bytes()[:100])
    with pytest.raises(ArtifactError) as err:
        read_graph(bad)
    _one_line(err, "cut.nir", "not a valid HDF5 file")


def test_random_bytes(tmp_path):
    bad = tmp_path / "noise.nir"
    bad.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(ArtifactError) as err:
        read_graph(bad)
    _one_line(err, "noise.nir")


def test_hdf5_that_is_not_nir(tmp_path):
    bad = tmp_path / "other.h5"
    with h5py.File(bad, "w") as fh:
        fh["data"] = np.arange(3)
    with pytest.raises(ArtifactError) as err:
        read_graph(bad)
    _one_line(err, "other.h5", "not a NIR graph")


def test_file_with_unknown_node_type(tmp_path):
    path = write_graph(_lif_graph(), tmp_path / "g.nir")
    with h5py.File(path, "a") as fh:
        del fh["node/nodes/lif/type"]
        fh["node/nodes/lif/type"] = b"Izhikevich"
    with pytest.raises(ArtifactError) as err:
        read_graph(path)
    _one_line(err, "'lif'", "Izhikevich")


def test_file_missing_a_field(tmp_path):
    path = write_graph(_lif_graph(), tmp_path / "g.nir")
    with h5py.File(path, "a") as fh:
        del fh["node/nodes/lif/tau"]
    with pytest.raises(ArtifactError) as err:
        read_graph(path)
    _one_line(err, "g.nir", "not a valid NIR graph")


def test_unrepairable_shape_mismatch(tmp_path):
    path = write_graph(_lif_graph(), tmp_path / "g.nir")
    with h5py.File(path, "a") as fh:  # 3 neurons, Output declares 4 elements: not recoverable
        del fh["node/nodes/output/shape"]
        fh["node/nodes/output/shape"] = np.array([4])
    with pytest.raises(ArtifactError) as err:
        read_graph(path)
    _one_line(err, "g.nir", "cannot be repaired")


def test_write_read_round_trip_keeps_metadata(tmp_path):
    meta = {"dt": 1e-3, "reset": "subtract", "timesteps": 25, "encoder": "rate", "note": None}
    path = write_graph(_lif_graph(meta), tmp_path / "sub" / "g.nir")
    assert not list(path.parent.glob(".g.nir.*"))  # atomic: no temp file left behind
    back = read_graph(path)
    s = graph_settings(back)
    assert (s["dt"], s["reset"], s["if_reset"], s["timesteps"], s["encoder"]) == (
        1e-3,
        "subtract",
        "subtract",
        25,
        "rate",
    )
    assert s["defaulted"] == []
    np.testing.assert_array_equal(back.nodes["fc"].weight, np.eye(3))


def test_settings_defaults_are_reported():
    s = graph_settings(_lif_graph())
    assert s["dt"] == DEFAULT_DT == 1e-4
    assert (s["reset"], s["if_reset"]) == ("zero", "subtract")
    assert s["defaulted"] == ["dt", "reset"]


@pytest.mark.parametrize(
    "meta, fragment", [({"dt": -1.0}, "dt"), ({"dt": "fast"}, "dt"), ({"reset": "bounce"}, "bounce")]
)
def test_bad_metadata(meta, fragment):
    with pytest.raises(ArtifactError) as err:
        graph_settings(_lif_graph(meta))
    _one_line(err, fragment)


def test_explicit_arguments_override_metadata():
    ctx = sim_context(_lif_graph({"dt": 1e-3, "reset": "zero"}), dt=5e-4, reset="none")
    assert (ctx.dt, ctx.reset, ctx.if_reset) == (5e-4, "none", "none")
