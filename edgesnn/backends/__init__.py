"""Backends: one package per runtime, each declaring what it supports (``base.Backend``) and
found by name through the ``edgesnn.backends`` entry-point group (``registry``)."""

from .base import Backend, ExportSettings, RunResult
from .registry import backend_class, backend_names, get_backend, register, suffix_targets

__all__ = [
    "Backend",
    "ExportSettings",
    "RunResult",
    "backend_class",
    "backend_names",
    "get_backend",
    "register",
    "suffix_targets",
]
