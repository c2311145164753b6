"""The sweep's plan: the baseline and every (factor, value) point, each checked against the profile
before any training, and the distinct configurations to train.

Every point is built and checked statically (``edgesnn.tune.constraints.static_checks``: the
model builds, its timesteps, parameter and state bytes and energy floor fit the profile). A
point that cannot be built is a ``UsageError`` (exit 1); one the profile forbids is a
``ConstraintViolation`` (exit 2); either stops the sweep before anything is trained or written.

Points that resolve to the same hyper-parameters (after defaults, the target's reset and the
timesteps actually used) share one trained configuration: the value of each factor that equals
the baseline's is the baseline run itself, trained once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..config import Profile, Target
from ..errors import ConstraintViolation, UsageError
from .spec import Factor, value_key

BASELINE = "baseline"


@dataclass(frozen=True)
class Point:
    """The baseline (``factor`` None) or one factor at one value; ``config`` names the trained
    configuration it uses (``"baseline"`` when the value is the baseline's)."""

    factor: str | None
    value: Any
    overrides: dict[str, Any]
    config: str

    @property
    def label(self) -> str:
        return BASELINE if self.factor is None else f"{self.factor}={value_key(self.value)}"

    @property
    def is_baseline(self) -> bool:
        return self.config == BASELINE


@dataclass
class Plan:
    family: str
    baseline_hp: dict[str, Any]
    points: list[Point]
    #: config id -> overrides, in training order (the baseline first)
    configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: config id -> timesteps it runs
    timesteps: dict[str, int] = field(default_factory=dict)
    #: config id -> epochs it trains
    epochs: dict[str, int] = field(default_factory=dict)

    def of_factor(self, name: str) -> list[Point]:
        return [p for p in self.points if p.factor == name]


def config_id(label: str) -> str:
    """A configuration's id, usable as a file name: ``beta=0.5`` stays, ``hidden=[64, 32]`` -> ``hidden=_64_32_``."""
    return re.sub(r"[^A-Za-z0-9._=-]+", "_", label)


def _describe(checks) -> str:
    return "; ".join(f"{c.name} {c.value:g} against limit {c.limit:g}" for c in checks if not c.ok)


def make_plan(
    factors: list[Factor],
    base: dict[str, Any],
    family: str,
    feature_shape: tuple[int, ...],
    n_classes: int,
    profile: Profile,
    target: Target,
) -> Plan:
    """Check the baseline and every point statically; group identical configurations."""
    from ..tune.constraints import static_checks

    wanted = [(None, None, dict(base))] + [(f.name, v, {**base, f.name: v}) for f in factors for v in f.values]
    seen: dict[str, str] = {}  # resolved configuration -> config id
    plan = Plan(family, {}, [])
    for factor, value, overrides in wanted:
        where = "the baseline" if factor is None else f"--vary {factor}={value_key(value)}"
        try:
            report = static_checks(overrides, family, tuple(feature_shape), n_classes, profile, target)
        except UsageError as exc:
            raise UsageError(f"{where}: {exc}") from None
        if report.error:
            raise UsageError(f"{where} cannot be built: {report.error}")
        if not report.feasible:
            raise ConstraintViolation(
                f"{where} is forbidden by profile '{profile.name}' ({_describe(report.checks)}); "
                "drop the value or choose another --profile; nothing was trained"
            )
        T = int(report.metrics["timesteps"])
        hp = {**report.hp, "timesteps": T}
        key = json.dumps(hp, sort_keys=True, default=str)
        if factor is None:
            plan.baseline_hp = hp
        label = BASELINE if factor is None else f"{factor}={value_key(value)}"
        if key not in seen:
            cid = BASELINE if factor is None else config_id(label)
            while cid in plan.configs:  # two labels that read alike as file names
                cid += "_"
            seen[key] = cid
        cid = seen[key]
        if cid not in plan.configs:
            plan.configs[cid], plan.timesteps[cid], plan.epochs[cid] = overrides, T, int(hp["epochs"])
        plan.points.append(Point(factor, value, overrides, cid))
    return plan
