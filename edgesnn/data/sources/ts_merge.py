"""Concatenate parsed ``.ts`` files (a problem's TRAIN and TEST) into one dataset."""

from __future__ import annotations

import numpy as np

from ...errors import DataError
from .ts_archive import TsData, _label_key


def merge(parts: list[TsData], where: str) -> TsData:
    """Concatenate parsed files (e.g. TRAIN then TEST) into one, padding to the longest case.

    Class names are the union in first-declared order; each part's labels are remapped.
    """
    n_dims = {p.x.shape[1] for p in parts}
    if len(n_dims) != 1:
        raise DataError(f"{where}: the files have different channel counts {sorted(n_dims)}")
    classes = list(dict.fromkeys(c for p in parts for c in p.classes))
    if all(_label_key(c)[0] == 0 for c in classes):
        classes.sort(key=_label_key)
    index = {c: k for k, c in enumerate(classes)}
    longest = max(p.x.shape[-1] for p in parts)
    xs, ys = [], []
    for p in parts:
        pad = longest - p.x.shape[-1]
        xs.append(np.pad(p.x, ((0, 0), (0, 0), (0, pad))) if pad else p.x)
        remap = np.array([index[c] for c in p.classes], dtype=np.int64)
        ys.append(remap[p.y])
    return TsData(
        np.concatenate(xs),
        np.concatenate(ys),
        classes,
        np.concatenate([p.lengths for p in parts]),
        parts[0].problem,
        dict(parts[0].header),
    )
