"""The backend registry: every backend comes through the entry-point group and declares itself."""

from __future__ import annotations

from importlib import metadata

import pytest

from edgesnn.backends import Backend, backend_class, backend_names, get_backend, suffix_targets
from edgesnn.config import list_targets
from edgesnn.errors import UsageError
from edgesnn.testing import BackendContract


def test_builtins_register_through_the_entry_point_group():
    names = {ep.name: ep.value for ep in metadata.entry_points(group="edgesnn.backends")}
    assert {"nir", "onnx", "lava"} <= set(names)
    assert names["onnx"] == "edgesnn.backends.onnx.backend:OnnxBackend"


@pytest.mark.parametrize("name", backend_names())
def test_every_registered_backend_declares_its_contract(name):
    cls = backend_class(name)
    assert issubclass(cls, Backend) and cls.name == name
    assert cls.artifact_name and "." in cls.artifact_name
    assert {"Input", "Output"} <= cls.primitives
    for suffix, target in cls.suffixes.items():
        assert suffix.startswith(".")
        if target in {t.name for t in list_targets()}:
            assert backend_class(next(t for t in list_targets() if t.name == target).backend) is cls
    assert "foo" not in cls.Settings.model_fields
    with pytest.raises(UsageError, match="foo"):
        get_backend(name).settings(foo=1)


def test_every_builtin_target_fits_its_backend():
    for target in list_targets():
        cls = backend_class(target.backend)
        assert set(target.supports) <= cls.primitives, target.name


def test_suffix_table_comes_from_the_backends():
    assert suffix_targets() == {".nir": "nir", ".onnx": "onnx", ".net": "loihi2"}


def test_unknown_backend_lists_the_registered_ones():
    with pytest.raises(UsageError, match="onnx"):
        get_backend("tpu")


class TestNIRContract(BackendContract):
    """The reference backend keeps the contract too (it is its own judge, so parity is exact)."""

    backend_name = "nir"
    target_name = "nir"
    output_atol = 0.0
