"""``--set`` items: ``key=value`` hyper-parameter overrides and ``@recipe`` bundles of them.

``key=value``: the value is a Python literal (number, list, bool) or else a string.
``@NAME`` or ``@file.yaml``: every ``key: value`` of a recipe (``config.loader.load_recipe``),
e.g. ``--set @spoken_digits``. Items apply in order, so ``--set @spoken_digits --set epochs=50``
runs the recipe for 50 epochs.
"""

from __future__ import annotations

import ast
from typing import Any

from ..errors import UsageError


def parse_set(items: list[str]) -> dict[str, Any]:
    """The overrides ``items`` give, later items over earlier ones (see the module docstring)."""
    out: dict[str, Any] = {}
    for item in items:
        if item.startswith("@"):
            from ..config.loader import load_recipe

            out.update(load_recipe(item[1:]))
            continue
        if "=" not in item:
            raise UsageError(
                f"--set '{item}' must look like key=value (e.g. --set beta=0.95) or @recipe (e.g. --set @spoken_digits)"
            )
        key, raw = item.split("=", 1)
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            value = {"true": True, "false": False, "none": None}.get(raw.lower(), raw)
        out[key.strip()] = value
    return out
