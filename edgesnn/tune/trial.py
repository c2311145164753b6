"""One tuning trial, the same for both engines: static checks → (train) → a TrialRecord.

A configuration the profile forbids by construction (too many parameter bytes, too many timesteps, a shape
Algorithm 1 cannot build, an energy floor above the limit) is recorded as ``INFEASIBLE`` with its slacks and costs
no training. Otherwise the model is trained (no ANN twin; ``transfer_from``: starting from that trained ANN),
measured on the reference simulator, checked against the profile, and saved under ``<run>/trials/<number>``.

Objectives (``OBJECTIVES``): accuracy = validation accuracy (↑; the test accuracy is
recorded apart and never used to choose), energy = µJ per inference (↓), memory =
parameter + state bytes (↓), ann_snn_drop = ANN twin val accuracy − SNN val accuracy (↓). The single number NNI optimises is the *penalised* objective

    penalised = val_acc − Σ_{violated checks} slack / |limit|

so a violating model scores below every feasible one of the same accuracy.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..config import Profile, Target
from ..config.checks import relative
from .constraints import as_shape, at_stage, merge, static_checks
from .skips import DROP_KEYS, ann_snn_drop, topology_costs
from .space import SearchSpace, parse_space, to_overrides

INF = float("inf")
#: objective -> (direction, value of a record)
OBJECTIVES: dict[str, tuple[str, Callable[[TrialRecord], float]]] = {
    "accuracy": ("maximize", lambda r: float(r.metrics.get("val_acc", 0.0))),
    "energy": ("minimize", lambda r: float(r.metrics.get("energy_uj", r.metrics.get("energy_floor_uj", INF)))),
    # SNN energy / ANN twin energy, like for like (``metrics/like_for_like.py``): < 1 beats the ANN baseline
    "energy_vs_ann": ("minimize", lambda r: float(r.metrics.get("energy_vs_ann", INF))),
    "ann_snn_drop": ("minimize", ann_snn_drop),  # ANN twin val acc − SNN val acc, after transfer + training
    "memory": (
        "minimize",
        lambda r: float(r.metrics.get("param_bytes", INF)) + float(r.metrics.get("state_bytes", 0.0)),
    ),
}


class Pruned(Exception):
    """Raised from the epoch callback to stop a hopeless trial."""


@dataclass
class TuneSetup:
    """Everything a trial needs; JSON-able so NNI's trial processes can rebuild it."""

    dataset: str
    profile: Profile
    target: Target
    family: str
    space: SearchSpace
    epochs: int
    out: Path
    feature_shape: tuple[int, ...] | dict[str, tuple[int, ...]]  # a dict for named inputs
    n_classes: int
    seed: int = 0
    constrained: bool = True
    label_column: str | None = None
    top_k: int | None = None
    #: what was changed before the first trial (``bounds.fit_to_profile``); reported with the results
    notes: tuple[str, ...] = ()
    #: "snn" (default) or "ann": train the ANN twin alone (``train.ann``), e.g. to search a CNN's
    #: architecture before conversion; accuracy is then the ANN's and no SNN is built or measured
    network: str = "snn"
    transfer_from: str | None = None  # ann.pt of a trained ANN: every SNN trial starts from it (train/twin.py)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "profile": self.profile.model_dump(),
            "target": self.target.model_dump(),
            "family": self.family,
            "space": self.space.raw,
            "epochs": self.epochs,
            "out": str(self.out),
            "feature_shape": {k: list(v) for k, v in self.feature_shape.items()}
            if isinstance(self.feature_shape, dict)
            else list(self.feature_shape),
            "n_classes": self.n_classes,
            "seed": self.seed,
            "constrained": self.constrained,
            "label_column": self.label_column,
            "top_k": self.top_k,
            "notes": list(self.notes),
            "network": self.network,
            "transfer_from": self.transfer_from,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TuneSetup:
        d = dict(d)
        d["profile"], d["target"] = Profile.model_validate(d["profile"]), Target.model_validate(d["target"])
        d["space"] = parse_space(d["space"], d["family"])
        d["out"], d["feature_shape"] = Path(d["out"]), as_shape(d["feature_shape"])
        d["notes"] = tuple(d.get("notes", ()))
        return cls(**d)


@dataclass
class TrialRecord:
    """One row of the results table."""

    number: int
    params: dict[str, Any]
    state: str = "COMPLETE"
    feasible: bool = False
    stage: str = "static"
    #: check name -> ``Check.to_dict()`` of the trial's checks (static, or merged with the trained ones)
    slacks: dict[str, dict] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    curve: list[float] = field(default_factory=list)
    static_seconds: float = 0.0
    train_seconds: float = 0.0
    seconds: float = 0.0
    checkpoint: str | None = None
    error: str | None = None
    engine: str = "optuna"
    trial_id: str | None = None

    def objective(self, name: str) -> float:
        return OBJECTIVES[name][1](self)

    @property
    def penalised(self) -> float:
        """``val_acc − Σ max(0, slack / |limit|)`` over the checks (module docstring)."""
        violation = sum(max(0.0, v) for v in self.scaled_slacks().values())
        return float(self.metrics.get("val_acc", 0.0)) - violation

    def scaled_slacks(self) -> dict[str, float]:
        """check name -> its slack relative to its limit (``Check.scaled``; a stored row keeps
        slack and limit, so no direction is needed to scale it)."""
        return {k: relative(s["slack"], s["limit"]) for k, s in self.slacks.items()}

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "penalised": self.penalised}

    def to_json(self) -> dict[str, Any]:
        """``to_dict`` with JSON values only (others as ``str``): an Optuna user attr, an NNI metric."""
        return json.loads(json.dumps(self.to_dict(), default=str))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrialRecord:
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


