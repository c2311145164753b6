"""Top-k class selection, stratified splits, and ``prepare``'s spec."""

import json

import numpy as np
import pytest

from edgesnn.data import Dataset, keep_top_k_classes, load_dataset, prepare, split
from edgesnn.errors import DataError, UsageError


def toy(counts):
    y = np.concatenate([np.full(c, i) for i, c in enumerate(counts)])
    x = np.arange(len(y), dtype=np.float32)[:, None]
    return Dataset("toy", x, y, [f"c{i}" for i in range(len(counts))])


def test_top_k_keeps_most_frequent_ties_by_index():
    ds = toy([5, 9, 5, 2, 9])
    top = keep_top_k_classes(ds, 3)
    # 9, 9, then the tie 5/5 goes to the lower index (c0); relabelled in original order
    assert top.classes == ["c0", "c1", "c4"]
    assert top.class_counts() == {"c0": 5, "c1": 9, "c4": 9}
    assert top.y.min() == 0 and top.y.max() == 2
    # features travel with their labels: class c4 held x = 21..29
    np.testing.assert_array_equal(top.x[top.y == 2, 0], np.arange(21, 30))
    assert keep_top_k_classes(ds, 5) is ds
    with pytest.raises(UsageError, match="top_k=1"):
        keep_top_k_classes(ds, 1)


def test_stratified_proportions():
    ds = load_dataset("digits")
    s = split(ds, seed=0)
    n = len(ds)
    assert len(s.test) == pytest.approx(0.2 * n, abs=1)
    assert len(s.val) == pytest.approx(0.15 * n, abs=2)
    assert len(s.train) + len(s.val) + len(s.test) == n
    all_idx = np.concatenate([s.indices[k] for k in ("train", "val", "test")])
    assert len(np.unique(all_idx)) == n  # disjoint and complete
    overall = np.bincount(ds.y) / n
    for part in (s.train, s.val, s.test):
        np.testing.assert_allclose(np.bincount(part.y) / len(part), overall, atol=0.02)
    assert sum(s.class_counts["test"].values()) == len(s.test)
    assert set(s.class_counts) == {"train", "val", "test"}


def test_same_seed_same_split_other_seed_differs():
    ds = load_dataset("wine")
    a, b, c = split(ds, 7), split(ds, 7), split(ds, 8)
    for k in ("train", "val", "test"):
        np.testing.assert_array_equal(a.indices[k], b.indices[k])
    np.testing.assert_array_equal(a.train.x, b.train.x)
    assert not np.array_equal(a.indices["test"], c.indices["test"])


def test_split_errors():
    ds = load_dataset("iris")
    with pytest.raises(UsageError, match="val=0.5, test=0.5"):
        split(ds, 0, val=0.5, test=0.5)
    empty_val = split(ds, 0, val=0.0, test=0.2)
    assert len(empty_val.val) == 0 and empty_val.val.feature_shape == (4,)
    with pytest.raises(DataError) as exc:
        split(toy([30, 1, 30]), 0)
    assert "smallest class 'c1' has 1 samples" in str(exc.value)


def test_split_defaults_are_defined_once():
    """split, raw_splits, prepare and a bundle's replay of a spec without fractions share one default."""
    import inspect

    from edgesnn.data.prepare import raw_splits
    from edgesnn.data.splits import TEST_FRACTION, VAL_FRACTION

    for fn in (split, raw_splits, prepare):
        params = inspect.signature(fn).parameters
        assert (params["val"].default, params["test"].default) == (VAL_FRACTION, TEST_FRACTION), fn.__name__
    assert split(toy([40, 40]), 0).fractions == {"val": VAL_FRACTION, "test": TEST_FRACTION}


def test_prepare_spec_is_json_and_complete():
    prep = prepare("breast_cancer", seed=5, val=0.1, test=0.25)
    spec = json.loads(json.dumps(prep.spec))
    assert spec["dataset"] == "breast_cancer" and spec["seed"] == 5
    assert spec["feature_shape"] == [30] and spec["classes"] == ["malignant", "benign"]
    assert spec["split"] == {"val": 0.1, "test": 0.25}
    assert sum(spec["class_counts"]["train"].values()) == len(prep.train)
    assert len(spec["preprocessing"]["offset"]) == 30
    for part in (prep.train, prep.val, prep.test):
        assert part.x.dtype == np.float32 and 0.0 <= part.x.min() and part.x.max() <= 1.0


def test_prepare_top_k_and_timeseries_per_channel():
    prep = prepare("digits_rows", seed=0, top_k=4)
    assert prep.train.n_classes == 4 and prep.spec["top_k"] == 4
    assert prep.spec["preprocessing"]["per"] == "channel"
    assert prep.spec["kind"] == "timeseries" and prep.spec["feature_shape"] == [8, 8]
    with pytest.raises(UsageError, match="unknown preprocessing"):
        prepare("wine", 0, preprocess="standard")


def test_prepare_user_csv_records_its_path(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "sensor.csv"
    rows = ["a,b,Activity"] + [
        f"{rng.normal():.4f},{rng.normal() * 100:.4f},{['walk', 'sit'][i % 2]}" for i in range(40)
    ]
    path.write_text("\n".join(rows) + "\n")
    prep = prepare(path, seed=1, label_column="Activity")
    assert prep.spec["source"] == str(path.resolve()) and prep.spec["label_column"] == "Activity"
    assert prep.spec["classes"] == ["sit", "walk"] and len(prep.test) == 8
    assert prep.train.x.max() == 1.0 and prep.train.x.min() == 0.0
