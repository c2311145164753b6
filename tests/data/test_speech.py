"""spoken_digits: feature maths, WAV reading, espeak-ng errors, the cache and the speaker split."""

import json
import shutil

import numpy as np
import pytest
from scipy.fft import dct
from scipy.io import wavfile

from edgesnn.data.dataset import check_dataset
from edgesnn.data.sources import speech, speech_build, speech_cache, speech_espeak
from edgesnn.errors import DataError, RuntimeUnavailableError, UsageError
from edgesnn.testing.messages import one_line

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (bash scripts/espeak.sh)"
)

TINY = dict(
    accents=["en-gb", "en-us"],
    variants=["default", "m3", "f2", "klatt", "whisper"],
    speeds=[175],
    pitches=[50],
    combos_per_variant=1,
    seed=0,
    verbose=False,
)


def sine(freq: float, seconds: float = 1.0, sr: int = 16_000, amp: float = 0.5) -> np.ndarray:
    return amp * np.sin(2 * np.pi * freq * np.arange(int(seconds * sr)) / sr)


# ---------------------------------------------------------------- feature maths


@pytest.mark.parametrize("freq", [300.0, 1000.0, 3000.0])
def test_sine_energy_lands_in_its_mel_band(freq):
    lm = speech.log_mel(sine(freq), 16_000).mean(axis=1)  # [32]
    edges = speech.mel_band_edges()
    band = int(np.argmax(lm))
    assert edges[band] < freq < edges[band + 2]  # the loudest band's triangle holds f
    # and the peak is its neighbourhood: the centre nearest f is at most one band away
    assert abs(band - int(np.argmin(np.abs(edges[1:-1] - freq)))) <= 1
    assert lm[band] - np.median(lm) > np.log(10**3)  # > 30 dB above a typical band


def test_filterbank_triangles():
    fb = speech.mel_filterbank(16_000, 512, 32)
    assert fb.shape == (32, 257)
    assert (fb >= 0).all() and fb.max() <= 1.0
    assert (fb.sum(axis=1) > 0).all()  # no empty filter
    centres = np.argmax(fb, axis=1)
    assert (np.diff(centres) > 0).all()  # peaks in increasing frequency


def test_dct_of_a_constant_has_only_c0():
    const = np.full((32, 7), 3.0)
    c = speech.mfcc_from_log_mel(const, 13)
    assert c.shape == (13, 7)
    np.testing.assert_allclose(c[0], 3.0 * np.sqrt(32))
    np.testing.assert_allclose(c[1:], 0.0, atol=1e-12)


def test_dct_matches_scipy_ortho_and_is_orthonormal():
    x = np.random.default_rng(0).normal(size=(4, 32, 6))
    np.testing.assert_allclose(
        speech.mfcc_from_log_mel(x, 13), dct(x, type=2, norm="ortho", axis=-2)[:, :13], atol=1e-12
    )
    d = speech.dct_matrix(32, 32)
    np.testing.assert_allclose(d @ d.T, np.eye(32), atol=1e-12)


def test_feature_shapes_padding_and_resampling():
    one_s = sine(440.0)
    assert speech.features(one_s, 16_000, "logmel").shape == (32, 50)
    mf = speech.features(one_s, 16_000)
    assert mf.shape == (13, 50) and mf.dtype == np.float32
    half = speech.features(sine(440.0, 0.5), 16_000, "logmel", n_frames=50)
    assert half.shape == (32, 50)
    assert (half[:, 25:] == 0).all() and (half[:, :25] != 0).all()  # zero-padded frames
    half_mfcc = speech.features(sine(440.0, 0.5), 16_000, "mfcc", n_frames=50)
    assert (half_mfcc[:, 25:] == 0).all()
    assert speech.features(sine(440.0, 2.0), 16_000, n_frames=50).shape == (13, 50)  # cropped
    # a 22.05 kHz recording is resampled to 16 kHz first: same features up to resampling error
    at_22k = speech.features(sine(440.0, sr=22_050), 22_050, "logmel")[:, 1:-1]
    at_16k = speech.features(one_s, 16_000, "logmel")[:, 1:-1]
    loud = at_16k > at_16k.max() - np.log(1e3)  # bands within 30 dB of the peak
    assert loud.any()
    np.testing.assert_allclose(at_22k[loud], at_16k[loud], atol=0.05)
    with pytest.raises(UsageError) as exc:
        speech.features(one_s, 16_000, "mfc")
    one_line(exc, "mfcc", "logmel")


