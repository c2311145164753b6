"""The search space is fitted to the profile's step budget before the first trial."""

from __future__ import annotations

import pytest

from edgesnn.config import load_profile
from edgesnn.tune.bounds import fit_to_profile
from edgesnn.tune.space import parse_space

BASE = {"beta": {"_type": "uniform", "_value": [0.8, 0.95]}}


def fitted(timesteps: dict, profile: str = "wearable"):
    prof = load_profile(profile)
    space, notes = fit_to_profile(parse_space({**BASE, "timesteps": timesteps}, "mlp"), prof)
    return space.raw["timesteps"]["_value"], notes, prof.step_budget


def test_choices_above_the_step_budget_are_dropped_with_a_note():
    values, notes, budget = fitted({"_type": "choice", "_value": [8, 25, 500, 1000]})
    assert budget is not None and 25 <= budget < 500
    assert values == [8, 25]
    assert notes == [
        f"timesteps choices [500, 1000] dropped from the search space: the profile 'wearable' allows at most {budget} steps"
    ]


def test_all_choices_above_the_budget_leave_the_budget_itself():
    values, notes, budget = fitted({"_type": "choice", "_value": [5000, 9000]})
    assert values == [budget] and len(notes) == 1


@pytest.mark.parametrize(
    ("param", "expect"),
    [
        ({"_type": "randint", "_value": [4, 5000]}, lambda b: [4, b + 1]),
        ({"_type": "quniform", "_value": [4, 5000, 2]}, lambda b: [4, b, 2]),
        ({"_type": "uniform", "_value": [4, 5000]}, lambda b: [4, b]),
    ],
)
def test_ranges_are_capped(param, expect):
    values, notes, budget = fitted(param)
    assert values == expect(budget) and "capped" in notes[0]


def test_a_space_within_the_budget_is_unchanged():
    space = parse_space({**BASE, "timesteps": {"_type": "choice", "_value": [8, 16]}}, "mlp")
    same, notes = fit_to_profile(space, load_profile("wearable"))
    assert same is space and notes == []
    no_t = parse_space(BASE, "mlp")
    assert fit_to_profile(no_t, load_profile("wearable")) == (no_t, [])
