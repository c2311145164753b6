"""Raw samples → preprocessing → encoding → stepwise ONNX over T → per-class spike counts.

Exactly the chain training measured its test split with:

    u = clip((raw - offset) * scale, 0, 1)          Preprocessor (training statistics)
    x = encoder.encode(u.reshape(N, *input_shape), T, rng)   [T, N, *model_input]
    y[t] = model.step(x[t], state[t-1])             stepwise ONNX, states zero at t = 0
    counts[n, c] = Σ_t Σ_k y[t, n, c·K + k]         K = outputs per class (1 usually)
    class[n] = argmax_c counts[n, c]                ties go to the lower class index

Random encoders (``rate``) draw from ``np.random.default_rng(seed)``, the seed written in
``encoder.json`` (training uses ``[seed, 2_000_000]`` for its test split), created afresh for
every ``predict`` call and drawn for the whole batch at once (``rng.random((T, N, ...))``).
So ``predict(raw)`` is reproducible, and on the raw test split, in order, it makes the very
spikes training and the evaluator measured. The draws depend on the batch: predicting
samples one by one gives other (equally valid) spike trains than predicting them together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..data.encoders import Encoder
from ..data.preprocess import Preprocessor
from ..errors import ArtifactError, DataError
from .format import CLASSES, ENCODER, PREPROCESSING, STEPWISE
from .inputs import check_samples
from .session import StepModel


@dataclass
class Prediction:
    """``classes [N]`` (indices), ``labels`` (names), ``counts [N, n_classes]`` output spikes."""

    classes: np.ndarray
    labels: list[str]
    counts: np.ndarray
    class_names: list[str] = field(repr=False, default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"classes": self.class_names,
                "predictions": [{"class": int(c), "label": lab, "counts": [float(v) for v in cnt]}
                                for c, lab, cnt in zip(self.classes, self.labels, self.counts)]}


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


class Pipeline:
    """Everything ``predict`` needs, built from bundle members (name → bytes)."""

    def __init__(self, encoder: Encoder, timesteps: int | None, seed: int | list[int], pre: Preprocessor,
                 feature_shape: tuple[int, ...], input_shape: tuple[int, ...], classes: list[str], model: StepModel,
                 where: str = "bundle"):
        self.encoder, self.seed, self.pre, self.model, self.where = encoder, seed, pre, model, where
        self.feature_shape, self.input_shape = tuple(feature_shape), tuple(input_shape)
        self.classes = [str(c) for c in classes]
        self.timesteps = encoder.steps(self.input_shape, timesteps)
        model_in = tuple(encoder.out_shape(self.input_shape))
        if model_in != model.input_shape:
            raise ArtifactError(f"{where}: encoder '{encoder.name}' makes inputs {list(model_in)} but the model takes "
                                f"{list(model.input_shape)}; re-package it")
        n_out = int(np.prod(model.output_shape))
        if not self.classes or n_out % len(self.classes):
            raise ArtifactError(f"{where}: the model has {n_out} outputs, not a multiple of {len(self.classes)} classes; "
                                "re-package it")

    @classmethod
    def from_members(cls, members: dict[str, bytes], threads: int = 1, where: str = "bundle",
                     model: str = STEPWISE) -> "Pipeline":
        enc = _json(members, ENCODER, where)
        try:
            encoder = Encoder.from_dict({"name": enc["kind"], **enc.get("options", {})})
            spec = (enc.get("timesteps"), _seed(enc.get("seed", 0)), tuple(enc["feature_shape"]), tuple(enc["input_shape"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ArtifactError(f"{where}: {ENCODER} is malformed ({type(exc).__name__}: {exc}); re-package it") from None
        try:
            pre = Preprocessor.from_dict(_json(members, PREPROCESSING, where))
        except DataError as exc:
            raise ArtifactError(f"{where}: {PREPROCESSING}: {exc}") from None
        classes = _json(members, CLASSES, where)
        if model not in members:
            raise ArtifactError(f"{where} has no {model}; re-package it")
        step = StepModel(members[model], threads=threads, where=where)
        T, seed, feature_shape, input_shape = spec
        return cls(encoder, T, seed, pre, feature_shape, input_shape, classes, step, where)

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def preprocess(self, raw) -> np.ndarray:
        """Checked raw samples → scaled ``[N, *input_shape]`` float32 in [0, 1]."""
        return self._scale(check_samples(raw, self.feature_shape))

    def _scale(self, x: np.ndarray) -> np.ndarray:
        """Already checked float64 ``[N, *feature_shape]`` → scaled ``[N, *input_shape]``."""
        return self.pre.transform(x).reshape(len(x), *self.input_shape)

    def encode(self, raw, rng: np.random.Generator | None = None) -> np.ndarray:
        """Raw samples → encoded ``[T, N, *model_input]`` (a fresh seeded generator by default)."""
        return self.encode_checked(check_samples(raw, self.feature_shape), rng)

    def encode_checked(self, x: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        """``encode`` of samples already checked (float64 ``[N, *feature_shape]``, finite), e.g.
        by ``check_frame``: skips the second check."""
        rng = rng if rng is not None else np.random.default_rng(self.seed)
        return self.encoder.encode(self._scale(x), self.timesteps, rng)

    def run(self, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
        """Encoded ``[T, N, *model_input]`` → output spikes ``[T, N, *out]`` (chunks of samples)."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        parts = [self.model.run(x[:, i:i + batch_size]) for i in range(0, x.shape[1], batch_size)]
        return np.concatenate(parts, axis=1)

    def counts(self, y: np.ndarray) -> np.ndarray:
        """Output spikes ``[T, N, *out]`` → spike counts per class ``[N, n_classes]``."""
        total = y.sum(axis=0, dtype=np.float64)
        return total.reshape(total.shape[0], self.n_classes, -1).sum(-1)

    def decide(self, counts: np.ndarray) -> Prediction:
        classes = counts.argmax(axis=-1)
        return Prediction(classes, [self.classes[c] for c in classes], counts, self.classes)

    def predict(self, raw, batch_size: int = 1024) -> Prediction:
        """Raw samples ``[N, *features]`` → classes and per-class spike counts."""
        return self.decide(self.counts(self.run(self.encode(raw), batch_size)))
