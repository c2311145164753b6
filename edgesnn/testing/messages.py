"""Assertions on error messages: the one-line contract of edgesnn's errors (DESIGN §3)."""

from __future__ import annotations

from typing import Any


def one_line(exc: Any, *needles: str) -> str:
    """The message of ``exc`` (a ``pytest.ExceptionInfo`` or an exception), asserted to be a
    single line holding every ``needle``."""
    msg = str(getattr(exc, "value", exc))
    assert "\n" not in msg, f"not one line: {msg!r}"
    for n in needles:
        assert n in msg, f"{n!r} not in {msg!r}"
    return msg
