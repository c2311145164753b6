"""The on-device runner: an edge bundle in, classes and spike counts out. numpy + onnxruntime only.

    from edgesnn.runner import Bundle
    with Bundle.open("digits.zip") as bundle:         # checksums verified before anything loads
        pred = bundle.predict(raw)                     # raw sensor values [N, *features]
        pred.classes, pred.counts                      # [N], [N, n_classes] spike counts
        stream = bundle.stream()
        result = stream.push(frame)                    # running counts + current decision

Imports nothing of edgesnn but ``errors`` and ``data`` (numpy only); onnxruntime is imported
when a bundle is opened. Command line: ``python -m edgesnn.runner BUNDLE --input raw.csv``.
"""

from .archive import read_bundle
from .bundle import Bundle
from .cli import cli_run, main
from .format import BUNDLE_FORMAT
from .inputs import load_raw
from .pipeline import Pipeline, Prediction
from .stream import Stream, StreamResult

__all__ = ["BUNDLE_FORMAT", "Bundle", "Pipeline", "Prediction", "Stream", "StreamResult", "cli_run", "load_raw",
           "main", "read_bundle"]
