"""``f32sim``: an out-of-tree edgesnn backend, the example of ``docs/writing-a-backend.md``.

Its artifact, ``model.f32.npz``, holds every array of the graph cast to float32 plus the graph's
structure as JSON; ``run`` rebuilds the graph from it and steps it with edgesnn's reference
simulator. The point is the contract, not the runtime: it declares what it supports, takes
one typed option, writes its own file and runs it.
"""

from __future__ import annotations

import json
from pathlib import Path

import nir
import numpy as np

from edgesnn.backends import Backend, ExportSettings, RunResult
from edgesnn.errors import ArtifactError
from edgesnn.nir.graph import NIR_PRIMITIVES


class F32Settings(ExportSettings):
    #: round every array to float32 (False keeps float64 where the graph has it)
    float32: bool = True


class Float32SimBackend(Backend):
    name = "f32sim"
    artifact_name = "model.f32.npz"
    primitives = frozenset(NIR_PRIMITIVES)
    Settings = F32Settings

    def write(self, graph: nir.NIRGraph, out_dir: Path, target, settings: F32Settings) -> list[Path]:
        from edgesnn.nir.graph import validate_graph

        validate_graph(graph, target.supports, where=f"target '{target.name}'")  # names an unsupported node
        data = graph.to_dict()
        arrays: dict[str, np.ndarray] = {}
        structure = _split(data, arrays, "", np.float32 if settings.float32 else None)
        path = Path(out_dir) / self.artifact_name
        text = json.dumps(structure, default=lambda v: v.item() if isinstance(v, np.generic) else str(v))
        np.savez(path, __structure__=np.array(text), **arrays)
        return [path]

    def run(self, artifact: Path, x, target, record: bool = False) -> RunResult:
        from edgesnn.nir.simulator import simulate

        artifact = Path(artifact)
        if artifact.is_dir():
            artifact = artifact / self.artifact_name
        try:
            with np.load(artifact, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (OSError, ValueError) as exc:
            raise ArtifactError(f"'{artifact}' is not an f32sim artifact ({exc})") from None
        structure = json.loads(str(arrays.pop("__structure__")))
        graph = nir.NIRGraph.from_dict(_join(structure, arrays))
        return simulate(graph, x, record=record)


def _split(value, arrays: dict, key: str, dtype):
    """The graph dict with its arrays replaced by references into ``arrays``."""
    if isinstance(value, dict):
        return {k: _split(v, arrays, f"{key}/{k}", dtype) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_split(v, arrays, f"{key}/{i}", dtype) for i, v in enumerate(value)]
    if isinstance(value, np.ndarray):
        float_array = np.issubdtype(value.dtype, np.floating)
        arrays[key] = value.astype(dtype) if dtype is not None and float_array else value
        return {"__array__": key}
    return value


def _join(value, arrays: dict):
    if isinstance(value, dict):
        if set(value) == {"__array__"}:
            return arrays[value["__array__"]]
        return {k: [tuple(e) for e in v] if k == "edges" else _join(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [_join(v, arrays) for v in value]
    return value
