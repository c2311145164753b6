"""Write a report directory atomically: report.json, report.md, the PNGs, report.html.

The directory is assembled in a temp sibling and renamed into place (``edgesnn.io.atomic_dir``),
so an interrupted evaluation leaves the previous report or none. An existing directory is
replaced only when it is empty or holds an earlier report (its ``report.json``); any other
directory is refused rather than deleted.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from ..io import atomic_dir, atomic_write_text, write_json
from . import plots, render
from .report import Report

REPORT_JSON = "report.json"


def default_out(artifact: str | Path) -> Path:
    """``<export dir>/report`` (``<file stem>-report`` beside a bare file)."""
    p = Path(artifact)
    return p / "report" if p.is_dir() else p.with_name(f"{p.stem}-report")


def check_out(out: Path) -> None:
    """Refuse to replace a non-empty directory that is not an earlier report."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / REPORT_JSON).is_file())):
        raise UsageError(f"'{out}' exists and is not an earlier evaluation report; choose another --out")


def write_report(report: Report, out: Path) -> Path:
    """Write every report file into ``out`` (replacing an earlier report) and return ``out``."""
    out = Path(out)
    check_out(out)
    pngs = plots.render_pngs(report)
    with atomic_dir(out, force=True) as tmp:
        write_json(tmp / REPORT_JSON, report.to_dict())
        for name, data in pngs.items():
            (tmp / name).write_bytes(data)
        atomic_write_text(tmp / "report.md", render.markdown(report, list(pngs)))
        atomic_write_text(tmp / "report.html", render.html(report, pngs))
    return out
