"""Find backends by name: the ``edgesnn.backends`` entry-point group, built-ins and plug-ins alike.

edgesnn's own backends are listed in its ``pyproject.toml`` exactly as a plug-in lists its
own (``[project.entry-points."edgesnn.backends"] onnx = "edgesnn.backends.onnx:OnnxBackend"``),
so nothing in edgesnn names a backend in code. Loading a class imports its module but not
its runtime (Lava, onnxruntime): ``Backend.require`` does that when the backend is used.
"""

from __future__ import annotations

from functools import cache
from importlib import metadata

from ..errors import ConfigError, EdgeSNNError, unknown_name
from .base import Backend

GROUP = "edgesnn.backends"
_REGISTRY: dict[str, type[Backend]] = {}


def register(cls: type[Backend]) -> type[Backend]:
    """Class decorator: make a backend findable by its ``name`` in this process."""
    _REGISTRY[cls.name] = cls
    return cls


@cache
def _entry_points() -> dict[str, metadata.EntryPoint]:
    return {ep.name: ep for ep in metadata.entry_points(group=GROUP)}


def backend_names() -> list[str]:
    """Every backend that can be named: registered here or through the entry-point group."""
    return sorted(set(_REGISTRY) | set(_entry_points()))


def backend_class(name: str) -> type[Backend]:
    """The class registered as ``name`` (loading its entry point on first use)."""
    if name not in _REGISTRY:
        ep = _entry_points().get(name)
        if ep is None:
            raise unknown_name("backend", name, backend_names())
        try:
            cls = ep.load()
        except EdgeSNNError:
            raise
        except Exception as exc:  # a broken plug-in must not take the CLI down with a traceback
            raise ConfigError(f"backend '{name}' ({ep.value}) failed to load: {type(exc).__name__}: {exc}") from None
        if not (isinstance(cls, type) and issubclass(cls, Backend)):
            raise ConfigError(f"entry point '{name}' = {ep.value} in group {GROUP} is not an edgesnn Backend subclass")
        if cls.name != name:
            raise ConfigError(f"entry point '{name}' = {ep.value} names a backend called '{cls.name}'")
        _REGISTRY[name] = cls
    return _REGISTRY[name]


def get_backend(name: str) -> Backend:
    """An instance of the backend registered as ``name``."""
    return backend_class(name)()


def suffix_targets() -> dict[str, str]:
    """Artifact suffix -> the target that runs such a file alone, over every backend."""
    table: dict[str, str] = {}
    for name in backend_names():
        try:
            table.update(backend_class(name).suffixes)
        except ConfigError:
            continue  # a broken plug-in does not stop the others' files from running
    return table
