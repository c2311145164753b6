"""The embedded engine: an Optuna study over the same space, constraints and records.

- Samplers (``SAMPLERS``): tpe (default, multi-objective), nsga2, random, grid, cmaes (one
  objective only). Every sampler sees the profile through ``trial.set_constraint`` (Optuna 5's
  constraint API; ``constraints_func`` is deprecated there): one constraint per check, its
  slack divided by its limit, ≤ 0 feasible.
- Pruning: the median rule on intermediate validation accuracy (``MedianRule``), read from the
  other trials' learning curves, so it works for multi-objective studies too (Optuna's own
  pruners refuse them).
- Storage (``open_storage``): a journal file ``<run>/study.journal`` (every finished trial is
  appended and flushed, so kill -9 loses none), or an RDB URL (PostgreSQL) shared by workers on
  several machines.
- Exactly N trials: a trial's *slot* is its number minus the void trials (interrupted or surplus)
  before it; a trial whose slot is ≥ N is voided at once and the worker stops. Two workers
  racing for the last slot therefore never run N + 1 trainings.
"""

from __future__ import annotations

import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import UsageError, unknown_name
from .trial import OBJECTIVES, Pruned, TrialRecord, TuneSetup, run_trial

JOURNAL = "study.journal"
VOID = "void"  # user attr: "interrupted" | "surplus" — not a trial of the study's N


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


SAMPLERS: dict[str, Callable] = {"tpe": _tpe, "nsga2": _nsga2, "random": _random, "grid": _grid, "cmaes": _cmaes}


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

        warnings.warn(EdgeSNNWarning("sampler 'cmaes' does not steer by the profile's constraints; infeasible "
                                     "trials are still rejected and reported, use tpe or nsga2 to be steered away from them"))
        warnings.filterwarnings("ignore", message="Constraints have been set, but CmaEsSampler", category=UserWarning)
    return SAMPLERS[name](seed, setup.space, n_obj)


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def _driver(url: str) -> str:
    """``postgresql://`` with the installed driver: SQLAlchemy 2.1 picks psycopg 3 by default,
    edgesnn's ``[postgres]`` extra installs psycopg2."""
    import importlib.util

    if url.startswith("postgresql://") and importlib.util.find_spec("psycopg") is None \
            and importlib.util.find_spec("psycopg2") is not None:
        return "postgresql+psycopg2://" + url[len("postgresql://"):]
    return url


def _rdb(url: str, kwargs: dict, attempts: int = 5):
    """RDBStorage, retrying the schema race of workers that start at the same moment
    (two ``CREATE TABLE`` at once: IntegrityError / ProgrammingError on PostgreSQL)."""
    import optuna
    from sqlalchemy.exc import IntegrityError, ProgrammingError

    for attempt in range(attempts):
        try:
            with warnings.catch_warnings():  # heartbeat_interval is "experimental" in Optuna 5
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return optuna.storages.RDBStorage(url, engine_kwargs=kwargs, heartbeat_interval=60, grace_period=180)
        except (IntegrityError, ProgrammingError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.5 * (attempt + 1))


def open_storage(url: str | None, run_dir: Path):
    """Journal file in ``run_dir`` (default) or an RDB storage (``postgresql://``, ``sqlite:///``)."""
    import optuna
    from optuna.storages.journal import JournalFileBackend, JournalStorage

    if url is None:
        run_dir.mkdir(parents=True, exist_ok=True)
        return JournalStorage(JournalFileBackend(str(run_dir / JOURNAL)))
    scheme = url.split(":", 1)[0]
    if scheme.split("+")[0] not in ("postgresql", "sqlite", "mysql"):
        raise UsageError(f"--storage '{scheme}:…' is not supported; use postgresql://user:pass@host/db (or sqlite:///file.db)")
    shown, url = url, _driver(url)
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if scheme.startswith("postgresql"):
        kwargs["connect_args"] = {"connect_timeout": 5}
    try:
        return _rdb(url, kwargs)
    except ImportError as exc:
        raise UsageError(f"--storage {_safe_url(shown)} needs a database driver ({exc}); pip install 'edgesnn[postgres]'") from None
    except Exception as exc:  # sqlalchemy.exc.OperationalError and friends
        first = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"cannot open the study storage {_safe_url(shown)} ({first}); start the database server "
                         "or fix --storage") from None


