"""Built-in datasets, user-file round trips (CSV, NPZ, HDF5) and every bad-input error."""

import csv
import os

import h5py
import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits, load_wine

from edgesnn.data import BUILTINS, Dataset, labels_to_indices, load_dataset
from edgesnn.errors import DataError, ShapeError, UsageError
from edgesnn.testing.messages import one_line

# ---------------------------------------------------------------- built-ins


@pytest.mark.parametrize(
    "name, shape, kind, n_classes, n",
    [
        ("digits", (1, 8, 8), "image", 10, 1797),
        ("digits_rows", (8, 8), "timeseries", 10, 1797),
        ("breast_cancer", (30,), "vector", 2, 569),
        ("wine", (13,), "vector", 3, 178),
        ("iris", (4,), "vector", 3, 150),
    ],
)
def test_builtin_shapes(name, shape, kind, n_classes, n):
    ds = load_dataset(name)
    assert ds.feature_shape == shape and ds.kind == kind
    assert ds.n_classes == n_classes and len(ds) == n
    assert ds.x.dtype == np.float32 and ds.y.dtype == np.int64
    assert set(np.unique(ds.y)) == set(range(n_classes))
    assert np.isfinite(ds.x).all()


def test_builtins_hold_the_real_values():
    digits, ref = load_dataset("digits"), load_digits()
    np.testing.assert_array_equal(digits.x[:, 0], ref.images)
    np.testing.assert_array_equal(digits.y, ref.target)
    rows = load_dataset("digits_rows")
    # channel c at time t is image column c of row t
    np.testing.assert_array_equal(rows.x[5, 2, 6], ref.images[5, 6, 2])
    bc = load_dataset("breast_cancer")
    np.testing.assert_allclose(bc.x, load_breast_cancer().data, rtol=1e-6)
    assert bc.classes == ["malignant", "benign"]
    wine = load_dataset("wine")
    assert wine.x[0, 0] == pytest.approx(14.23)  # alcohol of the first wine
    assert {
        "breast_cancer",
        "digits",
        "digits_rows",
        "iris",
        "wine",
        "basic_motions",
        "japanese_vowels",
        "pickup_gesture",
        "pbmc68k",
        "mnist",
        "spoken_digits",
    } <= set(BUILTINS)


def test_unknown_builtin_name_suggests():
    with pytest.raises(UsageError) as exc:
        load_dataset("wines")
    one_line(exc, "unknown dataset 'wines'", "did you mean 'wine'", "digits")


def test_label_column_on_builtin_is_refused():
    with pytest.raises(UsageError, match="label_column"):
        load_dataset("wine", label_column="label")


# ---------------------------------------------------------------- round trips


def write_csv(path, header, rows):
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_csv_round_trip_from_sklearn_wine(tmp_path):
    wine = load_wine()
    names = list(wine.feature_names)
    labels = [wine.target_names[t] for t in wine.target]
    rows = [[*map(repr, map(float, r)), lab] for r, lab in zip(wine.data, labels)]
    path = write_csv(tmp_path / "wine.csv", [*names, "class"], rows)
    ds = load_dataset(path)
    assert ds.name == "wine" and ds.kind == "vector" and ds.feature_shape == (13,)
    assert ds.classes == ["class_0", "class_1", "class_2"]  # string labels, sorted
    np.testing.assert_allclose(ds.x, wine.data, rtol=1e-6)
    np.testing.assert_array_equal(ds.y, wine.target)


def test_csv_label_column_anywhere_and_string_labels_sorted(tmp_path):
    rows = [[lab, i, i * 2.5] for i, lab in enumerate(["b", "a", "c"] * 3)]
    path = write_csv(tmp_path / "t.csv", ["Species", "f1", "f2"], rows)
    ds = load_dataset(str(path), label_column="Species")
    assert ds.classes == ["a", "b", "c"]
    np.testing.assert_array_equal(ds.y[:3], [1, 0, 2])
    np.testing.assert_allclose(ds.x[1], [1.0, 2.5])


def test_csv_numeric_labels_keep_their_names(tmp_path):
    rows = [[i, i % 3 + 1] for i in range(9)]
    ds = load_dataset(write_csv(tmp_path / "n.csv", ["f", "Target"], rows))
    assert ds.classes == ["1", "2", "3"]
    np.testing.assert_array_equal(ds.y[:3], [0, 1, 2])


