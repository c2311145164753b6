"""The training loop: encoded mini-batches, best-by-validation weights, test accuracy apart.

Reproducible by one seed: the split, initialisation, shuffling and every encoder draw derive
from it (``np.random.default_rng([seed, epoch, batch])``).
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from ..data import VAL_STREAM, Dataset, Encoder
from ..data.augment import batch_augment, batch_rng
from ..data.encoders import MultiEncoder, StaticEncoder
from ..errors import DataError
from ..models import run_ann, run_snn
from ..models.run import is_sequence, n_samples, take
from ..readout import predict
from .losses import make_loss
from .progress import Progress

EpochCallback = Callable[[int, float], None]


@dataclass
class FitResult:
    best_val_acc: float
    best_epoch: int
    history: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    val_seconds: float = 0.0
    samples_per_s: float = 0.0  # training samples per second, validation time excluded


def model_inputs(ds: Dataset, shape):
    """The dataset's features viewed in the model's input shape (same values, same order); a
    dict per input for a multimodal dataset (``shape`` a dict too)."""
    if isinstance(shape, dict):
        return {n: ds.x[n].reshape(len(ds), *shape[n]) for n in shape}
    return ds.x.reshape(len(ds), *shape)


def _tensors(x):
    return {k: torch.from_numpy(v) for k, v in x.items()} if isinstance(x, dict) else torch.from_numpy(x)


def _rows(x, index):
    return {k: v[index] for k, v in x.items()} if isinstance(x, dict) else x[index]


def encode(encoder: Encoder, x, T: int, seed: list[int]):
    return _tensors(encoder.encode(x, T, np.random.default_rng(seed)))


def ann_inputs(ds: Dataset, view: tuple[int, ...], encoder: Encoder, T: int) -> torch.Tensor:
    """What the ANN twin sees: the features ``[N, *view]`` of a static encoder, or for a
    temporal encoder (a deterministic per-frame code) the encoded frames ``[T, N, *in]``."""
    return ann_encode(model_inputs(ds, view), encoder, T)


def ann_encode(x, encoder: Encoder, T: int) -> torch.Tensor:
    """``ann_inputs`` of model inputs ``x`` (an array, or a dict per named input)."""
    if isinstance(encoder, MultiEncoder):  # static inputs un-encoded (repeated), series coded per frame
        encoder = MultiEncoder({n: e if e.temporal else StaticEncoder() for n, e in encoder.encoders.items()})
    if getattr(encoder, "temporal", False):
        return encode(encoder, x, T, [0])
    return _tensors(x)


@torch.no_grad()
def snn_predictions(model: nn.Module, x_enc: torch.Tensor, n_classes: int, batch: int = 512) -> np.ndarray:
    """The predicted class of every encoded sample (eval mode, in batches)."""
    model.eval()
    preds = [
        predict(run_snn(model, take(x_enc, slice(i, i + batch))), n_classes) for i in range(0, n_samples(x_enc), batch)
    ]
    return torch.cat(preds).numpy()


def snn_accuracy(model: nn.Module, x_enc: torch.Tensor, y: np.ndarray, n_classes: int, batch: int = 512) -> float:
    return float((snn_predictions(model, x_enc, n_classes, batch) == y).mean())


@contextmanager
def rate_penalty(model: nn.Module, weight: float):
    """Within: ``penalty()`` is ``weight · mean firing rate`` over every spiking layer of the runs
    made inside (spikes per neuron and step, each layer weighted equally; 0 when ``weight`` is 0).
    Fewer spikes are fewer synaptic events: the term trades accuracy for energy."""
    import snntorch as snn

    rates: list[torch.Tensor] = []
    hooks = (
        [
            m.register_forward_hook(lambda _m, _i, out: rates.append(out.mean()))
            for m in model.modules()
            if isinstance(m, snn.SpikingNeuron)
        ]
        if weight > 0
        else []
    )
    try:
        yield lambda: weight * torch.stack(rates).mean() if rates else torch.zeros(())
    finally:
        for h in hooks:
            h.remove()


def optimiser(model: nn.Module, hp: dict, epochs: int):
    """Adam at ``lr`` (L2 ``weight_decay``) and its schedule, stepped once per epoch: ``constant``
    (None) or ``cosine``, lr_e = lr·(1 + cos(π·e/E))/2 in epoch e = 0..E−1 of E — large steps
    early, small ones at the end, so the weights the validation picks late in training move less
    between epochs (small sets such as japanese_vowels' 230 training series)."""
    opt = torch.optim.Adam(model.parameters(), lr=float(hp["lr"]), weight_decay=float(hp["weight_decay"]))
    if hp.get("lr_schedule", "constant") == "cosine":
        return opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    return opt, None


def fit_snn(
    model: nn.Module,
    hp: dict,
    train: Dataset,
    val: Dataset,
    encoder: Encoder,
    T: int,
    *,
    epochs: int,
    seed: int,
    progress: Progress,
    callback: EpochCallback | None = None,
    view: tuple[int, ...] | None = None,
) -> FitResult:
    """Train ``model`` in place with Adam; on return it holds the best-validation weights.

    ``view``: the shape the encoder reads the features in (default: the model's input shape;
    a temporal encoder reads the series ``[C, L]`` and feeds the model one frame per step)."""
    shape, n_classes = view or model.input_shape, train.n_classes
    loss_fn = make_loss(hp, n_classes)
    opt, schedule = optimiser(model, hp, epochs)
    x_train, y_train = model_inputs(train, shape), torch.from_numpy(train.y)
    x_val = encode(encoder, model_inputs(val, shape), T, [seed, VAL_STREAM])
    augment = batch_augment(hp, train)
    # a deterministic code of data that is not augmented is the same every epoch: encode it once
    fixed = None if encoder.stochastic or augment else encode(encoder, x_train, T, [seed])
    bs = int(hp["batch_size"])
    best, best_loss = FitResult(best_val_acc=-1.0, best_epoch=-1), math.inf
    best_state = copy.deepcopy(model.state_dict())
    start, seen = time.perf_counter(), 0
    task = progress.task("train SNN", total=epochs)
    for epoch in range(epochs):
        model.train()
        order = np.random.default_rng([seed, epoch]).permutation(len(train))
        total, correct = 0.0, torch.zeros((), dtype=torch.long)
        for b, i in enumerate(range(0, len(order), bs)):
            idx = order[i : i + bs]
            if fixed is not None:
                xb = take(fixed, idx)
            else:
                rows = _rows(x_train, idx)
                if augment is not None:
                    rows = augment(rows, batch_rng(seed, epoch, b))
                xb = encode(encoder, rows, T, [seed, epoch, b])
            with rate_penalty(model, float(hp.get("rate_reg", 0.0))) as penalty:
                out = run_snn(model, xb)
                loss = loss_fn(out, y_train[idx]) + penalty()
            with torch.no_grad():  # running training accuracy: the batches as they were trained
                correct += (predict(out.detach(), n_classes) == y_train[idx]).sum()
            value = loss.item()  # the one host read per batch (divergence check and epoch mean)
            if not math.isfinite(value):
                raise DataError(f"training diverged at epoch {epoch + 1} (loss {value}); lower lr={hp['lr']}")
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += value * len(idx)
            seen += len(idx)
        val_start = time.perf_counter()
        val_acc = snn_accuracy(model, x_val, val.y, n_classes)
        best.val_seconds += time.perf_counter() - val_start
        train_acc = int(correct) / len(order)
        best.history.append(
            {"epoch": epoch + 1, "loss": total / len(order), "train_acc": train_acc, "val_acc": val_acc}
        )
        # best by validation accuracy; a tie goes to the lower training loss (a small validation
        # split ties often, and the first epoch to reach a score is rarely the best trained)
        loss_now = total / len(order)
        if val_acc > best.best_val_acc or (val_acc == best.best_val_acc and loss_now < best_loss):
            best.best_val_acc, best.best_epoch, best_loss = val_acc, epoch + 1, loss_now
            best_state = copy.deepcopy(model.state_dict())
        if schedule is not None:
            schedule.step()
        progress.advance(task, f"val {val_acc:.3f} (best {best.best_val_acc:.3f})")
        if callback is not None:
            callback(epoch, val_acc)
    model.load_state_dict(best_state)
    best.seconds = time.perf_counter() - start
    train_s = best.seconds - best.val_seconds
    best.samples_per_s = seen / train_s if train_s > 0 else 0.0
    return best


def fit_ann(
    model: nn.Module,
    hp: dict,
    x_train: torch.Tensor,
    y_train: np.ndarray,
    x_val: torch.Tensor,
    y_val: np.ndarray,
    *,
    epochs: int,
    seed: int,
    progress: Progress,
    callback: EpochCallback | None = None,
    batch: Callable[[np.ndarray, int, int], torch.Tensor] | None = None,
) -> FitResult:
    """Train the ANN twin on its inputs (``ann_inputs``) with cross-entropy on the logits;
    ``callback(epoch, val_acc)`` after every epoch, as ``fit_snn``. ``batch(idx, epoch, b)``,
    when given, makes training batch ``b`` of sample indices ``idx`` (an augmented one,
    ``augmented_ann_batches``) instead of taking the rows of ``x_train``."""
    axis = 1 if is_sequence(model, x_train) else 0
    n_train, y_train = n_samples(x_train, axis), torch.from_numpy(y_train)
    opt, schedule = optimiser(model, hp, epochs)
    bs, best = int(hp["batch_size"]), FitResult(best_val_acc=-1.0, best_epoch=-1)
    best_state = copy.deepcopy(model.state_dict())
    task = progress.task("train ANN twin", total=epochs)
    start = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        order = torch.from_numpy(np.random.default_rng([seed, epoch, 7]).permutation(n_train))
        for b, i in enumerate(range(0, len(order), bs)):
            idx = order[i : i + bs]
            xb = take(x_train, idx, axis) if batch is None else batch(idx.numpy(), epoch, b)
            logits = class_logits(model, run_ann(model, xb))
            loss = nn.functional.cross_entropy(logits, y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        val_acc = ann_accuracy(model, x_val, y_val)
        if val_acc > best.best_val_acc:
            best.best_val_acc, best.best_epoch = val_acc, epoch + 1
            best_state = copy.deepcopy(model.state_dict())
        if schedule is not None:
            schedule.step()
        progress.advance(task, f"val {val_acc:.3f}")
        if callback is not None:
            callback(epoch, val_acc)
    model.load_state_dict(best_state)
    best.seconds = time.perf_counter() - start
    return best


def augmented_ann_batches(hp: dict, ds: Dataset, view, encoder: Encoder, T: int, seed: int):
    """``fit_ann``'s ``batch`` function when ``hp`` augments the series of ``ds`` (the draws
    ``fit_snn`` makes for the SNN: same seed stream), else None."""
    augment = batch_augment(hp, ds)
    if augment is None:
        return None
    x = model_inputs(ds, view)

    def batch(idx: np.ndarray, epoch: int, b: int) -> torch.Tensor:
        rows = augment(_rows(x, idx), batch_rng(seed, epoch, b))
        return ann_encode(rows, encoder, T)

    return batch


@torch.no_grad()
def ann_accuracy(model: nn.Module, x: torch.Tensor, y: np.ndarray) -> float:
    model.eval()
    return float((class_logits(model, run_ann(model, x)).argmax(-1).numpy() == y).mean())


def class_logits(model: nn.Module, logits: torch.Tensor) -> torch.Tensor:
    """``[B, C]`` class scores of the ANN twin's ``[B, C·population]`` outputs: each class sums its
    group of ``population`` consecutive outputs, the same contiguous groups snnTorch's population
    codes count spikes over (identity for population 1)."""
    n_classes = int(getattr(model, "n_classes", logits.shape[-1]))
    if logits.shape[-1] == n_classes or logits.shape[-1] % n_classes:
        return logits
    return logits.reshape(*logits.shape[:-1], n_classes, logits.shape[-1] // n_classes).sum(-1)
