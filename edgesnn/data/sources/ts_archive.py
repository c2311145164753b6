"""Reader for the sktime/aeon ``.ts`` text format (the UCR/UEA time-series archives).

A ``.ts`` file is a header of ``@key value`` lines, then ``@data`` and one case per line::

    # comments start with '#'
    @problemName BasicMotions
    @timeStamps false
    @univariate false
    @dimensions 6
    @equalLength true
    @seriesLength 100
    @classLabel true Standing Running Walking Badminton
    @data
    -0.74,-0.66,...:0.10,0.12,...: ... :Standing

Dimensions (channels) are separated by ``:``, values by ``,``, and the last field is the
class label. ``?`` (or ``NaN``) marks a missing value: missing values at the **end** of a
series are padding (unequal-length archives pad that way); a missing value before the last
real value of a series is refused with a one-line ``DataError``. With ``@timeStamps true``
the values are ``(time,value)`` pairs (times may contain ``:``); only the values are kept, in
file order. Lines starting with ``#`` or ``%`` are comments.

Variable-length cases are padded with zeros to the longest case and their valid length is
returned in ``lengths``; every channel of one case must have the same length.

Numpy only; ``read_ts`` returns a :class:`TsData` that ``files.read_ts_file`` turns into a ``Raw``
and ``builtin`` turns into a ``Dataset``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import DataError

MISSING = frozenset({"?", "nan", "NaN", "NAN", ""})
_PAIR = re.compile(r"\(\s*([^,()]*?)\s*,\s*([^()]*?)\s*\)")
_BOOL_KEYS = {
    "timestamps": "timeStamps",
    "univariate": "univariate",
    "equallength": "equalLength",
    "missing": "missing",
}
COMMENT = ("#", "%")  # '%' as in ARFF: some archive files use it for their header notes


@dataclass
class TsData:
    """Parsed cases: ``x`` float32 ``[N, C, L]`` zero-padded, ``lengths`` int64 ``[N]``,
    ``y`` int64 ``[N]`` indices into ``classes``: the ``@classLabel`` order for names, numeric
    order when every label is a number (``2`` before ``10``), sorted if no labels are declared."""

    x: np.ndarray
    y: np.ndarray
    classes: list[str]
    lengths: np.ndarray
    problem: str
    header: dict[str, str]

    @property
    def equal_length(self) -> bool:
        return bool(self.lengths.size == 0 or (self.lengths == self.x.shape[-1]).all())


def _bool(value: str, key: str, where: str, line_no: int) -> bool:
    v = value.strip().lower()
    if v in ("true", "false"):
        return v == "true"
    raise DataError(f"{where}: line {line_no}: @{key} must be true or false, got '{value.strip()}'")


def _values(field: str, timestamps: bool, where: str, line_no: int, dim: int) -> list[float]:
    field = field.strip()
    if timestamps:
        pairs = _PAIR.findall(field)
        if field and not pairs:
            raise DataError(
                f"{where}: line {line_no}, dimension {dim}: @timeStamps is true but no '(time,value)' pairs; "
                "write pairs or set @timeStamps false"
            )
        tokens = [v for _, v in pairs]
    else:
        tokens = field.split(",") if field else []
    out = []
    for tok in tokens:
        tok = tok.strip()
        if tok in MISSING:
            out.append(math.nan)
            continue
        try:
            out.append(float(tok))
        except ValueError:
            raise DataError(
                f"{where}: line {line_no}, dimension {dim}: non-numeric value '{tok[:40]}'; values must be "
                "numbers separated by ',' (channels by ':', the class label last)"
            ) from None
    return out


def _valid_length(series: list[float], where: str, line_no: int, dim: int) -> int:
    """Length without trailing missing values; a missing value before it is an error."""
    n = len(series)
    while n and math.isnan(series[n - 1]):
        n -= 1
    for i in range(n):
        if math.isnan(series[i]):
            raise DataError(
                f"{where}: line {line_no}, dimension {dim}: missing value ('?'/NaN) at position {i + 1} inside "
                f"the series (valid values follow up to position {n}); only trailing padding may be missing, "
                "impute or drop that case"
            )
    return n


def parse_ts(text: str, where: str) -> TsData:
    """Parse the text of a ``.ts`` file; every problem is a one-line ``DataError`` naming ``where``."""
    header: dict[str, str] = {}
    at: dict[str, int] = {}  # header key -> line number
    lines = text.splitlines()
    data_at = None
    for i, line in enumerate(lines):
        s = line.strip()
        if not s or s.startswith(COMMENT):
            continue
        if not s.startswith("@"):
            raise DataError(
                f"{where}: line {i + 1}: data before the '@data' line; a .ts file needs its '@...' header "
                "lines, then '@data', then one case per line"
            )
        parts = s[1:].split(None, 1)
        if not parts:
            raise DataError(f"{where}: line {i + 1}: a bare '@'; header lines look like '@problemName name'")
        key, *value = parts
        key = key.lower()
        if key == "data":
            data_at = i
            break
        header[key] = value[0].strip() if value else ""
        at[key] = i + 1
    if data_at is None:
        raise DataError(f"{where}: no '@data' line; a .ts file needs '@...' header lines, then '@data' and the cases")
    target = header.get("targetlabel", "").split()
    if target and target[0].lower() == "true":
        raise DataError(f"{where}: a regression file (@targetLabel true); edgesnn trains classifiers: give @classLabel")
    declared: list[str] | None = None
    if "classlabel" in header:
        parts = header["classlabel"].split()
        if not parts or not _bool(parts[0], "classLabel", where, at["classlabel"]):
            raise DataError(f"{where}: @classLabel is false (no labels); a classifier needs one class label per case")
        declared = parts[1:] or None
    flags = {k: _bool(header[k], name, where, at[k]) for k, name in _BOOL_KEYS.items() if k in header}
    timestamps = flags.get("timestamps", False)

    cases: list[list[list[float]]] = []
    labels: list[str] = []
    lengths: list[int] = []
    line_nos: list[int] = []
    for i in range(data_at + 1, len(lines)):
        s = lines[i].strip()
        if not s or s.startswith(COMMENT):
            continue
        line_no = i + 1
        fields = _split_outside_parentheses(s) if timestamps else s.split(":")
        if len(fields) < 2:
            raise DataError(
                f"{where}: line {line_no}: no class label; each case is '<values>:<label>' (channels separated by ':')"
            )
        label = fields[-1].strip()
        if not label:
            raise DataError(f"{where}: line {line_no}: empty class label; label every case")
        dims = [_values(f, timestamps, where, line_no, d + 1) for d, f in enumerate(fields[:-1])]
        valid = [_valid_length(s_, where, line_no, d + 1) for d, s_ in enumerate(dims)]
        if len(set(valid)) != 1:
            raise DataError(
                f"{where}: line {line_no}: channels have different lengths {valid}; every channel of a case "
                "needs the same number of values"
            )
        if valid[0] == 0:
            raise DataError(f"{where}: line {line_no}: an empty series; give at least one value per channel")
        if cases and len(dims) != len(cases[0]):
            raise DataError(
                f"{where}: line {line_no}: {len(dims)} channel(s) but line {line_nos[0]} has {len(cases[0])}; "
                "every case needs the same number of ':'-separated channels"
            )
        cases.append([d[: valid[0]] for d in dims])
        labels.append(label)
        lengths.append(valid[0])
        line_nos.append(line_no)
    if not cases:
        raise DataError(f"{where}: no cases after '@data'; add one line per case")

    n_dims = len(cases[0])
    if "dimensions" in header:
        try:
            want = int(header["dimensions"])
        except ValueError:
            raise DataError(f"{where}: @dimensions must be an integer, got '{header['dimensions']}'") from None
        if want != n_dims:
            raise DataError(f"{where}: @dimensions says {want} but the cases have {n_dims} channel(s); fix the header")
    if flags.get("univariate") and n_dims != 1:
        raise DataError(f"{where}: @univariate true but the cases have {n_dims} channels; set @univariate false")
    if flags.get("equallength") and len(set(lengths)) != 1:
        raise DataError(
            f"{where}: @equalLength true but series lengths range {min(lengths)}..{max(lengths)}; "
            "set @equalLength false"
        )
    if flags.get("equallength") and "serieslength" in header:
        try:
            want_len = int(header["serieslength"])
        except ValueError:
            raise DataError(f"{where}: @seriesLength must be an integer, got '{header['serieslength']}'") from None
        if want_len != lengths[0]:
            raise DataError(
                f"{where}: @seriesLength says {want_len} but the series have {lengths[0]} values; fix the header"
            )

    if declared is not None:
        unknown = sorted(set(labels) - set(declared))
        if unknown:
            at = line_nos[labels.index(unknown[0])]
            raise DataError(
                f"{where}: line {at}: class label '{unknown[0]}' is not declared in @classLabel "
                f"({' '.join(declared)}); add it to the header"
            )
        classes = list(dict.fromkeys(declared))
        if all(_label_key(c)[0] == 0 for c in classes):
            classes.sort(key=_label_key)  # '1 10 2 3' (a lexical sort in some files) -> 1, 2, 3, 10
    else:
        classes = sorted(set(labels), key=_label_key)
    index = {c: k for k, c in enumerate(classes)}

    longest = max(lengths)
    x = np.zeros((len(cases), n_dims, longest), dtype=np.float32)
    for n, case in enumerate(cases):
        x[n, :, : lengths[n]] = case
    y = np.array([index[label] for label in labels], dtype=np.int64)
    return TsData(x, y, classes, np.array(lengths, dtype=np.int64), header.get("problemname", ""), header)


def _split_outside_parentheses(line: str) -> list[str]:
    """Split a timestamped case on ':' outside '(time,value)' pairs (times may hold ':')."""
    fields, depth, start = [], 0, 0
    for i, ch in enumerate(line):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif ch == ":" and depth == 0:
            fields.append(line[start:i])
            start = i + 1
    fields.append(line[start:])
    return fields


def _label_key(label: str) -> tuple:
    """Numeric labels sort numerically ('2' < '10'), others lexically after them."""
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def read_ts(path: Path) -> TsData:
    """Read and parse one ``.ts`` file."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = Path(path).read_text(encoding="latin-1")
    return parse_ts(text, where)
