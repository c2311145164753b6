"""What an NNI experiment produced, read back as edgesnn's trial records.

``collect`` merges NNI's ``export_data()`` (final metrics carrying each trial's record), the
records trials write under ``trials/nni-<id>.json`` and the jobs that ended without one;
``rejected_ids`` finds the trials rejected before training (they do not use up ``--trials``);
``best_note`` is the progress bar's text.
"""

from __future__ import annotations

import json

from .trial import TrialRecord, TuneSetup


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
    for job in exp.list_trial_jobs():
        jid = getattr(job, "trialJobId", None)
        if (
            jid
            and jid not in seen
            and getattr(job, "status", "") in ("FAILED", "USER_CANCELED", "SYS_CANCELED", "EARLY_STOPPED")
        ):
            params = job_params(job)
            seen[jid] = TrialRecord(
                int(getattr(job, "sequenceId", len(seen)) or len(seen)),
                params,
                state="FAIL",
                error=f"NNI trial {job.status}",
                engine="nni",
                trial_id=jid,
            )
    return sorted(seen.values(), key=lambda r: r.number)


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
