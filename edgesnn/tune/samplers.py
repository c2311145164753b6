"""Optuna's samplers by name, beside their construction: tpe (default, multi-objective), gp
(Bayesian optimisation with a Gaussian process), nsga2, random, grid, cmaes (one objective). Every sampler sees the profile's constraints through
``trial.set_constraint`` (see ``optuna_engine``), except cmaes, which is warned about.

**Grid at a trial budget** (``grid_values``). A finite parameter (choice, randint, quniform)
keeps its own values. A continuous one is divided into k equal sections (in log space for the
log types; normal by its quantiles) and tried at their midpoints, so every level stands for an
equal share of its range (k = 1: the middle). The k's are raised one at a time, the smallest
first (the first-listed on a tie), until the grid holds at least the budget N: with 3
continuous parameters N = 8 is 2 × 2 × 2, N = 12 is 3 × 2 × 2, N = 27 is 3 × 3 × 3 — complete
grids; an N between (e.g. 10 of 3 × 2 × 2) visits N of the points in the seeded order Optuna's
``GridSampler`` shuffles them into. So grid search uses exactly the budget random search and the
GP get. Without a budget a continuous parameter is refused, as before.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

from ..errors import UsageError, unknown_name

if TYPE_CHECKING:
    from .space import Param, SearchSpace
    from .trial import TuneSetup

FINITE = ("choice", "randint", "quniform")


def _tpe(seed, space, n_obj, budget=None):
    import optuna

    # constant liar: running trials count as bad ones, so parallel workers do not pile onto one point
    return optuna.samplers.TPESampler(seed=seed, multivariate=True, n_startup_trials=5, constant_liar=True)


def _nsga2(seed, space, n_obj, budget=None):
    import optuna

    return optuna.samplers.NSGAIISampler(seed=seed, population_size=max(4, min(20, 2 * len(space.params))))


def _random(seed, space, n_obj, budget=None):
    import optuna

    return optuna.samplers.RandomSampler(seed=seed)


def levels(p: Param, k: int) -> list[Any]:
    """The midpoints of ``k`` equal sections of continuous parameter ``p`` (see module docstring)."""
    q = [(i + 0.5) / k for i in range(k)]
    if p.type == "normal":
        mu, sigma = (float(v) for v in p.value)
        dist = NormalDist(mu, sigma)
        return [min(max(dist.inv_cdf(x), mu - 3 * sigma), mu + 3 * sigma) for x in q]
    low, high = float(p.value[0]), float(p.value[1])
    if p.type in ("loguniform", "qloguniform"):
        out = [math.exp(math.log(low) + x * (math.log(high) - math.log(low))) for x in q]
    else:
        out = [low + x * (high - low) for x in q]
    if p.type == "qloguniform":  # on the q grid, as NNI would round it, and once each
        out = sorted({min(max(round(v / p.value[2]) * p.value[2], low), high) for v in out})
    return out


def grid_values(space: SearchSpace, budget: int | None) -> dict[str, list]:
    """The grid of ``space`` for a search of ``budget`` trials (module docstring); None: finite only."""
    finite = {n: p.grid() for n, p in space.params.items() if p.type in FINITE or budget is None}
    k = {n: 1 for n in space.params if n not in finite}
    size = math.prod(len(v) for v in finite.values())
    while k and size * math.prod(k.values()) < budget:
        k[min(k, key=lambda n: k[n])] += 1
    # 6 significant digits: 0.3, not 0.30000000000000004, in the results table
    return {
        n: finite[n] if n in finite else [float(f"{v:.6g}") for v in levels(p, k[n])] for n, p in space.params.items()
    }


def grid_note(space: SearchSpace, budget: int) -> str:
    """One line: the grid's shape and how much of it ``budget`` trials visit."""
    grid = grid_values(space, budget)
    size = math.prod(len(v) for v in grid.values())
    shape = " × ".join(f"{len(v)} {n}" for n, v in grid.items() if len(v) > 1) or "1"
    part = "the whole grid" if size <= budget else f"{budget} of its points in a seeded order"
    return f"grid search: {shape} = {size} point{'s' * (size != 1)}; {budget} trial(s) visit {part}"


def _grid(seed, space, n_obj, budget=None):
    import optuna

    return optuna.samplers.GridSampler(grid_values(space, budget), seed=seed)


def _cmaes(seed, space, n_obj, budget=None):
    import optuna

    return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)


def _gp(seed, space, n_obj, budget=None):
    import optuna

    # Bayesian optimisation with a Gaussian-process surrogate (Optuna's GPSampler: one or several
    # objectives, constraints from ``trial.set_constraint``)
    return optuna.samplers.GPSampler(seed=seed, n_startup_trials=5)


SAMPLERS: dict[str, Callable] = {
    "tpe": _tpe,
    "gp": _gp,
    "nsga2": _nsga2,
    "random": _random,
    "grid": _grid,
    "cmaes": _cmaes,
}


def check_sampler(name: str, n_objectives: int) -> None:
    """Refuse an unknown sampler, or cmaes on more than one objective."""
    if name not in SAMPLERS:
        raise unknown_name("optuna sampler", name, SAMPLERS)
    if name == "cmaes" and n_objectives > 1:
        raise UsageError("sampler 'cmaes' optimises one objective; pass --objectives accuracy or use tpe/nsga2")


def make_sampler(name: str, seed: int, setup: TuneSetup, n_obj: int, shared: bool = False, budget: int | None = None):
    """``shared``: workers of one study must not draw the same sequence, so each mixes its
    process id into the seed (a shared study is not reproducible draw for draw anyway).
    ``budget``: the study's trained trials, which size the grid (``grid_values``)."""
    check_sampler(name, n_obj)
    if shared:
        import os
        import socket

        seed = hash((seed, socket.gethostname(), os.getpid())) % 2**31
    if name == "cmaes":
        import warnings

        from ..errors import EdgeSNNWarning

        warnings.warn(
            EdgeSNNWarning(
                "sampler 'cmaes' does not steer by the profile's constraints; infeasible "
                "trials are still rejected and reported, use tpe or nsga2 to be steered away from them"
            ),
            stacklevel=2,
        )
        warnings.filterwarnings("ignore", message="Constraints have been set, but CmaEsSampler", category=UserWarning)
    return SAMPLERS[name](seed, setup.space, n_obj, budget)
