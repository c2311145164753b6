"""Constraint-aware hyper-parameter tuning: one search space (NNI's JSON format), two engines.

    from edgesnn.tune import tune
    result = tune("digits", "wearable", trials=20)          # Optuna, journal file in the run dir
    result.best.metrics["val_acc"], result.next_command

Static checks reject a configuration the profile forbids before any training
(``constraints.static_checks``); trained models are checked on the reference simulator.
Engines: ``optuna`` (embedded, multi-objective, constraints, pruning, journal or PostgreSQL
storage) and ``nni`` (a real NNI experiment whose trials run ``python -m edgesnn.tune.nni_trial``).
"""

from .constraints import Slack, StaticReport, static_checks
from .results import best_feasible, pareto_front
from .run import DEFAULT_EPOCHS, ENGINES, TuneResult, tune
from .space import SearchSpace, builtin_space, builtin_spaces, load_space, parse_space
from .trial import OBJECTIVES, TrialRecord, TuneSetup, run_trial

__all__ = ["DEFAULT_EPOCHS", "ENGINES", "OBJECTIVES", "SearchSpace", "Slack", "StaticReport", "TrialRecord",
           "TuneResult", "TuneSetup", "best_feasible", "builtin_space", "builtin_spaces", "load_space",
           "pareto_front", "parse_space", "run_trial", "static_checks", "tune"]
