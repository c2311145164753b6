"""The evidence a bundle carries: the evaluation report, and the runner's own accuracy.

``evaluation_members`` takes ``<export>/report/`` (report.json + report.html) when the
evaluator wrote one, otherwise runs ``edgesnn.evaluation.evaluate`` on the export into a
temporary folder (the export directory is never modified), otherwise notes the absence.

``raw_test_split`` rebuilds the test split *before* scaling (load → top-k → the seeded
stratified split of ``edgesnn.data.prepare``), so the runner's accuracy is measured the way a
device sees data: raw sensor values in. ``runner_accuracy`` runs the bundle's own pipeline
(the runner's code, on the members that go into the zip) over it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ..runner.format import REPORT_HTML, REPORT_JSON
from ..runner.pipeline import Pipeline
from .source import ExportSource, report_accuracy


def evaluation_members(src: ExportSource) -> tuple[dict[str, bytes], dict[str, Any]]:
    """(members, manifest entry) for the evaluation report."""
    folder = src.report_dir
    if folder is not None:
        return _read_report(folder, origin=str(folder))
    try:
        from ..evaluation import evaluate, write_report
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("edgesnn.evaluat"):
            raise
        return {}, {"present": False, "reason": "the evaluator (edgesnn.evaluation) is not installed"}
    with tempfile.TemporaryDirectory(prefix="edgesnn-report-") as tmp:
        write_report(evaluate(src.path), Path(tmp) / "report")
        return _read_report(Path(tmp) / "report", origin="evaluated while packaging")


def _read_report(folder: Path, origin: str) -> tuple[dict[str, bytes], dict[str, Any]]:
    members = {REPORT_JSON: (folder / REPORT_JSON).read_bytes()}
    if (folder / REPORT_HTML).is_file():
        members[REPORT_HTML] = (folder / REPORT_HTML).read_bytes()
    acc, n = report_accuracy(members[REPORT_JSON])
    return members, {"present": True, "origin": origin, "files": sorted(members), "accuracy": acc, "samples": n}


def raw_test_split(spec: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The unscaled test split ``(x_raw [N, *features], y [N])`` exactly as training split it."""
    from ..data.prepare import raw_splits
    from ..data.splits import TEST_FRACTION, VAL_FRACTION
    from ..errors import ArtifactError

    try:
        fractions = spec.get("split") or {}
        top_k = int(spec["top_k"]) if spec.get("top_k") else None
        val, test = float(fractions.get("val", VAL_FRACTION)), float(fractions.get("test", TEST_FRACTION))
        dataset, seed = spec["dataset"], int(spec["seed"])
    except (AttributeError, KeyError, TypeError, ValueError) as exc:  # a manifest edited and re-signed
        raise ArtifactError(
            f"the export's data spec is damaged ({type(exc).__name__}: {str(exc)[:80]}); export the run again"
        ) from None
    _, parts = raw_splits(dataset, seed, label_column=spec.get("label_column"), top_k=top_k, val=val, test=test)
    return parts.test.x, parts.test.y


def runner_accuracy(members: dict[str, bytes], x_raw: np.ndarray, y: np.ndarray) -> float:
    """Accuracy of the bundle's runner pipeline on raw samples."""
    pred = Pipeline.from_members(members, where="bundle being packaged").predict(x_raw)
    return float((pred.classes == np.asarray(y)).mean())
