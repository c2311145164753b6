"""Named inputs (built-in pairs and user files), padding of variable-length series, official splits."""

import numpy as np
import pytest

from edgesnn.data import load_dataset, prepare, split
from edgesnn.errors import DataError, ShapeError


@pytest.fixture(scope="module")
def digits_spoken():
    return load_dataset("digits_spoken")


def test_digits_spoken_pairs_by_class_with_unseen_voices_in_test(digits_spoken):
    ds = digits_spoken
    audio = load_dataset("spoken_digits")
    assert ds.kind == "multimodal" and ds.feature_shape == {"audio": (13, 50), "image": (1, 8, 8)}
    assert len(ds) == 1797 and ds.n_classes == 10
    # every pair's clip is a clip of the same class; test images take only test-voice clips
    index = {clip.tobytes(): i for i, clip in enumerate(audio.x)}
    source = np.array([index[c.tobytes()] for c in ds.x["audio"]])
    assert (audio.y[source] == ds.y).all()
    assert (audio.test_mask[source] == ds.test_mask).all() and 0.15 < ds.test_mask.mean() < 0.25
    parts = split(ds, seed=0)
    assert len(parts.test) == ds.test_mask.sum() and len(parts.train) + len(parts.val) == (~ds.test_mask).sum()


def test_prepare_scales_each_input_as_its_kind(digits_spoken):
    prep = prepare("digits_spoken", seed=0)
    assert {k: v["kind"] for k, v in prep.spec["preprocessing"]["inputs"].items()} == {
        "audio": "zscore",
        "image": "zscore-minmax",
    }
    img, aud = prep.train.x["image"], prep.train.x["audio"]
    assert img.min() >= 0 and img.max() <= 1
    np.testing.assert_allclose(aud.mean(axis=(0, 2)), 0, atol=1e-4)  # per channel, training statistics
    np.testing.assert_allclose(aud.std(axis=(0, 2)), 1, atol=1e-3)


def test_user_npz_with_named_inputs_and_lengths(tmp_path):
    rng = np.random.default_rng(0)
    n = 30
    path = tmp_path / "two.npz"
    np.savez(path, x_image=rng.random((n, 1, 4, 4)), x_audio=rng.random((n, 3, 9)), y=np.arange(n) % 3)
    ds = load_dataset(path)
    assert ds.kind == "multimodal" and ds.feature_shape == {"audio": (3, 9), "image": (1, 4, 4)}
    series = rng.normal(size=(n, 2, 10))
    lengths = rng.integers(3, 11, n)
    series = np.where((np.arange(10)[None, :] >= lengths[:, None])[:, None, :], 0.0, series)
    np.savez(tmp_path / "var.npz", x=series, y=np.arange(n) % 3, lengths=lengths)
    var = load_dataset(tmp_path / "var.npz")
    np.testing.assert_array_equal(var.lengths, lengths)


def test_nan_padding_and_mismatched_inputs_are_one_line_errors(tmp_path):
    rng = np.random.default_rng(0)
    series = rng.normal(size=(12, 2, 8))
    series[3, :, 5:] = np.nan
    np.savez(tmp_path / "nan.npz", x=series, y=np.arange(12) % 2)
    with pytest.raises(DataError, match="padded with NaN.*5 valid frames.*'lengths' array"):
        load_dataset(tmp_path / "nan.npz")
    np.savez(
        tmp_path / "bad.npz", x_image=rng.random((12, 1, 4, 4)), x_audio=rng.random((10, 3, 9)), y=np.arange(12) % 2
    )
    with pytest.raises(DataError, match="input 'x_audio' has 10 samples but y has 12"):
        load_dataset(tmp_path / "bad.npz")
    np.savez(tmp_path / "badlen.npz", x=rng.random((12, 2, 8)), y=np.arange(12) % 2, lengths=np.full(12, 9))
    with pytest.raises(ShapeError, match="lengths must give one valid length in 1..8"):
        load_dataset(tmp_path / "badlen.npz")


def test_padding_is_zero_current_and_left_out_of_the_statistics():
    prep = prepare("japanese_vowels", seed=0)
    x, lengths = prep.train.x, prep.train.lengths
    pad = np.arange(x.shape[-1])[None, :] >= lengths[:, None]
    assert pad.any() and (x.transpose(0, 2, 1)[pad] == 0).all()
    valid = x.transpose(0, 2, 1)[~pad]  # [frames, C]: the statistics were fitted on these only
    np.testing.assert_allclose(valid.mean(0), 0, atol=1e-4)
    np.testing.assert_allclose(valid.std(0), 1, atol=1e-3)
    assert prep.spec["padded"] and prep.spec["split"]["official_test"]


def test_one_input_of_a_multimodal_dataset_keeps_samples_and_split(digits_spoken):
    from edgesnn.data import prepare

    audio = load_dataset("digits_spoken:audio")
    assert (audio.name, audio.kind, audio.feature_shape) == ("digits_spoken:audio", "timeseries", (13, 50))
    np.testing.assert_array_equal(audio.x, digits_spoken.x["audio"])
    np.testing.assert_array_equal(audio.y, digits_spoken.y)
    np.testing.assert_array_equal(audio.test_mask, digits_spoken.test_mask)
    both, one = prepare("digits_spoken", 0), prepare("digits_spoken:image", 0)
    np.testing.assert_array_equal(both.test.y, one.test.y)  # the same test pairs: a fair single-modality baseline
    np.testing.assert_allclose(both.test.x["image"], one.test.x)
    with pytest.raises(ShapeError, match="its inputs: audio, image"):
        load_dataset("digits_spoken:video")
