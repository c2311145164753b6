"""``export``: model → NIR → backend artifact, proven against the reference simulator
(``write.py``: the export directory; ``parity.py``: the comparison that gates it)."""

from .parity import PROBE_SAMPLES, compare, probe_input
from .write import ExportResult, export

__all__ = ["PROBE_SAMPLES", "ExportResult", "compare", "export", "probe_input"]
