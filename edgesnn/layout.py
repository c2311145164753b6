"""The export directory's layout, named once (every stage reads and writes these names)::

<export>/model.nir       the graph the artifact was made from (every backend writes it)
<export>/<artifact>      the backend's own file(s) (``Backend.artifact_name``: model.onnx…)
<export>/parity.json     the comparison that gated the export
<export>/target.yaml     the target, when it was given as a file (travels with the export)
<export>/manifest.json   sha256 of every other file, and what made them
"""

GRAPH_FILE = "model.nir"
PARITY_FILE = "parity.json"
TARGET_FILE = "target.yaml"
MANIFEST_FILE = "manifest.json"
