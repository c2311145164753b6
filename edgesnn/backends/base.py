"""What every backend provides, and the registry that finds them by name.

A backend turns a NIR graph into an artifact for one runtime and runs that artifact on
time-major input ``[T, B, *features]`` (DESIGN §3). Register one with ``@register`` next
to its implementation, or through the ``edgesnn.backends`` entry-point group.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from importlib import import_module, metadata
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ..errors import unknown_name

if TYPE_CHECKING:
    import nir

    from ..config import Target


@dataclass
class RunResult:
    """Outputs of one run.

    ``output``: ``[T, B, *out]`` float32 — spikes of the output layer, or the membrane of a
    non-spiking readout. ``records``: node name -> ``[T, B, *shape]`` outputs of every neuron
    node (spikes), filled when the run was asked to record. ``wall_s``: runtime wall time.
    """

    output: np.ndarray
    records: dict[str, np.ndarray] = field(default_factory=dict)
    wall_s: float = 0.0


class Backend(abc.ABC):
    """Export a NIR graph to an artifact and run it. Subclasses set ``name`` and ``supports``."""

    name: ClassVar[str]
    #: file name of the main artifact inside an export directory
    artifact_name: ClassVar[str]

    def available(self) -> bool:
        """True when the runtime can be imported here (see ``require``)."""
        try:
            self.require()
        except Exception:
            return False
        return True

    def require(self) -> None:
        """Raise RuntimeUnavailableError (exit 3) naming the install command if the runtime is missing."""

    @abc.abstractmethod
    def export(self, graph: "nir.NIRGraph", out_dir: Path, target: "Target", **options) -> list[Path]:
        """Write the artifact(s) for ``graph`` into ``out_dir`` (a fresh temp directory); return their paths."""

    @abc.abstractmethod
    def run(self, artifact: Path, x: np.ndarray, target: "Target", record: bool = False) -> RunResult:
        """Run an artifact written by ``export`` on ``x`` of shape ``[T, B, *features]``."""


_REGISTRY: dict[str, type[Backend]] = {}
_BUILTIN_MODULES = {"nir": ".nir_backend", "onnx": ".onnx", "lava": ".lava"}


def register(cls: type[Backend]) -> type[Backend]:
    """Class decorator: make a backend findable by its ``name``."""
    _REGISTRY[cls.name] = cls
    return cls


def get_backend(name: str) -> Backend:
    """The backend registered as ``name`` (built-ins are imported lazily, plugins via entry points)."""
    if name not in _REGISTRY and name in _BUILTIN_MODULES:
        import_module(_BUILTIN_MODULES[name], __package__)
    if name not in _REGISTRY:
        for ep in metadata.entry_points(group="edgesnn.backends"):
            if ep.name == name:
                register(ep.load())
    if name not in _REGISTRY:
        raise unknown_name("backend", name, set(_BUILTIN_MODULES) | set(_REGISTRY))
    return _REGISTRY[name]()
