"""``Bundle.open(path)``: verify a bundle zip, then load its pipeline; predict and stream.

Nothing is loaded before every check of ``archive.read_bundle`` passed (checksums of every
member, the manifest's own digest, zip-slip names, required and unlisted members, format
version). The verified members are then written into a private temporary folder (mode 0700,
removed by ``close()`` or at exit) for inspection (``bundle.dir``); the ONNX model is loaded
from the verified bytes themselves.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

import numpy as np

from .archive import extract, read_bundle
from .pipeline import Pipeline, Prediction
from .stream import Stream


class Bundle:
    """A verified, loaded edge bundle. Use ``Bundle.open(path)`` (also a context manager)."""

    def __init__(self, path: Path, manifest: dict, pipeline: Pipeline, folder: Path):
        self.path, self.manifest, self.pipeline, self.dir = path, manifest, pipeline, folder
        self._cleanup = weakref.finalize(self, shutil.rmtree, str(folder), True)

    @classmethod
    def open(cls, path: str | os.PathLike, threads: int = 1) -> Bundle:
        """Verify ``path`` (see module docstring), extract it privately and load the model.

        ``threads``: onnxruntime intra-op threads (1 gives the steadiest latency per sample).
        """
        path = Path(path)
        manifest, members = read_bundle(path)
        pipeline = Pipeline.from_members(members, threads=threads, where=f"bundle '{path}'")
        folder = Path(tempfile.mkdtemp(prefix="edgesnn-bundle-"))
        try:
            extract(members, folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return cls(path, manifest, pipeline, folder)

    def close(self) -> None:
        """Remove the private folder (the loaded model stays usable)."""
        self._cleanup()

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # what the bundle holds
    @property
    def classes(self) -> list[str]:
        return self.pipeline.classes

    @property
    def feature_shape(self) -> tuple[int, ...] | dict[str, tuple[int, ...]]:
        """Raw sample shape; a multimodal bundle: a dict input name -> shape."""
        return self.pipeline.feature_shape

    @property
    def inputs(self) -> list[str] | None:
        """The input names of a multimodal bundle (sorted); None for a one-input bundle."""
        return self.pipeline.names

    @property
    def timesteps(self) -> int:
        return self.pipeline.timesteps

    def info(self) -> dict[str, Any]:
        """A summary for humans and ``--json``: model, encoder, shapes, classes, accuracy."""
        m = self.manifest
        return {
            "bundle": str(self.path),
            "bundle_format": m.get("bundle_format"),
            "target": m.get("target"),
            "encoder": self.pipeline.encoder.name,
            "timesteps": self.timesteps,
            "dt": m.get("dt"),
            "inputs": self.inputs,
            "feature_shape": (
                {n: list(s) for n, s in self.feature_shape.items()}
                if isinstance(self.feature_shape, dict)
                else list(self.feature_shape)
            ),
            "classes": self.classes,
            "quantization": (m.get("quantization") or {}).get("scheme", "none"),
            "test_accuracy": (m.get("accuracy") or {}).get("runner"),
        }

    # inference
    def predict(self, raw, batch_size: int = 1024) -> Prediction:
        """Raw sensor samples ``[N, *features]`` (or flat ``[N, prod(features)]``) → classes and
        per-class spike counts; preprocessing and encoding as in training (see ``pipeline``).
        A multimodal bundle takes a dict ``{name: [N, *features[name]]}`` with every input of
        ``bundle.inputs`` (a missing or unknown name is a one-line ``DataError``)."""
        return self.pipeline.predict(raw, batch_size)

    def encode(self, raw) -> np.ndarray:
        """Raw samples → the encoded model input ``[T, N, *model_input]`` (multimodal: a dict)."""
        return self.pipeline.encode(raw)

    def run(self, x: np.ndarray) -> np.ndarray:
        """Encoded input ``[T, N, *model_input]`` (multimodal: a dict) → output spikes ``[T, N, *out]``."""
        return self.pipeline.run(x)

    def stream(self, auto_reset: bool = True) -> Stream:
        """A stateful stream: ``.push(frame)`` / ``.push_step(x_t)`` → running counts and decision
        (multimodal: frames are dicts, see ``edgesnn.runner.stream``)."""
        return Stream(self.pipeline, auto_reset=auto_reset)