def test_npz_timeseries_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, 3, 20)).astype(np.float32)
    y = np.repeat(["walk", "run", "sit"], 4)
    np.savez(tmp_path / "ts.npz", x=x, y=y)
    ds = load_dataset(tmp_path / "ts.npz")
    assert ds.kind == "timeseries" and ds.feature_shape == (3, 20)
    assert ds.classes == ["run", "sit", "walk"]
    np.testing.assert_array_equal(ds.x, x)
    np.testing.assert_array_equal(ds.y, [2] * 4 + [0] * 4 + [1] * 4)


def test_npz_integer_labels_with_class_names(tmp_path):
    x = np.arange(18, dtype=np.float64).reshape(9, 2)
    np.savez(tmp_path / "v.npz", X=x, y=np.array([2, 0, 1] * 3), classes=np.array(["zero", "one", "two"]))
    ds = load_dataset(tmp_path / "v.npz")
    assert ds.classes == ["zero", "one", "two"]
    np.testing.assert_array_equal(ds.y[:3], [2, 0, 1])


def test_hdf5_image_round_trip(tmp_path):
    digits = load_digits()
    x, y = digits.images[:60, None], digits.target[:60]
    with h5py.File(tmp_path / "img.h5", "w") as f:
        f["X"] = x
        f["y"] = y
    ds = load_dataset(tmp_path / "img.h5")
    assert ds.kind == "image" and ds.feature_shape == (1, 8, 8)
    np.testing.assert_array_equal(ds.x, x)
    np.testing.assert_array_equal(ds.y, y)


def test_hdf5_string_labels(tmp_path):
    with h5py.File(tmp_path / "s.hdf5", "w") as f:
        f["x"] = np.arange(12.0).reshape(6, 2)
        f["y"] = np.array([b"on", b"off"] * 3)
    ds = load_dataset(tmp_path / "s.hdf5")
    assert ds.classes == ["off", "on"]
    np.testing.assert_array_equal(ds.y, [1, 0] * 3)


# ---------------------------------------------------------------- bad input


def test_missing_file(tmp_path):
    with pytest.raises(DataError) as exc:
        load_dataset(tmp_path / "nope.csv")
    one_line(exc, "nope.csv", "file not found")


def test_unreadable_npz_and_hdf5(tmp_path):
    for name in ("bad.npz", "bad.h5"):
        (tmp_path / name).write_bytes(b"this is not the right format at all")
        with pytest.raises(DataError) as exc:
            load_dataset(tmp_path / name)
        one_line(exc, name, "cannot")


def test_unreadable_csv_and_directory(tmp_path):
    (tmp_path / "latin.csv").write_bytes(b"a,label\n\xff\xfe,0\n")
    with pytest.raises(DataError) as exc:
        load_dataset(tmp_path / "latin.csv")
    one_line(exc, "latin.csv", "cannot read")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(DataError) as exc:
        load_dataset(tmp_path / "dir.csv")
    one_line(exc, "dir.csv", "directory")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_permissions(tmp_path):
    path = write_csv(tmp_path / "locked.csv", ["f", "label"], [[1, 0]])
    path.chmod(0)
    with pytest.raises(DataError) as exc:
        load_dataset(path)
    one_line(exc, "locked.csv", "cannot read")


def test_unknown_extension(tmp_path):
    (tmp_path / "data.txt").write_text("a,b\n1,2\n")
    with pytest.raises(DataError) as exc:
        load_dataset(tmp_path / "data.txt")
    one_line(exc, "data.txt", "'.txt'", ".csv", ".npz", ".h5")


def test_csv_without_label_column_lists_columns(tmp_path):
    path = write_csv(tmp_path / "nolabel.csv", ["a", "b", "kind"], [[1, 2, 0]] * 9)
    with pytest.raises(DataError) as exc:
        load_dataset(path)
    one_line(exc, "nolabel.csv", "no label column", "a, b, kind")
    with pytest.raises(DataError) as exc:
        load_dataset(path, label_column="knd")
    one_line(exc, "'knd'", "did you mean 'kind'")


def test_csv_non_numeric_feature_names_the_column(tmp_path):
    rows = [[1.0, "x" if i == 4 else 2.0, i % 3] for i in range(9)]
    path = write_csv(tmp_path / "text.csv", ["good", "height", "label"], rows)
    with pytest.raises(DataError) as exc:
        load_dataset(path)
    one_line(exc, "text.csv", "column 'height'", "'x'", "row 5")


