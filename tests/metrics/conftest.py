"""Hand-built NIR graphs for the metrics tests (no simulator: spike records are written by hand)."""

import nir
import numpy as np
import pytest

from edgesnn.config import load_target


def lif(n: int) -> nir.LIF:
    return nir.LIF(tau=np.full(n, 2e-3), r=np.ones(n), v_leak=np.zeros(n), v_threshold=np.ones(n))


def cuba_lif(n: int) -> nir.CubaLIF:
    return nir.CubaLIF(
        tau_syn=np.full(n, 2e-3), tau_mem=np.full(n, 5e-3), r=np.ones(n), v_leak=np.zeros(n), v_threshold=np.ones(n)
    )


# 3 -> 2 -> 2. Fan-out is the count of non-zero weights in each input's column:
# W1 columns (1,3), (0,4), (2,5) -> fanout [2, 1, 2];  W2 columns (1,0), (1,1) -> fanout [1, 2]
W1 = np.array([[1.0, 0.0, 2.0], [3.0, 4.0, 5.0]])
W2 = np.array([[1.0, 1.0], [0.0, 1.0]])


@pytest.fixture
def tiny_graph() -> nir.NIRGraph:
    """Input(3) -> Affine(2x3) -> CubaLIF(2) -> Affine(2x2) -> LIF(2) -> Output."""
    return nir.NIRGraph.from_list(
        nir.Affine(weight=W1, bias=np.zeros(2)),
        cuba_lif(2),
        nir.Affine(weight=W2, bias=np.zeros(2)),
        lif(2),
    )


@pytest.fixture
def tiny_run() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """T=4, B=1 spike trains written by hand (names as NIRGraph.from_list assigns them)."""
    x = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 1], [0, 0, 0]], dtype=np.float32)[:, None]
    hidden = np.array([[0, 1], [1, 0], [1, 1], [0, 0]], dtype=np.float32)[:, None]
    out = np.array([[0, 0], [0, 1], [1, 0], [0, 1]], dtype=np.float32)[:, None]
    return x, {"cubalif": hidden, "lif": out}


@pytest.fixture
def loihi2():
    return load_target("loihi2")


@pytest.fixture
def make_lif():
    """Factory: ``make_lif(shape)`` -> a LIF population of that shape (tests import no helpers)."""

    def make(shape) -> nir.LIF:
        return nir.LIF(tau=np.full(shape, 2e-3), r=np.ones(shape), v_leak=np.zeros(shape), v_threshold=np.ones(shape))

    return make
