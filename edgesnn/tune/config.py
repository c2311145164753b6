"""``TuneConfig``: the settings of one tuning run, typed and checked in one place.

``tune`` used to take two dozen keywords and hand them all to the engine through a catch-all,
so each check lived wherever its option happened to be read. The record is frozen, so nothing
in a run rewrites its settings halfway; it refuses a bad combination when it is built (cheap
checks: no data loaded, nothing written), and ``run_dir`` checks the run directory on disk just
before the run starts. The options of one engine only (``tuner``, ``storage``, ``study``,
``resume``, ``prune``, ``assessor``, ``nni_remote``, ``nni_port``) are judged by the engine that owns them
(``Engine.from_config``), so the record never has to know which engine reads what.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..config import Profile, Target
from ..errors import UsageError, unknown_name
from ..io import check_writable
from .engine import Engine, engine_class
from .trial import OBJECTIVES


@dataclass(frozen=True)
class TuneConfig:
    """What one ``tune`` run needs; the fields are the ``edgesnn tune`` options of the same names."""

    dataset: str
    profile: str | Profile = "wearable"
    target: str | Target | None = None  # None: the profile's default target
    model: str | None = None  # None: as train, rnn for a time series, fusion2 for several inputs, else mlp
    space: str | Path | None = None  # NNI-format JSON; None: the model's built-in space
    engine: str = "optuna"
    tuner: str | None = None  # the Optuna sampler or NNI tuner; None: the engine's default
    trials: int = 20
    timeout: float | None = None
    jobs: int = 1
    storage: str | None = None  # an RDB URL shared by workers; None: a journal file in the run directory
    study: str | None = None
    resume: bool = False
    epochs: int | None = None  # None: DEFAULT_EPOCHS (SERIES_EPOCHS for a time series)
    out: Path | None = None  # None: runs/tune-<dataset>-<model>-<time>
    objectives: tuple[str, ...] = ("accuracy", "energy")
    seed: int = 0
    prune: bool = True
    constrained: bool = True  # False: the profile is measured but does not steer (a baseline)
    assessor: str | None = None  # NNI's early-stopping assessor: Medianstop | Curvefitting; None or "none": off
    nni_remote: Path | None = None  # machines.yaml for NNI's remote training service
    nni_port: int | None = None
    label_column: str | None = None
    top_k: int | None = None
    network: str = "snn"  # "ann": each trial trains the ANN twin alone (an architecture search before conversion)
    transfer_from: str | Path | None = (
        None  # an ANN trained before (ann.pt or its run directory): every trial starts from it
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "objectives", tuple(self.objectives))  # the CLI and callers pass lists
        engine = engine_class(self.engine)
        if self.trials < 1 or self.jobs < 1:
            raise UsageError(f"--trials {self.trials} and --jobs {self.jobs} must be ≥ 1")
        check_objectives(self.objectives)
        if self.network not in NETWORKS:
            raise unknown_name("network", self.network, NETWORKS)
        if self.network == "ann" and set(self.objectives) != {"accuracy"}:
            raise UsageError(
                f"--network ann trains no SNN, so only the accuracy objective applies; got --objectives "
                f"{','.join(self.objectives)}: use --objectives accuracy"
            )
        if self.transfer_from is not None:
            from ..train.twin import ann_file

            if self.network == "ann":
                raise UsageError(
                    "--transfer-from starts each SNN trial from a trained ANN; --network ann trains no SNN"
                )
            object.__setattr__(self, "transfer_from", str(ann_file(self.transfer_from).resolve()))  # trial processes
        engine.from_config(self)  # the engine judges its own options now; tune() builds it with make_engine

    def make_engine(self) -> Engine:
        """The selected engine, holding its own options."""
        return engine_class(self.engine).from_config(self)

    def run_dir(self) -> Path:
        """``out`` (or a new timestamped name) after the checks on disk: it must exist to be
        resumed, must not be a file, and must be writable — all before any data is loaded."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        out = Path(self.out or Path("runs") / f"tune-{Path(self.dataset).stem}-{self.model or 'auto'}-{stamp}")
        if self.resume and not out.is_dir():
            raise UsageError(f"--resume: run directory '{out}' does not exist; pass the --out of the run to continue")
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out '{out}' is a file; give a directory for the tuning run")
        check_writable(out)
        return out


#: what a trial trains: the SNN (default) or the ANN twin alone
NETWORKS = ("snn", "ann")


def check_objectives(objectives: tuple[str, ...]) -> None:
    """At least one, each known, none twice (a study has one direction per objective)."""
    if not objectives:
        raise UsageError(f"--objectives is empty; give a comma list of {', '.join(OBJECTIVES)}")
    for o in objectives:
        if o not in OBJECTIVES:
            raise unknown_name("objective", o, OBJECTIVES)
    if len(set(objectives)) != len(objectives):
        raise UsageError(f"--objectives lists one twice: {','.join(objectives)}")