def open_study(storage, name: str, directions: list[str], sampler, config: dict, *, create: bool, resume: bool):
    """Create the study (storing ``config``), or load it and check it is the same tuning."""
    import optuna

    try:
        study = optuna.load_study(study_name=name, storage=storage, sampler=sampler)
    except KeyError:
        study = None
    if study is not None and not (resume or not create):
        raise UsageError(f"study '{name}' already exists in this run directory; pass --resume to continue it, "
                         "or choose another --out")
    if study is None:
        try:
            study = optuna.create_study(study_name=name, storage=storage, sampler=sampler, directions=directions)
            study.set_user_attr("edgesnn", config)
        except optuna.exceptions.DuplicatedStudyError:  # another worker created it first
            study = optuna.load_study(study_name=name, storage=storage, sampler=sampler)
    theirs = study.user_attrs.get("edgesnn", {})
    for key in ("dataset", "profile", "family", "objectives"):
        if theirs and theirs.get(key) != config.get(key):
            raise UsageError(f"study '{name}' tunes {key}={theirs.get(key)!r}, not {config.get(key)!r}; "
                             "use the same settings or another --study")
    return study


def recover_interrupted(study) -> int:
    """Void trials left RUNNING by a killed process and enqueue their parameters again.

    Only for a journal file (one machine, one tuner per run directory): every RUNNING trial
    found at start-up belongs to a process that is gone.
    """
    from optuna.trial import TrialState

    n = 0
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study._storage.set_trial_user_attr(t._trial_id, VOID, "interrupted")
        study._storage.set_trial_state_values(t._trial_id, TrialState.FAIL)
        if t.params:
            study.enqueue_trial(t.params, skip_if_exists=False)
        n += 1
    return n


def counted(study) -> list:
    """Trials that count towards N (not void), any state."""
    return [t for t in study.get_trials(deepcopy=False) if VOID not in t.user_attrs]


class MedianRule:
    """Prune at epoch e (≥ ``warmup``) when val_acc < median of the finished curves at e."""

    def __init__(self, warmup: int = 1, min_curves: int = 3):
        self.warmup, self.min_curves = warmup, min_curves

    def __call__(self, study, number: int, epoch: int, val_acc: float) -> bool:
        if epoch < self.warmup:
            return False
        curves = [t.user_attrs.get("curve", []) for t in study.get_trials(deepcopy=False)
                  if t.number != number and t.state.is_finished()]
        at = [c[epoch] for c in curves if len(c) > epoch]
        return len(at) >= self.min_curves and val_acc < statistics.median(at)


class Objective:
    """The Optuna objective: sample → run_trial → record + constraints + objective values."""

    class Failed(Exception):
        """A trial that raised; recorded, and the study goes on."""

    def __init__(self, setup: TuneSetup, objectives: list[str], n_trials: int, prune: bool = True):
        self.setup, self.objectives, self.n_trials = setup, objectives, n_trials
        self.rule = MedianRule() if prune else None

    def __call__(self, trial) -> float | tuple[float, ...]:
        import optuna

        study = trial.study
        before = [t for t in study.get_trials(deepcopy=False) if t.number < trial.number and VOID in t.user_attrs]
        if trial.number - len(before) >= self.n_trials:
            trial.set_user_attr(VOID, "surplus")
            study.stop()
            raise Objective.Failed("surplus")
        values = self.setup.space.sample(trial)

        def on_epoch(epoch: int, val_acc: float) -> None:
            trial.set_user_attr("curve", [*trial.user_attrs.get("curve", []), float(val_acc)])
            if self.rule is not None and self.rule(study, trial.number, epoch, val_acc):
                raise Pruned(f"epoch {epoch + 1}: val_acc {val_acc:.3f} below the median")

        record = run_trial(self.setup, values, trial.number, on_epoch=on_epoch)
        trial.set_user_attr("record", record.to_json())
        for name, scaled in record.scaled_slacks().items():
            trial.set_constraint(name, scaled)
        if record.state == "PRUNED":
            raise optuna.TrialPruned()
        if record.state == "FAIL":
            raise Objective.Failed(record.error)
        values_out = tuple(record.objective(o) for o in self.objectives)
        return values_out[0] if len(values_out) == 1 else values_out


def records_of(study) -> list[TrialRecord]:
    """Every counted trial's record, in trial order (a killed-before-record trial is a FAIL row)."""
    return records_from(counted(study))


def records_from(trials: list) -> list[TrialRecord]:
    """``records_of`` for trials already fetched with ``counted``."""
    out = []
    for t in trials:
        if "record" in t.user_attrs:
            out.append(TrialRecord.from_dict(t.user_attrs["record"]))
        elif t.state.is_finished():
            out.append(TrialRecord(t.number, dict(t.params), state="FAIL", error="no record (trial interrupted)"))
    return sorted(out, key=lambda r: r.number)


def directions(objectives: list[str]) -> list[str]:
    if not objectives:
        raise UsageError(f"--objectives is empty; give a comma list of {', '.join(OBJECTIVES)}")
    for o in objectives:
        if o not in OBJECTIVES:
            raise unknown_name("objective", o, OBJECTIVES)
    if len(set(objectives)) != len(objectives):
        raise UsageError(f"--objectives lists one twice: {','.join(objectives)}")
    return [OBJECTIVES[o][0] for o in objectives]
