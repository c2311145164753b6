"""What a sweep varies: ``--vary name=v1,v2,...`` parsed into factors, checked before any data is read.

A factor is one hyper-parameter of the model's flat dict (``edgesnn/models/hparams.py``) and the
values it takes, one at a time, the others held at the baseline. Values are Python literals
(numbers, lists, true/false/none) or names (``encoder=static,rate``, ``loss=ce_count,mse_count``);
commas inside brackets belong to the value (``hidden=[64],[128,64]``).
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError

EXAMPLE = "--vary beta=0.5,0.7,0.9"


@dataclass(frozen=True)
class Factor:
    """One hyper-parameter ``name`` and the values it takes in turn (in the order given)."""

    name: str
    values: tuple[Any, ...]

    def __post_init__(self) -> None:
        if not self.name:
            raise UsageError(f"a swept factor needs a hyper-parameter name, e.g. {EXAMPLE}")
        if not self.values:
            raise UsageError(f"factor '{self.name}' has no values; give them as {self.name}=a,b,c")
        keys = [value_key(v) for v in self.values]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise UsageError(f"factor '{self.name}' repeats the value(s) {', '.join(twice)}; give each value once")


def value_key(value: Any) -> str:
    """A value as stable text: the label in tables, legends and file names (``0.7``, ``[64]``, ``rate``)."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    if isinstance(value, (int, float, str)):
        return str(value)
    return json.dumps(value, separators=(",", ""))


def parse_value(raw: str) -> Any:
    """A literal (``0.7``, ``50``, ``[64]``) or a name (``rate``); ``true``/``false``/``none`` as in ``--set``."""
    raw = raw.strip()
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return {"true": True, "false": False, "none": None}.get(raw.lower(), raw)


def split_top_level(text: str) -> list[str]:
    """``text`` split at the commas outside brackets: ``"[64],[128,64]"`` -> ``["[64]", "[128,64]"]``."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "[(" + "{":
            depth += 1
        elif ch in "])}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def parse_vary(items: list[str]) -> list[Factor]:
    """``["beta=0.5,0.7", "encoder=static,rate"]`` -> factors, in the order given.

    One-line ``UsageError`` for a missing ``=``, an empty value, a factor named twice or a value
    given twice."""
    factors: dict[str, Factor] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep:
            raise UsageError(f"--vary '{item}' must look like name=v1,v2,..., e.g. {EXAMPLE}")
        parts = split_top_level(raw)
        if any(not p.strip() for p in parts):
            raise UsageError(f"--vary '{item}' has an empty value; separate the values with single commas")
        if name in factors:
            raise UsageError(f"--vary names '{name}' twice; give all its values in one --vary {name}=a,b,c")
        factors[name] = Factor(name, tuple(parse_value(p) for p in parts))
    return list(factors.values())


def check_names(factors: list[Factor], family: str, base: dict[str, Any]) -> None:
    """Every factor a hyper-parameter of ``family`` and every value valid (range, choice), before any
    data is read: a one-line UsageError naming the factor and value otherwise."""
    from ..models import resolve

    for f in factors:
        if f.name == "model":
            raise UsageError(
                "the model family cannot be swept (its hyper-parameters differ); run one sweep per --model"
            )
        for value in f.values:
            try:
                resolve(family, {**base, f.name: value})
            except UsageError as exc:
                raise UsageError(f"--vary {f.name}={value_key(value)}: {exc}") from None
