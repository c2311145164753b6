"""The bundle layout: member names, the format version and the limits the runner enforces.

A bundle is a zip of flat members (no folders). ``manifest.json`` lists every other member
with its sha256; ``manifest.sha256`` holds the sha256 of ``manifest.json`` itself, so a change
to any byte of any member, the manifest included, is detected. Checksums prove integrity, not
authorship: whoever can rewrite the zip can rewrite the checksums (sign the zip for that).
"""

from __future__ import annotations

#: the newest bundle format this runner reads; a bundle with a larger number is refused.
#: 1: the model is ``model.stepwise.onnx``; 2: it may be ``model.xylo.npz`` instead (a Xylo
#: bundle says 2, so a runner that cannot run it refuses it by number)
BUNDLE_FORMAT = 2

MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest.sha256"
STEPWISE = "model.stepwise.onnx"
UNROLLED = "model.unrolled.onnx"
XYLO_SPEC = "model.xylo.npz"
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
REQUIRED = (ENCODER, PREPROCESSING, CLASSES)
#: the model members the runner executes, in order of preference: a bundle holds at least one
MODELS = (STEPWISE, XYLO_SPEC)

#: refuse zips with more members, or a member larger than this (zip bombs)
MAX_MEMBERS = 64
MAX_MEMBER_BYTES = 256 * 2**20
