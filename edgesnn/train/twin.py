"""The ANN a transfer starts from: its twin trained here, or an ANN trained before (``--transfer-from``).

``train_twin`` trains the ANN twin of the SNN (identical weight shapes, ReLU). A CNN→SNN study trains its ANN first (``train_ann``, ``edgesnn tune --network ann``: each trial
directory holds ``ann.pt``), then converts it. Without this, ``init=ann`` retrains the ANN twin
inside every SNN run (at least 50 epochs) just to transfer its weights. ``--transfer-from PATH``
(a directory holding ``ann.pt``, or the file) loads that ANN, checks that it is the twin of the
SNN about to be trained — the same layers with the same weight shapes, built from the SNN's
hyper-parameters — and transfers it (``transfer.transfer``: weights copied, thresholds balanced
on the training data). The SNN starts from the transferred weights (``init=ann``; an explicit
``init=random`` is refused). ``ann_val_acc`` / ``ann_test_acc`` are the loaded ANN's accuracy on
this run's splits; no ``ann_train_seconds`` is added, since nothing was trained.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from ..errors import ArtifactError, UsageError
from ..models import build
from .loop import ann_accuracy, ann_inputs, augmented_ann_batches, fit_ann

ANN_FILE = "ann.pt"


def ann_file(path: str | Path) -> Path:
    """``path/ann.pt`` for a run directory, ``path`` for the file; ArtifactError when absent."""
    path = Path(path)
    file = path / ANN_FILE if path.is_dir() else path
    if not file.is_file():
        raise ArtifactError(
            f"--transfer-from '{path}': no {ANN_FILE} there; give an ANN run directory "
            "(edgesnn tune --network ann writes one per trial) or its ann.pt"
        )
    return file


def read_ann(path: str | Path) -> dict:
    """The saved ``{"hp", "state_dict", "split"}`` of an ANN (``train_ann``'s ``ann.pt``)."""
    file = ann_file(path)
    try:
        saved = torch.load(file, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ArtifactError(
            f"--transfer-from '{file}' is not a readable ANN checkpoint ({type(exc).__name__})"
        ) from exc
    if not isinstance(saved, dict) or not {"hp", "state_dict"} <= set(saved):
        raise ArtifactError(f"--transfer-from '{file}' holds no hp and state_dict; it was not written by train_ann")
    return saved


def split_of(spec: dict) -> dict:
    """What fixes a run's train/validation/test split (a prepared data ``spec``'s own keys)."""
    return {k: spec.get(k) for k in ("dataset", "seed", "split", "top_k", "label_column")}


def check_split(path: str | Path, saved: dict, spec: dict) -> None:
    """Refuse an ANN trained on another split: its training samples may be this run's test samples.
    (An ``ann.pt`` from before the split was recorded is taken as it is.)"""
    if "split" not in saved:
        return
    want = split_of(spec)
    diff = [f"{k} {saved['split'].get(k)!r} vs {want[k]!r}" for k in want if saved["split"].get(k) != want[k]]
    if diff:
        raise UsageError(
            f"--transfer-from '{path}': the ANN was trained on another split ({'; '.join(diff)}: ANN vs this run), "
            "so its training data may hold this run's test samples; train both on the same data and --seed"
        )


def start_from_ann(hp: dict, overrides: dict | None) -> None:
    """``init=ann`` in ``hp``: the SNN starts from the given ANN; ``init=random`` asked for is refused."""
    asked = (overrides or {}).get("init", "ann")
    if asked != "ann":
        raise UsageError(f"--transfer-from starts the SNN from the ANN's weights, but init={asked} was asked; drop it")
    hp["init"] = "ann"


def shapes(model_or_state) -> dict[str, tuple[int, ...]]:
    state = model_or_state.state_dict() if isinstance(model_or_state, nn.Module) else model_or_state
    return {k: tuple(v.shape) for k, v in state.items()}


def architecture_mismatch(twin: nn.Module, ann: nn.Module, state: dict) -> str | None:
    """Why ``ann`` (with weights ``state``) is not the SNN's ``twin``, or None when it is."""
    want, have = shapes(twin), shapes(state)
    for key in sorted(set(want) | set(have)):
        if want.get(key) != have.get(key):
            show = {k: list(v[key]) if key in v else "absent" for k, v in (("ANN", have), ("SNN", want))}
            return f"{key}: ANN {show['ANN']} vs SNN {show['SNN']}"
    if repr(twin) != repr(ann):  # same weights, other layers (e.g. max instead of average pooling)
        layer = next((a for a, b in zip(repr(ann).splitlines(), repr(twin).splitlines()) if a != b), "")
        return f"the layers differ: ANN has {layer.strip()}"
    return None


def load_ann(path: str | Path, hp: dict, step, n_classes: int, seed: int, spec: dict) -> nn.Module:
    """The ANN saved at ``path``, checked to be trained on the split of the data ``spec`` describes
    and to be the twin of the SNN ``hp`` describes (UsageError if not)."""
    saved = read_ann(path)
    check_split(path, saved, spec)
    twin = build(dict(hp), step, n_classes, ann=True, seed=seed)
    try:
        ann = build(dict(saved["hp"]), step, n_classes, ann=True, seed=seed)
    except Exception as exc:  # another family, sizes that do not fit this data...
        raise UsageError(f"--transfer-from '{path}': its ANN cannot be built for this data ({exc})") from exc
    why = architecture_mismatch(twin, ann, saved["state_dict"])
    if why is not None:
        raise UsageError(
            f"--transfer-from '{path}': the ANN's architecture does not match the SNN's ({why}); "
            "train the SNN with the ANN's architecture hyper-parameters (its ann.json lists them)"
        )
    ann.load_state_dict(saved["state_dict"])
    return ann


def pretrained_twin(path, hp, prep, n_classes, seed, metrics: dict, encoder, T, view, step) -> nn.Module:
    """``train_twin``'s counterpart for ``--transfer-from``: the loaded ANN, its accuracy in ``metrics``."""
    ann = load_ann(path, hp, step, n_classes, seed, prep.spec)
    for split in ("val", "test"):
        data = getattr(prep, split)
        metrics[f"ann_{split}_acc"] = ann_accuracy(ann, ann_inputs(data, view, encoder, T), data.y)
    metrics["transfer_from"] = str(path)
    return ann


def fit_twin(hp, prep, n_classes, epochs, seed, bar, encoder, T, view, step, callback=None) -> tuple:
    """``(ann, fit, test accuracy)``: the ANN twin of ``hp`` (identical weight shapes, ReLU) built and
    trained ``epochs`` epochs on its inputs (``train_twin`` and ``train_ann`` alike)."""
    ann = build(hp, step, n_classes, ann=True, seed=seed)
    inputs = {n: ann_inputs(getattr(prep, n), view, encoder, T) for n in ("train", "val", "test")}
    fit = fit_ann(
        ann,
        hp,
        inputs["train"],
        prep.train.y,
        inputs["val"],
        prep.val.y,
        epochs=epochs,
        seed=seed,
        progress=bar,
        callback=callback,
        batch=augmented_ann_batches(hp, prep.train, view, encoder, T, seed),
    )
    return ann, fit, ann_accuracy(ann, inputs["test"], prep.test.y)


def train_twin(hp, prep, n_classes, epochs, seed, bar, metrics: dict, encoder, T, view, step) -> nn.Module:
    """Train the ANN twin and record its accuracy in ``metrics``; the twin is cheap, so it trains at
    least 50 epochs and the comparison is with a converged ANN."""
    ann, fit, test_acc = fit_twin(hp, prep, n_classes, max(epochs, 50), seed, bar, encoder, T, view, step)
    metrics.update({"ann_val_acc": fit.best_val_acc, "ann_train_seconds": fit.seconds, "ann_test_acc": test_acc})
    return ann


def twin_ann(transfer_from, hp, prep, n_classes, seed, bar, metrics: dict, encoder, T, view, step) -> nn.Module:
    """The ANN to transfer from: the one at ``transfer_from``, else the twin trained now."""
    if transfer_from is not None:
        return pretrained_twin(transfer_from, hp, prep, n_classes, seed, metrics, encoder, T, view, step)
    return train_twin(hp, prep, n_classes, hp["epochs"], seed, bar, metrics, encoder, T, view, step)


def for_tune(setup, path: str):
    """``setup`` (a ``TuneSetup``) whose SNN trials all start from the ANN at ``path``; a space
    that draws ``init`` other than ``ann`` is refused before any trial (each would be refused)."""
    from dataclasses import replace

    init = setup.space.raw.get("init", {}).get("_value", ["ann"])
    if any(v != "ann" for v in init):
        raise UsageError(f"--transfer-from starts every trial from the ANN, but the space draws init from {init}")
    read_ann(path)
    return replace(setup, transfer_from=str(path))
