"""Searching skip connections: spaces over skip adjacency matrices, the ANN→SNN drop, topology costs.

**Space.** ``skip_space`` writes an NNI-format space (``edgesnn.tune.space``) with one entry
``skip_matrix_<i>_<j>`` per edge the model can take (``edgesnn.models.skips``: node 0 the input,
then the conv blocks, the dense blocks, the readout; only ``j ≥ i + 2``), a ``choice`` among the
kinds that fit there — 0 none, 1 add (only where the shapes are equal), 2 concat (into a conv
block only at the same spatial size). ``to_overrides`` assembles the entries into
``skip_matrix`` (edges not in the space are 0), so every sampled matrix builds. The model's
fixed settings (``base``) travel as one-value choices. All entries are categorical, which is
what Optuna's GP sampler (``--tuner gp``: one-hot inputs, a Matérn kernel) and its random
sampler take; a space of ``E`` edges with ``k_e`` kinds holds ``Π k_e`` topologies.

**Objective** ``ann_snn_drop`` (``OBJECTIVES``, minimise) = ANN twin validation accuracy − SNN
validation accuracy, the SNN being the twin's weights transferred (threshold balancing,
``train.transfer``) and then trained (``init: ann``); both are the best over their epochs.
``check_drop_objective`` refuses a search whose model would start from random weights.

**Costs** recorded per trial (``topology_costs``, from the reference-simulator run every trained
model gets, ``edgesnn.metrics``): ``macs`` = MACs of one ANN pass (dense, what the topology costs
a conventional accelerator) and ``synops`` = synaptic operations per SNN inference (measured), beside
``mean_firing_rate``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..errors import ConfigError, UsageError

EDGE_KEY = re.compile(r"^skip_matrix_([0-9]+)_([0-9]+)$")


def edge_key(i: int, j: int) -> str:
    return f"skip_matrix_{i}_{j}"


def node_shapes(family: str, feature_shape, n_classes: int, base: dict | None = None) -> list[tuple[int, ...]]:
    """The output shape of every node (input, blocks, readout) of ``family`` built with ``base``."""
    from ..models import build
    from ..models.hparams import make_hp_encoder, resolve
    from ..models.skips import family_blocks, matrix_size
    from ..train.run import input_views

    base = dict(base or {})
    probe = resolve(family, {k: v for k, v in base.items() if k != "skip_matrix"})
    series = make_hp_encoder(dict(probe), tuple(feature_shape)).temporal
    hp = resolve(family, base, series=series)
    n = matrix_size(*family_blocks(family, hp))
    hp["skip_matrix"] = [[0] * n for _ in range(n)]
    _, step = input_views(family, tuple(feature_shape), make_hp_encoder(hp, tuple(feature_shape)))
    return list(build(hp, step, n_classes).skipnet.shapes)


def allowed_kinds(shapes: list[tuple[int, ...]], n_conv: int, i: int, j: int) -> list[int]:
    """The kinds (0 none, 1 add, 2 concat) edge ``i → j`` can take (``models/skips.py`` rules)."""
    src, main = shapes[i], shapes[j - 1]
    kinds = [0]
    if j <= n_conv:  # into a conv block
        if len(src) == len(main) and src[1:] == main[1:]:
            kinds += [1, 2] if src == main else [2]
        return kinds
    flat = 1
    for d in main:
        flat *= d
    size = 1
    for d in src:
        size *= d
    return kinds + ([1, 2] if size == flat else [2])


def skip_space(
    family: str,
    feature_shape,
    n_classes: int,
    base: dict | None = None,
    kinds: tuple[int, ...] = (0, 1, 2),
) -> dict[str, Any]:
    """An NNI-format space over the skip matrices of ``family`` (module docstring); ``base``:
    the fixed hyper-parameters (one-value choices), ``kinds``: the edge kinds to search."""
    from ..models.hparams import resolve
    from ..models.skips import family_blocks

    bad = [k for k in kinds if k not in (0, 1, 2)]
    if bad or 0 not in kinds:
        raise UsageError(f"kinds={kinds} must include 0 (none) and be among 0 (none), 1 (add), 2 (concat)")
    base = {k: v for k, v in (base or {}).items() if k != "skip_matrix"}
    shapes = node_shapes(family, feature_shape, n_classes, base)
    n_conv, _ = family_blocks(family, resolve(family, base))
    space: dict[str, Any] = {k: {"_type": "choice", "_value": [v]} for k, v in base.items()}
    for j in range(2, len(shapes)):
        for i in range(j - 1):
            fit = [k for k in allowed_kinds(shapes, n_conv, i, j) if k in kinds]
            if len(fit) > 1:
                space[edge_key(i, j)] = {"_type": "choice", "_value": fit}
    if not any(EDGE_KEY.match(k) for k in space):
        raise UsageError(f"model '{family}' with {base} has no skip edge to search; give it more blocks")
    return space


def write_skip_space(path: str | Path, *args, **kwargs) -> Path:
    """``skip_space(...)`` written as JSON to ``path`` (an ``edgesnn tune --space`` file)."""
    path = Path(path)
    path.write_text(json.dumps(skip_space(*args, **kwargs), indent=1))
    return path


def assemble(values: dict[str, Any], size: int) -> list[list[int]]:
    """``skip_matrix_<i>_<j>`` entries → a ``size × size`` matrix (absent entries 0)."""
    matrix = [[0] * size for _ in range(size)]
    for key, v in values.items():
        m = EDGE_KEY.match(key)
        if m:
            i, j = int(m.group(1)), int(m.group(2))
            if max(i, j) >= size:
                raise UsageError(f"space entry '{key}' is outside the model's {size}×{size} skip matrix")
            matrix[i][j] = int(v)
    return matrix


def edge_block(name: str):
    """A ``skip_matrix_<i>_<j>`` space entry as a match whose group(1) is ``skip_matrix`` (else None)."""
    return re.match(r"^(skip_matrix)_[0-9]+_[0-9]+$", name) if EDGE_KEY.match(name) else None


def check_edge_choice(name: str, value: Any, source: str) -> bool:
    """True for an edge entry whose choice is 0/1/2; ConfigError for another choice; False otherwise."""
    if not EDGE_KEY.match(name):
        return False
    if value not in (0, 1, 2) or isinstance(value, bool):
        raise ConfigError(f"search space {source}: '{name}' choice {value!r} must be 0 (none), 1 (add) or 2 (concat)")
    return True


def edge_overrides(values: dict[str, Any], family: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """``{"skip_matrix": ...}`` assembled from the edge entries of ``values`` (sized for the model
    ``overrides`` describes), or ``{}`` when there are none."""
    if not any(EDGE_KEY.match(k) for k in values):
        return {}
    from ..models import defaults
    from ..models.skips import family_blocks, matrix_size

    return {"skip_matrix": assemble(values, matrix_size(*family_blocks(family, {**defaults(family), **overrides})))}


def ann_snn_drop(record) -> float:
    """The ``ann_snn_drop`` objective of a trial record: ANN twin val accuracy − SNN val accuracy (inf without both)."""
    ann, snn = record.metrics.get("ann_val_acc"), record.metrics.get("val_acc")
    return float(ann) - float(snn) if ann is not None and snn is not None else float("inf")


#: metrics a trial keeps for the drop objective (``trial.KEEP``)
DROP_KEYS = ("ann_val_acc", "ann_test_acc", "transfer_test_acc")


def check_drop_objective(objectives, family: str, space) -> None:
    """``ann_snn_drop`` measures transfer + training: the model must start from the twin (init=ann)."""
    if "ann_snn_drop" not in objectives:
        return
    from ..models import defaults

    p = space.params.get("init")
    inits = set(p.value) if p is not None and p.type == "choice" else {defaults(family)["init"]}
    if inits != {"ann"}:
        raise UsageError(
            f"objective ann_snn_drop compares the ANN twin with the SNN transferred from it, but model "
            f"'{family}' may start from init={sorted(inits)}; fix init to ann in the space "
            '("init": {"_type": "choice", "_value": ["ann"]})'
        )


def topology_costs(metrics: dict[str, Any]) -> dict[str, float]:
    """``macs`` (one ANN pass) and ``synops`` (per SNN inference) of a trained model's activity report."""
    act = metrics.get("activity") or {}
    out = {}
    if act.get("ann_macs_total") is not None:
        out["macs"] = float(act["ann_macs_total"])
    if act.get("synops_total") is not None:
        out["synops"] = float(act["synops_total"])
    return out
