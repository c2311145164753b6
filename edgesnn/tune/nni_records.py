"""What an NNI experiment produced, read back as edgesnn's trial records.

``collect`` merges NNI's ``export_data()`` (final metrics carrying each trial's record), the
records trials write under ``trials/nni-<id>.json`` and the jobs that ended without one — a
trial NNI's assessor stopped (status ``EARLY_STOPPED``: killed after an epoch, no final result)
becomes an ``EARLY_STOPPED`` record whose curve is the validation accuracy it reported per epoch
(NNI 3.0's local training service labels such a trial ``USER_CANCELED``: its v3 compatibility
layer sets the status when the process ends, before it marks the kill as an early stop; the
assessor's kill command is in the manager's log, ``received command from dispatcher: KI``, and
that is what ``assessor_kills`` reads);
``rejected_ids`` finds the trials rejected before training (they do not use up ``--trials``);
``best_note`` is the progress bar's text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .trial import TrialRecord, TuneSetup

#: the manager's log line for an assessor's kill (KILL_TRIAL_JOB from the dispatcher); a kill from
#: the web UI or REST API logs "User cancelTrialJob" instead
KILL_LINE = re.compile(r'received command from dispatcher: KI, "([^"]+)"')


def rejected_ids(setup: TuneSetup) -> set[str]:
    """NNI trial ids whose record says they were rejected before training (static checks)."""
    out = set()
    for f in (setup.out / "trials").glob("nni-*.json"):
        try:
            rec = json.loads(f.read_text())
        except (OSError, ValueError):  # being written
            continue
        if rec.get("stage") == "static":
            out.add(rec.get("trial_id") or f.stem[len("nni-") :])
    return out


def collect(exp, setup: TuneSetup) -> list[TrialRecord]:
    """Records from ``export_data()``, plus trials that ended without a final result."""
    seen: dict[str, TrialRecord] = {}
    for tr in exp.export_data():
        value = tr.value if isinstance(tr.value, dict) else {"default": tr.value}
        if "record" in value:
            rec = TrialRecord.from_dict(value["record"])
        else:
            rec = TrialRecord(len(seen), dict(tr.parameter or {}), state="FAIL", error="no edgesnn record")
        rec.engine, rec.trial_id = "nni", tr.trialJobId
        seen[tr.trialJobId] = rec
    for f in sorted((setup.out / "trials").glob("nni-*.json")):
        rec = TrialRecord.from_dict(json.loads(f.read_text()))
        seen.setdefault(rec.trial_id or f.stem, rec)
    jobs = exp.list_trial_jobs()
    killed = assessor_kills(setup.out / "nni" / str(exp.id) / "log" / "nnimanager.log")
    stopped = {
        getattr(j, "trialJobId", None)
        for j in jobs
        if j.status == "EARLY_STOPPED" or (j.status == "USER_CANCELED" and j.trialJobId in killed)
    }
    curves = intermediate_curves(exp) if stopped else {}
    for job in jobs:
        jid = getattr(job, "trialJobId", None)
        if not jid or jid in seen:
            continue
        status = getattr(job, "status", "")
        number = int(getattr(job, "sequenceId", len(seen)) or len(seen))
        if jid in stopped:
            seen[jid] = early_stopped(job, number, curves.get(jid, []))
        elif status in ("FAILED", "USER_CANCELED", "SYS_CANCELED"):
            seen[jid] = TrialRecord(
                number, job_params(job), state="FAIL", error=f"NNI trial {status}", engine="nni", trial_id=jid
            )
    return sorted(seen.values(), key=lambda r: r.number)


def assessor_kills(log: Path) -> set[str]:
    """Ids of the trials the assessor told NNI's manager to kill (module docstring)."""
    try:
        return set(KILL_LINE.findall(Path(log).read_text(errors="replace")))
    except OSError:
        return set()


def intermediate_curves(exp) -> dict[str, list[tuple[float, float | None]]]:
    """trial id -> the intermediate results NNI's manager holds, in the order they were reported:
    (validation accuracy, the trial's seconds so far) per epoch (``nni_trial``)."""
    out: dict[str, list[tuple[float, float | None]]] = {}
    for jid, metrics in exp.get_job_metrics().items():
        points = sorted(((m.sequence, m.data) for m in metrics if m.type == "PERIODICAL"), key=lambda p: p[0])
        out[jid] = [
            (float(v["default"]), v.get("seconds")) if isinstance(v, dict) else (float(v), None) for _, v in points
        ]
    return out


def early_stopped(job, number: int, points: list[tuple[float, float | None]]) -> TrialRecord:
    """The record of a trial NNI's assessor stopped: trained until then, never tested or measured;
    ``val_acc`` is its best epoch so far (as for a pruned Optuna trial), ``last_val_acc`` its last.
    ``seconds`` is the NNI job's wall time (process start included); ``train_seconds`` the trial's
    time at its last report (the job's wall time if it did not say)."""
    curve = [v for v, _ in points]
    start, end = getattr(job, "startTime", None), getattr(job, "endTime", None)
    seconds = (
        (end - start) / 1000
        if isinstance(start, (int, float)) and isinstance(end, (int, float)) and end > start
        else 0.0
    )
    rec = TrialRecord(
        number,
        job_params(job),
        state="EARLY_STOPPED",
        stage="trained",
        curve=list(curve),
        metrics={"val_acc": max(curve, default=0.0), "last_val_acc": curve[-1] if curve else None},
        train_seconds=float(points[-1][1]) if points and points[-1][1] is not None else seconds,
        seconds=seconds,
        error=f"killed by NNI's assessor after reporting epoch {len(curve)}",
        engine="nni",
        trial_id=getattr(job, "trialJobId", None),
    )
    return rec


def job_params(job) -> dict:
    """The parameters of an NNI TrialJob (``hyperParameters[0].parameters``), or {}."""
    forms = getattr(job, "hyperParameters", None) or []
    params = getattr(forms[0], "parameters", None) if forms else None
    return dict(params) if isinstance(params, dict) else {}


def best_note(jobs: list) -> str:
    """'best feasible val …' from the final metrics NNI has received so far."""
    best = None
    for j in jobs:
        for m in getattr(j, "finalMetricData", []) or []:
            try:
                data = json.loads(m.data) if isinstance(m.data, str) else m.data
                data = json.loads(data) if isinstance(data, str) else data
            except (TypeError, ValueError):
                continue
            if isinstance(data, dict) and data.get("feasible") and (best is None or data["accuracy"] > best):
                best = data["accuracy"]
    return f"best feasible val {best:.3f}" if best is not None else "no feasible yet"
