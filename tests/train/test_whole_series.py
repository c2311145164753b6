"""A 1-D CNN convolves over a series' length: on a time series it sees the whole series every
step (encoder ``static`` by default), and a frame-by-frame encoder is refused in one line
(it used to reach torch's conv with frames and fail with a shape traceback)."""

import pytest

from edgesnn.errors import UsageError
from edgesnn.models.hparams import default_encoder, family_taking
from edgesnn.train import train


def test_default_encoder_by_family():
    assert default_encoder((6, 100)) == "direct"  # one branch of a multi-input model
    assert default_encoder((6, 100), "rnn") == "direct_delta"
    assert default_encoder((6, 100), "cnn1d") == "static"
    assert default_encoder((64,), "cnn1d") == "rate"


def test_cnn1d_on_a_series_trains_on_the_whole_series():
    result = train("basic_motions", "wearable", model="cnn1d", epochs=1, seed=0)
    assert result.hp["encoder"] == "static"
    assert result.model.input_shape == (6, 100)
    assert 0.0 <= result.metrics["test_acc"] <= 1.0


def test_cnn1d_with_a_frame_encoder_is_a_usage_error():
    with pytest.raises(UsageError, match="one frame per step; use --set encoder=static"):
        train("basic_motions", "wearable", model="cnn1d", overrides={"encoder": "direct"}, epochs=1, seed=0)


def test_overrides_are_checked_against_a_family_that_takes_them_before_the_data_picks_one():
    assert family_taking({"branch_hidden": 16, "fuse": "add"}) == "fusion2"
    assert family_taking({"hidden": [8]}) == "mlp" and family_taking(None) == "mlp"
    assert family_taking({"bogus": 1}) == "mlp"  # whose error then names the unknown key
    with pytest.raises(UsageError, match="no hyper-parameter 'bogus'"):
        train("digits", "wearable", overrides={"bogus": 1}, epochs=1)
