"""Hyper-parameters: one flat dict per model, with defaults per family and checked overrides.

A model is fully described by ``{"model": family, **hparams}``; that dict is what checkpoints,
tuners and ``--set key=value`` work with.
"""

from __future__ import annotations

from typing import Any

from ..data.augment import AUGMENT_DEFAULTS, AUGMENT_RANGES
from ..errors import UsageError, did_you_mean, unknown_name

NEURON = {
    "neuron": "leaky",  # leaky | lapicque | synaptic (recurrent layers use rleaky)
    "beta": 0.9,  # membrane decay per step
    "alpha": 0.8,  # synaptic decay per step (synaptic neuron)
    "threshold": 1.0,
    "surrogate": "fast_sigmoid",  # fast_sigmoid | atan | sigmoid
    "slope": 25.0,
    "reset": "zero",  # zero | subtract (the target's numerics decide when given)
    "learn_beta": False,
    "learn_threshold": False,
}
TRAINING = {
    "encoder": None,  # None: default_encoder() | static | rate | frozen_rate | latency |
    # direct | direct_delta | delta | level_crossing | sigma_delta (the last five: time series)
    "encoder_threshold": None,  # delta / level_crossing / sigma_delta / latency threshold (None: the encoder's default)
    "timesteps": None,  # None: the profile's budget
    "population": 1,  # output neurons per class
    "loss": "ce_count",  # ce_count | ce_rate | mse_count
    "correct_rate": 0.8,
    "incorrect_rate": 0.2,
    "lr": 2e-3,
    "lr_schedule": "constant",  # constant | cosine: lr_e = lr·(1 + cos(π·e/E))/2 in epoch e of E (both twins)
    "batch_size": 64,
    "epochs": 30,
    "weight_decay": 0.0,
    "rate_reg": 0.0,  # firing-rate regularisation: loss += rate_reg · mean spikes per neuron and step (hidden and output)
    "init": "random",  # random | ann: start from the ANN twin's transferred weights
    "init_rate": None,  # calibrate each spiking layer to this firing rate before training (None: off)
    **AUGMENT_DEFAULTS,  # training-time augmentation of time series, aug_* (data/augment.py; 0 = off)
}
FAMILIES: dict[str, dict[str, Any]] = {
    "mlp": {"hidden": [128], "skip": "none", "skip_matrix": None},
    "cnn2d": {
        "init": "ann",
        "channels": [8, 16],
        "kernel": 3,
        "pool": "avg",
        "pool_size": 2,
        "hidden": [64],
        "skip": "none",
        "skip_matrix": None,  # skip adjacency matrix over the blocks (models/skips.py)
    },
    "cnn1d": {
        "init": "ann",
        "w1": 8,
        "w2": 16,
        "w3": 16,
        "wd1": 3,
        "h1": 2,
        "wd2": None,
        "h2": None,
        "wd3": None,
        "h3": None,
        "shape_rule": "deterministic",  # deterministic | paper: how wd2, h2, wd3, h3 are derived (models/shapes.py)
        "pool": "avg",
        "hidden": [64],
        "skip": "none",
        "skip_matrix": None,  # skip adjacency matrix over the blocks (models/skips.py)
    },
    "rnn": {"hidden": [64], "skip": "none", "skip_matrix": None},
    "fusion": {
        "init": "ann",
        "channels": [8],
        "kernel": 3,
        "pool": "avg",
        "pool_size": 2,
        "branch_hidden": 32,
        "hidden": [64],
        "skip": "none",
    },
    "fusion2": {
        "init": "ann",
        "channels": [8],
        "kernel": 3,
        "pool": "avg",
        "pool_size": 2,
        "branch_hidden": 32,
        "fuse": "concat",
        "hidden": [64],
        "skip": "none",
    },  # multimodal: named inputs, one branch each; fuse concat | add
}
#: defaults for a time series read frame by frame (a temporal encoder): long windows (50–100
#: steps) saturate a count readout at θ = 1 (the count loss ties and stops learning), small sets
#: need small batches. Measured (test %, mean (min–max), seeds 0–9, 60 epochs): θ = 2, encoder
#: ``direct_delta`` and L2 weight decay 1e-4 give japanese_vowels 97.49 (95.95–99.19; seeds 0–19)
#: vs direct 96.41 (94.05–98.11), direct_delta alone 96.98, decay alone 96.73; basic_motions
#: 99.25 (92.5–100) as with direct, direct_delta alone 100. θ = 4: japanese_vowels ~95.2.
SERIES: dict[str, Any] = {"threshold": 2.0, "lr": 5e-3, "batch_size": 16, "epochs": 60, "weight_decay": 1e-4}
#: the model family a dataset kind gets when none is named
DEFAULT_FAMILY = {"vector": "mlp", "image": "mlp", "timeseries": "rnn", "multimodal": "fusion2"}
POOLS = ("avg", "sum", "max")
SKIPS = ("none", "add", "concat")


