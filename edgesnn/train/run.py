"""``train``: dataset + profile (+ target) + hyper-parameters → a checked, saved SNN.

The pipeline: prepare data (split, scale) → build the SNN and its ANN twin → train both →
ANN→SNN transfer (accuracy drop reported) → export to NIR and run the reference simulator on
the test split to measure firing rates, synaptic operations and energy on the target's cost
table → profile checks → checkpoint written atomically.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..config import Check, Profile, Target, check_profile, load_profile, load_target
from ..data import CALIBRATION_STREAM, TEST_STREAM, prepare
from ..data.augment import batch_augment
from ..data.encoders import ENCODERS, fit_encoder, on_input_grid
from ..data.prepare import shape_json
from ..errors import UsageError
from ..io import check_writable
from ..models import build, resolve
from ..models.hparams import DEFAULT_FAMILY, WHOLE_SERIES, family_taking, make_hp_encoder
from . import quant
from .checkpoint import save_checkpoint
from .loop import (
    EpochCallback,
    _rows,
    ann_inputs,
    encode,
    fit_snn,
    model_inputs,
    snn_accuracy,
    snn_predictions,
)
from .progress import Progress
from .transfer import transfer
from .twin import start_from_ann, twin_ann


@dataclass
class TrainResult:
    """What ``train`` produced: the model, its metrics and profile checks, where it was saved."""

    model: torch.nn.Module
    hp: dict
    data_spec: dict
    profile: Profile
    target: Target
    metrics: dict[str, Any]
    checks: list[Check] = field(default_factory=list)
    out: Path | None = None

    @property
    def feasible(self) -> bool:
        return all(c.ok for c in self.checks)


def timesteps_for(hp: dict, profile: Profile, encoder) -> int | None:
    """T asked for: ``hp.timesteps``, else a time series' own length (temporal encoders: None),
    else the profile's budget."""
    if hp["timesteps"]:
        return int(hp["timesteps"])
    return None if encoder.temporal else int(profile.default_timesteps)


def input_views(family: str, feature_shape: tuple[int, ...], encoder) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``(view, step)``: the shape the encoder reads each sample in, and the per-step shape the
    model is built for. Static encoders: both are the family's view of the features (a 1-D CNN
    sees a vector [F] as [1, F]). Temporal encoders: the series [C, L] is read whole and the
    model gets one encoded frame per step, ``encoder.out_shape([C, L])``."""
    from ..models import model_input_shape

    if isinstance(feature_shape, dict):  # one view per named input, as the data has it
        view = {n: tuple(v) for n, v in feature_shape.items()}
        return view, encoder.out_shape(view)
    if encoder.temporal:
        if family in WHOLE_SERIES:
            raise UsageError(
                f"{family} convolves over the whole series {list(feature_shape)}, but encoder '{encoder.name}' "
                "feeds it one frame per step; use --set encoder=static (or rate) or --model rnn"
            )
        return tuple(feature_shape), tuple(encoder.out_shape(tuple(feature_shape)))
    view = model_input_shape(family, tuple(feature_shape))
    return view, view


def resolve_hparams(model: str, overrides: dict | None, target: Target, feature_shape=None) -> dict:
    """Hyper-parameters with the target's hardware numerics applied (reset mode); given the
    data's ``feature_shape``, a series read frame by frame gets the ``SERIES`` defaults."""
    overrides = dict(overrides or {})
    if "reset" in overrides and overrides["reset"] != target.numerics.reset:
        raise UsageError(
            f"reset={overrides['reset']} conflicts with target '{target.name}', which resets by "
            f"'{target.numerics.reset}'; drop --set reset or choose another target"
        )
    overrides["reset"] = target.numerics.reset
    series = False
    if feature_shape is not None and not isinstance(feature_shape, dict):
        series = make_hp_encoder(resolve(model, overrides), feature_shape).temporal
    return resolve(model, overrides, series=series)


def check_model_design(model, target: Target, profile: Profile) -> None:
    """The target's design rules (``Backend.check_graph``) on ``model`` as NIR, when it has any:
    ConstraintViolation (exit 2) naming the resource and its limit."""
    from ..config.design import check_design, has_design_rules

    if has_design_rules(target):
        from ..models.to_nir import to_nir

        check_design(target, to_nir(model, dt=profile.dt_s))


