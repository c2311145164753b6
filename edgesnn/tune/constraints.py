"""Profile constraints as slacks, before training (static) and after it (measured).

Every check gives ``slack = value − limit`` (``limit − value`` for a minimum); slack ≤ 0 is
feasible, the Optuna convention. Static checks need only the model's structure, so a
configuration the profile forbids is rejected before any training:

    param_bytes  = Σ_{Linear, Conv} (weights + biases) · weight_bits / 8     (as edgesnn.metrics,
                   1-D avg/sum pools included: NIR writes them as depthwise Conv1d, C·k + C)
    state_bytes  = Σ_{neuron layers} neurons · vars · state_bits / 8         (vars: 2 synaptic, else 1)
    timesteps    = encoder.steps(input shape, hp.timesteps or profile's T)
    energy_floor = neurons · T · e_neuron_update_pj · 1e-6 µJ                (every neuron updates every
                   step whatever it receives, so the measured energy can only be larger)
    shape        = 0 when the model builds (Algorithm 1 for the 1-D CNN, skip widths), 1 otherwise

Checks after training come from the trained run (``TrainResult.checks``): energy per inference
and the firing-rate band (a silent network is infeasible). Optuna receives every slack divided
by its limit, so a byte and a spike rate weigh alike in its infeasibility score.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ..config import Profile, Target, check_profile
from ..errors import DataError, UsageError

#: the metric keys checkable before training (see edgesnn.config.checks.RULES)
STATIC_KEYS = {"timesteps", "latency_ms", "param_bytes", "state_bytes"}
STATE_VARS = {"Synaptic": 2}  # snnTorch class name -> state variables per neuron (default 1)


@dataclass(frozen=True)
class Slack:
    """One check of one trial: ``slack ≤ 0`` is feasible; ``stage`` is static or trained."""

    name: str
    value: float
    limit: float
    slack: float
    stage: str

    @property
    def ok(self) -> bool:
        return self.slack <= 0

    @property
    def scaled(self) -> float:
        """The slack relative to its limit (what Optuna's constraint sees)."""
        return self.slack / abs(self.limit) if self.limit else self.slack

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "limit": self.limit, "slack": self.slack,
                "stage": self.stage, "ok": self.ok}


@dataclass
class StaticReport:
    """What the static checks found, and how long they took (seconds)."""

    slacks: list[Slack]
    metrics: dict[str, float] = field(default_factory=dict)
    hp: dict | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def feasible(self) -> bool:
        return all(s.ok for s in self.slacks)


def count_bytes(model, target: Target) -> dict[str, float]:
    """Parameter and state bytes of an (untrained) zoo model at the target's numerics."""
    import snntorch as snn
    from torch import nn

    weights = sum(p.numel() for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d))
                  for p in (m.weight, m.bias) if p is not None)
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
    return {"param_bytes": weights * target.numerics.weight_bits / 8,
            "state_bytes": states * target.numerics.state_bits / 8, "neurons": float(neurons)}


def static_checks(overrides: dict, family: str, feature_shape: tuple[int, ...], n_classes: int,
                  profile: Profile, target: Target) -> StaticReport:
    """Build the model from ``overrides`` (no training) and check what the profile allows."""
    from ..models import build
    from ..models.hparams import make_hp_encoder
    from ..train.run import input_views, timesteps_for, resolve_hparams

    start = time.perf_counter()
    hp = resolve_hparams(family, overrides, target, tuple(feature_shape))
    try:
        encoder = make_hp_encoder(hp, tuple(feature_shape))
        view, step = input_views(family, tuple(feature_shape), encoder)
        model = build(hp, step, n_classes)
        T = encoder.steps(view, timesteps_for(hp, profile, encoder))
    except (DataError, UsageError) as exc:  # ShapeError is a DataError
        return StaticReport([Slack("shape", 1.0, 0.0, 1.0, "static")], hp=hp, error=str(exc),
                            seconds=time.perf_counter() - start)
    _probe_loss(hp, model, T)
    sizes = count_bytes(model, target)
    e_update = target.energy.constants.get("e_neuron_update_pj")
    floor = sizes["neurons"] * T * (e_update.value if e_update else 0.0) * 1e-6
    metrics = {"timesteps": float(T), "param_bytes": sizes["param_bytes"], "state_bytes": sizes["state_bytes"],
               "energy_floor_uj": floor}
    slacks = [Slack("shape", 0.0, 0.0, 0.0, "static")]
    slacks += [_slack(c, "static") for c in check_profile(profile, metrics, only=STATIC_KEYS)]
    if profile.limits.max_energy_uj is not None:
        lim = float(profile.limits.max_energy_uj)
        slacks.append(Slack("energy_floor_uj", floor, lim, floor - lim, "static"))
    return StaticReport(slacks, metrics, hp, seconds=time.perf_counter() - start)


def _probe_loss(hp: dict, model, T: int) -> None:
    """Evaluate the loss once on zero spikes: a loss that cannot run for this configuration
    (e.g. snnTorch's ce_rate with population coding) fails here, before any training."""
    import torch

    from ..train.losses import make_loss

    try:
        make_loss(hp, model.n_classes)(torch.zeros(T, 2, model.n_out), torch.zeros(2, dtype=torch.long))
    except Exception as exc:
        raise UsageError(f"loss '{hp['loss']}' cannot run with population={hp['population']} "
                         f"({type(exc).__name__}: {exc}); refused before training") from None


def trained_slacks(checks: list) -> list[Slack]:
    """The checks of a trained run (``TrainResult.checks``) as slacks."""
    return [_slack(c, "trained") for c in checks]


def _slack(check, stage: str) -> Slack:
    return Slack(check.name, float(check.value), float(check.limit), float(check.slack), stage)


def merge(static: list[Slack], trained: list[Slack]) -> dict[str, Slack]:
    """One slack per name; a trained measurement replaces its static estimate."""
    out = {s.name: s for s in static}
    out.update({s.name: s for s in trained})
    return out
