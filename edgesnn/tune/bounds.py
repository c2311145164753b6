"""The search space fitted to the profile before the first trial: bounds the profile states.

A profile's step budget (``Profile.step_budget``: ``max_timesteps``, and ``max_latency_ms`` at
its ``dt_s``) forbids every longer run outright, so proposing one would only buy a rejection.
``fit_to_profile`` removes those values from ``timesteps``::

    choice        keep the values ≤ budget (all above it: the budget itself)
    randint       upper bound (exclusive) ≤ budget + 1
    (q)uniform    upper bound ≤ budget (a lower bound above it: the budget itself)

Combinations the profile forbids only together (an ``add`` skip between unequal widths, a
memory limit broken by wide layers) stay in the space: the static checks reject them in
milliseconds and the rejection does not use up one of ``--trials``. Each change is a note of
the run; the space NNI receives is the fitted one.
"""

from __future__ import annotations

import copy

from ..config import Profile
from .space import SearchSpace, parse_space

RANGES = ("uniform", "quniform", "loguniform", "qloguniform")


def fit_to_profile(space: SearchSpace, profile: Profile) -> tuple[SearchSpace, list[str]]:
    """``space`` without the ``timesteps`` the profile's step budget forbids, and what changed."""
    budget = profile.step_budget
    param = space.raw.get("timesteps")
    if budget is None or not isinstance(param, dict):
        return space, []
    raw = copy.deepcopy(space.raw)
    kind, values = param.get("_type"), list(param.get("_value", []))
    why = f"the profile '{profile.name}' allows at most {budget} steps"
    note = None
    if kind == "choice":
        keep = [v for v in values if v <= budget]
        if len(keep) < len(values):
            raw["timesteps"]["_value"] = keep or [budget]
            dropped = [v for v in values if v > budget]
            note = f"timesteps choices {dropped} dropped from the search space: {why}"
    elif kind == "randint" and len(values) == 2 and values[1] > budget + 1:
        raw["timesteps"]["_value"] = [min(values[0], budget), budget + 1]
        note = f"timesteps range capped at {budget}: {why}"
    elif kind in RANGES and len(values) >= 2 and values[1] > budget:
        raw["timesteps"]["_value"] = [min(values[0], budget), budget, *values[2:]]
        note = f"timesteps range capped at {budget}: {why}"
    if note is None:
        return space, []
    return parse_space(raw, space.family, source=f"{space.source}, fitted to profile '{profile.name}'"), [note]