#: encoders whose output is events (0/1 per channel and step): what an event-input chip takes
EVENT_ENCODERS = tuple(name for name, cls in ENCODERS.items() if cls.emits_spikes)


def event_encoder(hp: dict, feature_shape, target: Target) -> None:
    """For a target that takes events (``Backend.event_input``): an event encoder in ``hp`` —
    sigma-delta for series, rate otherwise, unless one is chosen. Other targets: unchanged."""
    from ..config.design import takes_events

    if not takes_events(target):
        return
    if isinstance(feature_shape, dict):
        raise UsageError(f"target '{target.name}' takes one input stream; this dataset has {len(feature_shape)}")
    if hp.get("encoder") is None:
        hp["encoder"] = "sigma_delta" if len(feature_shape) == 2 else "rate"
    elif hp["encoder"] not in EVENT_ENCODERS:
        raise UsageError(
            f"target '{target.name}' takes input events; encoder '{hp['encoder']}' sends graded values: "
            f"choose one of {', '.join(EVENT_ENCODERS)} (--set encoder=...)"
        )


def setup_run(dataset, profile, model, target, overrides, epochs, seed, label_column, top_k, out=None) -> tuple:
    """``(profile, target, prep, hp)`` for ``train`` and ``train_ann``: names and ``out`` checked before
    any data is read, then ``hp`` resolved for the data (no ``model``: its kind's family), epochs set."""
    profile = profile if isinstance(profile, Profile) else load_profile(profile)
    target = target if isinstance(target, Target) else load_target(target or profile.default_target)
    resolve_hparams(model or family_taking(overrides), overrides, target)  # bad names fail before any data is read
    if out is not None:
        check_writable(Path(out))
    prep = prepare(dataset, seed, label_column=label_column, top_k=top_k)
    hp = resolve_hparams(model or DEFAULT_FAMILY[prep.train.kind], overrides, target, prep.train.feature_shape)
    hp["epochs"] = int(epochs if epochs is not None else hp["epochs"])
    batch_augment(hp, prep.train)  # augmentation of data with no series fails before any training
    return profile, target, prep, hp


