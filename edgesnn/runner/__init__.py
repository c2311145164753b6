"""The on-device runner: an edge bundle in, classes and spike counts out. numpy + onnxruntime only.

    from edgesnn.runner import Bundle
    with Bundle.open("digits.zip") as bundle:         # checksums verified before anything loads
        pred = bundle.predict(raw)                     # raw sensor values [N, *features]
        pred.classes, pred.counts                      # [N], [N, n_classes] spike counts
        stream = bundle.stream()
        result = stream.push(frame)                    # running counts + current decision

    # a multimodal bundle (bundle.inputs == ["audio", "image"]): dicts of named inputs
    pred = bundle.predict({"image": images, "audio": series})   # [N, 1, 8, 8], [N, 13, 50]
    stream.push({"image": image, "audio": reading})             # image on a window's first frame

Imports nothing of edgesnn but ``errors`` and ``data`` (numpy only); onnxruntime is imported
when a bundle is opened. Command line: ``python -m edgesnn.runner BUNDLE --input raw.csv`` (multimodal:
``--input image=a.npy --input audio=b.npy``).
"""

from .archive import read_bundle
from .bundle import Bundle
from .cli import cli_run, main
from .format import BUNDLE_FORMAT
from .inputs import load_raw
from .pipeline import Pipeline, Prediction
from .stream import Stream, StreamResult

__all__ = [
    "BUNDLE_FORMAT",
    "Bundle",
    "Pipeline",
    "Prediction",
    "Stream",
    "StreamResult",
    "cli_run",
    "load_raw",
    "main",
    "read_bundle",
]
