"""``train_ann``: the ANN twin alone — the non-spiking network a conversion study starts from.

The first stage of a CNN→SNN study searches the ANN's architecture before any spiking model
exists (the miRNA study tunes its 1-D CNN's shape this way). ``train_ann`` prepares the data
exactly as ``train`` does (same split, scaling, encoder view), builds the twin of the model
``hp`` describes (ReLU instead of neurons, logits out; population groups summed per class),
trains it with cross-entropy and Adam for ``epochs`` epochs, keeps the weights of the best
validation epoch, and reports

    val_acc, test_acc     accuracy of the kept weights (validation chooses, test is only reported)
    params                trainable parameters (weights + biases of every layer)
    train_seconds         wall time of the training loop (validation included)

``out`` (optional) receives ``ann.pt`` (the state dict and hp; weights only, loadable with
``torch.load(weights_only=True)``) and ``ann.json`` (hp and metrics).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ..config import Profile, Target
from ..data.encoders import fit_encoder
from ..models.hparams import make_hp_encoder
from .progress import Progress
from .twin import fit_twin, split_of


@dataclass
class AnnResult:
    model: torch.nn.Module
    hp: dict
    metrics: dict[str, Any]
    out: Path | None = None


def train_ann(
    dataset: str,
    profile: str | Profile = "workstation",
    *,
    model: str | None = None,
    target: str | Target | None = None,
    overrides: dict | None = None,
    epochs: int | None = None,
    seed: int = 0,
    out: Path | None = None,
    label_column: str | None = None,
    top_k: int | None = None,
    callback: Callable[[int, float], None] | None = None,
) -> AnnResult:
    """Train the ANN twin of ``model`` on ``dataset`` alone; see the module docstring."""
    from .run import input_views, setup_run, timesteps_for

    profile, target, prep, hp = setup_run(dataset, profile, model, target, overrides, epochs, seed, label_column, top_k)
    encoder = fit_encoder(make_hp_encoder(hp, prep.train.feature_shape), prep.train.x)
    view, step = input_views(hp["model"], prep.train.feature_shape, encoder)
    T = encoder.steps(view, timesteps_for(hp, profile, encoder))
    with Progress(False) as bar:
        ann, fit, test_acc = fit_twin(
            hp, prep, prep.train.n_classes, hp["epochs"], seed, bar, encoder, T, view, step, callback=callback
        )
    metrics = {
        "val_acc": fit.best_val_acc,
        "best_epoch": fit.best_epoch,
        "test_acc": test_acc,
        "params": int(sum(p.numel() for p in ann.parameters() if p.requires_grad)),
        "train_seconds": fit.seconds,  # training with its validation passes, as the twin's
    }
    result = AnnResult(ann, hp, metrics)
    if out is not None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        torch.save({"hp": hp, "state_dict": ann.state_dict(), "split": split_of(prep.spec)}, out / "ann.pt")
        (out / "ann.json").write_text(json.dumps({"hp": hp, "metrics": metrics}, indent=1, default=str))
        result.out = out
    return result