def defaults(family: str) -> dict[str, Any]:
    if family not in FAMILIES:
        raise unknown_name("model", family, FAMILIES)
    return {"model": family, **NEURON, **TRAINING, **FAMILIES[family]}


def family_taking(overrides: dict[str, Any] | None) -> str:
    """The first family whose hyper-parameters include every override (``mlp`` when none does):
    what to check ``--set`` against before the data decides an unset ``--model``."""
    keys = set(overrides or {}) - {"model"}
    return next((f for f in FAMILIES if keys <= set(defaults(f))), "mlp")


def resolve(family: str, overrides: dict[str, Any] | None = None, *, series: bool = False) -> dict[str, Any]:
    """Defaults of ``family`` (with the ``SERIES`` defaults for a time series read frame by frame)
    updated by ``overrides``; unknown keys are a UsageError."""
    hp = defaults(family)
    if series:
        hp.update(SERIES)
    for key, value in (overrides or {}).items():
        if key == "model":
            continue
        if key not in hp:
            raise UsageError(
                f"model '{family}' has no hyper-parameter '{key}'{did_you_mean(key, hp)}; known: {', '.join(sorted(hp))}"
            )
        hp[key] = value
    _check(hp)
    return hp


#: numeric hyper-parameters and their valid ranges, checked before any training:
#: key -> (kind, low, high, optional). kind "int" / "float": a number in [low, high] (None: no
#: bound; "float>" excludes low); "sizes": a list of ints ≥ low; optional: None is allowed.
RANGES: dict[str, tuple[str, float | None, float | None, bool]] = {
    "beta": ("float", 0.0, 1.0, False),
    "alpha": ("float", 0.0, 1.0, False),
    "threshold": ("float>", 0.0, None, False),
    "slope": ("float>", 0.0, None, False),
    "population": ("int", 1, None, False),
    "correct_rate": ("float", 0.0, 1.0, False),
    "incorrect_rate": ("float", 0.0, 1.0, False),
    "lr": ("float>", 0.0, None, False),
    "batch_size": ("int", 1, None, False),
    "epochs": ("int", 1, None, False),
    "weight_decay": ("float", 0.0, None, False),
    "rate_reg": ("float", 0.0, None, False),
    "timesteps": ("int", 1, None, True),
    "init_rate": ("float>", 0.0, 1.0, True),
    **AUGMENT_RANGES,
    "encoder_threshold": ("float>", 0.0, None, True),
    "hidden": ("sizes", 1, None, False),
    "channels": ("sizes", 1, None, False),
    "kernel": ("int", 1, None, False),
    "pool_size": ("int", 1, None, False),
    "branch_hidden": ("int", 1, None, False),
    "w1": ("int", 1, None, False),
    "w2": ("int", 1, None, False),
    "w3": ("int", 1, None, False),
    "wd1": ("int", 1, None, False),
    "h1": ("int", 1, None, False),
    "wd2": ("int", 1, None, True),
    "h2": ("int", 1, None, True),
    "wd3": ("int", 1, None, True),
    "h3": ("int", 1, None, True),
}
FLAGS = ("learn_beta", "learn_threshold")


def _range_text(kind: str, low, high) -> str:
    left = "(" if kind == "float>" else "["
    return f"{left}{low}, {high}]" if high is not None else (f"> {low}" if kind == "float>" else f"≥ {low}")


def _check_number(key: str, value: Any, kind: str, low, high) -> None:
    integer = kind == "int"
    ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok_type:
        raise UsageError(
            f"{key}={value!r} must be {'an integer' if integer else 'a number'} {_range_text(kind, low, high)}"
        )
    bad = (value <= low if kind == "float>" else value < low) if low is not None else False
    if bad or (high is not None and value > high) or value != value:
        raise UsageError(f"{key}={value!r} is out of range; valid: {_range_text(kind, low, high)}")


