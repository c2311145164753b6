"""``run``: an artifact (export directory or bare file) on input files, on its own runtime.

``artifacts.py`` resolves what a path runs as (shared with ``evaluate``); ``inputs.py`` reads
the ``--input`` arrays.
"""

from __future__ import annotations

from pathlib import Path

from ..backends import RunResult, get_backend
from .artifacts import Resolved, resolve_artifact, semantics_applied
from .inputs import load_input, load_inputs

__all__ = ["Resolved", "load_input", "load_inputs", "resolve_artifact", "run_artifact", "semantics_applied"]


def run_artifact(
    artifact: Path,
    inputs: list[str] | Path | str,
    target: str | None = None,
    *,
    reset: str | None = None,
    dt: float | None = None,
) -> RunResult:
    """Run ``artifact`` on ``inputs``; ``reset`` / ``dt`` only for a bare ``.nir`` file that
    does not state them (see ``edgesnn.nir.with_semantics``)."""
    resolved = resolve_artifact(artifact, target)
    file, tgt = resolved.file, resolved.target
    x = load_inputs(inputs)
    with semantics_applied(Path(artifact), file, reset, dt) as file:
        return get_backend(tgt.backend).run(file, x, tgt)
