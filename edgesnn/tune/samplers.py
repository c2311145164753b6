"""Optuna's samplers by name, beside their construction: tpe (default, multi-objective), gp
(Bayesian optimisation with a Gaussian process), nsga2, random, grid, cmaes (one objective). Every sampler sees the profile's constraints through
``trial.set_constraint`` (see ``optuna_engine``), except cmaes, which is warned about.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import UsageError, unknown_name

if TYPE_CHECKING:
    from .trial import TuneSetup


def _tpe(seed, space, n_obj):
    import optuna

    # constant liar: running trials count as bad ones, so parallel workers do not pile onto one point
    return optuna.samplers.TPESampler(seed=seed, multivariate=True, n_startup_trials=5, constant_liar=True)


def _nsga2(seed, space, n_obj):
    import optuna

    return optuna.samplers.NSGAIISampler(seed=seed, population_size=max(4, min(20, 2 * len(space.params))))


def _random(seed, space, n_obj):
    import optuna

    return optuna.samplers.RandomSampler(seed=seed)


def _grid(seed, space, n_obj):
    import optuna

    return optuna.samplers.GridSampler(space.grid(), seed=seed)


def _cmaes(seed, space, n_obj):
    import optuna

    return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)


def _gp(seed, space, n_obj):
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


def make_sampler(name: str, seed: int, setup: TuneSetup, n_obj: int, shared: bool = False):
    """``shared``: workers of one study must not draw the same sequence, so each mixes its
    process id into the seed (a shared study is not reproducible draw for draw anyway)."""
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
    return SAMPLERS[name](seed, setup.space, n_obj)