def train(
    dataset: str,
    profile: str | Profile = "wearable",
    *,
    model: str | None = None,
    target: str | Target | None = None,
    overrides: dict | None = None,
    epochs: int | None = None,
    seed: int = 0,
    out: Path | None = None,
    force: bool = False,
    progress: bool | None = None,
    ann_twin: bool = True,
    label_column: str | None = None,
    top_k: int | None = None,
    callback: EpochCallback | None = None,
    transfer_from: str | Path | None = None,
) -> TrainResult:
    """Train an SNN on ``dataset`` under ``profile``; see the module docstring. ``transfer_from``: an
    ANN trained before (``train_ann``'s directory or ``ann.pt``) to start from (``twin.py``)."""
    profile, target, prep, hp = setup_run(
        dataset, profile, model, target, overrides, epochs, seed, label_column, top_k, out
    )
    if transfer_from is not None:
        start_from_ann(hp, overrides)
    event_encoder(hp, prep.train.feature_shape, target)
    encoder = fit_encoder(make_hp_encoder(hp, prep.train.feature_shape), prep.train.x)  # fitted on train only
    if target.numerics.quantize != "none":  # an integer chip takes integer input levels: train on them
        encoder = on_input_grid(encoder, prep.train.x)
    n_classes = prep.train.n_classes
    view, step = input_views(hp["model"], prep.train.feature_shape, encoder)
    snn_model = build(hp, step, n_classes, seed=seed)
    check_model_design(snn_model, target, profile)  # a chip's design rules, before any training
    T = encoder.steps(view, timesteps_for(hp, profile, encoder))
    x_test = encode(encoder, model_inputs(prep.test, view), T, [seed, TEST_STREAM])
    metrics: dict[str, Any] = {"timesteps": T}
    started = time.perf_counter()
    with Progress(progress) as bar:
        if ann_twin or hp.get("init") == "ann":
            ann = twin_ann(transfer_from, hp, prep, n_classes, seed, bar, metrics, encoder, T, view, step)
            converted = build(hp, step, n_classes, seed=seed)
            transfer(ann, converted, ann_inputs(prep.train, view, encoder, T))
            metrics["transfer_test_acc"] = snn_accuracy(converted, x_test, prep.test.y, n_classes)
            metrics["transfer_drop_pp"] = 100 * (metrics["ann_test_acc"] - metrics["transfer_test_acc"])
            if hp.get("init") == "ann":  # start SNN training from the transferred weights
                snn_model.load_state_dict(converted.state_dict())
        if hp.get("init_rate") and hp.get("init") != "ann":
            from .calibrate import calibrate

            probe = _rows(model_inputs(prep.train, view), slice(0, 64))
            calibrate(snn_model, encode(encoder, probe, T, [seed, CALIBRATION_STREAM]), target=float(hp["init_rate"]))
        metrics["quantized_layers"] = quant.apply(
            snn_model, target.numerics.weight_bits, target.numerics.quantize, spike_input=encoder.emits_spikes
        )
        fit = fit_snn(
            snn_model,
            hp,
            prep.train,
            prep.val,
            encoder,
            T,
            epochs=hp["epochs"],
            seed=seed,
            progress=bar,
            callback=callback,
            view=view,
        )
        quant.bake(snn_model)
        test_pred = snn_predictions(snn_model, x_test, n_classes)
        metrics.update(
            {
                "val_acc": fit.best_val_acc,
                "best_epoch": fit.best_epoch,
                # the best running training accuracy of any epoch (what the seed pipelines plot beside val_acc)
                "train_acc": max((h["train_acc"] for h in fit.history), default=0.0),
                "test_acc": float((test_pred == prep.test.y).mean()),
                "test_confusion": test_confusion(prep.test.y, test_pred, prep.test.classes),
                "train_seconds": time.perf_counter() - started,
                "train_samples_per_s": fit.samples_per_s,
                "history": fit.history,
            }
        )
    graph_metrics = measure_on_reference(snn_model, hp, profile, target, x_test, T, prep.train.kind == "timeseries")
    metrics.update(graph_metrics)
    data_spec = {**prep.spec, "encoder": encoder.to_dict(), "timesteps": T, "input_shape": shape_json(view)}
    checks = check_profile(profile, metrics)
    result = TrainResult(snn_model, hp, data_spec, profile, target, metrics, checks)
    if out is not None:
        result.out = save_checkpoint(result, Path(out), seed=seed, force=force)
    return result


def test_confusion(y: np.ndarray, pred: np.ndarray, classes: list[str]) -> dict[str, Any]:
    """The test split's confusion matrix of the kept weights: rows true class, columns predicted."""
    n = len(classes)
    cm = np.bincount(np.asarray(y, np.int64) * n + np.asarray(pred, np.int64), minlength=n * n).reshape(n, n)
    return {"classes": [str(c) for c in classes], "matrix": cm.tolist()}


def measure_on_reference(
    model, hp, profile: Profile, target: Target, x_test: torch.Tensor, T: int, sequence: bool = False
) -> dict[str, Any]:
    """Export to NIR, run the reference simulator on the encoded test split, measure activity
    (and ``energy_vs_ann``, the like-for-like ratio, when the target names a device; the ANN
    twin of a ``sequence`` runs once per frame)."""
    from ..metrics import measure, profile_metrics
    from ..metrics.like_for_like import compare
    from ..models.to_nir import to_nir
    from ..nir import simulate

    name = hp["encoder"] if isinstance(hp["encoder"], str) else "multi"
    graph = to_nir(model, dt=profile.dt_s, metadata={"encoder": name, "timesteps": T})
    x = (
        {k: v.numpy().astype(np.float32) for k, v in x_test.items()}
        if isinstance(x_test, dict)
        else x_test.numpy().astype(np.float32)
    )
    run = simulate(graph, x, record=True)
    report = measure(graph, x, run.records, target)
    out = {"activity": report.to_dict(), **profile_metrics(report)}
    cmp = compare(graph, report, target, profile, passes=T if sequence else 1)
    if cmp is not None and cmp.ratio is not None:
        out["energy_vs_ann"] = cmp.ratio
    return out