def test_csv_missing_cell_and_ragged_row(tmp_path):
    rows = [[1.0, "" if i == 2 else 2.0, i % 3] for i in range(9)]
    with pytest.raises(DataError) as exc:
        load_dataset(write_csv(tmp_path / "hole.csv", ["a", "b", "label"], rows))
    one_line(exc, "column 'b'", "missing value")
    (tmp_path / "rag.csv").write_text("a,b,label\n1,2,0\n1,0\n")
    with pytest.raises(DataError) as exc:
        load_dataset(tmp_path / "rag.csv")
    one_line(exc, "rag.csv", "data row 2 has 2 fields")


def test_single_class(tmp_path):
    path = write_csv(tmp_path / "one.csv", ["f", "label"], [[i, "cat"] for i in range(10)])
    with pytest.raises(DataError) as exc:
        load_dataset(path)
    one_line(exc, "one.csv", "only one class ('cat')")


def test_nan_and_inf_counted_and_located(tmp_path):
    rows = [[1.0, 2.0, i % 3] for i in range(9)]
    rows[3][1], rows[7][0] = "nan", "inf"
    with pytest.raises(DataError) as exc:
        load_dataset(write_csv(tmp_path / "nan.csv", ["p", "q", "label"], rows))
    one_line(exc, "nan.csv", "2 NaN/inf", "2 sample(s)", "sample 3", "column 'q'")
    x = np.ones((9, 2, 4))
    x[5, 1, 2] = np.nan
    np.savez(tmp_path / "nan.npz", x=x, y=np.arange(9) % 3)
    with pytest.raises(DataError) as exc:
        load_dataset(tmp_path / "nan.npz")
    one_line(exc, "nan.npz", "1 NaN/inf", "sample 5", "(1, 2)")


def test_too_few_samples_per_class(tmp_path):
    path = write_csv(tmp_path / "few.csv", ["f", "label"], [[i, i % 3] for i in range(8)])
    with pytest.raises(DataError) as exc:
        load_dataset(path)
    one_line(exc, "few.csv", "8 samples for 3 classes", "at least 9")


def test_length_mismatch(tmp_path):
    np.savez(tmp_path / "mm.npz", x=np.zeros((10, 4)), y=np.arange(9) % 3)
    with pytest.raises(DataError) as exc:
        load_dataset(tmp_path / "mm.npz")
    one_line(exc, "mm.npz", "10 samples", "9 labels")


def test_empty_files(tmp_path):
    for name in ("empty.csv", "empty.npz", "empty.h5"):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(DataError) as exc:
            load_dataset(tmp_path / name)
        one_line(exc, name, "empty")
    (tmp_path / "header.csv").write_text("a,b,label\n")
    with pytest.raises(DataError) as exc:
        load_dataset(tmp_path / "header.csv")
    one_line(exc, "header.csv", "no data rows")
    np.savez(tmp_path / "zero.npz", x=np.zeros((0, 3)), y=np.zeros(0, dtype=int))
    with pytest.raises(DataError) as exc:
        load_dataset(tmp_path / "zero.npz")
    one_line(exc, "zero.npz", "no samples")


def test_npz_missing_arrays_and_object_labels(tmp_path):
    np.savez(tmp_path / "keys.npz", features=np.zeros((9, 2)), y=np.arange(9) % 3)
    with pytest.raises(DataError) as exc:
        load_dataset(tmp_path / "keys.npz")
    one_line(exc, "keys.npz", "no feature array", "features")
    np.savez(tmp_path / "obj.npz", x=np.zeros((9, 2)), y=np.array(["a", 1, "b"] * 3, dtype=object))
    with pytest.raises(DataError) as exc:
        load_dataset(tmp_path / "obj.npz")
    one_line(exc, "obj.npz", "object arrays")


def test_channel_last_images_refused(tmp_path):
    np.savez(tmp_path / "hwc.npz", x=np.zeros((9, 8, 8, 3)), y=np.arange(9) % 3)
    with pytest.raises(ShapeError) as exc:
        load_dataset(tmp_path / "hwc.npz")
    one_line(exc, "hwc.npz", "channel-last", "transpose(0, 3, 1, 2)")


def test_dataset_record_checks_itself():
    with pytest.raises(ShapeError, match="labels must lie in 0..1"):
        Dataset("d", np.zeros((3, 2)), np.array([0, 1, 2]), ["a", "b"])
    with pytest.raises(ShapeError, match="needs x with 4 dims"):
        Dataset("d", np.zeros((3, 2)), np.array([0, 1, 0]), ["a", "b"], kind="image")
    y, names = labels_to_indices(np.array([3.0, 1.0, 2.0, 1.0]))
    assert names == ["1", "2", "3"] and y.tolist() == [2, 0, 1, 0]
