"""Where an Optuna study lives, and how a run opens it.

- Storage (``open_storage``): a journal file ``<run>/study.journal`` (every finished trial is
  appended and flushed, so kill -9 loses none), or an RDB URL (PostgreSQL) shared by workers on
  several machines.
- ``open_study`` creates the study or loads it, and refuses to continue one that tunes
  something else; ``recover_interrupted`` voids the trials a killed process left running.
- Void trials (user attr ``VOID``) do not count towards the study's N; ``counted`` skips them.

Apart from ``optuna_engine`` because none of it depends on how trials are sampled or run.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

from ..errors import UsageError

JOURNAL = "study.journal"
VOID = "void"  # user attr: "interrupted" | "surplus" — not a trial of the study's N
#: user attr of a trial rejected before training (static check failed): recorded, told to the
#: sampler through its constraints, but not one of the N trained trials ``--trials`` asks for
REJECTED = "rejected_before_training"


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

    if (
        url.startswith("postgresql://")
        and importlib.util.find_spec("psycopg") is None
        and importlib.util.find_spec("psycopg2") is not None
    ):
        return "postgresql+psycopg2://" + url[len("postgresql://") :]
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
    from optuna.storages.journal import JournalFileBackend, JournalStorage

    if url is None:
        run_dir.mkdir(parents=True, exist_ok=True)
        return JournalStorage(JournalFileBackend(str(run_dir / JOURNAL)))
    scheme = url.split(":", 1)[0]
    if scheme.split("+")[0] not in ("postgresql", "sqlite", "mysql"):
        raise UsageError(
            f"--storage '{scheme}:…' is not supported; use postgresql://user:pass@host/db (or sqlite:///file.db)"
        )
    shown, url = url, _driver(url)
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if scheme.startswith("postgresql"):
        kwargs["connect_args"] = {"connect_timeout": 5}
    try:
        return _rdb(url, kwargs)
    except ImportError as exc:
        raise UsageError(
            f"--storage {_safe_url(shown)} needs a database driver ({exc}); pip install 'edgesnn[postgres]'"
        ) from None
    except Exception as exc:  # sqlalchemy.exc.OperationalError and friends
        first = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(
            f"cannot open the study storage {_safe_url(shown)} ({first}); start the database server or fix --storage"
        ) from None


def open_study(storage, name: str, directions: list[str], sampler, config: dict, *, create: bool, resume: bool):
    """Create the study (storing ``config``), or load it and check it is the same tuning."""
    import optuna

    try:
        study = optuna.load_study(study_name=name, storage=storage, sampler=sampler)
    except KeyError:
        study = None
    if study is not None and not (resume or not create):
        raise UsageError(
            f"study '{name}' already exists in this run directory; pass --resume to continue it, "
            "or choose another --out"
        )
    if study is None:
        try:
            study = optuna.create_study(study_name=name, storage=storage, sampler=sampler, directions=directions)
            study.set_user_attr("edgesnn", config)
        except optuna.exceptions.DuplicatedStudyError:  # another worker created it first
            study = optuna.load_study(study_name=name, storage=storage, sampler=sampler)
    theirs = study.user_attrs.get("edgesnn", {})
    for key in ("dataset", "profile", "family", "objectives"):
        if theirs and theirs.get(key) != config.get(key):
            raise UsageError(
                f"study '{name}' tunes {key}={theirs.get(key)!r}, not {config.get(key)!r}; "
                "use the same settings or another --study"
            )
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
    """Trials of the study (not void), any state, rejected ones included."""
    return [t for t in study.get_trials(deepcopy=False) if VOID not in t.user_attrs]


def trained(trials: list) -> list:
    """The trials among ``trials`` that count towards N: not void, not rejected before training."""
    return [t for t in trials if VOID not in t.user_attrs and REJECTED not in t.user_attrs]


def rejected_in_a_row(trials: list) -> int:
    """Finished trials rejected before training since the last trained one."""
    run = 0
    for t in sorted((t for t in trials if t.state.is_finished()), key=lambda t: t.number, reverse=True):
        if REJECTED not in t.user_attrs:
            break
        run += 1
    return run
