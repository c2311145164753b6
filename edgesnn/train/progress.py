"""Progress bars (rich) that stay quiet under --json or when stderr is not a terminal."""

from __future__ import annotations

import sys

from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress


class Progress:
    """``with Progress(enabled) as p: t = p.task("x", total=n); p.advance(t, "note")``."""

    def __init__(self, enabled: bool | None = None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._rich = None
        if self.enabled:
            self._rich = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[note]}"),
                transient=False,
            )

    def __enter__(self) -> Progress:
        if self._rich:
            self._rich.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._rich:
            self._rich.stop()

    def task(self, description: str, total: int) -> int:
        return self._rich.add_task(description, total=total, note="") if self._rich else 0

    def advance(self, task: int, note: str = "") -> None:
        if self._rich:
            self._rich.update(task, advance=1, note=note)


QUIET = Progress(False)
