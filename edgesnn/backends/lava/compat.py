"""Make lava-nc 0.10 / lava-dl 0.6 importable on Python 3.11 + numpy 2, without touching site-packages.

Lava is archived; every release declares ``Requires-Python <3.11`` and ``numpy <2`` and is
installed here with ``pip install --no-deps --ignore-requires-python``. Three defects then
break it, and one import needs a package that cannot load beside the CPU torch:

1. ``lava/magma/compiler/var_model.py`` declares dataclass fields ``x: ByteEncoder =
   ByteEncoder()``. Python 3.11 rejects unhashable (mutable) dataclass defaults at class
   creation: ``ValueError: mutable default ... use default_factory``. Fix: the default
   becomes ``dataclasses.field(default_factory=ByteEncoder)`` (same value, one per instance).
2. ``lava/magma/core/process/ports/ports.py`` builds its reshape/flatten transforms as
   ``functools.partial(np.reshape, newshape=shape)``. numpy 2.4 removed ``newshape``; the call
   fails inside a Lava worker process, and Lava then waits forever (no error surfaces). Fix:
   the shape is passed as ``shape=`` (the numpy >= 2.1 keyword, positionally compatible).
3. ``import lava.lib.dl.netx`` imports ``lava.lib.dl.slayer``, whose object-detection
   sub-package imports ``torchvision`` at import time. PyPI's torchvision does not load beside
   the CPU torch wheel (``operator torchvision::nms does not exist``), and netx never calls it.
   A stub module stands in for ``torchvision`` during that one import and is removed after.

4. ``lava/proc/conv/utils.py`` computes a Conv's output size from its process model's int8
   ``padding``/``stride``/``dilation``/``kernel_size``; under numpy 2 (NEP 50) ``765 + 2 *
   padding`` with an int8 ``padding`` raises ``OverflowError`` (an input wider than 127, e.g. a
   gene-expression profile read by a Conv1d). Fix: those values are widened to int64 first.

Fixes 1, 2 and 4 are applied by a ``sys.meta_path`` finder (``edgesnn/source_patch.py``),
installed before the first ``import lava``: it finds exactly those modules and compiles their source after a
textual rewrite (never from the installed, unpatched ``.pyc``, and never writing one).
Each rewrite is checked: a pattern that is absent (a fixed Lava release) is simply not
applied. Lava forks its worker processes, so the patched modules are inherited by them.

``import_lava()`` is the only entry point; nothing else in edgesnn imports Lava at module
import time. A missing or unimportable Lava raises ``RuntimeUnavailableError`` (exit 3)
naming the install command.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import io
import sys
import types
from collections.abc import Callable
from typing import Any

from ... import source_patch
from ...errors import RuntimeUnavailableError

INSTALL_HINT = (
    "install it with `make install`, or: pip install --no-deps --ignore-requires-python "
    "lava-nc==0.10.0 lava-dl==0.6.0 (plus asteval and opencv-python-headless)"
)

#: module name -> list of (regex, replacement) applied to its source
_REWRITES: dict[str, list[tuple[str, str]]] = {
    "lava.magma.compiler.var_model": [
        (
            r"(:\s*ByteEncoder\s*)=\s*ByteEncoder\(\)",
            r"\1= __import__('dataclasses').field(default_factory=ByteEncoder)",
        ),
    ],
    "lava.magma.core.process.ports.ports": [
        (r"ft\.partial\(np\.reshape,\s*newshape=", "ft.partial(np.reshape, shape="),
    ],
    "lava.proc.conv.utils": [
        (
            r"\n(    x_out = np\.floor\()",
            "\n    input_shape, kernel_size, stride, padding, dilation = (np.asarray(v, dtype=np.int64) "
            "for v in (input_shape, kernel_size, stride, padding, dilation))\n\\1",
        ),
    ],
}


def patch_source(fullname: str, source: str) -> str:
    """Apply the rewrites registered for ``fullname`` to its source text."""
    return source_patch.patch_source(_REWRITES, fullname, source)[0]


def install_finder() -> None:
    """Put the patching finder first on ``sys.meta_path`` (idempotent; ``edgesnn/source_patch.py``)."""
    source_patch.install(_REWRITES)


def _torchvision_stub() -> types.ModuleType:
    """A ``torchvision`` with empty ``ops``/``transforms``: enough for slayer's import-time references."""
    stub = types.ModuleType("torchvision")
    stub.__path__ = []  # a package, so ``from torchvision import ops`` resolves attributes
    for sub in ("ops", "transforms", "datasets", "io", "utils"):
        mod = types.ModuleType(f"torchvision.{sub}")
        mod.__getattr__ = _stub_getattr(f"torchvision.{sub}")  # type: ignore[attr-defined]
        setattr(stub, sub, mod)
    return stub


def _stub_getattr(prefix: str) -> Callable[[str], Any]:
    def getattr_(name: str) -> Any:
        if name.startswith("__"):  # __file__, __spec__...: behave like a plain module
            raise AttributeError(name)
        return _missing(f"{prefix}.{name}")

    return getattr_


def _missing(name: str) -> Callable[..., Any]:
    def fail(*_a: Any, **_k: Any) -> Any:
        raise RuntimeUnavailableError(f"{name} is a stub in edgesnn (only slayer's object detection needs torchvision)")

    return fail


def import_lava(*, netx: bool = False) -> types.SimpleNamespace:
    """Import the Lava modules edgesnn uses (patched), or raise RuntimeUnavailableError (exit 3).

    Returns a namespace with the modules: ``process`` (lava.magma.core.process.process),
    ``lif``, ``dense``, ``conv``, ``io_source``, ``io_sink``, ``monitor``, ``run_conditions``,
    ``run_configs``, and ``netx`` (``lava.lib.dl.netx``) when ``netx=True``.
    """
    install_finder()
    names = {
        "lif": "lava.proc.lif.process",
        "dense": "lava.proc.dense.process",
        "conv": "lava.proc.conv.process",
        "io_source": "lava.proc.io.source",
        "io_sink": "lava.proc.io.sink",
        "run_conditions": "lava.magma.core.run_conditions",
        "run_configs": "lava.magma.core.run_configs",
    }
    try:
        mods = {key: importlib.import_module(name) for key, name in names.items()}
        if netx:
            mods["netx"] = _import_netx()
    except RuntimeUnavailableError:
        raise
    except Exception as exc:  # ImportError, or Lava breaking at import on this Python/numpy
        raise RuntimeUnavailableError(
            f"Lava is not importable here ({type(exc).__name__}: {exc}); {INSTALL_HINT}"
        ) from exc
    return types.SimpleNamespace(**mods)


def _import_netx() -> types.ModuleType:
    """Import ``lava.lib.dl.netx`` with a temporary torchvision stub (removed afterwards)."""
    if "lava.lib.dl.netx" in sys.modules:
        return sys.modules["lava.lib.dl.netx"]
    added = [n for n in ("torchvision", "torchvision.ops", "torchvision.transforms") if n not in sys.modules]
    if added:
        stub = _torchvision_stub()
        sys.modules["torchvision"] = stub
        sys.modules["torchvision.ops"] = stub.ops
        sys.modules["torchvision.transforms"] = stub.transforms
    try:  # slayer prints a notice about an optional dataset toolbox on import: keep stdout clean
        with contextlib.redirect_stdout(io.StringIO()):
            return importlib.import_module("lava.lib.dl.netx")
    finally:
        for name in added:
            sys.modules.pop(name, None)
