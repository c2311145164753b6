"""The record types the report's measured sections are declared with, and how they are read.

A quantity of the report (a firing rate, a SynOps count, an energy, a memory size…) used to be
re-stated in the dataclasses, in each renderer and in docs/report-schema.md, and the copies
drifted. Now a :class:`Field` states it once: its JSON key and type, its unit, what it means,
and — when it is shown — its row label or column header and how its value is written. A
:class:`Section` is an ordered tuple of fields and becomes one frozen dataclass, so the JSON
keys come out in declaration order. The declarations are in :mod:`edgesnn.evaluation.schema`;
everything else (summary rows, per-layer columns, the docs' field table) is generated.

Templates (``label``, ``shown``, ``detail``) name report values by dotted path — ``{backend}``,
``{energy.table}`` — optionally with the conversion ``!m`` (x 1000, for seconds shown as ms)
and a format spec, ``{memory.weight_bytes:g}``. In a cell a value without a spec is written as
every report cell is (:func:`fmt`: 4 significant digits, "—" for null); in a label it is written
with ``str``, because labels name things (a bit width, a cost table), they do not measure them.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, make_dataclass, replace
from typing import Any, Union, get_args, get_origin

#: ``{path}``, ``{path!m}``, ``{path:spec}``, ``{path!m:spec}``
_REF = re.compile(r"\{([A-Za-z_][\w.]*)(?:!(\w))?(?::([^{}]*))?\}")
_CONVERSIONS: dict[str, Callable[[Any], Any]] = {"m": lambda v: v * 1e3}
_JSON_NAMES = {int: "int", float: "float", str: "str", bool: "bool"}


def fmt(v: Any) -> str:
    """How a report cell writes a value: "—" for null, yes/NO, floats to 4 significant digits."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def lookup(obj: Any, path: str) -> Any:
    """The value at dotted ``path`` (attributes or mapping keys); None once a step is null."""
    for part in path.split("."):
        if obj is None:
            return None
        obj = obj.get(part) if isinstance(obj, Mapping) else getattr(obj, part)
    return obj


def paths(template: str) -> list[str]:
    """The dotted paths a template names."""
    return [m[1] for m in _REF.finditer(template)]


def expand(template: str, obj: Any, *, label: bool = False) -> str:
    """``template`` with every ``{path[!conv][:spec]}`` replaced by the value it names."""

    def one(m: re.Match) -> str:
        v = lookup(obj, m[1])
        if v is not None and m[2]:
            v = _CONVERSIONS[m[2]](v)
        if label or (v is not None and m[3]):
            return format(v, m[3] or "")
        return fmt(v)

    return _REF.sub(one, template)


@dataclass(frozen=True)
class Field:
    """One quantity of a measured section.

    ``unit`` is written after the value in the summary and listed in the docs (a column's
    unit belongs in its header). ``label`` makes the field shown: a scalar becomes a summary
    row, a per-layer mapping a column of the per-layer table (``terminal``: also in the
    terminal's short one). ``fmt`` is the value's format spec; ``shown`` replaces value + unit
    when a row combines several values; ``detail`` is appended and dropped when a value it
    names is null. ``keys`` names a mapping's keys in the docs; "layer" marks per-layer data.
    """

    key: str
    type: Any
    unit: str
    description: str
    label: str = ""
    fmt: str = ""
    shown: str = ""
    detail: str = ""
    keys: str = "layer"
    terminal: bool = False
    section: str = ""  # filled in by the Section that holds the field

    @property
    def path(self) -> str:
        return f"{self.section}.{self.key}"

    @property
    def per_layer(self) -> bool:
        return get_origin(self.type) is dict and self.keys == "layer"

    @property
    def json_type(self) -> str:
        """The type as docs/report-schema.md writes it: ``{layer: float}``, ``float \\| null``."""
        return _json_type(self.type, self.keys)

    def row_label(self, report: Any) -> str:
        return expand(self.label, report, label=True)

    def cell(self, report: Any) -> str:
        """The written value of a scalar field: ``shown`` or value + unit, then ``detail``."""
        spec, unit = f":{self.fmt}" if self.fmt else "", f" {self.unit}" if self.unit else ""
        default = f"{{{self.path}{spec}}}{unit}"
        text = expand(self.shown or default, report)
        if self.detail and all(lookup(report, p) is not None for p in paths(self.detail)):
            text += expand(self.detail, report)
        return text


def _json_type(tp: Any, keys: str) -> str:
    if tp is Any:
        return "object"
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, types.UnionType) and type(None) in args:
        inner = [a for a in args if a is not type(None)]
        return f"{_json_type(inner[0], keys)} \\| null"
    if origin is list:
        return f"[{_json_type(args[0], keys)}]"
    if origin is dict:
        return f"{{{keys}: {_json_type(args[1], keys)}}}"
    return _JSON_NAMES[tp]


@dataclass(frozen=True)
class Section:
    """An object of report.json (``name``) and the frozen dataclass (``title``) that holds it."""

    name: str
    title: str
    doc: str
    fields: tuple[Field, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", tuple(replace(f, section=self.name) for f in self.fields))
        keys = [f.key for f in self.fields]
        if len(set(keys)) != len(keys):
            raise ValueError(f"section '{self.name}' declares a key twice: {keys}")

    def record_type(self, module: str) -> type:
        """The frozen dataclass: one attribute per field, positional in declaration order."""
        cls = make_dataclass(self.title, [(f.key, f.type) for f in self.fields], frozen=True)
        cls.__doc__ = self.doc
        cls.__module__ = module  # where the class is bound, so repr and pickle find it
        return cls
