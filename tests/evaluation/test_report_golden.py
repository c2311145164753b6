"""Every rendering of a hand-made report, pinned byte for byte (no training, no runtime).

The golden files under ``golden/`` were written by the renderers *before* the activity section
was declared once (``edgesnn/evaluation/schema.py``); these tests keep that refactor, and later
ones, from changing a byte of report.json / .md / .html, the terminal rows or the comparison.
Two reports: a full one, and one with the optional parts missing (no ANN table, no dt, no
training metrics, no profile), so both sides of every "—" / dropped detail are covered.
The reports are built by ``build_sample_report`` in conftest.py. Regenerate deliberately with
``python tests/evaluation/test_report_golden.py`` (then review the diff).
"""

from __future__ import annotations

import json
from pathlib import Path

from edgesnn.evaluation import comparison_markdown, comparison_rows, render

GOLDEN = Path(__file__).parent / "golden"
PNGS = {"firing_rates.png": b"\x89PNG-fake-1", "energy.png": b"\x89PNG-fake-2"}


def renderings(sample_report, full: bool) -> dict[str, str]:
    """File name -> text of everything the report renders into."""
    r = sample_report(full)
    from edgesnn.cli._common import fmt as cli_fmt

    terminal = {"summary": [[cli_fmt(v) for v in row] for row in render.summary_rows(r)]}
    header, rows = render.terminal_layers(r)  # the per-layer rows the terminal shows
    terminal["layers"] = [header, *[[cli_fmt(v) for v in row] for row in rows]]
    other = sample_report(not full)
    return {
        "report.json": json.dumps(r.to_dict(), indent=2, ensure_ascii=False) + "\n",
        "report.md": render.markdown(r, list(PNGS)),
        "report.html": render.html(r, PNGS),
        "terminal.txt": "".join(f"{part}: {' | '.join(row)}\n" for part, rows in terminal.items() for row in rows),
        "comparison.json": json.dumps(comparison_rows([r, other]), indent=2, ensure_ascii=False) + "\n",
        "comparison.md": comparison_markdown([r, other]),
    }


def _check(sample_report, full: bool) -> None:
    folder = GOLDEN / ("full" if full else "sparse")
    for name, text in renderings(sample_report, full).items():
        assert text == (folder / name).read_text(encoding="utf-8"), f"{folder.name}/{name} changed"


def test_full_report_renders_as_before(sample_report):
    _check(sample_report, True)


def test_sparse_report_renders_as_before(sample_report):
    _check(sample_report, False)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import build_sample_report

    for full in (True, False):
        folder = GOLDEN / ("full" if full else "sparse")
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in renderings(build_sample_report, full).items():
            (folder / name).write_text(text, encoding="utf-8")
        print(f"wrote {folder}")
