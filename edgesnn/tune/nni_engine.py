"""The NNI engine: a real NNI 3.0 experiment over the same space and trial.

NNI's manager (its own Node.js) runs the tuner and starts ``python -m edgesnn.tune.nni_trial``
per trial with the local training service, or NNI's remote (SSH) training service from a
``machines.yaml``. NNI optimises one number and has no constraint API, so each trial reports
the penalised objective (see ``trial.py``); results come back through ``export_data()``.

Tuners: TPE, Anneal, Evolution, Random, GridSearch. GP and Metis fail with current SciPy,
Hyperband and BOHB have a parameter-id bug and SMAC does not build (NNI is archived since
2024-09): those are refused up front. NNI 3.0's web server listens on every interface (its
``app.listen(port)`` takes no host); edgesnn announces it on 127.0.0.1 and points the trials at
127.0.0.1 (``nni_manager_ip``).

Assessors (``--assessor``): Medianstop and Curvefitting read the validation accuracy each trial
reports after every epoch and tell NNI's manager to kill a trial that looks hopeless; NNI then
marks it ``EARLY_STOPPED`` (it never reports a final result). ``collect`` records such a trial
as ``EARLY_STOPPED`` with its learning curve, read back from NNI's intermediate metrics.
"""

from __future__ import annotations

import shlex
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BackendRunError, ConfigError, RuntimeUnavailableError, UsageError, did_you_mean
from ..io import read_structured, write_json
from .engine import Engine, max_rejections, register_engine
from .nni_records import best_note, collect, rejected_ids
from .nni_tuners import tuner_death
from .trial import TrialRecord, TuneSetup

if TYPE_CHECKING:
    from .config import TuneConfig

