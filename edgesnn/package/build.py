"""``package``: an export directory → one verified zip for an edge demo (see docs/runner.md).

Members (flat): the model the runner executes, made by the target's backend
(``Backend.bundle_member``): ``model.stepwise.onnx`` (+ ``model.unrolled.onnx``) for ONNX
targets, ``model.xylo.npz`` (the chip's integers, run by numpy) for ``xylo-imu``; ``model.nir``
(the graph the model was made from), ``encoder.json`` (kind, options, T, seed, shapes),
``preprocessing.json`` (the training statistics: raw values go in; a multimodal model: one
encoder and one set of statistics per named input), ``classes.json``,
``profile.json``, ``target.json``, ``report.json`` / ``report.html`` (the evaluation),
``quantization.json`` + ``weights.int8.npz`` (int8 targets), ``README.md``, then
``manifest.json`` (format, versions, seed, dt, accuracy, sha256 of every member) and
``manifest.sha256``. The zip is deterministic (sorted members, fixed timestamps) and written
atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from ..config import Target, export_target, load_profile, load_target
from ..data import TEST_STREAM
from ..errors import UsageError
from ..io import atomic_write_bytes, check_writable, package_versions
from ..runner.archive import sha256_bytes
from ..runner.format import (
    BUNDLE_FORMAT,
    CLASSES,
    ENCODER,
    MANIFEST,
    MANIFEST_DIGEST,
    NIR_GRAPH,
    PREPROCESSING,
    PROFILE,
    README,
    STEPWISE,
    TARGET,
    UNROLLED,
)
from .archive import write_zip
from .evidence import evaluation_members, raw_test_split, runner_accuracy
from .models import backend_for, bundle_model, json_bytes, native_entry, quantize_members, unrolled_onnx
from .readme import readme
from .source import ExportSource, read_export


@dataclass
class PackageResult:
    out: Path
    manifest: dict[str, Any]
    size_bytes: int
    members: list[str]


def _packs(tgt: Target) -> bool:
    from ..backends import backend_class

    return backend_class(tgt.backend).bundle_member is not None


def _target(name: str | None, src: ExportSource) -> Target:
    """The target to package for: ``name``, else the export's own when its backend makes a
    model the runner executes (``Backend.bundle_member``), else ``onnx``."""
    if name is None:
        tgt = export_target(src.path, src.manifest)
        if not _packs(tgt):
            tgt = load_target("onnx")
    else:
        tgt = load_target(name)
    if not _packs(tgt):
        from ..config import list_targets

        fits = ", ".join(t.name for t in list_targets() if _packs(t))
        raise UsageError(
            f"target '{tgt.name}' runs on {tgt.backend}, which the bundle runner cannot execute; "
            f"choose a target whose backend it runs ({fits})"
        )
    return tgt


def _shape_json(shape: Any) -> list[int] | dict[str, list[int]]:
    """A shape as a JSON list, or a multimodal model's dict name -> shape (sorted by name)."""
    if isinstance(shape, dict):
        return {str(n): [int(d) for d in shape[n]] for n in sorted(shape)}
    return [int(d) for d in shape]


