"""Named constraints: a value against a limit, read as a slack.

One record (``Check``) serves every place that compares a number with a limit: the profile
checks of a trained or evaluated model (``check_profile``) and the tuner's checks of a trial,
static (before training) and trained (``edgesnn.tune.constraints``). For a maximum

    slack = value − limit          (for a minimum: slack = limit − value)

and ``slack ≤ 0`` is feasible, the Optuna constraint convention. The direction is a field
(``is_max``); left unset it is the profile limit's own (``RULES``), so a check rebuilt from a
report by name reads the same. ``relative`` scales a slack by its limit (what the tuner's
optimisers see), so a byte and a spike rate weigh alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .schema import Profile

# limit name -> (metric key in the metrics dict, is_maximum)
RULES: dict[str, tuple[str, bool]] = {
    "max_timesteps": ("timesteps", True),
    "max_latency_ms": ("latency_ms", True),
    "max_param_bytes": ("param_bytes", True),
    "max_state_bytes": ("state_bytes", True),
    "max_energy_uj": ("energy_uj", True),
    "max_energy_vs_ann": ("energy_vs_ann", True),
    "max_mean_firing_rate": ("mean_firing_rate", True),
    "min_mean_firing_rate": ("mean_firing_rate", False),
}


def relative(slack: float, limit: float) -> float:
    """``slack / |limit|`` (``slack`` itself for a zero limit): a violation in units of its limit."""
    return slack / abs(limit) if limit else slack


@dataclass(frozen=True)
class Check:
    """One named constraint: ``value`` against ``limit``; ``slack ≤ 0`` is feasible.

    ``is_max``: the limit is a maximum (``None``: look the name up in ``RULES``; a name RULES
    does not know needs it given). ``stage``: where the tuner checked it, ``"static"`` (model
    structure only, before training) or ``"trained"``; empty for a profile check.
    """

    name: str
    value: float
    limit: float
    #: how to read or fix the check (e.g. which budget a step count was checked against)
    note: str = ""
    is_max: bool | None = field(default=None, kw_only=True)
    stage: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        if self.is_max is None:
            if self.name not in RULES:
                raise ValueError(f"check '{self.name}' is not a profile limit; say whether it is a maximum (is_max)")
            object.__setattr__(self, "is_max", RULES[self.name][1])

    @property
    def slack(self) -> float:
        return self.value - self.limit if self.is_max else self.limit - self.value

    @property
    def ok(self) -> bool:
        return self.slack <= 0

    @property
    def scaled(self) -> float:
        """The slack relative to its limit (``relative``): what Optuna's constraint sees."""
        return relative(self.slack, self.limit)

    def to_dict(self) -> dict:
        """A profile check as metrics.json and the evaluation report store it (name, value,
        limit, note, slack, ok); a tuner check (``stage`` set) as results.json stores it (name,
        value, limit, slack, stage, ok)."""
        if self.stage:
            return {
                "name": self.name,
                "value": self.value,
                "limit": self.limit,
                "slack": self.slack,
                "stage": self.stage,
                "ok": self.ok,
            }
        return {
            "name": self.name,
            "value": self.value,
            "limit": self.limit,
            "note": self.note,
            "slack": self.slack,
            "ok": self.ok,
        }


def check_profile(profile: Profile, metrics: dict[str, float], only: set[str] | None = None) -> list[Check]:
    """One Check per limit the profile sets and ``metrics`` can answer.

    ``only`` restricts to some metric keys (the tuner checks the static ones before training).
    A timestep budget may be stated as steps (``max_timesteps``) or as time (``max_latency_ms``,
    checked on ``latency_ms = T · dt_s · 1000``, derived from ``timesteps`` when absent); each
    check's note says which budget it is and, for a series longer than the budget, that
    ``--set timesteps=N`` resamples it.
    """
    metrics = dict(metrics)
    if "timesteps" in metrics and "latency_ms" not in metrics:
        metrics["latency_ms"] = profile.latency_ms(metrics["timesteps"])
    checks = []
    for name, limit in profile.limits.model_dump().items():
        key, is_max = RULES[name]
        if limit is None or key not in metrics or (only is not None and key not in only):
            continue
        checks.append(Check(name, float(metrics[key]), float(limit), _note(name, profile, metrics), is_max=is_max))
    return checks


def _note(name: str, profile: Profile, metrics: dict[str, float]) -> str:
    if name not in ("max_timesteps", "max_latency_ms"):
        return ""
    T = int(metrics["timesteps"])
    budget = profile.step_budget
    note = (
        f"{T} steps × {profile.dt_s * 1000:g} ms = {profile.latency_ms(T):g} ms"
        if name == "max_latency_ms"
        else f"budget {budget} steps"
    )
    if budget is not None and T > budget:
        note += (
            f"; over budget: fewer steps (--set timesteps={budget}; a time series is then "
            "resampled to that many frames)"
        )
    return note
