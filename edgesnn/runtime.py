"""Find the runtime for an artifact path and run it on a ``[T, B, …]`` input file."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .backends import RunResult, get_backend, suffix_targets
from .config import Target, export_target, load_target
from .errors import ArtifactError, DataError, ShapeError


def resolve_artifact(artifact: Path, target: str | None = None) -> tuple[Path, Target]:
    """(file to run, target) for a file or an export directory (its manifest names the target)."""
    artifact = Path(artifact)
    if not artifact.exists():
        raise ArtifactError(f"'{artifact}' does not exist")
    if artifact.is_dir():
        from .io import read_manifest

        manifest = read_manifest(artifact, verify=True)
        tgt = load_target(target) if target else export_target(artifact, manifest)
        return artifact / get_backend(tgt.backend).artifact_name, tgt
    known = suffix_targets()  # what each backend declares it runs alone (.nir, .onnx, .net, plug-ins')
    if artifact.suffix not in known:
        raise ArtifactError(f"'{artifact}': unknown artifact type '{artifact.suffix}'; expected "
                            f"{', '.join(sorted(known))} or a directory")
    return artifact, load_target(target or known[artifact.suffix])


def load_input(path: Path) -> np.ndarray:
    """A ``.npy`` array (or a one-array ``.npz``) ``[T, B, *features]`` as float32; refuses other
    files, object arrays, NaN/inf and values beyond float32's range."""
    from .runner.inputs import as_float32, read_array

    x = read_array(path)
    if not np.issubdtype(x.dtype, np.number) and x.dtype != np.bool_:
        raise DataError(f"input '{path}' has dtype {x.dtype}; expected a float32 array [T, B, *features]")
    if x.ndim < 3:
        raise ShapeError(f"input '{path}' has shape {x.shape}; expected [T, B, *features] (rank ≥ 3)")
    return as_float32(x, f"input '{path}'")


def load_inputs(items: list[str] | Path | str) -> np.ndarray | dict[str, np.ndarray]:
    """``--input`` values: one ``PATH`` (an array), or ``NAME=PATH`` per input of a multimodal
    model (a dict; the runtime checks the names against the model's and lists them if wrong)."""
    from .runner.inputs import parse_inputs

    parsed = parse_inputs([str(items)] if isinstance(items, (str, Path)) else list(items))
    if isinstance(parsed, dict):
        return {name: load_input(Path(path)) for name, path in parsed.items()}
    return load_input(Path(parsed))


def run_artifact(artifact: Path, inputs: list[str] | Path | str, target: str | None = None, *,
                 reset: str | None = None, dt: float | None = None) -> RunResult:
    """Run ``artifact`` on ``inputs``; ``reset`` / ``dt`` only for a bare ``.nir`` file that
    does not state them (see ``edgesnn.nir.with_semantics``)."""
    file, tgt = resolve_artifact(artifact, target)
    x = load_inputs(inputs)
    with semantics_applied(Path(artifact), file, reset, dt) as file:
        return get_backend(tgt.backend).run(file, x, tgt)


@contextlib.contextmanager
def semantics_applied(given: Path, file: Path, reset: str | None, dt: float | None) -> Iterator[Path]:
    """``file``, or for a bare ``.nir`` a temporary copy whose metadata carries ``reset`` / ``dt``
    (warning about what it still assumes). Other artifacts have them fixed: giving them is a
    UsageError."""
    if given.is_dir() or given.suffix != ".nir":
        from .nir.graph import refuse_semantics

        refuse_semantics(reset, dt, f"'{given}' was exported with its reset mode and dt fixed (see its manifest.json)")
        yield file
        return
    from .nir import read_graph, with_semantics, write_graph

    graph = with_semantics(read_graph(file), f"NIR file '{given}'", reset=reset, dt=dt)
    if reset is None and dt is None:
        yield file
        return
    with tempfile.TemporaryDirectory(prefix="edgesnn-semantics-") as tmp:
        yield write_graph(graph, Path(tmp) / file.name)
