"""Building blocks shared by the model zoo.

Every block is written so that torch.fx (and so nirtorch) sees plain leaf modules and
additions: a concatenation skip ``W·[a; b]`` is written as ``W_a·a + W_b·b`` (two Linear
leaves summed), which is exactly how NIR expresses it (several edges into one node are summed).
"""

from __future__ import annotations

import torch
from torch import nn

from ..errors import ShapeError, UsageError
from .neurons import make_activation


class SumPool2d(nn.AvgPool2d):
    """Sum pooling: ``k² ·`` average pooling (NIR's SumPool2d)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k = self.kernel_size
        return super().forward(x) * (k * k if isinstance(k, int) else k[0] * k[1])


class SumPool1d(nn.AvgPool1d):
    """Sum pooling over one axis: ``k ·`` average pooling."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x) * self.kernel_size[0]


def make_pool(kind: str, size: int, dims: int) -> nn.Module:
    """avg / sum / max pooling of width and stride ``size`` (max has no NIR primitive)."""
    table = {
        ("avg", 1): nn.AvgPool1d,
        ("sum", 1): SumPool1d,
        ("max", 1): nn.MaxPool1d,
        ("avg", 2): nn.AvgPool2d,
        ("sum", 2): SumPool2d,
        ("max", 2): nn.MaxPool2d,
    }
    return table[(kind, dims)](size, stride=size)


class MultiLinear(nn.Module):
    """``y = Σ_k W_k · x_k + b``: a Linear over the concatenation of several inputs."""

    def __init__(self, sizes: list[int], out_features: int):
        super().__init__()
        self.parts = nn.ModuleList(nn.Linear(n, out_features, bias=(k == 0)) for k, n in enumerate(sizes))

    def forward(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        # iterate the ModuleList: slicing it (parts[1:]) builds a new ModuleList on every call
        out = None
        for layer, x in zip(self.parts, inputs):
            y = layer(x)
            out = y if out is None else out + y
        return out


class DenseStack(nn.Module):
    """Dense blocks ``act(W·x + b)`` with a skip per block, then the readout layer.

    skip "add":    out_i = s_i + in_i          (sizes must match)
    skip "concat": out_i = [s_i; in_i]         (the next layer gets both, via MultiLinear)
    The readout is ``MultiLinear → output neuron`` (or no activation for the ANN twin).
    """

    def __init__(
        self,
        in_sizes: list[int],
        hidden: list[int],
        skips: list[str],
        n_out: int,
        hp: dict,
        *,
        recurrent: bool = False,
        ann: bool = False,
    ):
        super().__init__()
        if len(skips) == 1:
            skips = skips * len(hidden)
        if len(skips) != len(hidden):
            raise UsageError(
                f"skip has {len(skips)} entries for {len(hidden)} hidden layers; give one or one per layer"
            )
        sizes = list(in_sizes)
        self.skips = list(skips)
        self.ops, self.acts = nn.ModuleList(), nn.ModuleList()
        for width, skip in zip(hidden, self.skips):
            self.ops.append(MultiLinear(sizes, width))
            self.acts.append(make_activation(hp, (width,), recurrent=recurrent, ann=ann))
            if skip == "add":
                if sizes != [width]:
                    raise ShapeError(
                        f"an 'add' skip needs equal widths, got input {sum(sizes)} and block {width}; use 'concat'"
                    )
            elif skip == "concat":
                sizes = [width, *sizes]
            else:
                sizes = [width]
        self.out_sizes = sizes
        self.readout = MultiLinear(sizes, n_out)
        self.out_act = nn.Identity() if ann else make_activation(hp, (n_out,))

    def forward(self, x: torch.Tensor | list[torch.Tensor]) -> torch.Tensor:
        """``x``: one tensor, or the list of parts a concatenation would join."""
        parts = list(x) if isinstance(x, (list, tuple)) else [x]
        for op, act, skip in zip(self.ops, self.acts, self.skips):
            s = act(op(parts))
            if skip == "add":
                parts = [s + parts[0]]
            elif skip == "concat":
                parts = [s, *parts]
            else:
                parts = [s]
        return self.out_act(self.readout(parts))
