"""Constraint-aware hyper-parameter tuning: one search space (NNI's JSON format), two engines.

    from edgesnn.tune import TuneConfig, tune
    result = tune(TuneConfig("digits", "wearable", trials=20))  # Optuna, journal file in the run dir
    result = tune("digits", "wearable", trials=20)              # the same, as keywords
    result.best.metrics["val_acc"], result.next_command

Static checks reject a configuration the profile forbids before any training
(``constraints.static_checks``); trained models are checked on the reference simulator.
Engines (``ENGINES``, subclasses of ``engine.Engine``): ``optuna`` (embedded, multi-objective,
constraints, pruning, journal or PostgreSQL storage) and ``nni`` (a real NNI experiment whose
trials run ``python -m edgesnn.tune.nni_trial``). Importing this package registers both.

Many machines, one study (Optuna + PostgreSQL)::

    # once, anywhere: a database the workers can reach (scripts/postgres.sh starts a throwaway
    # one on 127.0.0.1 for trying it; on a cluster use a real server and open its port)
    export STORE=postgresql://user:pass@db-host:5432/edgesnn
    # on every machine (or every SLURM task), the same dataset/profile/space/--study:
    edgesnn tune --dataset digits --profile wearable --trials 200 \
        --storage $STORE --study digits-wearable --out runs/tune-$(hostname)
    # e.g.  srun -N 4 edgesnn tune ... --out runs/tune-$SLURM_PROCID

The first worker creates the study (the others load it; a schema race is retried). Trials
are numbered by the database, so N trials in total run exactly once across the workers; each
worker keeps the checkpoints it trained under its own --out and, at the end, writes the results
table of the whole study. ``pip install 'edgesnn[postgres]'`` provides the driver (psycopg2).
"""

from .config import TuneConfig
from .constraints import StaticReport, static_checks
from .engine import ENGINES, Engine, register_engine
from .nni_engine import NNIEngine
from .optuna_engine import OptunaEngine
from .results import best_feasible, pareto_front
from .run import DEFAULT_EPOCHS, TuneResult, tune
from .space import SearchSpace, builtin_space, builtin_spaces, load_space, parse_space
from .trial import OBJECTIVES, TrialRecord, TuneSetup, run_trial

__all__ = [
    "DEFAULT_EPOCHS",
    "ENGINES",
    "OBJECTIVES",
    "Engine",
    "NNIEngine",
    "OptunaEngine",
    "SearchSpace",
    "StaticReport",
    "TrialRecord",
    "TuneConfig",
    "TuneResult",
    "TuneSetup",
    "best_feasible",
    "builtin_space",
    "builtin_spaces",
    "load_space",
    "pareto_front",
    "parse_space",
    "register_engine",
    "run_trial",
    "static_checks",
    "tune",
]
