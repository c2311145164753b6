"""The model zoo by family name, and ``build``: one family, its hyper-parameters, a model."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..errors import unknown_name
from .multimodal import MultiFusion
from .zoo import MLP, RNN, CNN1d, CNN2d, Fusion, ZooNet, model_input_shape

ZOO: dict[str, Callable[..., ZooNet]] = {
    "mlp": MLP,
    "cnn2d": CNN2d,
    "cnn1d": CNN1d,
    "rnn": RNN,
    "fusion": Fusion,
    "fusion2": MultiFusion,
}


def build(hp: dict, input_shape, n_classes: int, *, ann: bool = False, seed: int | None = None) -> ZooNet:
    """Build the zoo model described by ``hp`` (``hp["model"]`` names the family).

    ``input_shape``: features without batch; for a multimodal family (``fusion2``) an ordered
    dict name -> shape, e.g. ``{"image": (1, 8, 8), "audio": (13,)}``."""
    family = hp.get("model")
    if family not in ZOO:
        raise unknown_name("model", str(family), ZOO)
    if seed is not None:
        torch.manual_seed(seed)
    return ZOO[family](hp, model_input_shape(family, input_shape), n_classes, ann=ann)
