"""What a bundle is made from: an export directory, read and checked.

``read_export(dir)`` verifies the export's manifest checksums (``edgesnn.io.read_manifest``),
reads its NIR graph and the data spec the checkpoint was trained with (dataset, seed, split,
preprocessing statistics, encoder, T, classes, input shape). An export of a third-party
``.nir`` carries no data spec: such a graph cannot be packaged for raw sensor input.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nir

from ..errors import ArtifactError, UsageError
from ..io import read_manifest, sha256_file
from ..layout import GRAPH_FILE, MANIFEST_FILE

NEEDED_SPEC = ("dataset", "seed", "preprocessing", "encoder", "timesteps", "classes", "feature_shape", "input_shape")


@dataclass
class ExportSource:
    """An export directory: its manifest, NIR graph, data spec and evaluation report (if any)."""

    path: Path
    manifest: dict[str, Any]
    graph: nir.NIRGraph
    spec: dict[str, Any]
    report_dir: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def manifest_sha256(self) -> str:
        return sha256_file(self.path / MANIFEST_FILE)


def read_export(path: str | Path) -> ExportSource:
    """Read and verify an export directory made by ``edgesnn export``."""
    from ..nir import read_graph

    path = Path(path)
    if not path.is_dir():
        what = "is a file" if path.exists() else "does not exist"
        raise UsageError(f"'{path}' {what}; give an export directory made by `edgesnn export RUN --target onnx`")
    manifest = read_manifest(path, verify=True)
    if not (path / GRAPH_FILE).is_file():
        raise ArtifactError(f"'{path}' has no model.nir; re-export it with `edgesnn export`")
    graph = read_graph(path / GRAPH_FILE)
    spec = manifest.get("data") or {}
    missing = [k for k in NEEDED_SPEC if k not in spec]
    if missing:
        raise UsageError(
            f"'{path}' has no training data spec ({', '.join(missing)} missing): a bundle needs the "
            "preprocessing and encoder a model was trained with; export a run directory from `edgesnn train`"
        )
    report = path / "report"
    return ExportSource(path, manifest, graph, spec, report if (report / "report.json").is_file() else None)


def report_accuracy(report_json: bytes) -> tuple[float | None, int | None]:
    """(accuracy, samples) of an evaluation report.json, or (None, None) if it has none."""
    try:
        data = json.loads(report_json)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, None
    acc, n = data.get("accuracy"), data.get("samples")
    return (float(acc) if isinstance(acc, (int, float)) else None, int(n) if isinstance(n, int) else None)