def test_split_words_and_trim():
    sr = 16_000
    gap = np.zeros(int(0.4 * sr))
    burst = sine(500.0, 0.2)
    rec = np.concatenate([gap, burst, gap, burst * 0.1, gap, burst, gap])
    pieces = speech.split_words(rec, sr)
    assert len(pieces) == 3
    assert all(abs(p.size - burst.size) <= 160 for p in pieces)
    padded = np.concatenate([np.zeros(800), burst, np.zeros(1600)])
    assert abs(speech.trim_silence(padded, sr).size - burst.size) <= 160


def test_augment_snr_and_shift():
    rng = np.random.default_rng(1)
    word = sine(700.0, 0.4)
    clip, meta = speech.augment(word, rng, snr_choices=[10.0])
    assert clip.shape == (16_000,) and meta["snr_db"] == 10.0
    assert 0 <= meta["shift_ms"] <= 1000 * speech.MAX_SHIFT_S
    gain = 10 ** (meta["gain_db"] / 20)
    start = int(round(meta["shift_ms"] * 16))
    noise = clip / gain
    noise[start : start + word.size] -= word / np.sqrt(np.mean(word**2)) * speech.SPEECH_RMS
    snr = 10 * np.log10(speech.SPEECH_RMS**2 / np.mean(noise**2))
    assert abs(snr - 10.0) < 1e-6


# ---------------------------------------------------------------- WAV files


def test_read_wav_scales_pcm_and_mixes_channels(tmp_path):
    pcm = np.array([[16384, 0], [-32768, -32768]], dtype=np.int16)
    wavfile.write(tmp_path / "a.wav", 8000, pcm)
    sig, sr = speech.read_wav(tmp_path / "a.wav")
    assert sr == 8000
    np.testing.assert_allclose(sig, [0.25, -1.0])


def test_undecodable_wav_is_a_data_error_naming_the_file(tmp_path):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk")
    with pytest.raises(DataError) as exc:
        speech.read_wav(bad)
    one_line(exc, "broken.wav", "cannot decode")
    with pytest.raises(DataError) as exc:
        speech.read_wav(tmp_path / "missing.wav")
    one_line(exc, "missing.wav")


# ---------------------------------------------------------------- espeak-ng missing


def test_missing_espeak_is_exit_3_with_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setattr(speech_espeak.shutil, "which", lambda name, *a, **k: None)
    with pytest.raises(RuntimeUnavailableError) as exc:
        speech.load_spoken_digits(cache=tmp_path, **TINY)
    assert exc.value.exit_code == 3
    one_line(exc, "espeak-ng", "sudo apt-get install espeak-ng")


# ---------------------------------------------------------------- cache (tiny grid)


@pytest.fixture(scope="module")
def tiny_cache(tmp_path_factory):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (bash scripts/espeak.sh)")
    folder = tmp_path_factory.mktemp("speech_cache")
    ds = speech.load_spoken_digits("logmel", cache=folder, **TINY)
    return folder, ds


def _files(folder):
    (npz,) = folder.glob("spoken_digits-*.npz")
    return npz, npz.with_suffix(".json")


@needs_espeak
def test_tiny_build_layout(tiny_cache):
    folder, ds = tiny_cache
    check_dataset(ds, "spoken_digits")
    assert ds.name == "spoken_digits" and ds.kind == "timeseries"
    assert ds.classes == speech.CLASSES
    assert ds.x.shape == (50, 32, 50) and ds.x.dtype == np.float32 and np.isfinite(ds.x).all()
    assert list(ds.class_counts().values()) == [5] * 10
    mfcc = speech.load_spoken_digits("mfcc", cache=folder, **TINY)
    assert mfcc.x.shape == (50, 13, 50)
    np.testing.assert_allclose(mfcc.x, speech.mfcc_from_log_mel(ds.x), rtol=1e-5, atol=1e-4)
    # speaker-independent: 1 of the 5 variants (20 %) is test-only, with all its clips
    npz, meta_path = _files(folder)
    with np.load(npz) as f:
        variant, test = f["variant"], f["test_mask"]
    np.testing.assert_array_equal(test, ds.test_mask)
    assert test.sum() == 10
    assert not set(variant[test]) & set(variant[~test])
    meta = json.loads(meta_path.read_text())
    assert meta["recipe"]["espeak_ng"] and len(meta["recipe"]["test_variants"]) == 1
    assert meta["recipe"]["variants"] == TINY["variants"]


