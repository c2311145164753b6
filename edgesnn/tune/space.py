"""Search spaces in NNI's JSON format, parsed and checked once, used by both engines.

A space maps a hyper-parameter name to ``{"_type": T, "_value": V}``; NNI gets the JSON
unchanged, Optuna gets one distribution per parameter:

    choice       [v1, v2, ...]         Categorical (non-scalar values travel as JSON strings)
    randint      [lower, upper)        Int(lower, upper - 1)           (NNI: upper exclusive)
    uniform      [low, high]           Float(low, high)
    quniform     [low, high, q]        Float(low, high, step=q); value = clip(round(x/q)·q)
    loguniform   [low, high]           Float(low, high, log=True)      (low > 0)
    qloguniform  [low, high, q]        Float(low, high, log=True), then rounded to q
    normal       [mu, sigma]           Float(mu − 3σ, mu + 3σ): Optuna has no unbounded
                                       distribution; 99.7 % of NNI's draws fall inside

q-types whose low, high and q are all integers yield ints. Names are the model's
hyper-parameters (``edgesnn.models.hparams``), plus ``hidden_<k>`` / ``skip_<k>`` (k = 1, 2, ...)
that assemble the per-block lists ``hidden`` and ``skip``, and ``skip_matrix_<i>_<j>`` (0 / 1 / 2)
that assemble a skip adjacency matrix (``edgesnn.tune.skips``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError, UsageError, did_you_mean
from ..io import read_structured
from .skips import EDGE_KEY, check_edge_choice, edge_block, edge_overrides

#: keys a space may not set: the target fixes reset, the CLI fixes epochs
RESERVED = {"model": "the model is --model", "reset": "the target decides the reset mode", "epochs": "use --epochs"}
BLOCK_KEY = re.compile(r"^(hidden|skip)_([1-9][0-9]*)$")
SCALAR = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class Param:
    """One checked entry of a space."""

    name: str
    type: str
    value: tuple

    @property
    def integral(self) -> bool:
        return all(float(v).is_integer() for v in self.value)

    def distribution(self):
        return DISTRIBUTIONS[self.type](self)

    def decode(self, raw: Any) -> Any:
        """Optuna's raw draw → the value NNI would have produced."""
        if self.type == "choice":
            return json.loads(raw) if not _scalar_choices(self.value) else raw
        if self.type in ("quniform", "qloguniform"):
            low, high, q = self.value
            v = min(max(round(raw / q) * q, low), high)
            return int(round(v)) if self.integral else float(v)
        if self.type == "randint":
            return int(raw)
        return float(raw)

    def grid(self) -> list:
        """The finite values of this parameter (grid search); continuous types have none."""
        if self.type == "choice":
            return list(self.distribution().choices)
        if self.type == "randint":
            return list(range(int(self.value[0]), int(self.value[1])))
        if self.type == "quniform":
            low, high, q = self.value
            n = int(math.floor((high - low) / q + 1e-9))
            return [low + k * q for k in range(n + 1)]
        raise UsageError(
            f"grid search needs a finite space, but '{self.name}' is {self.type}; "
            "use choice, randint or quniform, or another sampler"
        )


def _scalar_choices(values: tuple) -> bool:
    return all(isinstance(v, SCALAR) for v in values)


def _float(p: Param):
    import optuna.distributions as d

    low, high = p.value[:2]
    return d.FloatDistribution(float(low), float(high), log=p.type in ("loguniform", "qloguniform"))


def _quniform(p: Param):
    import optuna.distributions as d

    low, high, q = (float(v) for v in p.value)
    if math.isclose((high - low) / q, round((high - low) / q)):
        return d.FloatDistribution(low, high, step=q)
    return d.FloatDistribution(low, high)


def _normal(p: Param):
    import optuna.distributions as d

    mu, sigma = (float(v) for v in p.value)
    return d.FloatDistribution(mu - 3 * sigma, mu + 3 * sigma)


def _choice(p: Param):
    import optuna.distributions as d

    values = p.value if _scalar_choices(p.value) else tuple(json.dumps(v) for v in p.value)
    return d.CategoricalDistribution(values)


def _randint(p: Param):
    import optuna.distributions as d

    return d.IntDistribution(int(p.value[0]), int(p.value[1]) - 1)


