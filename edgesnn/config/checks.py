"""Profile limits as named checks: ``slack = value - limit`` for maxima, ``limit - value``
for minima; ``slack <= 0`` is feasible (the Optuna constraint convention)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .schema import Profile

# limit name -> (metric key in the metrics dict, is_maximum)
RULES: dict[str, tuple[str, bool]] = {
    "max_timesteps": ("timesteps", True),
    "max_latency_ms": ("latency_ms", True),
    "max_param_bytes": ("param_bytes", True),
    "max_state_bytes": ("state_bytes", True),
    "max_energy_uj": ("energy_uj", True),
    "max_mean_firing_rate": ("mean_firing_rate", True),
    "min_mean_firing_rate": ("mean_firing_rate", False),
}


@dataclass(frozen=True)
class Check:
    name: str
    value: float
    limit: float
    #: how to read or fix the check (e.g. which budget a step count was checked against)
    note: str = ""

    @property
    def is_max(self) -> bool:
        return RULES[self.name][1]

    @property
    def slack(self) -> float:
        return self.value - self.limit if self.is_max else self.limit - self.value

    @property
    def ok(self) -> bool:
        return self.slack <= 0

    def to_dict(self) -> dict:
        return {**asdict(self), "slack": self.slack, "ok": self.ok}


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
        key, _ = RULES[name]
        if limit is None or key not in metrics or (only is not None and key not in only):
            continue
        checks.append(Check(name, float(metrics[key]), float(limit), _note(name, profile, metrics)))
    return checks


def _note(name: str, profile: Profile, metrics: dict[str, float]) -> str:
    if name not in ("max_timesteps", "max_latency_ms"):
        return ""
    T = int(metrics["timesteps"])
    budget = profile.step_budget
    note = (f"{T} steps × {profile.dt_s * 1000:g} ms = {profile.latency_ms(T):g} ms"
            if name == "max_latency_ms" else f"budget {budget} steps")
    if budget is not None and T > budget:
        note += (f"; over budget: fewer steps (--set timesteps={budget}; a time series is then "
                 "resampled to that many frames)")
    return note
