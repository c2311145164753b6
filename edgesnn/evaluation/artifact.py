"""What an evaluation runs: the artifact file, its target, its NIR graph and its data spec.

Accepted inputs (decision documented in docs/report-schema.md):

* an **export directory** (``manifest.json`` + ``model.nir`` + the target's artifact) — the
  normal case. The manifest is verified (sha256 of every file; a mismatch is refused), names
  the target and carries the data spec (dataset, split seed, encoder, T) the model was trained
  with. ``--target`` may re-cost the artifact on another table of the *same* runtime, or name
  ``nir`` to run the export's ``model.nir`` on the reference simulator.
* a bare **``.nir`` file** — evaluated with stated assumptions: ``--dataset`` is required, the
  split seed is 0 with the default preprocessing, the encoder and T come from the graph's
  metadata (``encoder_spec`` / ``encoder``, ``timesteps``); each assumption is listed in the report.
* a bare **``.onnx`` / ``.net`` file** is refused: it carries neither the NIR graph that the
  metrics are computed on nor the data spec; evaluate its export directory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nir

from ..config import Target, load_target
from ..errors import ArtifactError, UsageError
from ..layout import GRAPH_FILE


@dataclass
class Artifact:
    """A resolved artifact: the file the runtime runs, its target and the graph metrics use."""

    path: Path  # what the user gave
    file: Path  # what the backend runs
    target: Target
    graph: nir.NIRGraph
    manifest: dict[str, Any] | None
    data_spec: dict[str, Any] | None
    assumptions: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """A short name for tables: ``<run>/<export dir>`` or the file name."""
        p = self.path.resolve()
        return f"{p.parent.name}/{p.name}" if p.is_dir() else p.name

    @property
    def profile_name(self) -> str | None:
        return (self.manifest or {}).get("profile")

    @property
    def source_run(self) -> Path | None:
        """The training run the export came from, when the manifest names one that still exists."""
        src = (self.manifest or {}).get("source")
        if not src:
            return None
        p = Path(src)
        return p if p.is_dir() else None


def resolve(path: str | Path, target: str | None = None) -> Artifact:
    """An :class:`Artifact` for an export directory or a bare ``.nir`` file (see module doc)."""
    path = Path(path)
    if not path.exists():
        raise ArtifactError(f"'{path}' does not exist; pass an export directory from 'edgesnn export'")
    if path.is_dir():
        return _from_directory(path, target)
    if path.suffix == ".nir":
        return _from_nir_file(path, target)
    raise ArtifactError(
        f"'{path}': a bare {path.suffix or 'file'} carries no NIR graph or data spec to evaluate with; "
        "pass its export directory (the one holding manifest.json)"
    )


def _from_directory(path: Path, target: str | None) -> Artifact:
    from ..nir import read_graph
    from ..run import resolve_artifact

    found = resolve_artifact(path, target)
    tgt, shipped, manifest = found.target, found.shipped, found.manifest
    if tgt.backend not in (shipped.backend, "nir"):
        raise UsageError(
            f"target '{tgt.name}' runs on {tgt.backend} but '{path}' was exported for {shipped.backend}; "
            f"choose a {shipped.backend} target, 'nir' (reference simulator), or export again"
        )
    if not (path / GRAPH_FILE).is_file():
        raise ArtifactError(f"'{path}' holds no {GRAPH_FILE}; the metrics need the NIR graph — export again")
    graph = read_graph(path / GRAPH_FILE)
    assumptions = []
    if tgt.name != shipped.name:
        assumptions.append(f"evaluated on target '{tgt.name}' (exported for '{shipped.name}')")
    return Artifact(path, found.file, tgt, graph, manifest, manifest.get("data"), assumptions)


def _from_nir_file(path: Path, target: str | None) -> Artifact:
    from ..nir import read_graph

    graph = read_graph(path)
    tgt = load_target(target or "nir")
    if tgt.backend != "nir":
        raise UsageError(
            f"a bare .nir file runs on the reference simulator; use --target nir (got '{tgt.name}') "
            f"or export it: edgesnn export {path} --target {tgt.name}"
        )
    assumptions = [f"'{path.name}' has no manifest: checksums not verified, no training data spec"]
    return Artifact(path, path, tgt, graph, None, None, assumptions)


def output_size(graph: nir.NIRGraph) -> int:
    """Number of output units (classes x population) of the graph's Output node."""
    import numpy as np

    outs = [n for n in graph.nodes.values() if isinstance(n, nir.Output)]
    shape = outs[0].output_type.get("output") if outs else None
    if shape is None or np.asarray(shape).dtype == object:
        raise ArtifactError("the graph's Output node has no declared shape; export it again")
    return int(np.prod(np.asarray(shape)))
