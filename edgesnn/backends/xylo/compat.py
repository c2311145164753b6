"""Make Rockpool 3.1's Xylo IMU simulator importable without SynSense's ``samna``, without touching site-packages.

``XyloSim`` (``rockpool.devices.xylo.syns63300``) wraps ``xylosim``, an open C++ simulator needing
only numpy (rockpool: ``pip install --no-deps``; xylosim: built from its sdist with pybind11 and
g++). Yet ``import rockpool.devices.xylo.syns63300`` fails without ``samna``, SynSense's closed
hardware-interface package: ``rockpool/devices/xylo/__init__.py`` imports ``syns65302``, whose
``__init__`` imports ``afe_samna_pdm`` outside its ``try`` block, and that module imports samna
and reads ``samna.xyloAudio3....`` attributes at import time. PyPI's ``samna`` is no help: a stub
whose ``__init__`` runs ``pip install --force-reinstall`` from another index; never import it.

Fix: unless a real samna is installed (the PyPI stub is recognised by reading its source, never
by importing it), a ``sys.meta_path`` finder, installed first, serves a stand-in ``samna``: every
``samna.*`` path is an empty package whose attributes are placeholder classes (their attributes
too). Import-time references and ``isinstance`` work; *calling* a placeholder (i.e. using the
hardware interface: ``config_from_specification``, ``XyloSamna``...) raises
``RuntimeUnavailableError``. The stand-in has no ``__version__``, so Rockpool's own probe still
reports samna unavailable; the finder stays installed, so ``import samna`` never reaches the stub.

``import_xylo()`` is the only entry point; nothing else in edgesnn imports Rockpool at import
time. A missing rockpool or xylosim raises ``RuntimeUnavailableError`` (exit 3) naming the install command.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from typing import Any

from ...errors import RuntimeUnavailableError

INSTALL_HINT = (
    "install it with `make install`, or: pip install --no-deps rockpool==3.1.0; pip install pybind11==3.1.0 "
    "setuptools==84.2.1; pip install --no-deps --no-build-isolation xylosim==0.1.3 (compiles C++, needs g++)"
)

_ROOT = "samna"
_STUB_MARKERS = ("PYPI_SAMNA", "install_real_samna")  # text of PyPI's samna/__init__.py


def real_samna_installed() -> bool:
    """True iff an importable ``samna`` exists that is not PyPI's self-installing stub (never imports it)."""
    try:
        spec = importlib.machinery.PathFinder.find_spec(_ROOT)
        if spec is None or not (spec.origin or "").endswith("__init__.py"):
            return spec is not None  # absent, or a compiled extension: the real package
        with open(spec.origin, encoding="utf-8", errors="replace") as fh:
            return not any(marker in fh.read() for marker in _STUB_MARKERS)
    except (ImportError, ValueError, OSError):
        return False


class _PlaceholderMeta(type):
    """Metaclass of stand-in classes: unknown attributes are further placeholders; calls fail."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):  # __origin__, __mro_entries__...: behave like a plain class
            raise AttributeError(name)
        value = _placeholder(f"{cls.__qualname__}.{name}")
        setattr(cls, name, value)
        return value

    def __call__(cls, *_a: Any, **_k: Any) -> Any:
        raise RuntimeUnavailableError(
            f"{cls.__qualname__} needs SynSense's samna (not installed; edgesnn serves a stand-in "
            "so that Rockpool's simulator imports); only the Xylo hardware interface uses it"
        )


def _placeholder(qualname: str) -> type:
    return _PlaceholderMeta(qualname.rsplit(".", 1)[-1], (), {"__module__": _ROOT, "__qualname__": qualname})


class _StandInModule(types.ModuleType):
    """A ``samna`` (sub)package: any non-dunder attribute is a cached placeholder class."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # __version__, __file__...: absent, as in an empty module
            raise AttributeError(name)
        value = _placeholder(f"{self.__name__}.{name}")
        setattr(self, name, value)
        return value


class _StandInLoader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return _StandInModule(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        module.__edgesnn_stand_in__ = True  # type: ignore[attr-defined]


class SamnaStandInFinder(importlib.abc.MetaPathFinder):
    """Serves ``samna`` and every ``samna.*`` module path as a stand-in package."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != _ROOT and not fullname.startswith(_ROOT + "."):
            return None
        return importlib.machinery.ModuleSpec(fullname, _StandInLoader(), is_package=True)


def install_finder() -> bool:
    """Put the stand-in finder first on ``sys.meta_path`` unless a real samna is installed (idempotent).

    Returns True iff the stand-in is (now) active."""
    if any(isinstance(f, SamnaStandInFinder) for f in sys.meta_path):
        return True
    if real_samna_installed() or _ROOT in sys.modules:  # a samna is already imported: leave it alone
        return False
    sys.meta_path.insert(0, SamnaStandInFinder())
    return True


def import_xylo() -> types.SimpleNamespace:
    """Import Rockpool's Xylo IMU simulator and mapper, or raise RuntimeUnavailableError (exit 3).

    Returns a namespace: ``XyloSim`` (syns63300, backed by ``xylosim.v2``), ``mapper``,
    ``DRCError``, ``DRCWarning``, ``global_quantize``, ``channel_quantize``, the modules
    ``syns63300`` and ``xylosim`` (``xylosim.v2``: ``XyloLayer``, ``XyloSynapse``), the
    ``rockpool_version``, and ``samna_stand_in`` (True when the stand-in serves samna).
    """
    for name, dist in (("rockpool", "rockpool==3.1.0"), ("xylosim", "xylosim==0.1.3")):
        if importlib.util.find_spec(name) is None:
            raise RuntimeUnavailableError(f"{dist} is not installed; {INSTALL_HINT}")
    stand_in = install_finder()
    try:
        xylosim_v2 = importlib.import_module("xylosim.v2")  # the compiled simulator itself
        rockpool = importlib.import_module("rockpool")
        syns63300 = importlib.import_module("rockpool.devices.xylo.syns63300")
        quantize = importlib.import_module("rockpool.transform.quantize_methods")
        xylo_sim = importlib.import_module("rockpool.devices.xylo.syns63300.xylo_sim")
    except Exception as exc:  # ImportError, or Rockpool breaking at import here
        raise RuntimeUnavailableError(
            f"Rockpool's Xylo simulator is not importable here ({type(exc).__name__}: {exc}); {INSTALL_HINT}"
        ) from exc
    return types.SimpleNamespace(
        XyloSim=xylo_sim.XyloSim,
        mapper=syns63300.mapper,
        DRCError=syns63300.DRCError,
        DRCWarning=syns63300.DRCWarning,
        global_quantize=quantize.global_quantize,
        channel_quantize=quantize.channel_quantize,
        syns63300=syns63300,
        xylosim=xylosim_v2,
        rockpool_version=getattr(rockpool, "__version__", "unknown"),
        samna_stand_in=stand_in,
    )
