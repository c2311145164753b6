"""Find the runtime for an artifact path and run it on a ``[T, B, …]`` input file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .backends import RunResult, get_backend
from .config import Target, load_target
from .errors import ArtifactError, DataError, ShapeError

SUFFIX_TARGET = {".nir": "nir", ".onnx": "onnx", ".net": "loihi2"}  # netx files are fixed point


def resolve_artifact(artifact: Path, target: str | None = None) -> tuple[Path, Target]:
    """(file to run, target) for a file or an export directory (its manifest names the target)."""
    artifact = Path(artifact)
    if not artifact.exists():
        raise ArtifactError(f"'{artifact}' does not exist")
    if artifact.is_dir():
        from .io import read_manifest

        manifest = read_manifest(artifact, verify=True)
        tgt = load_target(target or manifest.get("target") or "nir")
        return artifact / get_backend(tgt.backend).artifact_name, tgt
    if artifact.suffix not in SUFFIX_TARGET:
        raise ArtifactError(f"'{artifact}': unknown artifact type '{artifact.suffix}'; expected .nir, .onnx, .net or a directory")
    return artifact, load_target(target or SUFFIX_TARGET[artifact.suffix])


def load_input(path: Path) -> np.ndarray:
    """A ``.npy`` array; refuses other files, object arrays, NaN/inf."""
    path = Path(path)
    try:
        x = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise DataError(f"input '{path}' does not exist") from None
    except (ValueError, OSError) as exc:
        raise DataError(f"input '{path}' is not a readable .npy array ({str(exc).splitlines()[0]})") from None
    if not np.issubdtype(x.dtype, np.number) and x.dtype != np.bool_:
        raise DataError(f"input '{path}' has dtype {x.dtype}; expected a float32 array [T, B, *features]")
    if x.ndim < 3:
        raise ShapeError(f"input '{path}' has shape {x.shape}; expected [T, B, *features] (rank ≥ 3)")
    if not np.isfinite(x).all():
        raise DataError(f"input '{path}' holds {int((~np.isfinite(x)).sum())} NaN/inf values")
    return x.astype(np.float32)


def load_inputs(items: list[str] | Path | str) -> np.ndarray | dict[str, np.ndarray]:
    """``--input`` values: one ``PATH`` (an array), or ``NAME=PATH`` per input of a multimodal
    model (a dict; the runtime checks the names against the model's and lists them if wrong)."""
    from .runner.inputs import parse_inputs

    parsed = parse_inputs([str(items)] if isinstance(items, (str, Path)) else list(items))
    if isinstance(parsed, dict):
        return {name: load_input(Path(path)) for name, path in parsed.items()}
    return load_input(Path(parsed))


def run_artifact(artifact: Path, inputs: list[str] | Path | str, target: str | None = None) -> RunResult:
    file, tgt = resolve_artifact(artifact, target)
    x = load_inputs(inputs)
    return get_backend(tgt.backend).run(file, x, tgt)
