"""Profile limits as named checks: ``slack = value - limit`` for maxima, ``limit - value``
for minima; ``slack <= 0`` is feasible (the Optuna constraint convention)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .schema import Profile

# limit name -> (metric key in the metrics dict, is_maximum)
RULES: dict[str, tuple[str, bool]] = {
    "max_timesteps": ("timesteps", True),
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
    """
    checks = []
    for name, limit in profile.limits.model_dump().items():
        key, _ = RULES[name]
        if limit is None or key not in metrics or (only is not None and key not in only):
            continue
        checks.append(Check(name, float(metrics[key]), float(limit)))
    return checks
