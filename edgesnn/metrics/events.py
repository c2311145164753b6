"""Event tensors through non-synaptic nodes (numpy, time-major ``[T, B, *shape]``).

An *event tensor* holds, per element and step, how many events reach that element. The graph
input and the recorded neuron outputs become events by counting non-zero entries (a spike is
one event; a non-zero graded value or current is one event too, see :func:`to_events`).
Nodes without synapses route events on unchanged in number:

- Flatten, Input / Output / Identity of sub-graphs: reshape;
- SumPool2d and AvgPool2d: window sums of the counts (an average pool scales the *value* of a
  pooled event, not the number of events that reach it), windows as the simulator's
  (:func:`edgesnn.nir.geometry.pool_geometry`: stride defaults to the kernel, zero padding);
- Scale: ``e * (s != 0)`` (a zero scale stops the events);
- Delay: unchanged (the shift in time is ignored; over a window it can only move events past
  the last step, so the count is an upper bound).
"""

from __future__ import annotations

from collections.abc import Callable

import nir
import numpy as np
from nir.ir.graph import Identity
from numpy.lib.stride_tricks import sliding_window_view

from ..errors import ShapeError
from ..nir.geometry import pool_geometry
from ._graph import port_shape


def to_events(values: np.ndarray) -> tuple[np.ndarray, bool]:
    """Events of a recorded or input tensor: ``(values != 0)`` as float, and whether it was binary.

    For spikes (0/1) the events are the spikes. For graded values (currents, membrane, counts)
    each non-zero entry is one event, i.e. one message per non-zero value per step (as graded
    spikes on Loihi 2); callers report the dense MAC count beside it for such inputs.
    """
    arr = np.asarray(values)
    return (arr != 0).astype(np.float64), is_binary(arr)


def is_binary(values: np.ndarray) -> bool:
    """True when every entry is 0 or 1 (a spike train)."""
    arr = np.asarray(values)
    return bool(np.all((arr == 0) | (arr == 1)))


def fit(ev: np.ndarray, shape: tuple[int, ...] | None, where: str) -> np.ndarray:
    """Reshape ``[T, B, ...]`` events to ``[T, B, *shape]`` when sizes agree; else ShapeError."""
    if shape is None or tuple(ev.shape[2:]) == tuple(shape):
        return ev
    if int(np.prod(ev.shape[2:])) != int(np.prod(shape)):
        raise ShapeError(
            f"{where} expects per-step input of shape {tuple(shape)} but receives {tuple(ev.shape[2:])}; "
            "check the recorded arrays and the graph's edges"
        )
    return ev.reshape(ev.shape[:2] + tuple(shape))


def _identity(node: nir.NIRNode, ev: np.ndarray) -> np.ndarray:
    return ev


def _flatten(node: nir.Flatten, ev: np.ndarray) -> np.ndarray:
    ev = fit(ev, port_shape(node, "input"), "Flatten")
    out = port_shape(node, "output")
    if out is None:
        shape = ev.shape[2:]
        start = int(node.start_dim) % len(shape)
        end = int(node.end_dim) % len(shape)
        out = shape[:start] + (int(np.prod(shape[start : end + 1])),) + shape[end + 1 :]
    return ev.reshape(ev.shape[:2] + tuple(out))


def _pool(node: nir.SumPool2d | nir.AvgPool2d, ev: np.ndarray) -> np.ndarray:
    ev = fit(ev, port_shape(node, "input"), type(node).__name__)
    if ev.ndim != 5:
        raise ShapeError(f"{type(node).__name__} needs [T, B, C, H, W] events, got shape {ev.shape}")
    geo = pool_geometry(type(node).__name__, node)
    padded = np.pad(ev, ((0, 0),) * 3 + geo.pads)
    windows = sliding_window_view(padded, geo.kernel, axis=(3, 4))[:, :, :, :: geo.stride[0], :: geo.stride[1]]
    return windows.sum(axis=(-2, -1))


def _scale(node: nir.Scale, ev: np.ndarray) -> np.ndarray:
    mask = (np.asarray(node.scale) != 0).astype(np.float64)
    return fit(ev, mask.shape if mask.ndim else None, "Scale") * mask


#: node type -> how events pass through it
PASS_THROUGH: dict[type, Callable[[nir.NIRNode, np.ndarray], np.ndarray]] = {
    nir.Input: _identity,
    nir.Output: _identity,
    Identity: _identity,
    nir.Delay: _identity,
    nir.Flatten: _flatten,
    nir.SumPool2d: _pool,
    nir.AvgPool2d: _pool,
    nir.Scale: _scale,
}
