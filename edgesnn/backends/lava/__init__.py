"""Lava backend: NIR -> lava-nc processes (float and Loihi 2 fixed point), netx export.

Importing this package does not import Lava; ``compat.import_lava()`` does, on first use.
"""

from .backend import LavaBackend, plan_for
from .compat import import_lava
from .lower import SUPPORTED, lower
from .quantize import quantize

__all__ = ["SUPPORTED", "LavaBackend", "import_lava", "lower", "plan_for", "quantize"]
