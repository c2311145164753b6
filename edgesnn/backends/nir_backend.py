"""The ``nir`` backend: the artifact is the NIR graph itself, run by the reference simulator.

``export`` (the base's) validates the graph against the target's primitives (``write``) and
writes ``model.nir`` (metadata kept: dt, reset, timesteps, encoder...), then reads it back to make
sure it reloads; there is nothing else to write. ``run`` reads the file and calls
``edgesnn.nir.simulator.simulate``; it is what ``edgesnn run model.nir`` uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..layout import GRAPH_FILE
from ..nir.graph import NIR_PRIMITIVES
from .base import Backend, ExportSettings, RunResult

if TYPE_CHECKING:
    import nir

    from ..config import Target


class NIRBackend(Backend):
    name = "nir"
    artifact_name = GRAPH_FILE
    primitives = frozenset(NIR_PRIMITIVES)
    suffixes = {".nir": "nir"}

    def write(self, graph: nir.NIRGraph, out_dir: Path, target: Target, settings: ExportSettings) -> list[Path]:
        """Nothing beside ``model.nir``: only check the graph against the target's primitives."""
        from ..nir.graph import validate_graph

        validate_graph(graph, target.supports, where=f"target '{target.name}'")
        return []

    def run(self, artifact: Path, x: np.ndarray, target: Target, record: bool = False) -> RunResult:
        from ..nir.graph import read_graph
        from ..nir.simulator import simulate

        artifact = Path(artifact)
        if artifact.is_dir():
            artifact = artifact / self.artifact_name
        return simulate(read_graph(artifact), x, record=record)
