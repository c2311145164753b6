"""Artifact paths: what an export directory or a bare file runs as, and on which target."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..backends import get_backend, suffix_targets
from ..config import Target, export_target, load_target
from ..errors import ArtifactError


@dataclass
class Resolved:
    """What a path names: the ``file`` a backend runs, the ``target`` it runs on, and for an
    export directory the target it was made for (``shipped``) and its verified ``manifest``."""

    file: Path
    target: Target
    shipped: Target | None = None
    manifest: dict | None = None


def resolve_artifact(artifact: Path, target: str | None = None) -> Resolved:
    """The one resolution of an artifact path, for ``run`` and ``evaluate`` alike.

    An export directory: its manifest verified (a training run is refused, naming the export
    command), its target (``target.yaml`` or the manifest's name) unless ``target`` is given,
    the file that target's backend runs. A bare file: the target its suffix declares
    (``Backend.suffixes``: .nir, .onnx, .net, a plug-in's) unless ``target`` is given.
    """
    artifact = Path(artifact)
    if not artifact.exists():
        raise ArtifactError(f"'{artifact}' does not exist")
    if artifact.is_dir():
        from ..io import read_manifest

        manifest = read_manifest(artifact, verify=True)
        if manifest.get("kind") == "checkpoint":
            raise ArtifactError(
                f"'{artifact}' is a training run, not an export; run 'edgesnn export {artifact} --target T' first"
            )
        shipped = export_target(artifact, manifest)
        tgt = load_target(target) if target else shipped
        file = artifact / get_backend(tgt.backend).artifact_name
        if not file.is_file():
            raise ArtifactError(
                f"'{artifact}' holds no {file.name} for target '{tgt.name}'; export it with --target {tgt.name}"
            )
        return Resolved(file, tgt, shipped, manifest)
    known = suffix_targets()  # what each backend declares it runs alone (.nir, .onnx, .net, plug-ins')
    if artifact.suffix not in known:
        raise ArtifactError(
            f"'{artifact}': unknown artifact type '{artifact.suffix}'; expected "
            f"{', '.join(sorted(known))} or a directory"
        )
    return Resolved(artifact, load_target(target or known[artifact.suffix]))


@contextlib.contextmanager
def semantics_applied(given: Path, file: Path, reset: str | None, dt: float | None) -> Iterator[Path]:
    """``file``, or for a bare ``.nir`` a temporary copy whose metadata carries ``reset`` / ``dt``
    (warning about what it still assumes). Other artifacts have them fixed: giving them is a
    UsageError."""
    if given.is_dir() or given.suffix != ".nir":
        from ..nir.graph import refuse_semantics

        refuse_semantics(reset, dt, f"'{given}' was exported with its reset mode and dt fixed (see its manifest.json)")
        yield file
        return
    from ..nir import read_graph, with_semantics, write_graph

    graph = with_semantics(read_graph(file), f"NIR file '{given}'", reset=reset, dt=dt)
    if reset is None and dt is None:
        yield file
        return
    with tempfile.TemporaryDirectory(prefix="edgesnn-semantics-") as tmp:
        yield write_graph(graph, Path(tmp) / file.name)
