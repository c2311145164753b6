"""Parity at export: the same input through the artifact, the reference simulator and the
trained torch model, compared spike by spike (and by accuracy when labels are known)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import ParityError
from ..loading import Source, test_split
from ..readout import accuracy

PROBE_SAMPLES = 256


def probe_input(source: Source, limit: int = PROBE_SAMPLES):
    """Input for the parity check: the encoded test split, or seeded Bernoulli spikes (a dict
    Input name -> spikes for a multimodal graph)."""
    if source.checkpoint is not None:
        return test_split(source.checkpoint.data, limit)
    from ..nir import graph_settings, input_shapes

    shapes = input_shapes(source.graph)
    T = int(graph_settings(source.graph)["timesteps"] or 25)
    rng = np.random.default_rng(0)
    x = {n: (rng.random((T, 8, *s)) < 0.2).astype(np.float32) for n, s in shapes.items()}
    return (x if len(x) > 1 else next(iter(x.values()))), None


def steps_and_samples(x) -> tuple[int, int]:
    """``(T, B)`` of an input array, or of a dict of them (all share T and B)."""
    first = next(iter(x.values())) if isinstance(x, Mapping) else x
    return int(first.shape[0]), int(first.shape[1])


def compare(reference: np.ndarray, got: np.ndarray, y: np.ndarray | None, n_classes: int | None) -> dict[str, Any]:
    """Spike agreement and max |Δ| between two ``[T, B, *out]`` outputs (+ accuracies)."""
    ref, out = np.asarray(reference, np.float32), np.asarray(got, np.float32)
    if ref.shape != out.shape:
        raise ParityError(f"runtime output shape {out.shape} differs from the reference {ref.shape}")
    result = {
        "shape": list(ref.shape),
        "spike_agreement": float((ref == out).mean()),
        "mismatches": int((ref != out).sum()),
        "max_abs_diff": float(np.abs(ref - out).max(initial=0.0)),
    }
    if y is not None and n_classes:
        result["reference_accuracy"] = accuracy(ref, y, n_classes)
        result["runtime_accuracy"] = accuracy(out, y, n_classes)
        result["accuracy_delta_pp"] = 100 * (result["runtime_accuracy"] - result["reference_accuracy"])
    return result


def torch_output(checkpoint, x) -> np.ndarray:
    import torch

    from ..models import run_snn

    x = {k: torch.from_numpy(v) for k, v in x.items()} if isinstance(x, Mapping) else torch.from_numpy(x)
    with torch.no_grad():
        return run_snn(checkpoint.model, x).numpy()
