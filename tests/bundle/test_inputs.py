"""Raw input checks and loaders: one-line errors for wrong features, NaN, bad files."""

from __future__ import annotations

import numpy as np
import pytest

from edgesnn.errors import DataError, ShapeError
from edgesnn.runner import Bundle, load_raw
from edgesnn.runner.inputs import check_samples


def test_shapes_accepted_for_one_feature_shape():
    fs = (1, 8, 8)
    assert check_samples(np.zeros((5, 1, 8, 8)), fs).shape == (5, 1, 8, 8)
    assert check_samples(np.zeros((5, 64)), fs).shape == (5, 1, 8, 8)  # flat CSV rows
    assert check_samples(np.zeros((1, 8, 8)), fs).shape == (1, 1, 8, 8)  # one sample
    assert check_samples(np.zeros(4), (4,)).shape == (1, 4)


@pytest.mark.parametrize("shape", [(5, 63), (5, 65), (5, 8, 8), (64,), (5, 2, 8, 8)])
def test_wrong_number_of_features_is_a_one_line_shape_error(shape):
    with pytest.raises(ShapeError, match=r"the bundle's model expects samples \[1, 8, 8\] \(64 values\)") as err:
        check_samples(np.zeros(shape), (1, 8, 8))
    assert "\n" not in str(err.value)


def test_nan_and_non_numeric_are_data_errors():
    x = np.zeros((3, 4))
    x[1, 2] = np.nan
    with pytest.raises(DataError, match=r"1 NaN/inf values \(first at index \[1, 2\]\)"):
        check_samples(x, (4,))
    with pytest.raises(DataError, match="dtype"):
        check_samples(np.array([["a", "b"]]), (2,))
    with pytest.raises(ShapeError, match="no samples"):
        check_samples(np.zeros((0, 4)), (4,))


def test_predict_refuses_bad_raw_input(digits_bundle):
    with Bundle.open(digits_bundle) as bundle:
        with pytest.raises(ShapeError, match="63 values per sample"):
            bundle.predict(np.zeros((2, 63)))
        bad = np.zeros((2, 64))
        bad[0, 0] = np.inf
        with pytest.raises(DataError, match="NaN/inf"):
            bundle.predict(bad)


def test_csv_and_npy_loaders(tmp_path):
    csv = tmp_path / "raw.csv"
    csv.write_text("a,b,c\n1,2,3\n4,5,6.5\n")
    np.testing.assert_array_equal(load_raw(csv), [[1, 2, 3], [4, 5, 6.5]])
    npy = tmp_path / "raw.npy"
    np.save(npy, np.ones((2, 3), np.float32))
    assert load_raw(npy).shape == (2, 3)
    (tmp_path / "ragged.csv").write_text("1,2,3\n4,5\n")
    with pytest.raises(ShapeError, match="different lengths"):
        load_raw(tmp_path / "ragged.csv")
    (tmp_path / "text.csv").write_text("1,2\nx,y\n")
    with pytest.raises(DataError, match="line 2"):
        load_raw(tmp_path / "text.csv")
    (tmp_path / "raw.json").write_text("{}")
    with pytest.raises(DataError, match="unknown file type"):
        load_raw(tmp_path / "raw.json")
    with pytest.raises(DataError, match="does not exist"):
        load_raw(tmp_path / "missing.npy")
