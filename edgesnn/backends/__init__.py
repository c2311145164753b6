"""Backends: one module or small package per runtime (nir reference, onnx, lava)."""

from .base import Backend, RunResult, get_backend, register

__all__ = ["Backend", "RunResult", "get_backend", "register"]
