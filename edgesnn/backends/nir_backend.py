"""The ``nir`` backend: the artifact is the NIR graph itself, run by the reference simulator.

``export`` validates the graph against the target's primitives and writes ``model.nir``
(metadata kept: dt, reset, timesteps, encoder...) atomically, then reads it back to make
sure it reloads. ``run`` reads the file and calls ``edgesnn.nir.simulator.simulate``; it is
what ``edgesnn run model.nir`` uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ArtifactError
from .base import Backend, RunResult, register

if TYPE_CHECKING:
    import nir

    from ..config import Target


@register
class NIRBackend(Backend):
    name = "nir"
    artifact_name = "model.nir"

    def export(self, graph: "nir.NIRGraph", out_dir: Path, target: "Target", **options) -> list[Path]:
        from ..nir.graph import read_graph, validate_graph, write_graph

        if options:
            raise ArtifactError(f"the nir backend takes no export options (got {', '.join(sorted(options))})")
        validate_graph(graph, target.supports, where=f"target '{target.name}'")
        path = write_graph(graph, Path(out_dir) / self.artifact_name)
        read_graph(path)  # the file must reload before anyone relies on it
        return [path]

    def run(self, artifact: Path, x: np.ndarray, target: "Target", record: bool = False) -> RunResult:
        from ..nir.graph import read_graph
        from ..nir.simulator import simulate

        artifact = Path(artifact)
        if artifact.is_dir():
            artifact = artifact / self.artifact_name
        return simulate(read_graph(artifact), x, record=record)