@needs_espeak
def test_cache_round_trip_reads_without_rebuilding(tiny_cache, monkeypatch):
    folder, ds = tiny_cache
    monkeypatch.setattr(speech, "_build", lambda *a, **k: pytest.fail("rebuilt a valid cache"))
    again = speech.load_spoken_digits("logmel", cache=folder, **TINY)
    np.testing.assert_array_equal(again.x, ds.x)
    np.testing.assert_array_equal(again.y, ds.y)
    # without espeak-ng a valid cache still loads
    monkeypatch.setattr(speech_cache.shutil, "which", lambda name, *a, **k: None)
    assert len(speech.load_spoken_digits("logmel", cache=folder, **TINY)) == 50


def _count_builds(monkeypatch):
    calls = []
    real = speech._build

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(speech, "_build", counting)
    return calls


@needs_espeak
@pytest.mark.parametrize(
    "damage", ["npz_bytes", "npz_truncated", "json_checksum", "json_recipe", "json_garbage", "espeak_version"]
)
def test_damaged_cache_is_rebuilt_identically(tmp_path, monkeypatch, tiny_cache, damage):
    src, ds = tiny_cache
    for f in _files(src):
        shutil.copy(f, tmp_path / f.name)
    npz, meta_path = _files(tmp_path)
    meta = json.loads(meta_path.read_text())
    if damage == "npz_bytes":
        raw = bytearray(npz.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        npz.write_bytes(bytes(raw))
    elif damage == "npz_truncated":
        npz.write_bytes(npz.read_bytes()[:1000])
    elif damage == "json_checksum":
        meta["npz_sha256"] = "0" * 64
        meta_path.write_text(json.dumps(meta))
    elif damage == "json_recipe":
        meta["recipe"]["seed"] = 99  # recipe no longer matches its checksum
        meta_path.write_text(json.dumps(meta))
    elif damage == "json_garbage":
        meta_path.write_text("{not json")
    elif damage == "espeak_version":
        for module in (speech_cache, speech_build):  # the cache compares the version, the build records it
            monkeypatch.setattr(module, "espeak_version", lambda exe: "0.0-other")
    calls = _count_builds(monkeypatch)
    again = speech.load_spoken_digits("logmel", cache=tmp_path, **TINY)
    assert calls == [1]
    np.testing.assert_array_equal(again.x, ds.x)  # same seed -> the same clips
    np.testing.assert_array_equal(again.test_mask, ds.test_mask)
    fresh = json.loads(meta_path.read_text())
    assert fresh["npz_sha256"] == speech_cache.sha256_file(npz)
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temporary files
    calls.clear()
    speech.load_spoken_digits("logmel", cache=tmp_path, **TINY)
    assert calls == []  # and the repaired cache is used


@needs_espeak
def test_env_cache_dir_and_other_recipes_get_their_own_files(tmp_path, monkeypatch):
    monkeypatch.setenv("EDGESNN_CACHE", str(tmp_path))
    assert speech.cache_dir() == tmp_path
    small = dict(TINY, variants=["default", "m3"], accents=["en-us"])
    ds = speech.load_spoken_digits(**small)
    assert len(ds) == 20 and len(list(tmp_path.glob("*.npz"))) == 1
    speech.load_spoken_digits(**dict(small, seed=1))
    assert len(list(tmp_path.glob("*.npz"))) == 2


@needs_espeak
def test_unknown_voice_names_are_usage_errors(tmp_path):
    with pytest.raises(UsageError) as exc:
        speech.load_spoken_digits(cache=tmp_path, **dict(TINY, variants=["default", "m33"]))
    one_line(exc, "m33", "m3")
    with pytest.raises(UsageError) as exc:
        speech.load_spoken_digits(cache=tmp_path, **dict(TINY, accents=["en-mars"]))
    one_line(exc, "en-mars", "en-us")
    with pytest.raises(UsageError):
        speech.load_spoken_digits("wav", cache=tmp_path, **TINY)


# ---------------------------------------------------------------- the full set


@needs_espeak
@pytest.mark.slow
def test_full_build(tmp_path):
    ds = speech.load_spoken_digits(cache=tmp_path, verbose=False)
    check_dataset(ds, "spoken_digits")
    assert len(ds) >= 2000 and ds.x.shape[1:] == (13, 50)
    counts = list(ds.class_counts().values())
    assert min(counts) == max(counts)
    assert 0.15 < ds.test_mask.mean() < 0.25
    meta = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert len(meta["recipe"]["accents"]) >= 5 and len(meta["recipe"]["variants"]) >= 50
