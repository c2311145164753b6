"""The bundle layout: member names, the format version and the limits the runner enforces.

A bundle is a zip of flat members (no folders). ``manifest.json`` lists every other member
with its sha256; ``manifest.sha256`` holds the sha256 of ``manifest.json`` itself, so a change
to any byte of any member, the manifest included, is detected. Checksums prove integrity, not
authorship: whoever can rewrite the zip can rewrite the checksums (sign the zip for that).
"""

from __future__ import annotations

#: the newest bundle format this runner reads; a bundle with a larger number is refused
BUNDLE_FORMAT = 1

MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sha256"
STEPWISE = "model.stepwise.onnx"
UNROLLED = "model.unrolled.onnx"
NIR_GRAPH = "model.nir"
ENCODER = "encoder.json"
PREPROCESSING = "preprocessing.json"
CLASSES = "classes.json"
PROFILE = "profile.json"
TARGET = "target.json"
REPORT_JSON = "report.json"
REPORT_HTML = "report.html"
QUANTIZATION = "quantization.json"
QUANTIZED_WEIGHTS = "weights.int8.npz"
README = "README.md"

#: members the runner needs besides the manifest; a bundle without one is refused
REQUIRED = (STEPWISE, ENCODER, PREPROCESSING, CLASSES)

#: refuse zips with more members, or a member larger than this (zip bombs)
MAX_MEMBERS = 64
MAX_MEMBER_BYTES = 256 * 2**20
