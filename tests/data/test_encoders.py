"""Encoders: layout, dtype, ranges, the maths on hand examples, seeds, options, numpy-only import."""

import json
import subprocess
import sys

import numpy as np
import pytest

from edgesnn.data import ENCODERS, Encoder, encode_batch, make_encoder
from edgesnn.errors import DataError, ShapeError, UsageError

X_IMG = np.random.default_rng(0).random((4, 1, 8, 8)).astype(np.float32)
X_TS = np.random.default_rng(1).random((3, 2, 12)).astype(np.float32)


@pytest.mark.parametrize("name", ["static", "rate", "frozen_rate", "latency"])
def test_layout_dtype_range_keep_feature_shape(name):
    out = encode_batch(name, X_IMG, 6, seed=0)
    assert out.shape == (6, 4, 1, 8, 8) and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert make_encoder(name).out_shape((1, 8, 8)) == (1, 8, 8)
    if name != "static":
        assert set(np.unique(out)) <= {0.0, 1.0}


def test_static_repeats_input():
    out = make_encoder("static").encode(X_IMG, 3)
    for t in range(3):
        np.testing.assert_array_equal(out[t], X_IMG)
    raw = np.array([[-2.0, 5.0]])  # a raw current is allowed
    np.testing.assert_array_equal(make_encoder("static").encode(raw, 2)[1], np.float32(raw))


def test_rate_mean_matches_x_times_gain():
    x = np.array([[0.0, 0.1, 0.3, 0.5, 0.9, 1.0]])
    out = make_encoder("rate").encode(x, 20000, np.random.default_rng(3))
    np.testing.assert_allclose(out.mean(axis=0)[0], x[0], atol=0.01)
    half = make_encoder("rate", gain=0.5).encode(x, 20000, np.random.default_rng(4))
    np.testing.assert_allclose(half.mean(axis=0)[0], 0.5 * x[0], atol=0.01)
    double = make_encoder("rate", gain=2.0).encode(x, 20000, np.random.default_rng(5))
    np.testing.assert_allclose(double.mean(axis=0)[0], np.clip(2 * x[0], 0, 1), atol=0.01)
    assert out[:, 0, 0].sum() == 0 and out[:, 0, 5].sum() == 20000  # p=0 never, p=1 always


def test_rate_reproducible_by_seed_and_needs_rng():
    a, b, c = (encode_batch("rate", X_IMG, 10, s) for s in (7, 7, 8))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    with pytest.raises(UsageError, match="default_rng"):
        make_encoder("rate").encode(X_IMG, 10)


def test_latency_exact_times():
    x = np.array([[0.02, 0.5, 1.0, 0.005, 0.3, 0.875]])
    out = make_encoder("latency").encode(x, 5)
    times = {i: np.flatnonzero(out[:, 0, i]).tolist() for i in range(x.shape[1])}
    # t = round_half_even((1 - x) * (T - 1)); x < 0.01 never fires
    assert times == {0: [4], 1: [2], 2: [0], 3: [], 4: [3], 5: [0]}
    assert out.sum(axis=0).max() == 1.0  # at most one spike per feature
    t1 = make_encoder("latency", threshold=0.0).encode(np.array([[0.0, 1.0]]), 1)
    np.testing.assert_array_equal(t1, [[[1.0, 1.0]]])  # T=1: everything fires at step 0


def test_latency_matches_snntorch():
    torch = pytest.importorskip("torch")
    spikegen = pytest.importorskip("snntorch.spikegen")
    x = np.random.default_rng(2).random((5, 17)).astype(np.float32)
    x[0, :3] = [0.0, 0.009, 0.01]
    ref = spikegen.latency(torch.from_numpy(x), num_steps=9, normalize=True, linear=True, clip=True, threshold=0.01)
    np.testing.assert_array_equal(make_encoder("latency").encode(x, 9), ref.numpy())


def test_delta_on_tiny_series():
    x = np.array([[[0.0, 0.5, 0.55, 0.2, 0.2]]])  # [B=1, C=1, L=5]
    enc = make_encoder("delta", threshold=0.1)
    out = enc.encode(x, None)
    assert out.shape == (5, 1, 2) and out.dtype == np.float32
    # changes: -, +0.5, +0.05, -0.35, 0 -> on at t=1, off at t=3
    np.testing.assert_array_equal(out[:, 0, 0], [0, 1, 0, 0, 0])
    np.testing.assert_array_equal(out[:, 0, 1], [0, 0, 0, 1, 0])
    assert enc.out_shape((1, 5)) == (2,) and enc.steps((1, 5), None) == 5
    on_only = make_encoder("delta", threshold=0.1, off_spikes=False).encode(x, 5)
    np.testing.assert_array_equal(on_only[:, 0, 0], out[:, 0, 0])
    assert on_only.shape == (5, 1, 1)


