"""Training-time series augmentation (data/augment.py): each transform's maths, and off = identity."""

from __future__ import annotations

import numpy as np
import pytest

from edgesnn.data import Dataset
from edgesnn.data.augment import SeriesAugment, batch_augment
from edgesnn.errors import UsageError


def _ramp(B: int = 4, C: int = 3, L: int = 11) -> np.ndarray:
    return np.tile(np.arange(L, dtype=np.float32), (B, C, 1)) + 100 * np.arange(C, dtype=np.float32)[None, :, None]


def test_off_is_identity():
    x = _ramp()
    assert SeriesAugment()(x, np.random.default_rng(0)) is x
    assert not SeriesAugment().active


def test_shift_moves_frames_and_repeats_the_edge():
    x = _ramp(B=64)
    y = SeriesAugment(shift=3)(x, np.random.default_rng(1))
    shifts = set()
    for b in range(len(x)):
        k = int(round(x[b, 0, 5] - y[b, 0, 5]))  # frame t now holds frame t - k
        shifts.add(k)
        np.testing.assert_allclose(y[b], x[b][:, np.clip(np.arange(11) - k, 0, 10)])
    assert shifts == {-3, -2, -1, 0, 1, 2, 3}
    assert np.array_equal(x, _ramp(B=64))  # the input is not changed


def test_stretch_scales_time_about_the_centre():
    x = _ramp(B=32, C=1, L=21)
    y = SeriesAugment(stretch=0.2)(x, np.random.default_rng(2))
    centre = 10.0
    for b in range(len(x)):
        f = (y[b, 0, 15] - centre) / 5.0  # a ramp maps t to p(t) = (t - c)·f + c
        assert np.exp(-0.2) - 1e-5 <= f <= np.exp(0.2) + 1e-5
        want = np.clip((np.arange(21) - centre) * f + centre, 0, 20)
        np.testing.assert_allclose(y[b, 0], want, atol=1e-4)


def test_gain_noise_and_masks():
    x = np.ones((200, 6, 30), np.float32)
    g = SeriesAugment(gain=0.5)(x, np.random.default_rng(3))
    assert np.allclose(g, g[:, :, :1])  # one gain per sample and channel
    assert np.exp(-0.5) - 1e-6 <= g.min() and g.max() <= np.exp(0.5) + 1e-6 and g.std() > 0.1
    n = SeriesAugment(noise=0.3)(x, np.random.default_rng(4)) - x
    assert abs(n.mean()) < 0.01 and abs(n.std() - 0.3) < 0.01
    f = SeriesAugment(freq_mask=2)(x, np.random.default_rng(5))
    zero_channels = (f == 0).all(-1).sum(-1)  # channels masked over all frames, per sample
    assert set(zero_channels) == {0, 1, 2} and ((f == 0) | (f == 1)).all()
    t = SeriesAugment(time_mask=4)(x, np.random.default_rng(6))
    zero_frames = (t == 0).all(1).sum(-1)
    assert set(zero_frames) == {0, 1, 2, 3, 4}
    spans = [np.flatnonzero((t[b] == 0).all(0)) for b in range(len(t))]
    assert all(len(s) == 0 or s[-1] - s[0] == len(s) - 1 for s in spans)  # one consecutive span


def test_same_rng_same_batch():
    aug = SeriesAugment(shift=2, stretch=0.1, gain=0.2, noise=0.1, freq_mask=1, time_mask=3)
    x = _ramp()
    a = aug(x, np.random.default_rng([0, 1, 2]))
    b = aug(x, np.random.default_rng([0, 1, 2]))
    assert np.array_equal(a, b) and not np.array_equal(a, x)


def test_batch_augment_picks_series_inputs_and_refuses_static_data():
    hp = {"aug_shift": 2, "aug_noise": 0.0}
    series = Dataset("s", np.zeros((4, 2, 9), np.float32), np.arange(4) % 2, ["a", "b"], "timeseries")
    assert isinstance(batch_augment(hp, series), SeriesAugment)
    assert batch_augment({"aug_shift": 0}, series) is None
    both = Dataset(
        "m",
        {"image": np.zeros((4, 1, 4, 4), np.float32), "audio": _ramp(4, 2, 9)},
        np.arange(4) % 2,
        ["a", "b"],
    )
    f = batch_augment({"aug_noise": 0.5}, both)
    out = f({"image": both.x["image"], "audio": both.x["audio"]}, np.random.default_rng(0))
    assert np.array_equal(out["image"], both.x["image"]) and not np.array_equal(out["audio"], both.x["audio"])
    images = Dataset("i", np.zeros((4, 1, 4, 4), np.float32), np.arange(4) % 2, ["a", "b"], "image")
    with pytest.raises(UsageError, match="aug_shift=2: augmentation applies to time series"):
        batch_augment(hp, images)
