"""The encoded test split an artifact is evaluated on, checked against the artifact's input.

With the manifest's data spec and no other ``--dataset``, the split is exactly training's:
``edgesnn.loading.test_split(spec)`` (same seed, split, preprocessing, encoder and draws).
Another dataset keeps the manifest's encoder, T and seed. A bare ``.nir`` file has no spec:
one is built from the dataset (seed 0, default preprocessing) and the graph's metadata
(encoder, T), and every such choice is returned as an assumption.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ArtifactError, DataError, ShapeError, UsageError
from ..nir.graph import input_shape
from .artifact import Artifact, output_size


@dataclass
class TestSplit:
    x: np.ndarray | dict  # [T, N, *input_shape] float32, encoded (a dict per input for a multimodal model)
    y: np.ndarray  # [N] int class indices
    classes: list[str]
    dataset: str
    spec: dict[str, Any]
    assumptions: list[str]


def load_test_split(art: Artifact, dataset: str | None = None, limit: int | None = None) -> TestSplit:
    """The encoded test split for ``art`` (``dataset`` overrides the manifest's); checked shapes."""
    from ..loading import test_split

    if limit is not None and limit < 1:
        raise UsageError(f"limit={limit}: evaluate at least one sample")
    spec, assumptions = _spec(art, dataset)
    from ..nir import input_shapes

    shapes = {k: tuple(int(d) for d in v) for k, v in input_shapes(art.graph).items()}
    if len(shapes) > 1:
        return _multimodal_split(art, spec, assumptions, shapes, limit)
    want = input_shape(art.graph)
    try:
        x, y = test_split(spec, limit)
    except ValueError as exc:
        if "reshape" not in str(exc):
            raise
        got = _feature_shape(spec)
        raise ShapeError(
            f"dataset '{spec['dataset']}' has samples of shape {got} but the artifact takes "
            f"{want}; evaluate it on the dataset it was trained on"
        ) from None
    if isinstance(x, dict) and len(x) == 1:  # one named input of a multimodal set: the graph's one input
        x = next(iter(x.values()))
    if x.shape[1] == 0:
        raise DataError(f"the test split of dataset '{spec['dataset']}' is empty; nothing to evaluate")
    if tuple(x.shape[2:]) != want:
        raise ShapeError(
            f"dataset '{spec['dataset']}' encodes to samples of shape {tuple(x.shape[2:])} but the "
            f"artifact takes {want}; evaluate it on the dataset it was trained on"
        )
    classes = [str(c) for c in spec["classes"]]
    n_out = output_size(art.graph)
    if n_out % len(classes) or int(y.max(initial=0)) >= len(classes):
        raise ShapeError(
            f"dataset '{spec['dataset']}' has {len(classes)} classes but the artifact has {n_out} "
            "outputs; evaluate it on the dataset it was trained on"
        )
    return TestSplit(
        np.asarray(x, np.float32), np.asarray(y, np.int64), classes, str(spec["dataset"]), spec, assumptions
    )


def _multimodal_split(art: Artifact, spec: dict, assumptions: list[str], shapes: dict, limit: int | None) -> TestSplit:
    """The encoded test split of a model with several named inputs: a dict name -> [T, N, *shape]."""
    from ..loading import test_split

    if not isinstance(spec.get("input_shape"), dict):
        raise ShapeError(
            f"the artifact takes inputs {sorted(shapes)} but dataset '{spec['dataset']}' has one input; "
            "evaluate it on the dataset it was trained on"
        )
    x, y = test_split(spec, limit)
    got = {k: tuple(v.shape[2:]) for k, v in x.items()}
    if got != shapes:
        raise ShapeError(
            f"dataset '{spec['dataset']}' encodes to inputs {got} but the artifact takes {shapes}; "
            "evaluate it on the dataset it was trained on"
        )
    x = {k: np.asarray(v, np.float32) for k, v in x.items()}
    return TestSplit(
        x, np.asarray(y, np.int64), [str(c) for c in spec["classes"]], str(spec["dataset"]), spec, assumptions
    )


def _same_dataset(spec: dict, dataset: str) -> bool:
    names = {str(spec.get("dataset")), str(spec.get("name"))}
    return dataset in names or (Path(dataset).exists() and str(Path(dataset).resolve()) == str(spec.get("source")))


def _spec(art: Artifact, dataset: str | None) -> tuple[dict[str, Any], list[str]]:
    spec = art.data_spec
    if spec is not None:
        if dataset is None or _same_dataset(spec, dataset):
            return spec, []
        return _other_dataset(spec, dataset), [
            f"dataset '{dataset}' differs from the training dataset '{spec['dataset']}': encoded with the "
            f"manifest's encoder ({spec['encoder'].get('name')}), T={spec['timesteps']} and seed {spec['seed']}"
        ]
    if dataset is None:
        raise UsageError(f"'{art.path}' carries no data spec; pass --dataset (the dataset it was trained on)")
    return _from_graph(art, dataset)


def _other_dataset(spec: dict, dataset: str) -> dict[str, Any]:
    from ..data import prepare

    prep = prepare(dataset, spec["seed"])
    return {**prep.spec, "encoder": spec["encoder"], "timesteps": spec["timesteps"], "input_shape": spec["input_shape"]}


def _from_graph(art: Artifact, dataset: str) -> tuple[dict[str, Any], list[str]]:
    """A data spec for a graph without a manifest: dataset + the graph's metadata (see module doc)."""
    from ..data import prepare
    from ..nir import graph_settings

    meta = art.graph.metadata or {}
    settings = graph_settings(art.graph)
    encoder = meta.get("encoder_spec") or ({"name": settings["encoder"]} if settings["encoder"] else None)
    if encoder is None:
        raise ArtifactError(
            f"'{art.path}' names no encoder in its metadata (encoder / encoder_spec); "
            "evaluate its export directory instead"
        )
    T = settings["timesteps"]
    if T is None:
        raise ArtifactError(f"'{art.path}' names no timesteps in its metadata; evaluate its export directory instead")
    prep = prepare(dataset, 0)
    spec = {**prep.spec, "encoder": dict(encoder), "timesteps": int(T), "input_shape": list(input_shape(art.graph))}
    assumptions = [
        f"dataset '{dataset}' split with seed 0 and the default preprocessing (no manifest to say otherwise)",
        f"encoder {dict(encoder)} and T={T} read from the graph's metadata",
    ]
    assumptions += [f"{k} not in the graph's metadata: default used" for k in settings["defaulted"]]
    return spec, assumptions


def _feature_shape(spec: dict) -> tuple[int, ...]:
    from ..data import prepare

    try:
        return tuple(prepare(spec["dataset"], spec["seed"]).spec["feature_shape"])
    except Exception:  # only used to word an error message
        return (math.nan,)
