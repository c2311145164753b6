"""Source rewrites of archived dependencies, applied at import; site-packages is never touched.

Lava (``backends/lava/compat.py``) and NNI (``tune/nni_tuners.py``) are archived releases with
defects on Python 3.11 / numpy 2. Each names its rewrites as ``{module: [(regex, replacement)]}``
and calls ``install(rewrites)``: a ``sys.meta_path`` finder then serves exactly those modules
through a loader that compiles their source after the rewrites (never from the installed,
unpatched ``.pyc``, and never writing one). Each rewrite is checked: a pattern that is absent (a
fixed release) is simply not applied, and a module that was rewritten carries ``PATCHED`` (the
number of substitutions). Forked or spawned processes that install the same finder before the
import get the same modules.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import re
import sys
import types
from typing import Any

Rewrites = dict[str, list[tuple[str, str]]]
PATCHED = "__edgesnn_patched__"


def patch_source(rewrites: Rewrites, fullname: str, source: str) -> tuple[str, int]:
    """``fullname``'s source after its rewrites, and how many substitutions were made."""
    total = 0
    for pattern, repl in rewrites.get(fullname, []):
        source, n = re.subn(pattern, repl, source)
        total += n
    return source, total


class PatchingLoader(importlib.machinery.SourceFileLoader):
    """Compile the module from its rewritten source; ignore and never write bytecode caches."""

    def __init__(self, fullname: str, path: str, rewrites: Rewrites) -> None:
        super().__init__(fullname, path)
        self.rewrites = rewrites

    def get_code(self, fullname: str) -> types.CodeType:
        path = self.get_filename(fullname)
        source, n = patch_source(self.rewrites, fullname, self.get_data(path).decode("utf-8"))
        if n:
            source += f"\n{PATCHED} = {n}\n"
        return compile(source, path, "exec", dont_inherit=True)

    def set_data(self, path: str, data: bytes, *, _mode: int = 0o666) -> None:  # no .pyc
        return None


class PatchFinder(importlib.abc.MetaPathFinder):
    """Finds the modules ``rewrites`` names and loads them through ``PatchingLoader``."""

    def __init__(self, rewrites: Rewrites) -> None:
        self.rewrites = rewrites

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.rewrites:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            return None
        spec.loader = PatchingLoader(fullname, spec.origin, self.rewrites)
        return spec


def install(rewrites: Rewrites) -> None:
    """Put a finder for ``rewrites`` first on ``sys.meta_path`` (idempotent per ``rewrites``)."""
    if not any(isinstance(f, PatchFinder) and f.rewrites is rewrites for f in sys.meta_path):
        sys.meta_path.insert(0, PatchFinder(rewrites))