def single_named_input(spec: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """``(spec, name)``: a model trained on one named input of a multimodal set (``--inputs
    audio``) as a one-input spec — that input's encoder, shapes and preprocessing statistics —
    and the input's name; any other spec unchanged with None. Its ONNX model already takes one
    input (``x``, its NIR Input named in the metadata), so the bundle is a one-input bundle."""
    shape = spec["input_shape"]
    if not (isinstance(shape, dict) and len(shape) == 1):
        return spec, None
    (name,) = shape
    one = {
        "encoder": spec["encoder"]["inputs"][name],
        "feature_shape": spec["feature_shape"][name],
        "input_shape": shape[name],
        "preprocessing": spec["preprocessing"]["inputs"][name],
    }
    return {**spec, **one}, name


def spec_members(spec: dict[str, Any]) -> dict[str, bytes]:
    """encoder.json, preprocessing.json, classes.json from a checkpoint's data spec.

    A multimodal spec (``input_shape`` a dict name -> shape) gives ``kind: multi`` with
    ``options.inputs`` (one encoder dict per input), ``feature_shape`` / ``input_shape`` as
    dicts and ``inputs`` (the names); preprocessing.json is ``{"inputs": {name: statistics}}``."""
    enc = dict(spec["encoder"])
    encoder = {
        "kind": enc.pop("name"),
        "options": enc,
        "timesteps": int(spec["timesteps"]),
        "seed": [int(spec["seed"]), TEST_STREAM],
        "feature_shape": _shape_json(spec["feature_shape"]),
        "input_shape": _shape_json(spec["input_shape"]),
        "rng": "numpy.random.default_rng(seed), fresh per predict call, drawn for the whole batch",
    }
    if isinstance(spec["input_shape"], dict):
        encoder["inputs"] = sorted(spec["input_shape"])
        encoder["rng"] += ", random encoders in input-name order"
    return {
        ENCODER: json_bytes(encoder),
        PREPROCESSING: json_bytes(spec["preprocessing"]),
        CLASSES: json_bytes(list(spec["classes"])),
    }


def default_out(export_dir: Path, tgt: Target, src: ExportSource) -> Path:
    suffix = "" if tgt.name == src.manifest.get("target") else f"-{tgt.name}"
    return export_dir.with_name(f"{export_dir.name}{suffix}-bundle.zip")


def package(
    export_dir: str | Path,
    target: str | None = None,
    out: str | Path | None = None,
    *,
    unrolled: bool = False,
    force: bool = False,
) -> PackageResult:
    """Package ``export_dir`` for ``target`` (default: the export's ONNX target) into ``out``."""
    from ..nir import validate_graph

    export_dir = Path(export_dir)
    src = read_export(export_dir)
    tgt = _target(target, src)
    out = Path(out) if out else default_out(export_dir, tgt, src)
    if out.is_dir():
        raise UsageError(f"--out '{out}' is a directory; give the bundle's file name, e.g. {out / 'bundle.zip'}")
    if out.exists() and not force:
        raise UsageError(f"'{out}' already exists; pass --force to replace it")
    check_writable(out.parent)
    validate_graph(src.graph, tgt.supports, where=f"target '{tgt.name}'")
    model_member, model_bytes = bundle_model(src.graph, tgt)
    if unrolled and model_member != STEPWISE:
        raise UsageError(f"--unrolled is an ONNX form; target '{tgt.name}' bundles {model_member}")
    (spec, named), m = single_named_input(src.spec), src.manifest
    members = {
        model_member: model_bytes,
        NIR_GRAPH: (export_dir / NIR_GRAPH).read_bytes(),
        **spec_members(spec),
        TARGET: json_bytes(tgt.model_dump(mode="json")),
    }
    notes = list(src.notes)
    if m.get("profile"):
        members[PROFILE] = json_bytes(load_profile(m["profile"]).model_dump(mode="json"))
    else:
        notes.append("the export names no profile: no profile.json")
    x_raw, y = raw_test_split(src.spec)
    if named is not None:  # the test split of the one kept input
        x_raw = x_raw[named]
        notes.append(f"one input '{named}' of {spec['dataset']}: a one-input bundle, raw '{named}' samples in")
    run_graph, quant = src.graph, {"scheme": "none"}
    if backend_for(tgt).ships_integers(tgt) and m.get("target") == tgt.name:  # shipped as export measured it
        quant = native_entry(src, model_member, model_bytes, tgt)
    elif tgt.numerics.quantize != "none":
        run_graph, quant = quantize_members(src, tgt, members, x_raw, y)
        notes.append(
            f"the evaluation report is of the float export (target {m.get('target')}); the quantised "
            "accuracy is in 'quantization'"
        )
    if unrolled:
        members[UNROLLED] = unrolled_onnx(run_graph, tgt)
    report_members, report = evaluation_members(src)
    members.update(report_members)
    acc = quant["accuracy_quantized"] if "accuracy_quantized" in quant else runner_accuracy(members, x_raw, y)
    accuracy = {
        "split": "test",
        "samples": int(len(y)),
        "runner": acc,
        "report": report.get("accuracy"),
        "from": "raw inputs through the bundle's runner (preprocessing + encoding + stepwise ONNX)",
    }
    if report.get("accuracy") is not None and (quant["scheme"] == "none" or "matches_export" in quant):
        accuracy["matches_report"] = bool(report.get("samples") == len(y) and report["accuracy"] == acc)
    manifest = _manifest(
        src,
        tgt,
        unrolled,
        quant,
        accuracy,
        report,
        notes,
        nir_matches=members[NIR_GRAPH] == (export_dir / NIR_GRAPH).read_bytes(),
        model_member=model_member,
    )
    manifest["files"] = {}  # README is listed too: fill after it exists
    members[README] = readme(manifest, spec, sorted([*members, README])).encode()
    manifest["files"] = {name: sha256_bytes(members[name]) for name in sorted(members)}
    raw_manifest = json_bytes(manifest)
    members[MANIFEST], members[MANIFEST_DIGEST] = raw_manifest, (sha256_bytes(raw_manifest) + "\n").encode()
    data = write_zip(members)
    atomic_write_bytes(out, data, publish=True)  # an interrupt after this says the bundle is kept
    return PackageResult(out, manifest, len(data), sorted(members))


def _manifest(
    src: ExportSource,
    tgt: Target,
    unrolled: bool,
    quant: dict,
    accuracy: dict,
    report: dict,
    notes: list[str],
    nir_matches: bool,
    model_member: str = STEPWISE,
) -> dict[str, Any]:
    """Everything but ``files`` (the checksums are added last)."""
    onnx = model_member == STEPWISE
    spec, m = src.spec, src.manifest
    versions = package_versions()
    return {
        "bundle_format": 1 if onnx else BUNDLE_FORMAT,  # format 1 runners read ONNX bundles
        "kind": "bundle",
        "created_by": f"edgesnn {versions.get('edgesnn', '?')}",
        "versions": versions,
        "runner_needs": _runner_needs(("numpy", "onnxruntime") if onnx else ("numpy",)),
        "model": model_member,
        "target": tgt.name,
        "profile": m.get("profile"),
        "dataset": spec["dataset"],
        "seed": spec["seed"],
        "dt": m.get("dt"),
        "reset": m.get("reset"),
        "timesteps": spec["timesteps"],
        "encoder": spec["encoder"]["name"],
        "data": {k: spec.get(k) for k in ("dataset", "seed", "split", "top_k", "label_column", "kind")},
        "forms": ["stepwise", *(["unrolled"] if unrolled else [])] if onnx else [tgt.backend],
        "quantization": quant,
        "accuracy": accuracy,
        "report": report,
        "notes": notes,
        "source": {
            "export": str(src.path.resolve()),
            "export_target": m.get("target"),
            "export_manifest_sha256": src.manifest_sha256,
            "nir_matches_export": nir_matches,
        },
    }


def _runner_needs(packages: tuple[str, ...]) -> dict[str, str]:
    needs = {}
    for pkg in packages:
        try:
            needs[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            needs[pkg] = "any"
    return needs
