"""The backend contract, run on the ONNX backend (default precision float64: exact parity)."""

from edgesnn.testing import BackendContract


class TestOnnxContract(BackendContract):
    backend_name = "onnx"
    target_name = "onnx"
    output_atol = 0.0


class TestOnnxFloat32Contract(BackendContract):
    """float32 models against the float64 reference: same spikes on the contract graphs."""

    backend_name = "onnx"
    target_name = "onnx"
    export_options = {"precision": "float32", "stepwise_too": False}
    graph_names = ("mlp",)
    output_atol = 0.0  # the outputs are spikes


def test_contract_graphs_are_not_silent():
    from edgesnn.nir.simulator import simulate
    from edgesnn.testing import contract_graphs, contract_input

    for graph in contract_graphs().values():
        out = simulate(graph, contract_input(graph)).output
        assert 0 < out.mean() < 1