KEEP = (
    "val_acc",
    "train_acc",
    "test_acc",
    "test_confusion",
    "best_epoch",
    "energy_uj",
    "energy_vs_ann",
    "param_bytes",
    "state_bytes",
    "mean_firing_rate",
    *DROP_KEYS,
    "timesteps",
    "train_seconds",
)


def run_trial(
    setup: TuneSetup,
    values: dict[str, Any],
    number: int,
    *,
    name: str | None = None,
    on_epoch: Callable[[int, float], None] | None = None,
) -> TrialRecord:
    """Check ``values`` statically, train when allowed, and return the trial's record."""
    from ..train import train

    start = time.perf_counter()
    record = TrialRecord(number, dict(values))
    try:
        static = static_checks(
            to_overrides(values, setup.family),
            setup.family,
            setup.feature_shape,
            setup.n_classes,
            setup.profile,
            setup.target,
            seed=setup.seed,
        )
    except Exception as exc:  # a refused hyper-parameter combination
        return _failed(record, exc, start)
    record.static_seconds = static.seconds
    record.metrics.update(static.metrics)
    record.slacks = {c.name: c.to_dict() for c in static.checks}
    record.error = static.error
    if not static.feasible and setup.constrained:
        record.state, record.stage, record.seconds = "INFEASIBLE", "static", time.perf_counter() - start
        return record

    def callback(epoch: int, val_acc: float) -> None:
        record.curve.append(float(val_acc))
        if on_epoch is not None:
            on_epoch(epoch, val_acc)

    trial_dir = setup.out / "trials" / (name or f"{number:04d}")
    record.stage = "trained"
    common = dict(
        model=setup.family,
        target=setup.target,
        overrides=to_overrides(values, setup.family),
        epochs=setup.epochs,
        seed=setup.seed,
        out=trial_dir,
        label_column=setup.label_column,
        top_k=setup.top_k,
        callback=callback,
    )
    if setup.network == "ann":
        return _ann_trial(setup, common, record, start)
    kwargs = dict(force=True, progress=False, ann_twin=False, transfer_from=setup.transfer_from)
    result = _trained(record, start, lambda: train(setup.dataset, setup.profile, **common, **kwargs))
    if isinstance(result, TrialRecord):
        return result
    record.metrics.update({k: _num(result.metrics[k]) for k in KEEP if k in result.metrics})
    record.metrics.update(topology_costs(result.metrics))  # MACs and SynOps of this topology
    checks = merge(static.checks, at_stage(result.checks, "trained"))
    record.slacks = {k: c.to_dict() for k, c in checks.items()}
    record.feasible = all(c.ok for c in checks.values())
    record.checkpoint = str(result.out) if result.out else None
    record.seconds = time.perf_counter() - start
    return record


def _trained(record: TrialRecord, start: float, run: Callable[[], Any]) -> Any:
    """``run()``'s result, its time in ``record.train_seconds``; the finished record instead when
    the pruner stopped it (PRUNED, its best validation so far) or it failed (FAIL: the study goes
    on after a NaN loss, a model the runtime refuses...)."""
    t0 = time.perf_counter()
    try:
        return run()
    except Pruned:
        record.state = "PRUNED"
        record.metrics["val_acc"] = max(record.curve, default=0.0)
        record.seconds = time.perf_counter() - start
        return record
    except Exception as exc:
        return _failed(record, exc, start)
    finally:
        record.train_seconds = time.perf_counter() - t0


def _ann_trial(setup: TuneSetup, common: dict, record: TrialRecord, start: float) -> TrialRecord:
    """Train the ANN twin alone (``setup.network == "ann"``): accuracy, parameters and time are
    the ANN's; the static checks stand for the profile (no spikes, so no energy or rate checks)."""
    from ..train.ann import train_ann

    result = _trained(record, start, lambda: train_ann(setup.dataset, setup.profile, **common))
    if isinstance(result, TrialRecord):
        return result
    record.metrics.update({k: _num(v) for k, v in result.metrics.items()})
    sizes = getattr(result.model, "sizes", None)  # a 1-D CNN's derived (or drawn) block sizes
    if sizes:
        record.metrics["sizes"] = {k: int(sizes[k]) for k in ("wd2", "h2", "wd3", "h3")}
    record.feasible = all(s["ok"] if "ok" in s else s["slack"] <= 0 for s in record.slacks.values())
    record.checkpoint, record.seconds = str(result.out), time.perf_counter() - start  # ann.pt: --transfer-from takes it
    return record


def _failed(record: TrialRecord, exc: Exception, start: float) -> TrialRecord:
    record.state, record.feasible = "FAIL", False
    record.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    record.seconds = time.perf_counter() - start
    return record


def _num(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
