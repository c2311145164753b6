"""NNI 3.0's hyperopt tuners on numpy 2, and the check that NNI's tuner process is still alive.

The defect: ``nni/algorithms/hpo/hyperopt_tuner.py`` (``HyperoptTuner.receive_trial_result``,
line 349 in NNI 3.0) tests each sampled value with ``vals[key] == []``. hyperopt samples a float
parameter (``uniform``, ``quniform``, ``loguniform``, ...) as a numpy scalar, and ``np.float64(x)
== []`` is an empty boolean array; numpy 1 called its truth value False (with a deprecation
warning), numpy 2 raises ``ValueError: The truth value of an empty array is ambiguous``. So the
first result of any trial with a float parameter killed NNI's tuner (dispatcher) process, and the
experiment idled, still RUNNING, until its time cap. It hits ``Anneal`` (and NNI's ``TPE_legacy``);
NNI 3.0's ``TPE`` is its own ``TpeTuner`` and does not use this code.

The fix, in the style of ``edgesnn/backends/lava/compat.py`` (NNI is archived, site-packages is
never touched): the tuner runs in a process NNI's manager starts (``python -m nni``), so edgesnn
configures Anneal as a *custom* tuner whose class is ``edgesnn.tune.nni_tuners.Anneal``
(``nni_engine.build_experiment``). NNI's dispatcher imports this module by name, and resolving
``Anneal`` (lazily, via the module ``__getattr__``, so edgesnn's own process never imports NNI
here) first puts a ``sys.meta_path`` finder (``edgesnn/source_patch.py``) in front that compiles ``hyperopt_tuner`` from its
source after a textual rewrite: ``vals[key] == []`` becomes ``(isinstance(vals[key], list) and
not vals[key])`` — the same answer numpy 1 gave, for lists and numpy scalars alike. The rewrite is
checked: a source without the pattern (a fixed NNI) is loaded as it is. A ``hyperopt_tuner``
already imported unpatched is reloaded through the finder. No ``.pyc`` is read or written.

``tuner_death`` reads the dispatcher log: edgesnn's poll loop fails in one line when NNI's tuner
died (a traceback in ``dispatcher.log``) instead of waiting for the experiment's cap.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np

from .. import source_patch
from ..source_patch import PATCHED

MODULE = "nni.algorithms.hpo.hyperopt_tuner"
#: module name -> (regex, replacement) rewrites of its source
REWRITES: dict[str, list[tuple[str, str]]] = {
    MODULE: [(r"vals\[key\] == \[\]", "(isinstance(vals[key], list) and not vals[key])")],
}


def hyperopt_tuner() -> types.ModuleType:
    """NNI's ``hyperopt_tuner`` module, patched for numpy 2 (the finder is installed idempotently)."""
    source_patch.install(REWRITES)
    mod = sys.modules.get(MODULE)
    if mod is not None and not hasattr(mod, PATCHED):
        return importlib.reload(mod)  # reload finds the spec through sys.meta_path: patched
    return importlib.import_module(MODULE)


def _anneal() -> type:
    base = hyperopt_tuner().HyperoptTuner

    class Anneal(base):  # type: ignore[misc, valid-type]
        """NNI's Anneal tuner (``HyperoptTuner(algorithm_name="anneal")``) with the numpy 2 fix and
        a ``seed``: NNI draws hyperopt's state from an unseeded ``RandomState()``, so the same
        experiment proposed other configurations every run; here the seed fixes them."""

        def __init__(self, optimize_mode: str = "minimize", seed: int | None = None, **kwargs: Any) -> None:
            super().__init__(algorithm_name="anneal", optimize_mode=optimize_mode, **kwargs)
            self.seed = seed
            if seed is not None:  # the concurrent (constant liar) path draws from numpy's global state
                np.random.seed(seed)

        def update_search_space(self, search_space: Any) -> None:
            super().update_search_space(search_space)
            if self.seed is not None:
                self.rval.rstate = np.random.RandomState(self.seed)

    Anneal.__module__ = __name__
    return Anneal


_CLASSES = {"Anneal": _anneal}


def __getattr__(name: str) -> Any:
    if name in _CLASSES:
        cls = _CLASSES[name]()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def tuner_death(log: Path) -> str | None:
    """The last line of the traceback NNI's tuner process logged in ``dispatcher.log``, or None."""
    try:
        text = Path(log).read_text(errors="replace")
    except OSError:
        return None
    if "Traceback (most recent call last)" not in text:
        return None
    tail = text[text.rindex("Traceback (most recent call last)") :].splitlines()
    errors = [ln for ln in tail[1:] if ln and not ln.startswith((" ", "\t", "["))]
    return errors[0].strip() if errors else "a traceback"