def test_delta_channels_layout_and_refusals():
    out = make_encoder("delta", threshold=0.2).encode(X_TS, 12)
    assert out.shape == (12, 3, 4)
    d = np.diff(X_TS, axis=2)
    np.testing.assert_array_equal(out[1:, :, :2], (d > 0.2).transpose(2, 0, 1))
    np.testing.assert_array_equal(out[1:, :, 2:], (-d > 0.2).transpose(2, 0, 1))
    resampled = make_encoder("delta").encode(X_TS, 10)  # another T resamples the series first
    assert resampled.shape == (10, 3, 4)
    with pytest.raises(ShapeError, match="use static, rate or latency"):
        make_encoder("delta").encode(X_IMG, 8)
    with pytest.raises(ShapeError, match="use static, rate or latency"):
        make_encoder("delta").encode(np.zeros((2, 5)), 8)


def test_timeseries_with_other_encoders_keeps_shape():
    assert encode_batch("latency", X_TS, 4, 0).shape == (4, 3, 2, 12)


def test_dict_round_trip_every_encoder():
    for name, cls in ENCODERS.items():
        if name == "multi":
            continue  # needs its inputs: test_multi_encoder_one_time_axis
        enc = make_encoder(name)
        d = json.loads(json.dumps(enc.to_dict()))
        assert d["name"] == name
        assert Encoder.from_dict(d) == enc and cls.from_dict(d) == enc
        assert cls.__doc__ and ("=" in cls.__doc__)  # the docstring carries the maths
    custom = make_encoder("rate", gain=3)
    assert custom.gain == 3.0 and Encoder.from_dict(custom.to_dict()) == custom
    with pytest.raises(UsageError, match="names 'rate'"):
        ENCODERS["latency"].from_dict({"name": "rate"})


def test_option_and_input_validation():
    with pytest.raises(UsageError, match="unknown encoder 'rat'.*did you mean 'rate'"):
        make_encoder("rat")
    with pytest.raises(UsageError, match="no option 'gian'.*did you mean 'gain'"):
        make_encoder("rate", gian=2)
    for bad in (0, -1, float("nan"), "2", True):
        with pytest.raises(UsageError, match="gain="):
            make_encoder("rate", gain=bad)
    with pytest.raises(UsageError, match="threshold=1.5"):
        make_encoder("latency", threshold=1.5)
    with pytest.raises(UsageError, match="off_spikes"):
        make_encoder("delta", off_spikes="yes")
    with pytest.raises(UsageError, match="T=0"):
        encode_batch("static", X_IMG, 0, 0)
    with pytest.raises(DataError, match="must lie in \\[0, 1\\]"):
        encode_batch("rate", X_IMG * 3, 4, 0)
    with pytest.raises(DataError, match="NaN/inf"):
        encode_batch("static", np.array([[np.nan]]), 4, 0)
    with pytest.raises(ShapeError, match="x\\[None\\]"):
        encode_batch("static", np.zeros(5), 4, 0)
    with pytest.raises(Exception, match="frozen|cannot assign"):
        make_encoder("rate").gain = 2.0


