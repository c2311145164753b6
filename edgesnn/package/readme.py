"""The short README.md a bundle carries for the person building the demo."""

from __future__ import annotations

from typing import Any


def _pct(v: Any) -> str:
    return f"{100 * v:.2f} %" if isinstance(v, float) else "n/a"


def readme(manifest: dict[str, Any], spec: dict[str, Any], members: list[str]) -> str:
    enc = spec["encoder"]
    feat = spec["feature_shape"]
    acc = manifest.get("accuracy") or {}
    q = manifest.get("quantization") or {}
    multi = isinstance(feat, dict)
    if multi:
        names = sorted(feat)
        what = "multimodal raw samples of " + ", ".join(f"{n} {list(feat[n])}" for n in names)
        raw_arg = "{" + ", ".join(f"'{n}': {n}_raw" for n in names) + "}"
        raw_shape = ", ".join(f"{n} [N, {', '.join(map(str, feat[n]))}]" for n in names)
        cli_input = " ".join(f"--input {n}={n}.npy" for n in names)
        frame = "{" + ", ".join(f"'{n}': ..." for n in names) + "}"
    else:
        size = 1
        for d in feat:
            size *= int(d)
        what = f"raw samples of shape {feat} ({size} values)"
        raw_arg, raw_shape, cli_input, frame = "raw", f"raw [N, {size}]", "--input raw.csv", "frame"
    needs = " ".join(manifest.get("runner_needs") or ("numpy", "onnxruntime"))
    lines = [
        f"# edgesnn bundle: {spec.get('name') or spec['dataset']} on {manifest['target']}",
        "",
        f"A spiking network that classifies {what} into "
        f"{len(spec['classes'])} classes: {', '.join(map(str, spec['classes']))}.",
        f"Encoder `{enc['name']}`, T = {spec['timesteps']} steps of dt = {manifest.get('dt')} s; the runner scales "
        "raw values with the training statistics (preprocessing.json) and encodes them itself.",
        "",
        f"## Run it ({' + '.join(needs.split())} only)",
        "",
        "```sh",
        f"pip install {needs}",
        "python -m edgesnn.runner --copy-to runner/        # on a machine with edgesnn: copy the runner",
        f"PYTHONPATH=runner python -m edgesnn.runner bundle.zip {cli_input} [--json]"
        + ("" if multi else " [--stream]"),
        "```",
        "",
        "```python",
        "from edgesnn.runner import Bundle",
        "with Bundle.open('bundle.zip') as b:         # every checksum verified first",
        f"    pred = b.predict({raw_arg})".ljust(44) + f" # {raw_shape} -> pred.classes, pred.counts",
        f"    s = b.stream(); r = s.push({frame})".ljust(44) + " # r.counts, r.decision, r.done",
        "```",
        "",
        "## What was measured",
        "",
        f"- test-split accuracy computed by the runner from raw inputs: {_pct(acc.get('runner'))} "
        f"({acc.get('samples')} samples); evaluation report: {_pct(acc.get('report'))}",
    ]
    if "matches_export" in q:
        lines.append(
            f"- the model is the target's own integers ({q['scheme']}, `{manifest.get('model')}`), "
            + (
                "byte for byte the export's artifact whose parity export measured"
                if q["matches_export"]
                else "lowered again from model.nir (the export was for another target)"
            )
        )
    elif q.get("scheme", "none") != "none":
        lines.append(
            f"- weights quantised ({q['scheme']}): float {_pct(q.get('accuracy_float'))} -> "
            f"quantised {_pct(q.get('accuracy_quantized'))} ({q.get('delta_pp'):+.2f} pp)"
        )
    lines += [
        "",
        "## Members",
        "",
        *[f"- `{m}`" for m in members],
        "",
        "`manifest.json` lists the sha256 of every member; `manifest.sha256` is the sha256 of the manifest. "
        "The runner refuses the bundle if any of them differs.",
        "",
    ]
    return "\n".join(lines)
