"""Interrupts as one line and a conventional exit code: Ctrl-C → 130, SIGTERM → 143.

SIGTERM is turned into :class:`Terminated`, a ``KeyboardInterrupt``, so every library that
cleans up on Ctrl-C (Optuna marks the running trial failed, the Lava runner kills its worker
group) does the same on SIGTERM. :class:`InterruptibleGroup` turns either into
:class:`~edgesnn.errors.Interrupted` before typer can swallow it; a verb that keeps something
(finished tuning trials) raises ``Interrupted(kept=...)`` itself to say so.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator

from typer.core import TyperGroup

from ..errors import Interrupted


class Terminated(KeyboardInterrupt):
    """SIGTERM, delivered the way Ctrl-C is."""

    signum = signal.SIGTERM


def _raise_terminated(signum, frame):  # noqa: ARG001 - the signal-handler signature
    raise Terminated()


@contextlib.contextmanager
def interrupt_guard() -> Iterator[None]:
    """While a command runs: SIGTERM is delivered as :class:`Terminated`, and an interrupt that
    lands where Python cannot raise it (a weakref or ``__del__`` callback, e.g. inside an
    import lock: "Exception ignored in ...") is delivered again instead of being lost with a
    stray traceback. The previous handlers are restored afterwards (``main`` may run in-process).
    Outside the main thread nothing is installed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous_term, previous_hook = signal.getsignal(signal.SIGTERM), sys.unraisablehook

    def redeliver(unraisable) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            os.kill(os.getpid(), signal_of(unraisable.exc_value))
            return
        previous_hook(unraisable)

    signal.signal(signal.SIGTERM, _raise_terminated)
    sys.unraisablehook = redeliver
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        sys.unraisablehook = previous_hook


def signal_of(exc: BaseException) -> int:
    return int(getattr(exc, "signum", signal.SIGINT))


class InterruptibleGroup(TyperGroup):
    """The CLI's command group: a KeyboardInterrupt in any verb becomes ``Interrupted``."""

    def invoke(self, ctx):
        from ..io import PUBLISHED

        start = len(PUBLISHED)
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            done = PUBLISHED[start:]  # the interrupt landed after the verb's output was complete
            kept = f"'{done[-1]}' was complete and is kept" if done else "nothing was written"
            raise Interrupted(signal_of(exc), kept) from None