def test_runner_modules_import_without_torch_or_sklearn():
    code = (
        "import sys, numpy as np\n"
        "from edgesnn.data.encoders import encode_batch\n"
        "from edgesnn.data.preprocess import Preprocessor\n"
        "p = Preprocessor.from_dict({'kind': 'minmax', 'per': 'feature', 'shape': [2], 'offset': [0, 0], 'scale': [1, 1]})\n"
        "encode_batch('rate', p.transform(np.ones((1, 2))), 3, 0)\n"
        "bad = [m for m in ('torch', 'sklearn', 'h5py', 'snntorch') if m in sys.modules]\n"
        "print(bad)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


# ---- temporal encoders: a time series is its own time axis ------------------------------

SERIES = np.array([[[0.0, 0.3, 0.35, 0.1, 0.1, 0.9]]])  # [B=1, C=1, L=6]


def test_direct_is_one_frame_per_step_and_resamples_on_request():
    out = make_encoder("direct").encode(X_TS, None)
    assert out.shape == (12, 3, 2)
    np.testing.assert_array_equal(out, X_TS.transpose(2, 0, 1))
    # linear resampling: 3 points of [0, 1, 2, 3, 4] sit at 0, 2, 4
    ramp = np.arange(5.0)[None, None, :]
    np.testing.assert_allclose(make_encoder("direct").encode(ramp, 3)[:, 0, 0], [0.0, 2.0, 4.0])
    np.testing.assert_allclose(make_encoder("direct").encode(ramp, 9)[:, 0, 0], np.arange(9) / 2)
    assert make_encoder("direct").out_shape((6, 100)) == (6,)
    with pytest.raises(ShapeError, match="use static, rate or latency"):
        make_encoder("direct").encode(X_IMG, 8)


def test_level_crossing_hand_example():
    # threshold 0.25, reference starts at x[0] = 0; e = x - r:
    # t1: 0.30 → up, r=0.25 | t2: 0.10 → -, | t3: -0.15 → - | t4: -0.15 → - | t5: 0.65 → up, r=0.5
    out = make_encoder("level_crossing", threshold=0.25).encode(SERIES, None)
    assert out.shape == (6, 1, 2)
    np.testing.assert_array_equal(out[:, 0, 0], [0, 1, 0, 0, 0, 1])
    np.testing.assert_array_equal(out[:, 0, 1], [0, 0, 0, 0, 0, 0])
    down = make_encoder("level_crossing", threshold=0.25).encode(1.0 - SERIES, None)
    np.testing.assert_array_equal(down[:, 0, 1], [0, 1, 0, 0, 0, 1])


def test_level_crossing_reconstruction_tracks_a_slow_signal():
    """Σ θ·(up − down) stays within θ of x − x[0] when x moves less than θ per step."""
    t = np.linspace(0, 2 * np.pi, 200)
    x = (0.5 + 0.4 * np.sin(t))[None, None, :]
    theta = 0.05
    out = make_encoder("level_crossing", threshold=theta).encode(x, None)[:, 0]
    recon = x[0, 0, 0] + theta * np.cumsum(out[:, 0] - out[:, 1])
    assert np.abs(recon - x[0, 0]).max() <= theta + 1e-9
    # delta compares consecutive samples: a drift of 0.0126 per step never crosses 0.05
    assert make_encoder("delta", threshold=theta).encode(x, None).sum() == 0


def test_sigma_delta_pulse_density_tracks_the_integral():
    # threshold 0.5: v = 0, .3 → 0; .65 → up, v=.15; .25; .35; 1.25 → up, v=.75 — hand example
    out = make_encoder("sigma_delta", threshold=0.5).encode(SERIES, None)
    np.testing.assert_array_equal(out[:, 0, 0], [0, 0, 1, 0, 0, 1])
    x = np.random.default_rng(3).uniform(-0.4, 0.4, (2, 3, 300))
    theta = 0.4
    out = make_encoder("sigma_delta", threshold=theta).encode(x, None)
    sent = theta * (out[..., :3] - out[..., 3:]).sum(0)  # [B, C]
    assert np.abs(sent - x.sum(-1)).max() < theta  # within one pulse of the integral


def test_direct_delta_hand_example_fit_and_grid():
    """Frames, then their causal change (0 at the first frame) times the fitted per-channel scale
    1/std(Δx_c); quantised on one grid that holds both halves."""
    from edgesnn.data.encoders import fit_encoder, on_input_grid

    x = np.array([[[1.0, 3.0, 2.0, 2.0]]])  # [B=1, C=1, L=4]
    out = make_encoder("direct_delta").encode(x, None)
    assert out.shape == (4, 1, 2) and make_encoder("direct_delta").out_shape((13, 50)) == (26,)
    np.testing.assert_allclose(out[:, 0, 0], [1, 3, 2, 2])
    np.testing.assert_allclose(out[:, 0, 1], [0, 2, -1, 0])
    rng = np.random.default_rng(5)
    wild = np.cumsum(rng.normal(0, 1, (40, 3, 30)), -1) * np.array([1.0, 0.1, 5.0])[None, :, None]
    fitted = fit_encoder(make_encoder("direct_delta"), wild)
    want = 1 / np.diff(wild, axis=-1).transpose(1, 0, 2).reshape(3, -1).std(1)
    np.testing.assert_allclose(fitted.delta_scale, want)
    changes = fitted.encode(wild, None)[1:, :, 3:]  # each channel's changes now have unit spread
    np.testing.assert_allclose(changes.reshape(-1, 3).std(0), 1.0, rtol=1e-4)
    state, u = fitted.start(wild[:, :, 0]), wild[:, :, :]
    for t in range(5):  # the stream's step machine applies the same scale
        state, step = fitted.step(state, u[:, :, t])
        np.testing.assert_allclose(step, fitted.encode(wild, None)[t], rtol=1e-6, atol=1e-6)
    enc = on_input_grid(fitted, wild)
    levels = enc.encode(wild, None).astype(np.float64) / enc.step_size
    np.testing.assert_array_equal(levels, np.round(levels))
    assert np.abs(levels).max() <= 127 and np.abs(levels).max() > 63  # the grid fits the larger half
    assert Encoder.from_dict(json.loads(json.dumps(enc.to_dict()))) == enc
    with pytest.raises(ShapeError, match="fitted to 3 channels"):
        enc.encode(wild[:, :2], None)
    with pytest.raises(UsageError, match="delta_scale must be positive"):
        make_encoder("direct_delta", delta_scale=[1.0, -2.0])


@pytest.mark.parametrize("name", ["direct", "direct_delta", "delta", "level_crossing", "sigma_delta"])
def test_temporal_step_machine_equals_encode(name):
    """Frame-by-frame (the runner's stream) gives exactly the steps of encode on the series."""
    enc = make_encoder(name)
    whole = enc.encode(X_TS, None)
    u = X_TS.astype(np.float64)
    state = enc.start(u[:, :, 0])
    for t in range(u.shape[-1]):
        state, step = enc.step(state, u[:, :, t])
        np.testing.assert_array_equal(np.asarray(step, dtype=np.float32), whole[t])


def test_multi_encoder_one_time_axis():
    """A static image is rate coded over the T steps the audio series gives (its frames)."""
    enc = make_encoder("multi", inputs={"image": {"name": "rate"}, "audio": {"name": "direct"}})
    x = {"image": X_IMG[:3], "audio": X_TS}
    out = enc.encode(x, None, np.random.default_rng(0))
    assert out["audio"].shape == (12, 3, 2) and out["image"].shape == (12, 3, 1, 8, 8)
    assert enc.out_shape({"image": (1, 8, 8), "audio": (2, 12)}) == {"audio": (2,), "image": (1, 8, 8)}
    assert Encoder.from_dict(json.loads(json.dumps(enc.to_dict()))) == enc and enc.stochastic and enc.temporal
    again = enc.encode(x, None, np.random.default_rng(0))
    np.testing.assert_array_equal(out["image"], again["image"])  # one seed fixes every input's draws
    with pytest.raises(ShapeError, match="encodes inputs"):
        enc.encode({"image": X_IMG[:3]}, None, np.random.default_rng(0))


def test_direct_input_on_an_8bit_power_of_two_grid():
    """For integer chips: frames are multiples of the step, within ±127 steps, so a runtime that
    scales its input by any power of two ≥ 1/step (Lava's fitted input scale) holds them exactly."""
    from edgesnn.data.encoders import input_grid, on_input_grid

    assert input_grid(5.3) == 1 / 16 and input_grid(127.0) == 1.0 and input_grid(0.9) == 1 / 128
    x = np.random.default_rng(4).normal(0, 2, (5, 3, 40))
    enc = on_input_grid(make_encoder("direct"), x)
    out = enc.encode(x, None).astype(np.float64)
    levels = out / enc.step_size
    np.testing.assert_array_equal(levels, np.round(levels))
    assert np.abs(levels).max() <= 127 and np.abs(out - x.transpose(2, 0, 1)).max() <= enc.step_size / 2
    multi = on_input_grid(
        make_encoder("multi", inputs={"a": {"name": "direct"}, "b": {"name": "rate"}}), {"a": x * 0.1, "b": X_TS}
    )
    assert multi.encoders["a"].step_size == input_grid(1.0)  # shared peak: spikes count 1


def test_frozen_rate_is_a_fixed_function_of_the_sample_with_rate_p():
    enc = make_encoder("frozen_rate", gain=0.5)
    a = enc.encode(X_IMG, 40)
    # no generator needed, the same spikes every call, and a sample's spikes do not depend on
    # its batch neighbours (the thresholds u[t, i] are shared by all samples)
    np.testing.assert_array_equal(a, enc.encode(X_IMG, 40, np.random.default_rng(9)))
    np.testing.assert_array_equal(a[:, 2:3], enc.encode(X_IMG[2:3], 40))
    # a brighter copy fires wherever the dimmer one does (and more)
    brighter = enc.encode(np.clip(X_IMG * 1.5, 0, 1), 40)
    assert np.all(brighter >= a) and brighter.sum() > a.sum()
    # E[s] = p over the shared uniform thresholds: a flat image at p = 0.3 fires ~30 % of the time
    flat = enc.encode(np.full((1, 1, 32, 32), 0.6, np.float32), 50)
    assert abs(flat.mean() - 0.3) < 0.02
    # another pattern seed is another pattern
    assert not np.array_equal(a, make_encoder("frozen_rate", gain=0.5, pattern_seed=1).encode(X_IMG, 40))


def test_frozen_rate_rejects_a_bad_pattern_seed():
    with pytest.raises(UsageError, match="pattern_seed"):
        make_encoder("frozen_rate", pattern_seed=-1)
