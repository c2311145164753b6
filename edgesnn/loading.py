"""``edgesnn.load``: one entry for every kind of model a user hands in, and the data it was made for."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ArtifactError


@dataclass
class Source:
    """A model to export: its NIR graph, plus the checkpoint when it came from ``edgesnn train``."""

    graph: object
    checkpoint: object | None
    path: Path

    @property
    def name(self) -> str:
        return self.path.stem if self.path.suffix else self.path.name


def load(path: str | Path):
    """A ``.nir`` file → ``nir.NIRGraph``; a run directory / ``checkpoint.pt`` → ``Checkpoint``."""
    path = Path(path)
    if path.suffix == ".nir":
        from .nir import read_graph

        return read_graph(path)
    from .train import load_checkpoint

    return load_checkpoint(path)


def load_source(
    path: str | Path | None, dt: float | None = None, *, reset: str | None = None, default_dt: float | None = None
) -> Source:
    """What ``export`` starts from; ``None`` means the latest run under ``runs/``.

    A ``.nir`` file takes ``reset`` / ``dt`` for what it does not state (``with_semantics``;
    ``default_dt``, a profile's, fills a missing dt silently). A run directory states both:
    giving them is a UsageError."""
    from .train import latest_run

    path = Path(path) if path else latest_run()
    if not path.exists():
        raise ArtifactError(f"'{path}' does not exist; pass a run directory from 'edgesnn train' or a .nir file")
    obj = load(path)
    if path.suffix == ".nir":
        from .nir import with_semantics

        if dt is None and default_dt is not None and (obj.metadata or {}).get("dt") is None:
            dt = default_dt
        return Source(with_semantics(obj, f"NIR file '{path}'", reset=reset, dt=dt), None, path)
    from .nir.graph import refuse_semantics

    refuse_semantics(reset, dt, f"the run '{path}' states its reset mode (its target's) and dt (its profile's)")
    return Source(obj.to_nir(default_dt), obj, path)


def test_split(data_spec: dict, limit: int | None = None) -> tuple[np.ndarray | dict, np.ndarray]:
    """The encoded test split ``[T, N, *input_shape]`` (a dict per input for a multimodal model)
    and labels, exactly as training made them (same split, preprocessing, encoder and draws)."""
    from .data import TEST_STREAM, Encoder, prepare
    from .train.loop import model_inputs

    prep = prepare(
        data_spec["dataset"],
        data_spec["seed"],
        label_column=data_spec.get("label_column"),
        top_k=data_spec.get("top_k"),
        preprocess=data_spec.get("preprocessing", {}).get("kind"),
    )
    shape = data_spec["input_shape"]
    x = model_inputs(prep.test, {k: tuple(v) for k, v in shape.items()} if isinstance(shape, dict) else tuple(shape))
    encoder = Encoder.from_dict(data_spec["encoder"])
    # encode the whole split with training's generator so the draws are the ones training measured
    x_enc = encoder.encode(x, data_spec["timesteps"], np.random.default_rng([data_spec["seed"], TEST_STREAM]))
    y = prep.test.y
    if limit is not None:
        x_enc = {k: v[:, :limit] for k, v in x_enc.items()} if isinstance(x_enc, dict) else x_enc[:, :limit]
        y = y[:limit]
    return x_enc, y
