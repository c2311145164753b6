"""The report on a real third-party graph (Sinabs N-MNIST CNN) and its profile metrics."""

import json

import nir
import numpy as np
import pytest

from edgesnn.config import load_profile
from edgesnn.config.checks import RULES, check_profile
from edgesnn.metrics import count_params, measure, profile_metrics, state_bytes
from edgesnn.metrics.params import activation_bytes


@pytest.fixture
def sinabs(nir_fixtures):
    return nir.read(nir_fixtures / "cnn_sinabs.nir")


def test_sinabs_params_and_memory(sinabs):
    c = count_params(sinabs)
    # conv 16*2*5*5 + 16*16*3*3 + 8*16*3*3, affine 256*128 + 10*256; biases 16+16+8+256+10
    assert c["weights"] == 800 + 2304 + 1152 + 32768 + 2560
    assert c["biases"] == 306
    # IF neurons: 16*16*16 + 16*16*16 + 8*8*8 + 256 + 10, one state variable each
    assert state_bytes(sinabs, 32) == (4096 * 2 + 512 + 266) * 4
    assert activation_bytes(sinabs, 8) == 16 * 16 * 16  # the first conv's output is the largest tensor


def test_sinabs_report_is_json_and_feeds_profile_checks(sinabs, loihi2):
    rng = np.random.default_rng(0)
    steps, batch = 3, 2
    shapes = {"1": (16, 16, 16), "3": (16, 16, 16), "6": (8, 8, 8), "10": (256,), "12": (10,)}
    rec = {k: (rng.random((steps, batch, *s)) < 0.1).astype(np.float32) for k, s in shapes.items()}
    x = (rng.random((steps, batch, 2, 34, 34)) < 0.05).astype(np.float32)
    rep = measure(sinabs, x, rec, loihi2)
    d = json.loads(json.dumps(rep.to_dict()))
    assert set(d["synops"]) == {"0", "2", "5", "9", "11"}
    assert d["synops_total"] == pytest.approx(sum(d["synops"].values()))
    assert d["ann_macs"]["0"] == 16 * 16 * 16 * 2 * 5 * 5
    assert d["param_bytes"] == count_params(sinabs)["total"]  # loihi2: 8-bit weights
    metrics = profile_metrics(rep)
    # latency_ms is derived by check_profile from timesteps and the profile's dt
    # latency_ms is derived from timesteps; energy_vs_ann needs the like-for-like model (metrics/like_for_like.py)
    assert set(metrics) == {key for key, _ in RULES.values()} - {"latency_ms", "energy_vs_ann"}
    checks = {c.name: c for c in check_profile(load_profile("wearable"), metrics)}
    assert checks["max_latency_ms"].ok
    assert checks["max_mean_firing_rate"].value == pytest.approx(rep.mean_firing_rate)
