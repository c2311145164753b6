"""How events reach a synaptic node: pass-through nodes, dense chains, stateless Threshold."""

from dataclasses import dataclass

import nir
import numpy as np
import pytest

from edgesnn.errors import UnsupportedPrimitiveError
from edgesnn.metrics import synops


@pytest.fixture
def chain() -> nir.NIRGraph:
    """Input(3) -> Linear(4x3) -> Scale([1,0,1,1]) -> Linear(2x4) -> LI(2) -> Threshold(2)."""
    return nir.NIRGraph.from_list(
        nir.Linear(weight=np.ones((4, 3))),
        nir.Scale(scale=np.array([1.0, 0.0, 1.0, 1.0])),
        nir.Linear(weight=np.ones((2, 4))),
        nir.LI(tau=np.ones(2), r=np.ones(2), v_leak=np.zeros(2)),
        nir.Threshold(threshold=np.ones(2)),
    )


def test_dense_chain_and_scale_mask(chain):
    x = np.ones((2, 1, 3))
    rec = {"li": np.full((2, 1, 2), 0.3), "threshold": np.zeros((2, 1, 2))}
    res = synops(chain, x, rec)
    assert res.layers["linear"].synops == 2 * 3 * 4
    # Linear -> Linear without a neuron: every output is an event every step; Scale's zero stops one
    assert res.layers["linear_1"].synops == 2 * 3 * 2
    assert res.layers["linear_1"].counting == "dense"
    assert res.layers["linear_1"].sources == ("linear",)
    # Threshold is the fire half of the LI neuron: no update of its own
    assert res.neuron_updates == {"li": 4, "threshold": 0}


def test_unknown_node_type_is_named(chain):
    @dataclass(eq=False)
    class Mystery(nir.NIRNode):
        def __post_init__(self):
            self.input_type = self.output_type = {"input": np.array([4])}

    chain.nodes["scale"] = Mystery()
    rec = {"li": np.zeros((2, 1, 2)), "threshold": np.zeros((2, 1, 2))}
    with pytest.raises(UnsupportedPrimitiveError, match="'scale' of type Mystery"):
        synops(chain, np.ones((2, 1, 3)), rec)