def check_ranges(hp: dict[str, Any]) -> None:
    """UsageError (one line, with the valid range) for a numeric hyper-parameter out of range."""
    for key, (kind, low, high, optional) in RANGES.items():
        if key not in hp or (optional and hp[key] is None):
            continue
        value = hp[key]
        if kind == "sizes":
            if not isinstance(value, (list, tuple)) or any(
                isinstance(v, bool) or not isinstance(v, int) or v < low for v in value
            ):
                raise UsageError(f"{key}={value!r} must be a list of integers ≥ {low}, e.g. --set {key}=[64]")
        else:
            _check_number(key, value, kind, low, high)
    for key in FLAGS:
        if key in hp and not isinstance(hp[key], bool):
            raise UsageError(f"{key}={hp[key]!r} must be true or false")


def _check(hp: dict[str, Any]) -> None:
    check_ranges(hp)
    for key in ("surrogate", "neuron", "fuse"):
        if key in hp and not isinstance(hp[key], str):
            raise UsageError(f"{key}={hp[key]!r} must be a name, e.g. --set {key}={NEURON.get(key, 'concat')}")
    for key, choices in (
        ("init", ("random", "ann")),
        ("pool", POOLS),
        ("reset", ("zero", "subtract", "none")),
        ("loss", ("ce_count", "ce_rate", "mse_count")),
        ("lr_schedule", ("constant", "cosine")),
        ("shape_rule", ("deterministic", "paper")),
    ):
        if key in hp and hp[key] not in choices:
            raise unknown_name(key, hp[key], choices)
    skips = hp["skip"] if isinstance(hp["skip"], list) else [hp["skip"]]
    for s in skips:
        if s not in SKIPS:
            raise unknown_name("skip", s, SKIPS)
    if hp.get("skip_matrix") is not None:
        from .skips import check_matrix_format

        hp["skip_matrix"] = check_matrix_format(hp["skip_matrix"])
        if any(s != "none" for s in skips):
            raise UsageError("give skip or skip_matrix, not both (skip_matrix can express every per-block skip)")


#: families that convolve over a series' length: they see the whole series ``[C, L]`` every step
WHOLE_SERIES = ("cnn1d",)


def default_encoder(feature_shape: tuple[int, ...], family: str | None = None) -> str:
    """The encoder an unset ``encoder`` gets: ``rate`` for data that is not a series; for a time
    series ``[C, L]`` read frame by frame by ``family``, ``direct_delta`` (each frame and its scaled
    change, s[t] = concat(x_t, g ⊙ (x_t − x_{t−1}))); ``direct`` (the frames alone) for one
    branch of a multi-input model (``family`` None); ``static`` (the series every step) for a
    family that convolves over the length (``WHOLE_SERIES``). Measured beside ``SERIES``."""
    if len(tuple(feature_shape)) == 2:
        if family in WHOLE_SERIES:
            return "static"
        return "direct" if family is None else "direct_delta"
    return "rate"


def make_hp_encoder(hp: dict[str, Any], feature_shape):
    """The input encoder ``hp`` names, with ``encoder_threshold`` applied when set. An unset
    encoder is resolved for the data (``default_encoder``) and written back into ``hp``.

    Several named inputs (``feature_shape`` a dict) get one encoder each: ``hp.encoder`` is a
    dict ``{name: encoder}`` or None (each input's default)."""
    from ..data.encoders import MultiEncoder, make_encoder

    if isinstance(feature_shape, dict):
        chosen = hp.get("encoder") if isinstance(hp.get("encoder"), dict) else {}
        unknown = set(chosen) - set(feature_shape)
        if unknown:
            raise UsageError(
                f"encoder names inputs {sorted(unknown)} the data does not have; inputs: {sorted(feature_shape)}"
            )
        hp["encoder"] = {n: chosen.get(n) or default_encoder(s) for n, s in sorted(feature_shape.items())}
        return MultiEncoder(
            {n: make_hp_encoder({**hp, "encoder": e}, feature_shape[n]) for n, e in hp["encoder"].items()}
        )
    if hp.get("encoder") is None:
        hp["encoder"] = default_encoder(feature_shape, hp.get("model"))
    from dataclasses import fields

    from ..data.encoders import ENCODERS

    takes = hp["encoder"] in ENCODERS and "threshold" in {f.name for f in fields(ENCODERS[hp["encoder"]])}
    opts = {"threshold": hp["encoder_threshold"]} if takes and hp.get("encoder_threshold") is not None else {}
    return make_encoder(hp["encoder"], **opts)
