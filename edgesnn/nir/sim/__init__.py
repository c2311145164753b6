"""Internals of the reference simulator: lowerings per node type (``ops``, ``neurons``) and the plan.

Public entry points are ``edgesnn.nir.simulator.simulate`` and ``edgesnn.nir.graph``.
"""
