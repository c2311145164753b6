"""Preprocessing maths by hand, JSON round trip, and that it is fitted on train only."""

import json

import numpy as np
import pytest

from edgesnn.data import Preprocessor, load_dataset, prepare
from edgesnn.errors import DataError, ShapeError, UsageError

# three samples, three features; the last feature is constant
X = np.array([[1.0, 10.0, 5.0], [2.0, 30.0, 5.0], [4.0, 20.0, 5.0]])


def test_zscore_then_minmax_by_hand():
    mu = X.mean(axis=0)
    sigma = X.std(axis=0)
    z = np.zeros_like(X)
    z[:, :2] = (X[:, :2] - mu[:2]) / sigma[:2]
    u = np.zeros_like(X)
    u[:, :2] = (z[:, :2] - z[:, :2].min(0)) / (z[:, :2].max(0) - z[:, :2].min(0))
    out = Preprocessor("zscore-minmax").fit_transform(X)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, u, atol=1e-6)
    # written out: feature 0 is (x - 1) / 3, feature 1 (x - 10) / 20, constant feature -> 0
    np.testing.assert_allclose(out, [[0, 0, 0], [1 / 3, 1, 0], [1, 0.5, 0]], atol=1e-6)


def test_minmax_alone_and_unseen_values_clipped():
    pre = Preprocessor("minmax").fit(X)
    np.testing.assert_allclose(pre.transform(X), [[0, 0, 0], [1 / 3, 1, 0], [1, 0.5, 0]], atol=1e-6)
    unseen = pre.transform(np.array([[-5.0, 40.0, 9.0], [2.5, 15.0, 5.0]]))
    np.testing.assert_allclose(unseen, [[0, 1, 0], [0.5, 0.25, 0]], atol=1e-6)
    # zscore-minmax is the same affine map up to rounding
    np.testing.assert_allclose(Preprocessor().fit(X).transform(X), pre.transform(X), atol=1e-12)


def test_none_kind_checks_range():
    pre = Preprocessor("none").fit(np.array([[0.0, 0.5], [1.0, 0.25]]))
    np.testing.assert_array_equal(pre.transform(np.array([[0.3, 0.7]])), np.float32([[0.3, 0.7]]))
    with pytest.raises(DataError, match="'none' needs data in \\[0, 1\\]"):
        Preprocessor("none").fit(X)


def test_per_channel_pools_over_time():
    x = np.array([[[0.0, 2.0, 4.0], [10.0, 10.0, 10.0]], [[1.0, 3.0, 8.0], [10.0, 11.0, 12.0]]])  # [2, 2, 3]
    pre = Preprocessor("minmax", per="channel").fit(x)
    assert pre.offset.shape == (2, 1)
    np.testing.assert_allclose(pre.transform(x)[0], [[0, 0.25, 0.5], [0, 0, 0]], atol=1e-6)


def test_to_dict_is_small_json_and_reapplies_exactly():
    rng = np.random.default_rng(1)
    x = rng.normal(3.0, 2.0, size=(100, 64))
    pre = Preprocessor().fit(x)
    d = pre.to_dict()
    text = json.dumps(d)
    assert len(text) < 4096 and len(d["offset"]) == 64 and len(d["scale"]) == 64
    again = Preprocessor.from_dict(json.loads(text))
    raw = rng.normal(3.0, 2.0, size=(7, 64))
    np.testing.assert_array_equal(again.transform(raw), pre.transform(raw))


def test_errors():
    with pytest.raises(UsageError, match="unknown preprocessing 'zscore-max'"):
        Preprocessor("zscore-max")
    with pytest.raises(UsageError, match="fit"):
        Preprocessor().transform(X)
    pre = Preprocessor().fit(X)
    with pytest.raises(ShapeError, match="got x of shape"):
        pre.transform(np.zeros((2, 4)))
    with pytest.raises(DataError, match="malformed"):
        Preprocessor.from_dict({"kind": "minmax"})


def test_prepare_fits_on_train_only():
    prep = prepare("wine", seed=3)
    assert prep.spec["preprocessing"]["kind"] == "zscore-minmax"
    # recompute the statistics from the raw training rows: they, not all rows, define the scale
    raw = load_dataset("wine")
    train_idx = prep.splits.indices["train"]
    lo, hi = raw.x[train_idx].min(0), raw.x[train_idx].max(0)
    np.testing.assert_allclose(prep.preprocessor.offset, lo, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(prep.preprocessor.scale, 1.0 / (hi - lo), rtol=1e-5)
    assert prep.train.x.min() == 0.0 and prep.train.x.max() == 1.0
    assert (raw.x.min(0) < lo).any() or (raw.x.max(0) > hi).any()  # test rows outside the train range...
    assert 0.0 <= prep.test.x.min() and prep.test.x.max() <= 1.0  # ...are clipped


def test_zscore_is_signed_and_unclipped():
    """Series fed as current: (x − μ)/σ per channel with training statistics, not clipped."""
    x = np.random.default_rng(2).normal(3.0, 2.0, (40, 3, 25))
    pre = Preprocessor("zscore", per="channel").fit(x)
    u = pre.transform(x)
    np.testing.assert_allclose(u.mean(axis=(0, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(u.std(axis=(0, 2)), 1, atol=1e-5)
    far = pre.transform(x + 100)
    assert far.max() > 10  # unseen values keep their size
    assert Preprocessor.from_dict(pre.to_dict()).transform(x).tolist() == u.tolist()
