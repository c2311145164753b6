"""The model zoo: MLP, 2-D CNN, 1-D CNN (miRNA study), recurrent, two-branch fusion, and the
multimodal fusion ``fusion2`` (one branch per named input).

Each model is an ``nn.Module`` whose ``forward(x_t)`` runs ONE timestep on ``[B, *features]``
and returns the output layer's spikes ``[B, n_out]``; neuron states live in the snnTorch
neurons (``init_hidden=True``) and are reset per sample by :func:`edgesnn.models.run.run_snn`.
Built with ``ann=True`` the same class is the ANN twin: identical weight shapes, ReLU instead
of neurons, no output neuron (logits), one pass on the un-encoded input; on a time series
(a temporal encoder) one pass per frame, logits averaged over the frames (``run_ann``).

A multimodal model (``MultiFusion``) has ``input_shapes`` (ordered name -> shape) instead of
``input_shape`` and its ``forward`` takes a dict name -> ``[B, *shape]`` for one timestep.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from torch import nn

from ..errors import ShapeError
from .blocks import DenseStack, make_pool
from .neurons import make_activation
from .shapes import algorithm1, algorithm1_paper
from .skips import SkipStack


def _skips(hp: dict) -> list[str]:
    return hp["skip"] if isinstance(hp["skip"], list) else [hp["skip"]]


def _skip_net(hp, in_shape, convs, n_out, ann, dims=2, recurrent=False):
    """The ``SkipStack`` of a model with ``skip_matrix`` set (``models/skips.py``), else None."""
    if hp.get("skip_matrix") is None:
        return None
    hidden = list(hp["hidden"])
    return SkipStack(
        tuple(in_shape), convs, hidden, n_out, hp, hp["skip_matrix"], dims=dims, recurrent=recurrent, ann=ann
    )


class ZooNet(nn.Module):
    """Base: remembers how it was built (family, hyper-parameters, input shape(s), outputs).

    ``input_shape`` is a tuple for a one-input model; for a multimodal one (a mapping name ->
    shape) it is stored as ``input_shapes`` instead."""

    def __init__(
        self, hp: dict, input_shape: tuple[int, ...] | Mapping[str, tuple[int, ...]], n_classes: int, ann: bool
    ):
        super().__init__()
        self.hp, self.n_classes, self.ann = dict(hp), n_classes, ann
        if isinstance(input_shape, Mapping):
            self.input_shapes = {str(k): tuple(int(d) for d in v) for k, v in input_shape.items()}
        else:
            self.input_shape = tuple(input_shape)
        self.n_out = n_classes * int(hp["population"])


class MLP(ZooNet):
    def __init__(self, hp, input_shape, n_classes, ann=False, recurrent=False):
        super().__init__(hp, input_shape, n_classes, ann)
        self.flatten = nn.Flatten()
        self.skipnet = _skip_net(hp, (math.prod(input_shape),), [], self.n_out, ann, recurrent=recurrent)
        if self.skipnet is None:
            self.dense = DenseStack(
                [math.prod(input_shape)], list(hp["hidden"]), _skips(hp), self.n_out, hp, recurrent=recurrent, ann=ann
            )

    def forward(self, x):
        if self.skipnet is not None:
            return self.skipnet(self.flatten(x))
        return self.dense(self.flatten(x))


class RNN(MLP):
    """Recurrent hidden layers (RLeaky, all-to-all): v[t] = β·v[t−1] + W·x[t] + V·s[t−1].

    The ANN twin is an Elman ReLU network with the same W and V: h[t] = ReLU(W·x[t] + V·h[t−1]);
    on a static input (one step) it is a feed-forward ReLU network."""

    def __init__(self, hp, input_shape, n_classes, ann=False):
        super().__init__(hp, input_shape, n_classes, ann=ann, recurrent=True)


class ConvStack(nn.Module):
    """``conv → pool → act`` blocks (2-D: same padding; 1-D: valid conv, miRNA style)."""

    def __init__(self, in_shape: tuple[int, ...], specs: list[tuple[int, int, int]], hp: dict, ann: bool, dims: int):
        super().__init__()
        conv = {1: nn.Conv1d, 2: nn.Conv2d}[dims]
        self.convs, self.pools, self.acts = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        shape = list(in_shape)
        for channels, kernel, pool in specs:
            pad = kernel // 2 if dims == 2 else 0
            self.convs.append(conv(shape[0], channels, kernel, padding=pad))
            spatial = [(n + 2 * pad - kernel + 1) // pool for n in shape[1:]]
            if min(spatial) < 1:
                raise ShapeError(f"conv kernel {kernel} / pool {pool} leave no output for input {tuple(shape)}")
            self.pools.append(make_pool(hp["pool"], pool, dims) if pool > 1 else nn.Identity())
            shape = [channels, *spatial]
            self.acts.append(make_activation(hp, tuple(shape), ann=ann))
        self.out_shape = tuple(shape)
        self.flatten = nn.Flatten()

    def forward(self, x):
        for conv, pool, act in zip(self.convs, self.pools, self.acts):
            x = conv(x)
            if not isinstance(pool, nn.Identity):  # resolved at trace time: no Identity node in NIR
                x = pool(x)
            x = act(x)
        return self.flatten(x)


class CNN2d(ZooNet):
    def __init__(self, hp, input_shape, n_classes, ann=False):
        super().__init__(hp, input_shape, n_classes, ann)
        if len(input_shape) != 3:
            raise ShapeError(
                f"cnn2d needs images [C, H, W], got feature shape {tuple(input_shape)}; try --model mlp or cnn1d"
            )
        specs = [(c, int(hp["kernel"]), int(hp["pool_size"])) for c in hp["channels"]]
        self.skipnet = _skip_net(hp, input_shape, specs, self.n_out, ann, dims=2)
        if self.skipnet is None:
            self.conv = ConvStack(tuple(input_shape), specs, hp, ann, dims=2)
            self.dense = DenseStack(
                [math.prod(self.conv.out_shape)], list(hp["hidden"]), _skips(hp), self.n_out, hp, ann=ann
            )

    def forward(self, x):
        if self.skipnet is not None:
            return self.skipnet(x)
        return self.dense(self.conv(x))


MULTI_INPUT = ("fusion2",)


def model_input_shape(family: str, feature_shape):
    """The shape a model of ``family`` consumes for data of ``feature_shape``.

    1-D convolutions see a feature vector ``[F]`` as one channel of length F, ``[1, F]`` (a
    reshape of the same values: data is viewed, never changed). Everything else takes the
    features as they are. A multimodal family takes (and returns) a mapping name -> shape;
    any other family refuses one.
    """
    if family in MULTI_INPUT or isinstance(feature_shape, Mapping):
        return _named_shapes(family, feature_shape)
    feature_shape = tuple(feature_shape)
    if family == "cnn1d" or (family == "fusion" and len(feature_shape) != 3):
        if len(feature_shape) == 1:
            return (1, feature_shape[0])
        if len(feature_shape) != 2:
            raise ShapeError(f"{family} needs vectors [F] or series [C, L], got {feature_shape}; try --model cnn2d")
    return feature_shape


class CNN1d(ZooNet):
    """The miRNA study's 1-D CNN: three ``Conv1d(w_k, wd_k) → pool(h_k) → neuron`` blocks, then dense.

    Blocks 2 and 3 take their sizes by ``hp["shape_rule"]`` (``edgesnn.models.shapes``):
    ``deterministic`` (default) derives them from (L, wd1, h1) alone; ``paper`` runs the
    paper's Algorithm 1 as written, drawing them from ``random.Random(seed)`` where seed is the
    one ``build(..., seed=)`` was given (torch's initial seed). Drawn sizes are written back
    into the caller's ``hp`` (``wd2, h2, wd3, h3``), so the ANN twin, the checkpoint and every
    rebuild get the very same network. Sizes already set in ``hp`` are kept and checked."""

    def __init__(self, hp, input_shape, n_classes, ann=False):
        super().__init__(hp, input_shape, n_classes, ann)
        channels, length = model_input_shape("cnn1d", tuple(input_shape))
        fixed = {k: hp[k] for k in ("wd2", "h2", "wd3", "h3") if hp.get(k)}
        if hp.get("shape_rule", "deterministic") == "paper" and len(fixed) < 4:
            import torch

            drawn = algorithm1_paper(length, int(hp["wd1"]), int(hp["h1"]), torch.initial_seed())
            hp.update({k: drawn[k] for k in ("wd2", "h2", "wd3", "h3")})  # the caller's dict: rebuilds match
            self.hp.update({k: drawn[k] for k in ("wd2", "h2", "wd3", "h3")})
            fixed = {k: drawn[k] for k in ("wd2", "h2", "wd3", "h3")}
        self.sizes = algorithm1(length, int(hp["wd1"]), int(hp["h1"]), fixed)
        specs = [(int(hp[f"w{k}"]), self.sizes[f"wd{k}"], self.sizes[f"h{k}"]) for k in (1, 2, 3)]
        self.input_shape = (channels, length)
        self.skipnet = _skip_net(hp, (channels, length), specs, self.n_out, ann, dims=1)
        if self.skipnet is None:
            self.conv = ConvStack((channels, length), specs, hp, ann, dims=1)
            self.dense = DenseStack(
                [math.prod(self.conv.out_shape)], list(hp["hidden"]), _skips(hp), self.n_out, hp, ann=ann
            )

    def forward(self, x):
        if self.skipnet is not None:
            return self.skipnet(x)
        return self.dense(self.conv(x))


class Fusion(ZooNet):
    """Two branches over the same sensor input, fused by concatenation:
    a convolutional branch (2-D for images, 1-D otherwise) and a dense branch on the raw
    features; the fusion layer sees ``[conv features; dense features]``."""

    def __init__(self, hp, input_shape, n_classes, ann=False):
        super().__init__(hp, input_shape, n_classes, ann)
        dims = 2 if len(input_shape) == 3 else 1
        in_shape = model_input_shape("fusion", tuple(input_shape))
        self.input_shape = in_shape
        specs = [(c, int(hp["kernel"]), int(hp["pool_size"])) for c in hp["channels"]]
        self.conv = ConvStack(in_shape, specs, hp, ann, dims=dims)
        self.flatten = nn.Flatten()
        width = int(hp["branch_hidden"])
        self.branch = nn.Linear(math.prod(input_shape), width)
        self.branch_act = make_activation(hp, (width,), ann=ann)
        self.fuse = DenseStack(
            [math.prod(self.conv.out_shape), width], list(hp["hidden"]), _skips(hp), self.n_out, hp, ann=ann
        )

    def forward(self, x):
        flat = self.flatten(x)
        return self.fuse([self.conv(x), self.branch_act(self.branch(flat))])


def _named_shapes(family: str, shapes) -> dict[str, tuple[int, ...]]:
    """``shapes`` as an ordered dict name -> shape for a multimodal family (ShapeError otherwise)."""
    if family not in MULTI_INPUT:
        raise ShapeError(
            f"model '{family}' takes one input, got named inputs {dict(shapes)}; "
            f"use a multimodal model ({', '.join(MULTI_INPUT)})"
        )
    if not isinstance(shapes, Mapping) or not shapes:
        raise ShapeError(
            f"{family} needs named inputs, a dict name -> shape such as "
            f"{{'image': (1, 8, 8), 'audio': (13,)}}; got {shapes!r}"
        )
    return {str(k): tuple(int(d) for d in v) for k, v in shapes.items()}
