"""The on-device evaluator: run an exported artifact over the test split on its runtime.

``evaluate(artifact, dataset=None, *, profile=None, target=None, out=None, limit=None,
progress=None) -> Report`` — accuracy, confusion matrix, parameters and memory, firing
rates, SynOps, energy on the target's cost table against the ANN twin, break-even rate,
latency and the profile checks, with spikes recorded on the runtime that ships.
``write_report`` writes report.json / .md / .html and PNGs; ``comparison_rows`` makes the
side-by-side table. Schema: docs/report-schema.md.
"""

from ..readout import predict
from .artifact import Artifact, resolve
from .batches import RunSummary, run_split
from .compare import COLUMNS, comparison_markdown, comparison_rows
from .core import build_report, evaluate
from .outputs import default_out, write_report
from .report import SCHEMA, Activity, Energy, Latency, LikeForLike, Memory, Report

__all__ = [
    "COLUMNS",
    "SCHEMA",
    "Activity",
    "Artifact",
    "Energy",
    "Latency",
    "LikeForLike",
    "Memory",
    "Report",
    "RunSummary",
    "build_report",
    "comparison_markdown",
    "comparison_rows",
    "default_out",
    "evaluate",
    "predict",
    "resolve",
    "run_split",
    "write_report",
]