DISTRIBUTIONS: dict[str, Callable[[Param], Any]] = {
    "choice": _choice,
    "randint": _randint,
    "uniform": _float,
    "quniform": _quniform,
    "loguniform": _float,
    "qloguniform": _float,
    "normal": _normal,
}
#: _type -> (number of _value entries, check of the values returning an error text or "")
ARITY = {"uniform": 2, "loguniform": 2, "normal": 2, "randint": 2, "quniform": 3, "qloguniform": 3}


def _check_numbers(name: str, kind: str, value: list) -> None:
    if len(value) != ARITY[kind] or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        raise ConfigError(f"search space '{name}': {kind} needs {ARITY[kind]} numbers in _value, got {value!r}")
    if kind == "normal":
        if value[1] <= 0:
            raise ConfigError(f"search space '{name}': normal sigma {value[1]} must be > 0")
        return
    low, high = value[0], value[1]
    if low > high or (kind == "randint" and low == high):
        raise ConfigError(f"search space '{name}': {kind} low {low} > high {high}; swap them")
    if kind in ("loguniform", "qloguniform") and low <= 0:
        raise ConfigError(f"search space '{name}': {kind} needs low > 0, got {low}")
    if kind in ("quniform", "qloguniform") and value[2] <= 0:
        raise ConfigError(f"search space '{name}': {kind} step q={value[2]} must be > 0")


@dataclass(frozen=True)
class SearchSpace:
    """A checked space for one model family; ``raw`` is the NNI JSON, passed to NNI unchanged."""

    family: str
    params: dict[str, Param]
    raw: dict
    source: str = "<dict>"

    def distributions(self) -> dict:
        return {n: p.distribution() for n, p in self.params.items()}

    def grid(self) -> dict[str, list]:
        return {n: p.grid() for n, p in self.params.items()}

    def decode(self, raw_params: dict[str, Any]) -> dict[str, Any]:
        """Optuna's raw params (as stored in a trial) → the values of the NNI space."""
        return {n: self.params[n].decode(v) for n, v in raw_params.items() if n in self.params}

    def sample(self, trial) -> dict[str, Any]:
        """Draw every parameter from an Optuna trial; returns the decoded values."""
        raw = {n: _suggest(trial, n, d) for n, d in self.distributions().items()}
        return self.decode(raw)


def _suggest(trial, name: str, dist) -> Any:
    import optuna.distributions as d

    if isinstance(dist, d.CategoricalDistribution):
        return trial.suggest_categorical(name, dist.choices)
    if isinstance(dist, d.IntDistribution):
        return trial.suggest_int(name, dist.low, dist.high, step=dist.step, log=dist.log)
    return trial.suggest_float(name, dist.low, dist.high, step=dist.step, log=dist.log)


def to_overrides(values: dict[str, Any], family: str) -> dict[str, Any]:
    """Sampled values → model overrides: ``hidden_1..hidden_n`` become ``hidden``, and
    ``skip_1..skip_m`` become ``skip`` (one per hidden block, "none" for blocks not named)."""
    from ..models import defaults

    out = {k: v for k, v in values.items() if not BLOCK_KEY.match(k) and not EDGE_KEY.match(k)}
    blocks = {
        key: dict(
            sorted((int(m.group(2)), v) for k, v in values.items() if (m := BLOCK_KEY.match(k)) and m.group(1) == key)
        )
        for key in ("hidden", "skip")
    }
    if blocks["hidden"]:
        out["hidden"] = list(blocks["hidden"].values())
    if blocks["skip"]:
        n = len(out.get("hidden", defaults(family)["hidden"]))
        out["skip"] = [blocks["skip"].get(k, "none") for k in range(1, max(n, max(blocks["skip"])) + 1)]
    return {**out, **edge_overrides(values, family, out)}  # skip_matrix_<i>_<j> → skip_matrix


