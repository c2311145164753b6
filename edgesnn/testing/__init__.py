"""Test helpers shipped with edgesnn: the backend contract every backend's tests inherit."""

from .backend_contract import BackendContract, contract_graphs, contract_input, spike_mismatch, unsupported_graph

__all__ = ["BackendContract", "contract_graphs", "contract_input", "spike_mismatch", "unsupported_graph"]
