"""The engine base: what ``tune`` asks of a search engine, and the registry it picks one from.

An engine is built from the run's ``TuneConfig`` and keeps only the options it uses (as
Optuna's samplers take only their own arguments), so an option that does not apply to it is
refused in ``from_config`` — before any data is loaded — instead of being swallowed by a
catch-all. ``run`` then searches the space of a prepared ``TuneSetup``; the results table,
plots and best checkpoint are written by ``tune`` the same way for every engine.

An implementation registers itself with ``@register_engine`` in its own module;
``edgesnn.tune`` imports both modules, so the registry is complete whenever the package is.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from ..errors import unknown_name

if TYPE_CHECKING:
    from .config import TuneConfig
    from .trial import TrialRecord, TuneSetup


class Engine(ABC):
    """One search engine, configured for one run."""

    #: the ``--engine`` value that selects it
    name: ClassVar[str]

    @classmethod
    @abstractmethod
    def from_config(cls, config: TuneConfig) -> Engine:
        """The engine with its options from ``config``; a UsageError for an option it cannot honour."""

    @abstractmethod
    def run(
        self, setup: TuneSetup, *, progress: bool | None, announce: Callable[[str], None] | None
    ) -> tuple[list[TrialRecord], list[str]]:
        """Search until done; the records of every counted trial, and notes for the user.

        ``progress`` is ``Progress``'s switch (None: a bar when the terminal shows one);
        ``announce`` says something the user needs while the search runs (a URL to open),
        where notes only appear at the end.
        """


#: ``--engine`` name -> engine class
ENGINES: dict[str, type[Engine]] = {}


def register_engine(cls: type[Engine]) -> type[Engine]:
    """Class decorator: make ``cls`` selectable as ``--engine cls.name``."""
    ENGINES[cls.name] = cls
    return cls


def engine_class(name: str) -> type[Engine]:
    """The registered engine ``name``, or the usual unknown-name error."""
    if name not in ENGINES:
        raise unknown_name("engine", name, ENGINES)
    return ENGINES[name]


def max_rejections(n_trials: int) -> int:
    """Configurations rejected before training (in a row for Optuna, in all for NNI) after which
    a search of ``n_trials`` trained trials stops: its space hardly holds a point the profile allows.
    Rejections never use up one of the ``n_trials``."""
    return max(50, 10 * n_trials)
