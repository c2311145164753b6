"""Fixtures for the tuning tests: a tiny space on wine where some choices are infeasible."""

import json
from pathlib import Path

import pytest

#: hidden_1 = 4096 breaks wearable's 64 KiB at 8 bits (rejected before training); timesteps 128 is beyond its
#: 10 s latency budget (100 steps), so the space is fitted to the profile without it (bounds.py)
TINY = {
    "hidden_1": {"_type": "choice", "_value": [16, 32, 4096]},
    "timesteps": {"_type": "choice", "_value": [4, 6, 128]},
    "beta": {"_type": "uniform", "_value": [0.8, 0.95]},
    "lr": {"_type": "loguniform", "_value": [0.005, 0.02]},
    "encoder": {"_type": "choice", "_value": ["static"]},
}


@pytest.fixture
def tiny_space(tmp_path: Path) -> Path:
    path = tmp_path / "space.json"
    path.write_text(json.dumps(TINY))
    return path
