"""Profile constraints of a trial, before training (static) and after it (trained).

Every constraint is an ``edgesnn.config.Check`` (``slack = value − limit``, ``limit − value`` for
a minimum; slack ≤ 0 is feasible, the Optuna convention) whose ``stage`` says when it was
checked. Static checks need only the model's structure, so a configuration the profile forbids
is rejected before any training:

    param_bytes  = Σ_{Linear, Conv} (weights + biases) · weight_bits / 8     (as edgesnn.metrics,
                   1-D avg/sum pools included: NIR writes them as depthwise Conv1d, C·k + C)
    state_bytes  = Σ_{neuron layers} neurons · vars · state_bits / 8         (vars: 2 synaptic, else 1)
    timesteps    = encoder.steps(input shape, hp.timesteps or profile's T)
    energy_floor = neurons · T · e_neuron_update_pj · 1e-6 µJ                (every neuron updates every
                   step whatever it receives, so the measured energy can only be larger)
    shape        = 0 when the model builds (Algorithm 1 for the 1-D CNN, skip widths), 1 otherwise

Checks after training come from the trained run (``TrainResult.checks``): energy per inference
and the firing-rate band (a silent network is infeasible). Optuna receives every slack divided
by its limit (``Check.scaled``), so a byte and a spike rate weigh alike in its infeasibility score.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from ..config import Check, Profile, Target, check_profile
from ..errors import ConstraintViolation, DataError, UsageError

#: the metric keys checkable before training (see edgesnn.config.checks.RULES)
STATIC_KEYS = {"timesteps", "latency_ms", "param_bytes", "state_bytes"}
STATE_VARS = {"Synaptic": 2}  # snnTorch class name -> state variables per neuron (default 1)


@dataclass
class StaticReport:
    """What the static checks found, and how long they took (seconds)."""

    checks: list[Check]
    metrics: dict[str, float] = field(default_factory=dict)
    hp: dict | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def feasible(self) -> bool:
        return all(c.ok for c in self.checks)


def count_bytes(model, target: Target) -> dict[str, float]:
    """Parameter and state bytes of an (untrained) zoo model at the target's numerics."""
    import snntorch as snn
    from torch import nn

    weights = sum(
        p.numel()
        for m in model.modules()
        if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d))
        for p in (m.weight, m.bias)
        if p is not None
    )
    for m in model.modules():  # NIR has no 1-D pooling: it is a depthwise Conv1d, C·k weights + C biases
        for conv, pool in zip(getattr(m, "convs", ()), getattr(m, "pools", ())):
            if isinstance(pool, nn.AvgPool1d):
                weights += conv.out_channels * (pool.kernel_size[0] + 1)
    neurons = states = 0
    for m in model.modules():
        if isinstance(m, snn.SpikingNeuron):
            n = int(m.threshold.numel())
            neurons += n
            states += n * STATE_VARS.get(type(m).__name__, 1)
    return {
        "param_bytes": weights * target.numerics.weight_bits / 8,
        "state_bytes": states * target.numerics.state_bits / 8,
        "neurons": float(neurons),
    }


def as_shape(shape) -> tuple[int, ...] | dict[str, tuple[int, ...]]:
    """A feature shape as the models take it: a tuple, or for named inputs a dict name -> tuple
    (``tuple()`` of that dict would keep only its names)."""
    if isinstance(shape, dict):
        return {str(k): tuple(int(d) for d in v) for k, v in shape.items()}
    return tuple(int(d) for d in shape)


def static_checks(
    overrides: dict,
    family: str,
    feature_shape: tuple[int, ...],
    n_classes: int,
    profile: Profile,
    target: Target,
    *,
    seed: int | None = None,
) -> StaticReport:
    """Build the model from ``overrides`` (no training) and check what the profile allows.

    ``seed``: the run's seed, for a model whose shape is drawn (a 1-D CNN with
    ``shape_rule=paper``): the checked model is then the one training will build."""
    from ..models import build
    from ..models.hparams import make_hp_encoder
    from ..train.run import check_model_design, event_encoder, input_views, resolve_hparams, timesteps_for

    start = time.perf_counter()
    feature_shape = as_shape(feature_shape)
    hp = resolve_hparams(family, overrides, target, feature_shape)
    try:
        event_encoder(hp, feature_shape, target)
        encoder = make_hp_encoder(hp, feature_shape)
        view, step = input_views(family, feature_shape, encoder)
        model = build(hp, step, n_classes, seed=seed)
        T = encoder.steps(view, timesteps_for(hp, profile, encoder))
        check_model_design(model, target, profile)  # the chip's limits, before any training
    except (DataError, UsageError, ConstraintViolation) as exc:  # ShapeError is a DataError
        return StaticReport([_shape(built=False)], hp=hp, error=str(exc), seconds=time.perf_counter() - start)
    _probe_loss(hp, model, T)
    sizes = count_bytes(model, target)
    e_update = target.energy.constants.get("e_neuron_update_pj")
    floor = sizes["neurons"] * T * (e_update.value if e_update else 0.0) * 1e-6
    metrics = {
        "timesteps": float(T),
        "param_bytes": sizes["param_bytes"],
        "state_bytes": sizes["state_bytes"],
        "energy_floor_uj": floor,
    }
    checks = [_shape(built=True), *at_stage(check_profile(profile, metrics, only=STATIC_KEYS), "static")]
    if profile.limits.max_energy_uj is not None:
        checks.append(Check("energy_floor_uj", floor, float(profile.limits.max_energy_uj), is_max=True, stage="static"))
    return StaticReport(checks, metrics, hp, seconds=time.perf_counter() - start)


def _shape(built: bool) -> Check:
    """The model-builds check: value 0 (built) or 1 (refused) against a maximum of 0."""
    return Check("shape", 0.0 if built else 1.0, 0.0, is_max=True, stage="static")


def _probe_loss(hp: dict, model, T: int) -> None:
    """Evaluate the loss once on zero spikes: a loss that cannot run for this configuration
    (e.g. snnTorch's ce_rate with population coding) fails here, before any training."""
    import torch

    from ..train.losses import make_loss

    try:
        make_loss(hp, model.n_classes)(torch.zeros(T, 2, model.n_out), torch.zeros(2, dtype=torch.long))
    except Exception as exc:
        raise UsageError(
            f"loss '{hp['loss']}' cannot run with population={hp['population']} "
            f"({type(exc).__name__}: {exc}); refused before training"
        ) from None


def at_stage(checks: Iterable[Check], stage: str) -> list[Check]:
    """``checks`` marked with the tuner ``stage`` they were made at (``"static"``, ``"trained"``)."""
    return [replace(c, stage=stage) for c in checks]


def merge(static: list[Check], trained: list[Check]) -> dict[str, Check]:
    """One check per name; a trained measurement replaces its static estimate."""
    out = {c.name: c for c in static}
    out.update({c.name: c for c in trained})
    return out
