"""The grid sampler at a trial budget (``samplers.grid_values``) and ``tune --tuner grid`` using
exactly that budget on a space with continuous parameters."""

import itertools
import math

import pytest

from edgesnn.errors import UsageError
from edgesnn.tune import parse_space, tune
from edgesnn.tune.samplers import grid_note, grid_values, levels

CONTINUOUS = {
    "lr": {"_type": "loguniform", "_value": [0.0001, 0.01]},
    "correct_rate": {"_type": "uniform", "_value": [0.5, 1.0]},
    "incorrect_rate": {"_type": "uniform", "_value": [0.0, 0.4]},
    "loss": {"_type": "choice", "_value": ["mse_count"]},
}


def _sizes(grid):
    return {n: len(v) for n, v in grid.items()}


@pytest.mark.parametrize(
    "budget, sizes",
    [(1, (1, 1, 1)), (8, (2, 2, 2)), (12, (3, 2, 2)), (18, (3, 3, 2)), (27, (3, 3, 3)), (10, (3, 2, 2))],
)
def test_levels_grow_evenly_until_the_grid_holds_the_budget(budget, sizes):
    grid = grid_values(parse_space(CONTINUOUS, "mlp"), budget)
    assert tuple(_sizes(grid)[n] for n in ("lr", "correct_rate", "incorrect_rate")) == sizes
    assert grid["loss"] == ["mse_count"]
    assert math.prod(len(v) for v in grid.values()) >= budget


def test_levels_are_section_midpoints_in_linear_or_log_space():
    space = parse_space(CONTINUOUS, "mlp")
    assert levels(space.params["correct_rate"], 2) == pytest.approx([0.625, 0.875])
    assert levels(space.params["lr"], 1) == pytest.approx([0.001])  # the log-space middle
    assert levels(space.params["lr"], 2) == pytest.approx([10**-3.5, 10**-2.5])
    odd = parse_space(
        {
            "beta": {"_type": "normal", "_value": [0.9, 0.01]},
            "population": {"_type": "qloguniform", "_value": [1, 64, 1]},
        },
        "mlp",
    )
    assert levels(odd.params["beta"], 3)[1] == pytest.approx(0.9)
    assert all(1 <= v <= 64 and float(v).is_integer() for v in levels(odd.params["population"], 4))


def test_finite_values_are_kept_and_a_full_finite_grid_fixes_continuous_ones_at_the_middle():
    space = parse_space({"hidden_1": {"_type": "choice", "_value": [8, 16, 32]}, **CONTINUOUS}, "mlp")
    grid = grid_values(space, 3)
    assert grid["hidden_1"] == [8, 16, 32] and grid["correct_rate"] == [0.75]
    assert "3 hidden_1 = 3 points; 3 trial(s) visit the whole grid" in grid_note(space, 3)
    assert "10 of its points" in grid_note(space, 10)


def test_without_a_budget_a_continuous_parameter_is_refused():
    with pytest.raises(UsageError, match="finite space"):
        grid_values(parse_space(CONTINUOUS, "mlp"), None)


def test_tune_grid_trains_exactly_the_budget_on_the_grid_points(tmp_path):
    space = tmp_path / "space.json"
    space.write_text(
        '{"lr": {"_type": "loguniform", "_value": [0.001, 0.01]}, '
        '"beta": {"_type": "uniform", "_value": [0.8, 0.9]}, "hidden_1": {"_type": "choice", "_value": [16]}}'
    )
    r = tune(
        "wine",
        "workstation",
        space=space,
        tuner="grid",
        trials=4,
        epochs=1,
        objectives=["accuracy"],
        out=tmp_path / "run",
        progress=False,
        prune=False,
    )
    trained = [x for x in r.records if x.stage == "trained"]
    assert len(trained) == 4
    grid = grid_values(
        parse_space(
            {"lr": CONTINUOUS["lr"] | {"_value": [0.001, 0.01]}, "beta": {"_type": "uniform", "_value": [0.8, 0.9]}},
            "mlp",
        ),
        4,
    )
    points = {(x.params["lr"], x.params["beta"]) for x in trained}
    assert points == set(itertools.product(grid["lr"], grid["beta"]))  # the 2 × 2 grid, each point once
    assert any(n.startswith("grid search: 2 lr × 2 beta = 4 points") for n in r.notes)
