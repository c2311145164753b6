"""Copy the runner's source (and only it) to a folder for a device: numpy + onnxruntime needs.

The runner imports ``edgesnn/__init__.py`` (lazy, imports nothing), ``edgesnn/errors.py``
(stdlib), ``edgesnn/readout.py`` (numpy), ``edgesnn/data/`` (numpy only at import: scikit-learn and h5py load inside the
functions that read datasets, which the runner never calls; ``data/sources/`` holds the audio
features a spoken-word bundle computes on the device) and ``edgesnn/runner/``. On the
device: ``pip install numpy onnxruntime`` then ``PYTHONPATH=DIR python -m edgesnn.runner ...``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
#: folders copied whole (their *.py) and single files, relative to the edgesnn package
FOLDERS = ("data", "data/sources", "runner")
FILES = ("__init__.py", "errors.py", "io.py", "layout.py", "readout.py")


def runner_files() -> list[Path]:
    """The source files the runner needs, relative to the folder that holds ``edgesnn``."""
    files = [Path("edgesnn") / f for f in FILES]
    for folder in FOLDERS:
        files += [Path("edgesnn") / folder / p.name for p in sorted((PACKAGE / folder).glob("*.py"))]
    return files


def copy_runner(dest: str | Path) -> list[Path]:
    """Copy ``runner_files()`` under ``dest`` (``dest/edgesnn/...``); returns the written paths."""
    from ..errors import UsageError

    dest = Path(dest)
    blocker = next((p for p in (dest, *dest.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise UsageError(f"--copy-to '{dest}': '{blocker}' is a file, not a directory; choose a directory")
    written = []
    for rel in runner_files():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PACKAGE.parent / rel, target)
        written.append(target)
    return written
