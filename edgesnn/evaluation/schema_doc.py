"""docs/report-schema.md's table of the measured fields, generated from the schema.

The table sits between two HTML comments in the document; ``splice`` replaces what is between
them, so the prose around it stays hand-written while the field list cannot fall behind the
code (tests/evaluation/test_schema.py fails when it has). Regenerate with
``python -m edgesnn.evaluation.schema_doc docs/report-schema.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .schema import SECTIONS

BEGIN = (
    "<!-- generated from edgesnn/evaluation/schema.py by "
    "`python -m edgesnn.evaluation.schema_doc docs/report-schema.md`: edit the schema, not this table -->"
)
END = "<!-- end of the generated table -->"


def table() -> str:
    """One row per field: path, JSON type, unit, meaning (sections in report.json's order)."""
    lines = ["| field | type | unit | meaning |", "|---|---|---|---|"]
    for section in SECTIONS:
        for f in section.fields:
            lines.append(f"| `{f.path}` | {f.json_type} | {f.unit} | {f.description.replace('|', chr(92) + '|')} |")
    return "\n".join(lines)


def splice(doc: str) -> str:
    """``doc`` with the text between BEGIN and END replaced by the current :func:`table`."""
    head, sep, rest = doc.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError("the document lacks the generated table's markers")
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m edgesnn.evaluation.schema_doc docs/report-schema.md", file=sys.stderr)
        return 2
    path = Path(argv[0])
    old = path.read_text(encoding="utf-8")
    new = splice(old)
    if new != old:
        path.write_text(new, encoding="utf-8")
    print(f"{path}: {'updated' if new != old else 'up to date'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
