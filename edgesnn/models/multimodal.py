"""The multi-input zoo model ``fusion2``: one branch per modality (a ConvStack for images, a
dense stack for vectors and series), fused by concatenation or addition before the readout."""

from __future__ import annotations

import keyword
import math
from collections.abc import Mapping

import torch
from torch import nn

from ..errors import ShapeError, UsageError, unknown_name
from .blocks import DenseStack
from .neurons import make_activation
from .zoo import ConvStack, ZooNet, _named_shapes, _skips

FUSE = ("concat", "add")


class MultiFusion(ZooNet):
    """Multimodal fusion (family ``fusion2``): one branch per named input, fused, then the head.

    Branches, in ``input_shapes`` order: an image ``[C, H, W]`` gets ``ConvStack`` (2-D, the
    ``channels``/``kernel``/``pool`` hyper-parameters); any other input (a time-series or audio
    frame ``[F]`` per step) a dense branch ``Linear(F, branch_hidden) → neuron``.
    ``fuse="concat"``: the head's first layer sees ``[branch_1; branch_2; ...]`` (one
    ``MultiLinear`` part per branch, as ``Fusion``). ``fuse="add"``: each branch ends in a
    Linear to ``branch_hidden`` (the dense branch: that Linear, no neuron of its own), the
    projections are summed into one fusion neuron layer, then the head. In NIR, both are
    several edges summed into one node. ``forward(x)``: ``x`` a dict name -> ``[B, *shape]``.
    """

    def __init__(self, hp, input_shape, n_classes, ann=False):
        super().__init__(hp, _named_shapes("fusion2", input_shape), n_classes, ann)
        for name in self.input_shapes:
            if not name.isidentifier() or keyword.iskeyword(name) or name == "output":
                raise UsageError(
                    f"input name '{name}' must be a Python identifier other than 'output' "
                    "(it names the NIR Input node and the ONNX graph input)"
                )
        self.fuse_mode = str(hp.get("fuse", "concat"))
        if self.fuse_mode not in FUSE:
            raise unknown_name("fuse", self.fuse_mode, FUSE)
        width = int(hp["branch_hidden"])
        self.branches = nn.ModuleDict(
            {name: self._branch(shape, hp, width, ann) for name, shape in self.input_shapes.items()}
        )
        if self.fuse_mode == "add":
            self.fuse_act = make_activation(hp, (width,), ann=ann)
            sizes = [width]
        else:
            sizes = [b.out_size for b in self.branches.values()]
        self.head = DenseStack(sizes, list(hp["hidden"]), _skips(hp), self.n_out, hp, ann=ann)

    @property
    def input_shape(self):
        raise ShapeError(
            f"this model has several named inputs {self.input_shapes}; use .input_shapes "
            "and pass x as a dict name -> tensor"
        )

    def _branch(self, shape: tuple[int, ...], hp: dict, width: int, ann: bool) -> nn.Module:
        if len(shape) == 3:
            specs = [(c, int(hp["kernel"]), int(hp["pool_size"])) for c in hp["channels"]]
            return _ConvBranch(shape, specs, hp, ann, width if self.fuse_mode == "add" else None)
        return _DenseBranch(shape, width, hp, ann, act=self.fuse_mode == "concat")

    def forward(self, x: Mapping[str, torch.Tensor]) -> torch.Tensor:
        parts = [branch(x[name]) for name, branch in self.branches.items()]
        if self.fuse_mode == "add":
            total = parts[0]
            for part in parts[1:]:
                total = total + part
            parts = [self.fuse_act(total)]
        return self.head(parts)


class _ConvBranch(nn.Module):
    """``ConvStack`` (flattened), then a Linear to ``project`` features when given (add fusion)."""

    def __init__(self, shape, specs, hp, ann, project: int | None):
        super().__init__()
        self.conv = ConvStack(shape, specs, hp, ann, dims=2)
        n = math.prod(self.conv.out_shape)
        self.proj = nn.Linear(n, project) if project else None
        self.out_size = project or n

    def forward(self, x):
        y = self.conv(x)
        return y if self.proj is None else self.proj(y)


class _DenseBranch(nn.Module):
    """``Linear(prod(shape), width)`` (flattened first when the input has several axes), then a
    neuron unless ``act=False`` (add fusion: the shared fusion neuron follows the sum)."""

    def __init__(self, shape, width, hp, ann, act: bool):
        super().__init__()
        self.flatten = nn.Flatten() if len(shape) > 1 else None
        self.fc = nn.Linear(math.prod(shape), width)
        self.act = make_activation(hp, (width,), ann=ann) if act else None
        self.out_size = width

    def forward(self, x):
        if self.flatten is not None:
            x = self.flatten(x)
        y = self.fc(x)
        return y if self.act is None else self.act(y)
