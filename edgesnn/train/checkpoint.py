"""Checkpoints: a run directory holding everything needed to rebuild and judge a model.

runs/<name>/checkpoint.pt   weights + model spec (hyper-parameters, input shape, classes)
                            + data spec (dataset, split, preprocessing, encoder, T)
                            + profile, target, metrics, seed
runs/<name>/metrics.json    the metrics and profile checks, for people and scripts
runs/<name>/manifest.json   versions, seed, dt, profile, target, sha256 of each file
"""

from __future__ import annotations

import io
import pickle
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from ..config import Profile, Target
from ..errors import ArtifactError, EdgeSNNError, first_line
from ..io import atomic_dir, atomic_write_bytes, read_manifest, write_json, write_manifest
from ..layout import MANIFEST_FILE as MANIFEST

if TYPE_CHECKING:
    from .run import TrainResult

CHECKPOINT = "checkpoint.pt"
FORMAT = 1
#: what every checkpoint holds (checked before anything is rebuilt)
PAYLOAD_KEYS = ("hp", "input_shape", "n_classes", "state_dict", "data", "profile", "target", "metrics", "seed")


def step_shape_json(model: torch.nn.Module) -> list[int] | dict[str, list[int]]:
    """The per-step input shape the model was built for (a dict for a multi-input model)."""
    shapes = getattr(model, "input_shapes", None)
    if shapes:
        return {k: list(v) for k, v in shapes.items()}
    return list(model.input_shape)


def save_checkpoint(result: TrainResult, out: Path, *, seed: int, force: bool = False) -> Path:
    payload = {
        "format": FORMAT,
        "hp": result.hp,
        "input_shape": step_shape_json(result.model),
        "n_classes": result.model.n_classes,
        "state_dict": result.model.state_dict(),
        "data": result.data_spec,
        "profile": result.profile.model_dump(),
        "target": result.target.model_dump(),
        "metrics": result.metrics,
        "seed": seed,
    }
    buf = io.BytesIO()
    torch.save(payload, buf)
    with atomic_dir(out, force=force) as tmp:
        atomic_write_bytes(tmp / CHECKPOINT, buf.getvalue())
        write_json(
            tmp / "metrics.json",
            {"metrics": result.metrics, "checks": [c.to_dict() for c in result.checks], "feasible": result.feasible},
        )
        write_manifest(
            tmp,
            kind="checkpoint",
            seed=seed,
            dt=result.profile.dt_s,
            profile=result.profile.name,
            target=result.target.name,
            model=result.hp["model"],
            dataset=result.data_spec.get("dataset"),
        )
    return Path(out)


@dataclass
class Checkpoint:
    """A loaded checkpoint: the rebuilt snnTorch model and what it was trained with."""

    model: torch.nn.Module
    hp: dict
    data: dict
    profile: Profile
    target: Target
    metrics: dict[str, Any]
    seed: int
    path: Path

    def to_nir(self, dt: float | None = None):
        """The model as a NIR graph with dt (the profile's unless given), reset, encoder and T."""
        from ..models.to_nir import to_nir

        meta = {"encoder": self.data["encoder"]["name"], "timesteps": self.data["timesteps"]}
        return to_nir(self.model, dt=dt or self.profile.dt_s, metadata=meta)


def load_checkpoint(path: Path) -> Checkpoint:
    """Rebuild a model from a run directory (or its checkpoint.pt), verifying the manifest."""
    from ..models import build

    path = Path(path)
    directory = path if path.is_dir() else path.parent
    file = directory / CHECKPOINT
    if not file.is_file():
        raise ArtifactError(f"'{path}' holds no {CHECKPOINT}; pass a run directory made by 'edgesnn train'")
    if (directory / MANIFEST).is_file():
        read_manifest(directory, verify=True)
    try:  # weights_only: tensors and plain containers only; a pickle that would run code is refused
        with warnings.catch_warnings():  # torch warns about foreign pickle protocols before refusing them
            warnings.simplefilter("ignore")
            payload = torch.load(file, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        raise ArtifactError(
            f"'{file}' holds objects other than weights and plain data; refused without "
            f"loading (a checkpoint never runs code)"
        ) from None
    except Exception as exc:  # torch raises many types for a corrupt file
        raise ArtifactError(f"'{file}' is not a readable checkpoint ({type(exc).__name__})") from None
    if not isinstance(payload, dict) or type(payload.get("format")) is not int or payload["format"] != FORMAT:
        raise ArtifactError(f"'{file}' is not an edgesnn checkpoint of format {FORMAT}")
    missing = [k for k in PAYLOAD_KEYS if k not in payload]
    if missing:
        raise ArtifactError(f"'{file}' lacks {', '.join(missing)}; it was not written by 'edgesnn train'")
    try:
        shape = payload["input_shape"]
        shape = {k: tuple(v) for k, v in shape.items()} if isinstance(shape, dict) else tuple(shape)
        model = build(payload["hp"], shape, payload["n_classes"])
        model.load_state_dict(payload["state_dict"])
        profile, target = Profile.model_validate(payload["profile"]), Target.model_validate(payload["target"])
    except EdgeSNNError as exc:
        raise ArtifactError(f"'{file}' does not rebuild: {exc}") from None
    except (TypeError, ValueError, KeyError, RuntimeError) as exc:  # weights of another shape, bad hp types
        raise ArtifactError(f"'{file}' does not rebuild ({type(exc).__name__}: {first_line(exc)[:160]})") from None
    model.eval()
    return Checkpoint(
        model, payload["hp"], payload["data"], profile, target, payload["metrics"], payload["seed"], directory
    )


def latest_run(root: Path = Path("runs")) -> Path:
    """The most recently written run directory under ``root``."""
    runs = sorted((p.parent for p in Path(root).glob(f"*/{CHECKPOINT}")), key=lambda p: p.stat().st_mtime)
    if not runs:
        raise ArtifactError(f"no trained run under '{root}/'; run 'edgesnn train' first or pass a model path")
    return runs[-1]