def parse_space(raw: Any, family: str, source: str = "<dict>") -> SearchSpace:
    """Check ``raw`` (NNI JSON as a dict) against ``family``'s hyper-parameters."""
    from ..models import defaults, resolve

    base = defaults(family)
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"search space {source} must be a non-empty JSON object of name -> {{_type, _value}}")
    params: dict[str, Param] = {}
    for name, spec in raw.items():
        if name in RESERVED:
            raise ConfigError(f"search space {source}: '{name}' cannot be tuned ({RESERVED[name]})")
        block = BLOCK_KEY.match(name) or edge_block(name)
        if name not in base and not (block and block.group(1) in base):
            known = sorted(set(base) - set(RESERVED)) + [f"{k}_<k>" for k in ("hidden", "skip") if k in base]
            raise ConfigError(
                f"search space {source}: model '{family}' takes no parameter '{name}'"
                f"{did_you_mean(name, known)}; known: {', '.join(known)}"
            )
        if not isinstance(spec, dict) or set(spec) != {"_type", "_value"}:
            raise ConfigError(
                f'search space {source}: \'{name}\' must be {{"_type": ..., "_value": [...]}}, got {spec!r}'
            )
        kind, value = spec["_type"], spec["_value"]
        if not isinstance(kind, str) or kind not in DISTRIBUTIONS:
            raise ConfigError(
                f"search space {source}: '{name}' has unknown _type '{kind}'{did_you_mean(kind, DISTRIBUTIONS)}; "
                f"choose from: {', '.join(DISTRIBUTIONS)}"
            )
        if not isinstance(value, list) or not value:
            raise ConfigError(f"search space {source}: '{name}' _value must be a non-empty list, got {value!r}")
        if kind == "choice":
            if any(isinstance(v, dict) for v in value):
                raise ConfigError(
                    f"search space {source}: '{name}' uses nested choices, which edgesnn does not support"
                )
            for v in value:
                _check_value(family, name, v, source, resolve)
        else:
            _check_numbers(name, kind, value)
        params[name] = Param(name, kind, tuple(value))
    for key in ("hidden", "skip"):
        ks = sorted(int(m.group(2)) for n in params if (m := BLOCK_KEY.match(n)) and m.group(1) == key)
        if ks and key in params:
            raise ConfigError(f"search space {source}: give either '{key}' or '{key}_<k>', not both")
        if key == "hidden" and ks != list(range(1, len(ks) + 1)):
            raise ConfigError(f"search space {source}: hidden_<k> must be numbered 1..n without gaps, got {ks}")
    return SearchSpace(family, params, raw, source)


def _check_value(family: str, name: str, value: Any, source: str, resolve) -> None:
    """A choice value the model would refuse is a ConfigError now, not a failed trial later."""
    from ..data import ENCODERS
    from ..models.neurons import NEURONS, SURROGATES

    names = {"encoder": ENCODERS, "neuron": NEURONS, "surrogate": SURROGATES}
    if name in names and value not in names[name]:
        raise ConfigError(
            f"search space {source}: '{name}' choice '{value}' is unknown; choose from: {', '.join(names[name])}"
        )
    if BLOCK_KEY.match(name) or check_edge_choice(name, value, source):
        return
    try:
        resolve(family, {name: value})
    except UsageError as exc:
        raise ConfigError(f"search space {source}: '{name}' choice {value!r} is refused: {exc}") from None


def load_space(path: str | Path | None, family: str, *, series: bool = False) -> SearchSpace:
    """A user's JSON file, or the built-in space of ``family`` when ``path`` is None (for a
    time series, ``<family>_series`` when there is one: temporal encoders and their thresholds)."""
    if path is None:
        if series and f"{family}_series" in builtin_spaces():
            text = resources.files(__package__).joinpath("spaces").joinpath(f"{family}_series.json").read_text()
            return parse_space(json.loads(text), family, source=f"built-in '{family}_series'")
        return builtin_space(family)
    raw = read_structured(path, "search space file", hint="pass an NNI-format JSON file")
    return parse_space(raw, family, source=f"'{path}'")


def builtin_spaces() -> list[str]:
    return sorted(
        p.name[:-5] for p in resources.files(__package__).joinpath("spaces").iterdir() if p.name.endswith(".json")
    )


def builtin_space(family: str) -> SearchSpace:
    if family not in builtin_spaces():
        raise UsageError(
            f"no built-in search space for model '{family}' (built-in: {', '.join(builtin_spaces())}); pass --space FILE"
        )
    text = resources.files(__package__).joinpath("spaces").joinpath(f"{family}.json").read_text()
    return parse_space(json.loads(text), family, source=f"built-in '{family}'")
