"""Skip connections as an adjacency matrix over a model's blocks (``skip_matrix``).

A model with ``m`` conv blocks (``conv → pool → neuron``) and ``n`` dense blocks
(``Linear → neuron``) followed by its readout has ``N = m + n + 2`` **nodes**:

    node 0              the model's input (the image / frame / flattened vector)
    nodes 1 .. m        the conv blocks, in order
    nodes m+1 .. m+n    the dense (hidden) blocks, in order
    node N−1            the readout (Linear → output neuron; no neuron for the ANN twin)

``a_k`` is node k's output (its spikes; ``a_0`` = the input). ``skip_matrix`` is an ``N × N``
list of lists; entry ``M[i][j]`` is an edge from ``a_i`` into the input of node j:

    0  none
    1  add     (ResNet-like):   a_i is summed into node j's input
    2  concat  (DenseNet-like): a_i is joined to node j's input (channels for a conv block,
                                features for a dense block / the readout)

Edges go forward and skip at least one block: only ``j ≥ i + 2`` may be non-zero. The chain
``a_{j−1} → node j`` is always there and implicit (``M[j−1][j]`` and everything on or below the
diagonal must be 0). Node j's input is then

    u_j = a_{j−1} + Σ_{i : M[i][j] = 1} a_i                       (add: shapes must be equal)
    x_j = [u_j ; a_{i_1} ; a_{i_2} ; ...]   over i : M[i][j] = 2, in increasing i

and node j computes ``W_j · x_j + b_j = W_j⁰ · u_j + Σ_k W_jᵏ · a_{i_k} + b_j`` — a Linear (or
Conv) over a concatenation is the sum of one Linear (Conv) per part, bias on the first only.
That sum is exactly what NIR expresses (several edges into one node are summed), so the graph
exports with no concatenation primitive; an add is two edges into one synaptic node.

Shapes: into a conv block, every source is a conv tensor ``[C, *spatial]`` (or the input) with
the same spatial size as ``a_{j−1}`` (an add also needs the same channels). Into a dense block or
the readout every source is flattened (one ``Flatten`` per edge), so concat always fits and an
add needs the same number of features. Everything is checked when the model is built: a wrong
size, a backward edge or an add of unequal shapes is one ``ShapeError`` line before training
(and the tuner's static checks record such a trial as infeasible).

MAC cost: a concat edge adds ``|a_i| · width_j`` weights (dense) or ``C_i · C_j · k^d`` MACs per
output position (conv, kernel k in d dims) to node j; an add edge adds none (only the sum), but
it raises node j's input activity, so the SNN's synaptic operations grow with it.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..errors import ShapeError, UsageError
from .blocks import MultiLinear, make_pool
from .neurons import make_activation

KINDS = {0: "none", 1: "add", 2: "concat"}


def check_matrix_format(matrix) -> list[list[int]]:
    """``matrix`` as a square list of lists of 0/1/2 with only ``j ≥ i + 2`` entries set (UsageError)."""
    if not isinstance(matrix, (list, tuple)) or not matrix or not all(isinstance(r, (list, tuple)) for r in matrix):
        raise UsageError(
            f"skip_matrix={matrix!r} must be a square list of lists of 0/1/2, e.g. --set skip_matrix=[[0,0,1],[0,0,0],[0,0,0]]"
        )
    n = len(matrix)
    for i, row in enumerate(matrix):
        if len(row) != n:
            raise UsageError(f"skip_matrix row {i} has {len(row)} entries; the matrix must be {n}×{n}")
        for j, v in enumerate(row):
            if isinstance(v, bool) or v not in KINDS:
                raise UsageError(f"skip_matrix[{i}][{j}]={v!r} must be 0 (none), 1 (add) or 2 (concat)")
            if v and j < i + 2:
                raise UsageError(
                    f"skip_matrix[{i}][{j}]={v}: edges go forward and skip a block (only j ≥ i+2; "
                    "the chain i→i+1 is implicit), so entries on or below the superdiagonal must be 0"
                )
    return [[int(v) for v in row] for row in matrix]


def matrix_size(n_conv: int, n_dense: int) -> int:
    """``N`` = input + conv blocks + dense blocks + readout."""
    return n_conv + n_dense + 2


def family_blocks(family: str, hp: dict) -> tuple[int, int]:
    """(conv blocks, dense blocks) of a zoo family with hyper-parameters ``hp``."""
    n_dense = len(hp.get("hidden") or [])
    if family == "cnn2d":
        return len(hp.get("channels") or []), n_dense
    if family == "cnn1d":
        return 3, n_dense
    if family in ("mlp", "rnn"):
        return 0, n_dense
    raise UsageError(f"model '{family}' takes no skip_matrix (mlp, rnn, cnn2d and cnn1d do)")


def edges(matrix: list[list[int]]) -> list[tuple[int, int, str]]:
    """(i, j, kind) of every skip edge, in row-major order."""
    return [(i, j, KINDS[v]) for i, row in enumerate(matrix) for j, v in enumerate(row) if v]


def describe(matrix: list[list[int]]) -> str:
    """A short text of the skip edges, e.g. ``0→2 cat, 1→3 add`` (``none`` without edges)."""
    short = {"add": "add", "concat": "cat"}
    return ", ".join(f"{i}→{j} {short[k]}" for i, j, k in edges(matrix)) or "none"


class MultiConv(nn.Module):
    """``y = Σ_k Conv_k(x_k) + b``: a convolution over the channel concatenation of several inputs."""

    def __init__(self, channels: list[int], out_channels: int, kernel: int, padding: int, dims: int):
        super().__init__()
        conv = {1: nn.Conv1d, 2: nn.Conv2d}[dims]
        self.out_channels = out_channels
        self.parts = nn.ModuleList(
            conv(c, out_channels, kernel, padding=padding, bias=(k == 0)) for k, c in enumerate(channels)
        )

    def forward(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        out = None
        for layer, x in zip(self.parts, inputs):
            y = layer(x)
            out = y if out is None else out + y
        return out


class SkipStack(nn.Module):
    """Conv blocks, dense blocks and the readout wired by a skip adjacency matrix (module docstring).

    ``conv_specs``: (channels, kernel, pool) per conv block (2-D: same padding; 1-D: valid, as
    ``ConvStack``); ``hidden``: dense widths; ``recurrent``: dense blocks are RLeaky (RNN)."""

    def __init__(
        self,
        in_shape: tuple[int, ...],
        conv_specs: list[tuple[int, int, int]],
        hidden: list[int],
        n_out: int,
        hp: dict,
        matrix,
        *,
        dims: int = 2,
        recurrent: bool = False,
        ann: bool = False,
    ):
        super().__init__()
        matrix = check_matrix_format(matrix)
        m, n = len(conv_specs), len(hidden)
        size = matrix_size(m, n)
        if len(matrix) != size:
            raise ShapeError(
                f"skip_matrix is {len(matrix)}×{len(matrix)} but this model has {m} conv + {n} dense blocks: "
                f"it needs {size}×{size} (input, {m + n} blocks, readout)"
            )
        self.matrix, self.n_conv = matrix, m
        shapes: list[tuple[int, ...]] = [tuple(in_shape)]  # a_k's shape per node
        self.ops, self.pools, self.acts = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        self.flats = nn.ModuleDict()
        self.sources: list[tuple[list[int], list[int]]] = []  # per node j ≥ 1: (add sources, concat sources)
        for j in range(1, size):
            adds = [i for i in range(j) if matrix[i][j] == 1]
            cats = [i for i in range(j) if matrix[i][j] == 2]
            main = shapes[j - 1]
            if j <= m:  # a conv block
                channels, kernel, pool = conv_specs[j - 1]
                for i in adds + cats:
                    s = shapes[i]
                    if len(s) != len(main) or s[1:] != main[1:] or (i in adds and s != main):
                        what = "add needs equal shapes" if i in adds else "concat needs the same spatial size"
                        raise ShapeError(
                            f"skip_matrix[{i}][{j}]={matrix[i][j]}: node {i} gives {list(s)}, node {j} (conv) "
                            f"takes {list(main)}; {what} (same-padded convs with pool_size=1 keep it)"
                        )
                pad = kernel // 2 if dims == 2 else 0
                self.ops.append(MultiConv([main[0]] + [shapes[i][0] for i in cats], channels, kernel, pad, dims))
                spatial = [(k + 2 * pad - kernel + 1) // pool for k in main[1:]]
                if min(spatial) < 1:
                    raise ShapeError(f"conv kernel {kernel} / pool {pool} leave no output for input {main}")
                self.pools.append(make_pool(hp["pool"], pool, dims) if pool > 1 else nn.Identity())
                out = (channels, *spatial)
                self.acts.append(make_activation(hp, out, ann=ann))
            else:  # a dense block or the readout
                width = hidden[j - m - 1] if j < size - 1 else n_out
                flat = math.prod(main)
                for i in [j - 1, *adds, *cats]:
                    if len(shapes[i]) > 1:
                        self.flats[f"e{i}_{j}"] = nn.Flatten()
                for i in adds:
                    if math.prod(shapes[i]) != flat:
                        raise ShapeError(
                            f"skip_matrix[{i}][{j}]=1: add joins {math.prod(shapes[i])} features of node {i} to "
                            f"{flat} of node {j - 1}; add needs equal sizes, use 2 (concat)"
                        )
                self.ops.append(MultiLinear([flat] + [math.prod(shapes[i]) for i in cats], width))
                self.pools.append(nn.Identity())
                readout = j == size - 1
                if readout:
                    self.acts.append(nn.Identity() if ann else make_activation(hp, (width,)))
                else:
                    self.acts.append(make_activation(hp, (width,), recurrent=recurrent, ann=ann))
                out = (width,)
            shapes.append(tuple(out))
            self.sources.append((adds, cats))
        self.shapes = shapes

    @property
    def convs(self) -> list[nn.Module]:
        """The conv blocks' operators (``constraints.count_bytes`` pairs them with ``pools``)."""
        return list(self.ops)[: self.n_conv]

    def _get(self, a: list[torch.Tensor], i: int, j: int) -> torch.Tensor:
        key = f"e{i}_{j}"
        return self.flats[key](a[i]) if j > self.n_conv and key in self.flats else a[i]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = [x]
        for j, (op, pool, act, (adds, cats)) in enumerate(zip(self.ops, self.pools, self.acts, self.sources), 1):
            u = self._get(a, j - 1, j)
            for i in adds:
                u = u + self._get(a, i, j)
            y = op([u, *(self._get(a, i, j) for i in cats)])
            if not isinstance(pool, nn.Identity):  # resolved at trace time: no Identity node in NIR
                y = pool(y)
            if not isinstance(act, nn.Identity):
                y = act(y)
            a.append(y)
        return a[-1]