TUNERS: dict[str, Callable[[int, int], dict]] = {
    "TPE": lambda n, seed: {"optimize_mode": "maximize", "seed": seed},
    "Anneal": lambda n, seed: {"optimize_mode": "maximize"},
    "Evolution": lambda n, seed: {"optimize_mode": "maximize", "population_size": max(2, min(20, n // 2))},
    "Random": lambda n, seed: {"seed": seed},
    "GridSearch": lambda n, seed: {},
}
BROKEN = {
    "GP": "fails with current SciPy ('x0' must only have one dimension)",
    "Metis": "fails with current SciPy ('x0' must only have one dimension)",
    "Hyperband": "has a parameter-id bug",
    "BOHB": "has a parameter-id bug",
    "SMAC": "does not build",
}
SETUP_FILE = "setup.json"
#: tuners NNI 3.0 breaks on numpy 2, run as edgesnn's patched custom tuner class (see nni_tuners.py)
PATCHED_TUNERS = {"Anneal": "edgesnn.tune.nni_tuners.Anneal"}


def _start(epochs: int) -> int:
    """The epoch from which an assessor judges: a quarter of the training, at least the first."""
    return max(1, epochs // 4)


#: NNI 3.0's built-in assessors -> their class_args for trials of ``epochs`` epochs (accuracy, maximised)
ASSESSORS: dict[str, Callable[[int], dict]] = {
    "Medianstop": lambda epochs: {"optimize_mode": "maximize", "start_step": _start(epochs)},
    # curve fitting needs a few points to extrapolate: up to 6 (NNI's default start), half the epochs
    "Curvefitting": lambda epochs: {
        "epoch_num": epochs,
        "start_step": max(_start(epochs), min(6, epochs // 2)),
        "threshold": 0.95,
        "gap": 1,
    },
}


def assessor_name(name: str | None) -> str | None:
    """The canonical NNI assessor name, or None for no assessor (None or "none")."""
    if name is None or name.lower() == "none":
        return None
    canon = {k.lower(): k for k in ASSESSORS}.get(name.lower())
    if canon is None:
        choices = [*ASSESSORS, "none"]
        raise UsageError(
            f"unknown NNI assessor '{name}'{did_you_mean(name, choices)}; choose from: {', '.join(choices)}"
        )
    return canon


def tuner_name(name: str | None) -> str:
    name = name or "TPE"
    canon = {k.lower(): k for k in [*TUNERS, *BROKEN]}.get(name.lower())
    if canon in BROKEN:
        raise UsageError(
            f"NNI tuner '{canon}' {BROKEN[canon]} in NNI 3.0 (archived upstream); "
            f"use one of {', '.join(TUNERS)}, or --engine optuna"
        )
    if canon is None:
        raise UsageError(f"unknown NNI tuner '{name}'{did_you_mean(name, TUNERS)}; choose from: {', '.join(TUNERS)}")
    return canon


def free_port(preferred: int | None = None) -> int:
    """``preferred`` if nothing listens there (else a UsageError), or a free port on localhost."""
    if preferred is not None:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", preferred)) == 0:
                raise UsageError(
                    f"port {preferred} is busy (NNI's web UI needs it); pass another --nni-port or omit it"
                )
        return preferred
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_machines(path: Path) -> list[dict[str, Any]]:
    """``machines.yaml``: a list (or ``machines:`` list) of {host, user, port?, password? |
    ssh_key_file?, python_path?} — NNI's RemoteMachineConfig fields."""
    path = Path(path)
    raw = read_structured(path, "--nni-remote file", hint="write a YAML list of machines (host, user, ...)", fmt="yaml")
    machines = raw.get("machines") if isinstance(raw, dict) else raw
    allowed = {"host", "port", "user", "password", "ssh_key_file", "ssh_passphrase", "python_path"}
    if not isinstance(machines, list) or not machines:
        raise ConfigError(f"'{path}' must hold a non-empty list of machines (host, user, ...)")
    for i, m in enumerate(machines):
        if not isinstance(m, dict) or not {"host", "user"} <= set(m):
            raise ConfigError(f"'{path}' machine {i + 1} needs at least host and user, got {m!r}")
        extra = set(m) - allowed
        if extra:
            raise ConfigError(
                f"'{path}' machine {i + 1} has unknown key(s) {sorted(extra)}; allowed: {sorted(allowed)}"
            )
    return machines


def build_experiment(
    setup: TuneSetup,
    *,
    tuner: str,
    trials: int,
    jobs: int,
    timeout: float | None,
    seed: int,
    nni_remote: Path | None = None,
    assessor: str | None = None,
):
    """The configured (not started) ``nni.experiment.Experiment`` and the trial's code directory."""
    try:
        from nni.experiment import AlgorithmConfig, CustomAlgorithmConfig, Experiment, RemoteConfig, RemoteMachineConfig
    except ImportError:
        raise RuntimeUnavailableError("the nni engine needs NNI: pip install 'edgesnn[nni]'") from None
    name = tuner_name(tuner)
    judge = assessor_name(assessor)
    code = setup.out / "nni" / "code"
    code.mkdir(parents=True, exist_ok=True)
    remote = nni_remote is not None
    data = setup.to_dict()
    if remote:
        data["out"] = "runs"  # trials write beside the uploaded code on each machine
    write_json(code / SETUP_FILE, data)
    exp = Experiment("remote" if remote else "local")
    c = exp.config
    c.experiment_name = f"edgesnn-{setup.family}-{Path(setup.dataset).stem}-{setup.profile.name}"
    python = "python3" if remote else shlex.quote(sys.executable)
    c.trial_command = f"{python} -m edgesnn.tune.nni_trial {SETUP_FILE}"
    c.trial_code_directory = str(code)
    c.search_space = setup.space.raw
    if name in PATCHED_TUNERS:  # NNI's dispatcher imports edgesnn's patched class (nni_tuners.py)
        args = {**TUNERS[name](trials, seed), "seed": seed}  # NNI's own Anneal takes no seed; edgesnn's does
        c.tuner = CustomAlgorithmConfig(class_name=PATCHED_TUNERS[name], class_args=args)
    else:
        c.tuner.name, c.tuner.class_args = name, TUNERS[name](trials, seed)
    if judge is not None:
        c.assessor = AlgorithmConfig(name=judge, class_args=ASSESSORS[judge](setup.epochs))
    c.max_trial_number = trials
    c.trial_concurrency = jobs
    if timeout:
        c.max_experiment_duration = f"{int(timeout)}s"
    c.experiment_working_directory = str((setup.out / "nni").resolve())
    c.nni_manager_ip = "127.0.0.1"
    if remote:
        machines = load_machines(nni_remote)
        c.training_service = RemoteConfig(machine_list=[RemoteMachineConfig(**m) for m in machines])
    else:
        c.training_service.use_active_gpu = False
    return exp, code


@register_engine
@dataclass(frozen=True)
class NNIEngine(Engine):
    """A real NNI experiment: NNI's tuner and manager, local or remote (SSH) trials."""

    name = "nni"
    trials: int
    timeout: float | None
    jobs: int
    seed: int
    tuner: str = "TPE"
    remote: Path | None = None  # machines.yaml
    port: int | None = None  # NNI's manager and web UI; None: a free one
    assessor: str | None = None  # ASSESSORS name; None: no early stopping

    @classmethod
    def from_config(cls, config: TuneConfig) -> NNIEngine:
        """A tuner that works in NNI 3.0; Optuna's study storage and resume have no NNI counterpart."""
        tuner = tuner_name(config.tuner)
        if config.storage is not None:
            raise UsageError("--storage is for the optuna engine; NNI keeps its own database in the run directory")
        if config.resume:
            raise UsageError("--resume is for the optuna engine; an NNI run starts a new experiment")
        return cls(
            config.trials,
            config.timeout,
            config.jobs,
            config.seed,
            tuner,
            config.nni_remote,
            config.nni_port,
            assessor_name(config.assessor),
        )

    def run(
        self, setup: TuneSetup, *, progress: bool | None, announce: Callable[[str], None] | None
    ) -> tuple[list[TrialRecord], list[str]]:
        """Run the experiment to completion and return its records."""
        import logging

        exp, _ = build_experiment(
            setup,
            tuner=self.tuner,
            trials=self.trials,
            jobs=self.jobs,
            timeout=self.timeout,
            seed=self.seed,
            nni_remote=self.remote,
            assessor=self.assessor,
        )
        from nni.runtime.log import silence_stdout

        silence_stdout()
        logging.getLogger("nni").setLevel(logging.WARNING)
        port = free_port(self.port)
        url = f"NNI web UI: http://127.0.0.1:{port} (experiment {exp.id}; NNI 3.0 listens on all interfaces)"
        notes = [] if announce else [url]
        if announce:
            announce(url)
        deadline = time.monotonic() + (self.timeout or 0) + 600 + 120 * self.trials * setup.epochs
        try:
            exp.start(port)
        except Exception as exc:
            raise BackendRunError(
                f"NNI's manager did not start on port {port} ({str(exc).splitlines()[0]}); "
                "see the log under the run directory's nni/"
            ) from None
        from ..train.progress import Progress

        try:
            with Progress(progress) as bar:
                label = self.tuner + (f" + {self.assessor}" if self.assessor else "")
                task, shown = bar.task(f"tune {setup.family} (NNI {label})", total=self.trials), 0
                max_trials, cap = self.trials, self.trials + max_rejections(self.trials)
                while True:
                    jobs_now = exp.list_trial_jobs()
                    rejected = rejected_ids(setup)
                    if self.trials + len(rejected) > max_trials and max_trials < cap:
                        # a rejection does not use up one of --trials: one more for NNI's tuner
                        max_trials = min(cap, self.trials + len(rejected))
                        exp.update_max_trial_number(max_trials)
                    finished = [
                        j
                        for j in jobs_now
                        if j.status not in ("WAITING", "RUNNING") and getattr(j, "trialJobId", None) not in rejected
                    ]
                    for _ in range(len(finished) - shown):
                        bar.advance(task, best_note(finished))
                    shown = max(shown, len(finished))
                    status = exp.get_status()
                    if status in ("DONE", "STOPPED", "ERROR"):
                        break
                    if status == "TUNER_NO_MORE_TRIAL" and len(finished) == len(jobs_now):
                        break
                    died = tuner_death(setup.out / "nni" / str(exp.id) / "log" / "dispatcher.log")
                    if died is not None:
                        raise BackendRunError(
                            f"NNI's {self.tuner} tuner process died ({died}); see the run's nni/ logs"
                        )
                    if time.monotonic() > deadline:
                        notes.append("NNI experiment stopped at edgesnn's deadline")
                        break
                    time.sleep(1.0)
            if status == "ERROR":
                notes.append("NNI reported ERROR; see the run directory's nni/ logs")
            records = collect(exp, setup)
        finally:
            exp.stop()
        return records, notes
