"""Read the matrix and a cell-label column of an AnnData ``.h5ad`` file with h5py alone.

The on-disk layout (anndata >= 0.8, "encoding-type" attributes):

- a matrix (``X``, ``raw/X`` or ``layers/<name>``) is a dense HDF5 dataset, or a group with
  ``encoding-type`` ``csr_matrix``/``csc_matrix``, datasets ``data``, ``indices``, ``indptr``
  and a ``shape`` attribute;
- ``obs`` is a dataframe group: one dataset per numeric column, and per categorical column a
  group with ``codes`` (integers, -1 = missing) and ``categories`` (strings).

The anndata 0.7 layout is read too: a categorical column is a codes dataset whose
``categories`` attribute references the names (under ``obs/__categories``). Older files (obs
as one compound dataset) are refused with a clear error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import DataError

#: label columns tried in order when none is named (cell-type annotations first)
LABEL_CANDIDATES = ("bulk_labels", "cell_type", "celltype", "cell_types", "labels", "label", "louvain", "leiden")


@dataclass
class H5ad:
    x: np.ndarray  # float32 [cells, genes]
    codes: np.ndarray  # int64 [cells], -1 = missing label
    categories: list[str]
    var_names: list[str]
    matrix: str  # which matrix was read ('X', 'raw/X', ...)
    label_column: str


def _text(values: np.ndarray) -> list[str]:
    return [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in np.asarray(values).reshape(-1)]


def _matrix(node, where: str) -> np.ndarray:
    import h5py

    if isinstance(node, h5py.Dataset):
        return np.asarray(node[()], dtype=np.float32)
    enc = node.attrs.get("encoding-type", node.attrs.get("h5sparse_format", ""))
    enc = enc.decode() if isinstance(enc, bytes) else str(enc)
    if enc in ("csr_matrix", "csc_matrix", "csr", "csc"):
        shape = tuple(int(s) for s in node.attrs.get("shape", node.attrs.get("h5sparse_shape", ())))
        if len(shape) != 2:
            raise DataError(f"{where}: sparse matrix '{node.name}' has no 2-D 'shape' attribute")
        data = np.asarray(node["data"][()], dtype=np.float32)
        indices = np.asarray(node["indices"][()], dtype=np.int64)
        indptr = np.asarray(node["indptr"][()], dtype=np.int64)
        csr = enc.startswith("csr")
        major, minor = (shape[0], shape[1]) if csr else (shape[1], shape[0])
        if len(indptr) != major + 1 or (indices.size and (indices.min() < 0 or indices.max() >= minor)):
            raise DataError(f"{where}: sparse matrix '{node.name}' is inconsistent with its shape {shape}")
        dense = np.zeros((major, minor), dtype=np.float32)
        rows = np.repeat(np.arange(major), np.diff(indptr))
        np.add.at(dense, (rows, indices), data)  # sums duplicate entries, as scipy does
        return dense if csr else dense.T.copy()
    raise DataError(
        f"{where}: matrix '{node.name}' has encoding '{enc or 'unknown'}'; expected a dense array or CSR/CSC"
    )


def _index_names(group, where: str) -> list[str]:
    key = group.attrs.get("_index", "index")
    key = key.decode() if isinstance(key, bytes) else str(key)
    return _text(group[key][()]) if key in group else []


def _categorical(obs, column: str, where: str) -> tuple[np.ndarray, list[str]] | None:
    """(codes, categories) of a categorical obs column, or ``None`` if it is not categorical."""
    import h5py

    node = obs[column]
    if isinstance(node, h5py.Group):
        if "codes" in node and "categories" in node:
            return np.asarray(node["codes"][()], dtype=np.int64), _text(node["categories"][()])
        return None
    ref = node.attrs.get("categories")
    if isinstance(ref, h5py.Reference):
        return np.asarray(node[()], dtype=np.int64), _text(obs.file[ref][()])
    return None


def read_h5ad(path: Path, label_column: str | None = None, matrix: str = "X") -> H5ad:
    """Read ``matrix`` (``'X'``, ``'raw/X'``, ``'layers/NAME'``) and a categorical obs column.

    ``label_column=None`` takes the first of ``LABEL_CANDIDATES`` present in ``obs``.
    """
    import h5py

    from ..files import open_hdf5

    where = str(path)
    with open_hdf5(path, "; give an AnnData .h5ad file") as fh:
        obs = fh.get("obs")
        if not isinstance(obs, h5py.Group):
            raise DataError(
                f"{where}: 'obs' is not a group (an anndata < 0.7 file?); re-save it with a current anndata"
            )
        if matrix not in fh:
            raise DataError(f"{where}: no matrix '{matrix}'; the file has: {', '.join(fh.keys())}")
        x = _matrix(fh[matrix], where)
        var_group = fh["raw/var"] if matrix.startswith("raw/") and "raw/var" in fh else fh.get("var")
        var_names = _index_names(var_group, where) if isinstance(var_group, h5py.Group) else []
        columns = [c for c in obs.keys() if not c.startswith("__")]
        if label_column is None:
            label_column = next((c for c in LABEL_CANDIDATES if c in obs), None)
            if label_column is None:
                raise DataError(
                    f"{where}: no label column in obs (looked for {', '.join(LABEL_CANDIDATES)}); "
                    f"name one of: {', '.join(columns)}"
                )
        elif label_column not in obs:
            raise DataError(f"{where}: no obs column '{label_column}'; columns are: {', '.join(columns)}")
        cat = _categorical(obs, label_column, where)
        if cat is None:
            raise DataError(f"{where}: obs column '{label_column}' is not categorical; name a cell-type column")
        codes, categories = cat
    if x.ndim != 2 or len(x) != len(codes):
        raise DataError(f"{where}: matrix '{matrix}' has shape {x.shape} but obs has {len(codes)} cells")
    if var_names and len(var_names) != x.shape[1]:
        var_names = []
    if codes.size and (codes.max() >= len(categories) or codes.min() < -1):
        raise DataError(f"{where}: obs '{label_column}' codes exceed its {len(categories)} categories")
    return H5ad(x, codes, categories, var_names, matrix, label_column)
