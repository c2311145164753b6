"""Raw samples → preprocessing → encoding → stepwise model over T → per-class spike counts.

Exactly the chain training measured its test split with:

    u = clip((raw - offset) * scale, 0, 1)          Preprocessor (training statistics)
    x = encoder.encode(u.reshape(N, *input_shape), T, rng)   [T, N, *model_input]
    y[t] = model.step(x[t], state[t-1])             stepwise ONNX (or a Xylo specification
                                                    in numpy, ``xylo.py``), states zero at t = 0
    counts[n, c] = Σ_t Σ_k y[t, n, c·K + k]         K = outputs per class (1 usually)
    class[n] = argmax_c counts[n, c]                ties go to the lower class index

Random encoders (``rate``) draw from ``np.random.default_rng(seed)``, the seed written in
``encoder.json`` (training uses ``[seed, 2_000_000]`` for its test split), created afresh for
every ``predict`` call and drawn for the whole batch at once (``rng.random((T, N, ...))``).
So ``predict(raw)`` is reproducible, and on the raw test split, in order, it makes the very
spikes training and the evaluator measured. The draws depend on the batch: predicting
samples one by one gives other (equally valid) spike trains than predicting them together.

A multimodal bundle (``encoder.json`` kind ``multi``, shapes as dicts) takes a dict
``name -> raw samples [N, *feature_shape[name]]``: each input is scaled with its own statistics
(``preprocessing.json`` ``{"inputs": {name: ...}}``), the ``MultiEncoder`` encodes all of them
on one time axis (random encoders draw from the one generator in input-name order) and the
stepwise model gets one ONNX input per name at every step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..data.encoders import Encoder
from ..data.preprocess import Preprocessor
from ..errors import ArtifactError, DataError
from ..readout import class_counts, decide
from .format import CLASSES, ENCODER, MODELS, PREPROCESSING, STEPWISE, XYLO_SPEC
from .inputs import check_named_samples, check_samples
from .session import StepModel
from .xylo import XyloModel

#: model member -> loader ``(bytes, threads=, where=)``: what the runner can execute
LOADERS = {STEPWISE: StepModel, XYLO_SPEC: XyloModel.from_bytes}


@dataclass
class Prediction:
    """``classes [N]`` (indices), ``labels`` (names), ``counts [N, n_classes]`` output spikes."""

    classes: np.ndarray
    labels: list[str]
    counts: np.ndarray
    class_names: list[str] = field(repr=False, default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "classes": self.class_names,
            "predictions": [
                {"class": int(c), "label": lab, "counts": [float(v) for v in cnt]}
                for c, lab, cnt in zip(self.classes, self.labels, self.counts)
            ],
        }


def _json(members: dict[str, bytes], name: str, where: str) -> Any:
    try:
        return json.loads(members[name].decode("utf-8"))
    except KeyError:
        raise ArtifactError(f"{where} has no {name}; re-package it") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{where}: {name} is not valid JSON ({exc}); re-package it") from None


def _seed(value: Any) -> int | list[int]:
    if isinstance(value, list):
        return [int(v) for v in value]
    return int(value)


def _shape(value: Any) -> tuple[int, ...] | dict[str, tuple[int, ...]]:
    """A shape, or a dict name -> shape (a multimodal model's inputs, sorted by name)."""
    if isinstance(value, dict):
        return {str(n): tuple(int(d) for d in value[n]) for n in sorted(value)}
    return tuple(int(d) for d in value)


def _preprocessor(d: Any) -> Preprocessor | dict[str, Preprocessor]:
    """``Preprocessor.from_dict``, or one per input of ``{"inputs": {name: dict}}``."""
    if isinstance(d, dict) and isinstance(d.get("inputs"), dict):
        return {str(n): Preprocessor.from_dict(v) for n, v in d["inputs"].items()}
    return Preprocessor.from_dict(d)


class Pipeline:
    """Everything ``predict`` needs, built from bundle members (name → bytes)."""

    def __init__(
        self,
        encoder: Encoder,
        timesteps: int | None,
        seed: int | list[int],
        pre: Preprocessor | dict[str, Preprocessor],
        feature_shape,
        input_shape,
        classes: list[str],
        model: StepModel | XyloModel,
        where: str = "bundle",
    ):
        self.encoder, self.seed, self.pre, self.model, self.where = encoder, seed, pre, model, where
        self.feature_shape, self.input_shape = _shape(feature_shape), _shape(input_shape)
        self.classes = [str(c) for c in classes]
        #: the input names of a multimodal model (sorted), None for a one-input model
        self.names = list(self.feature_shape) if isinstance(self.feature_shape, dict) else None
        if self.names is not None:
            if not isinstance(self.input_shape, dict) or list(self.input_shape) != self.names:
                raise ArtifactError(
                    f"{where}: {ENCODER} names inputs {self.names} for the features but "
                    f"{list(self.input_shape)} for the model; re-package it"
                )
            if not isinstance(pre, dict) or sorted(pre) != self.names:
                raise ArtifactError(
                    f"{where}: {PREPROCESSING} does not hold statistics for each input {self.names}; re-package it"
                )
            if not model.multi:
                raise ArtifactError(
                    f"{where}: {ENCODER} names inputs {self.names} but the model takes one input; re-package it"
                )
        elif isinstance(pre, dict) or isinstance(self.input_shape, dict) or model.multi:
            raise ArtifactError(
                f"{where}: {ENCODER}, {PREPROCESSING} and the model disagree on one input or several; re-package it"
            )
        try:
            self.timesteps = encoder.steps(self.input_shape, timesteps)
            model_in = _shape(encoder.out_shape(self.input_shape))
        except DataError as exc:  # ShapeError of a multi encoder given other names
            raise ArtifactError(f"{where}: {ENCODER}: {exc}; re-package it") from None
        model_shape = model.input_shapes if model.multi else model.input_shape
        if model_in != _shape(model_shape):
            show = lambda s: {n: list(v) for n, v in s.items()} if isinstance(s, dict) else list(s)  # noqa: E731
            raise ArtifactError(
                f"{where}: encoder '{encoder.name}' makes inputs {show(model_in)} but the model takes "
                f"{show(_shape(model_shape))}; re-package it"
            )
        n_out = int(np.prod(model.output_shape))
        if not self.classes or n_out % len(self.classes):
            raise ArtifactError(
                f"{where}: the model has {n_out} outputs, not a multiple of {len(self.classes)} classes; re-package it"
            )

    @classmethod
    def from_members(
        cls, members: dict[str, bytes], threads: int = 1, where: str = "bundle", model: str | None = None
    ) -> Pipeline:
        """The pipeline of bundle ``members``; ``model``: the member to execute (default: the
        first of ``MODELS`` the bundle holds)."""
        enc = _json(members, ENCODER, where)
        try:
            encoder = Encoder.from_dict({"name": enc["kind"], **enc.get("options", {})})
            spec = (
                enc.get("timesteps"),
                _seed(enc.get("seed", 0)),
                _shape(enc["feature_shape"]),
                _shape(enc["input_shape"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ArtifactError(
                f"{where}: {ENCODER} is malformed ({type(exc).__name__}: {exc}); re-package it"
            ) from None
        try:
            pre = _preprocessor(_json(members, PREPROCESSING, where))
        except (DataError, KeyError, TypeError, AttributeError) as exc:
            raise ArtifactError(f"{where}: {PREPROCESSING}: {exc}") from None
        classes = _json(members, CLASSES, where)
        model = model or next((m for m in MODELS if m in members), MODELS[0])
        if model not in members:
            raise ArtifactError(f"{where} has no {model}; re-package it")
        step = LOADERS.get(model, StepModel)(members[model], threads=threads, where=where)
        T, seed, feature_shape, input_shape = spec
        return cls(encoder, T, seed, pre, feature_shape, input_shape, classes, step, where)

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @property
    def multi(self) -> bool:
        """True: the model takes several named inputs (dicts in, see the module docstring)."""
        return self.names is not None

    def check(self, raw):
        """Raw samples checked: float64 ``[N, *feature_shape]`` (multimodal: a dict of them)."""
        if self.names is not None:
            return check_named_samples(raw, self.feature_shape)
        return check_samples(raw, self.feature_shape)

    def preprocess(self, raw):
        """Checked raw samples → scaled ``[N, *input_shape]`` float32 in [0, 1] (multimodal: a dict)."""
        return self._scale(self.check(raw))

    def scale_one(self, x: np.ndarray, name: str | None = None) -> np.ndarray:
        """Checked float64 ``[N, *feature_shape]`` of input ``name`` (None: the one input) → scaled."""
        if name is None:
            return self.pre.transform(x).reshape(len(x), *self.input_shape)
        return self.pre[name].transform(x).reshape(len(x), *self.input_shape[name])

    def _scale(self, x):
        """Already checked float64 ``[N, *feature_shape]`` (or a dict) → scaled ``[N, *input_shape]``."""
        if self.names is not None:
            return {n: self.scale_one(x[n], n) for n in self.names}
        return self.scale_one(x)

    def encode(self, raw, rng: np.random.Generator | None = None):
        """Raw samples → encoded ``[T, N, *model_input]`` (a fresh seeded generator by default;
        multimodal: a dict name -> ``[T, N, *model_input[name]]``)."""
        return self.encode_checked(self.check(raw), rng)

    def encode_checked(self, x, rng: np.random.Generator | None = None):
        """``encode`` of samples already checked (float64 ``[N, *feature_shape]``, finite; or a
        dict of them), e.g. by ``check_frame``: skips the second check."""
        rng = rng if rng is not None else np.random.default_rng(self.seed)
        return self.encoder.encode(self._scale(x), self.timesteps, rng)

    def run(self, x, batch_size: int = 1024) -> np.ndarray:
        """Encoded ``[T, N, *model_input]`` (multimodal: a dict of them) → output spikes
        ``[T, N, *out]`` (chunks of samples)."""
        if self.names is not None:
            if not isinstance(x, dict) or sorted(x) != self.names:
                raise DataError(f"encoded input must be a dict with the inputs {self.names}")
            x = {n: np.ascontiguousarray(x[n], dtype=np.float32) for n in self.names}
            n_samples = x[self.names[0]].shape[1]
            parts = [
                self.model.run({n: v[:, i : i + batch_size] for n, v in x.items()})
                for i in range(0, n_samples, batch_size)
            ]
        else:
            x = np.ascontiguousarray(x, dtype=np.float32)
            parts = [self.model.run(x[:, i : i + batch_size]) for i in range(0, x.shape[1], batch_size)]
        return np.concatenate(parts, axis=1)

    def counts(self, y: np.ndarray) -> np.ndarray:
        """Output spikes ``[T, N, *out]`` → spike counts per class ``[N, n_classes]``."""
        return class_counts(y, self.n_classes)

    def decide(self, counts: np.ndarray) -> Prediction:
        classes = decide(counts)
        return Prediction(classes, [self.classes[c] for c in classes], counts, self.classes)

    def predict(self, raw, batch_size: int = 1024) -> Prediction:
        """Raw samples ``[N, *features]`` (multimodal: a dict name -> ``[N, *features[name]]``) →
        classes and per-class spike counts."""
        return self.decide(self.counts(self.run(self.encode(raw), batch_size)))
