"""Bundles of a multimodal model (fusion2 on digits_spoken: "image" [1, 8, 8] + "audio" [13, 50]):
packaging, predict on named raw inputs, the runner's command line and streaming."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from edgesnn.errors import DataError, ShapeError
from edgesnn.runner import Bundle, cli_run

# training fusion2 for one epoch takes 2-8 min on a small, busy CPU (the module fixture's time
# counts against the first test's timeout)
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def _run(*args, **kw):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120, **kw)


@pytest.fixture(scope="module")
def mm_export(tmp_path_factory):
    from edgesnn.export import export
    from edgesnn.train import train

    root = tmp_path_factory.mktemp("mm-model")
    train(
        "digits_spoken",
        "workstation",
        model="fusion2",
        epochs=1,
        seed=0,
        ann_twin=False,
        progress=False,
        overrides={"hidden": [16], "branch_hidden": 16, "init": "random"},
        out=root / "run",
    )  # no twin: quick
    export(root / "run", "onnx", out=root / "export")
    return root / "export"


@pytest.fixture(scope="module")
def mm_bundle(mm_export, tmp_path_factory):
    from edgesnn.package import package

    out = tmp_path_factory.mktemp("mm-bundle") / "mm.zip"
    result = package(mm_export, out=out)
    return out, result.manifest


@pytest.fixture(scope="module")
def mm_raw(mm_export):
    from edgesnn.package.evidence import raw_test_split

    spec = json.loads((mm_export / "manifest.json").read_text())["data"]
    return raw_test_split(spec)


def test_bundle_members_describe_each_input(mm_bundle):
    path, manifest = mm_bundle
    with zipfile.ZipFile(path) as zf:
        enc = json.loads(zf.read("encoder.json"))
        pre = json.loads(zf.read("preprocessing.json"))
        readme = zf.read("README.md").decode()
    assert enc["kind"] == "multi" and enc["inputs"] == ["audio", "image"]
    assert enc["options"]["inputs"]["image"]["name"] == "rate" and enc["options"]["inputs"]["audio"]["name"] == "direct"
    assert enc["feature_shape"] == {"audio": [13, 50], "image": [1, 8, 8]} == enc["input_shape"]
    assert sorted(pre["inputs"]) == ["audio", "image"]
    assert "--input audio=audio.npy --input image=image.npy" in readme
    assert manifest["encoder"] == "multi"


def test_predict_on_the_raw_test_split_equals_the_accuracy_evidence(mm_bundle, mm_raw):
    path, manifest = mm_bundle
    x, y = mm_raw
    assert isinstance(x, dict) and sorted(x) == ["audio", "image"]
    with Bundle.open(path) as bundle:
        assert bundle.inputs == ["audio", "image"] and bundle.timesteps == 50
        assert bundle.info()["feature_shape"] == {"audio": [13, 50], "image": [1, 8, 8]}
        pred = bundle.predict(x)
    acc = float((pred.classes == y).mean())
    assert acc == manifest["accuracy"]["runner"] and manifest["accuracy"]["samples"] == len(y)
    # the evaluation report of the export measured the same spikes
    assert manifest["accuracy"]["matches_report"] is True and manifest["accuracy"]["report"] == acc


def test_predict_refuses_missing_unknown_and_misshapen_inputs(mm_bundle, mm_raw):
    x = {k: v[:3] for k, v in mm_raw[0].items()}
    with Bundle.open(mm_bundle[0]) as bundle:
        cases = [
            (
                {"image": x["image"]},
                DataError,
                r"missing audio\); .*takes the inputs audio \[13, 50\], image \[1, 8, 8\]",
            ),
            ({**x, "sound": x["audio"]}, DataError, r"unknown sound"),
            (x["image"], DataError, r"takes several named inputs \(audio \[13, 50\], image \[1, 8, 8\]\)"),
            ({**x, "audio": x["audio"][:2]}, ShapeError, r"different numbers of samples"),
            ({**x, "audio": x["audio"][:, :, :10]}, ShapeError, r"raw input 'audio' has shape \[3, 13, 10\]"),
        ]
        for raw, err, msg in cases:
            with pytest.raises(err, match=msg) as exc:
                bundle.predict(raw)
            assert "\n" not in str(exc.value)
        # flat rows per input are accepted, as for one-input bundles
        flat = bundle.predict({k: v.reshape(len(v), -1) for k, v in x.items()})
        np.testing.assert_array_equal(flat.counts, bundle.predict(x).counts)


def test_cli_two_named_inputs_and_a_missing_one(mm_bundle, mm_raw, tmp_path):
    path = mm_bundle[0]
    x = {k: v[:4] for k, v in mm_raw[0].items()}
    np.save(tmp_path / "img.npy", x["image"])
    np.savetxt(tmp_path / "aud.csv", x["audio"].reshape(4, -1), delimiter=",")
    res = _run(
        "-m",
        "edgesnn.runner",
        str(path),
        "--input",
        f"image={tmp_path / 'img.npy'}",
        "--input",
        f"audio={tmp_path / 'aud.csv'}",
        "--json",
    )
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    with Bundle.open(path) as bundle:
        here = bundle.predict(x)
    assert out["samples"] == 4
    assert [p["class"] for p in out["predictions"]] == here.classes.tolist()
    assert [p["counts"] for p in out["predictions"]] == here.counts.tolist()

    res = _run("-m", "edgesnn.runner", str(path), "--input", f"image={tmp_path / 'img.npy'}")
    assert res.returncode == 1 and res.stderr.count("\n") == 1
    assert res.stderr.startswith("error: --input names ['image'] (missing audio)") and "audio [13, 50]" in res.stderr
    res = _run("-m", "edgesnn.runner", str(path), "--input", str(tmp_path / "img.npy"))
    assert res.returncode == 1 and res.stderr.count("\n") == 1 and "NAME=PATH" in res.stderr


def test_cli_run_function_takes_a_dict_of_paths(mm_bundle, mm_raw, tmp_path, capsys):
    x = {k: v[:2] for k, v in mm_raw[0].items()}
    paths = {}
    for k, v in x.items():
        np.save(tmp_path / f"{k}.npy", v)
        paths[k] = tmp_path / f"{k}.npy"
    assert cli_run(mm_bundle[0], paths, as_json=True) == 0
    out = json.loads(capsys.readouterr().out)
    with Bundle.open(mm_bundle[0]) as bundle:
        assert [p["counts"] for p in out["predictions"]] == bundle.predict(x).counts.tolist()


def test_single_input_bundle_refuses_a_dict(digits_bundle, raw_test):
    with Bundle.open(digits_bundle) as bundle:
        with pytest.raises(DataError, match=r"dict of inputs \['image'\], but this bundle's model takes one input"):
            bundle.predict({"image": raw_test[0][:2]})


def test_stream_of_one_sample_equals_predict(mm_bundle, mm_raw):
    """The held image is rate-encoded with the window's fresh seeded generator: the very draws
    predict makes for that one sample, so the counts are equal, not just close."""
    x = mm_raw[0]
    with Bundle.open(mm_bundle[0]) as bundle:
        stream = bundle.stream()
        assert stream.frame_shape == {"audio": (13,), "image": (1, 8, 8)}
        for n in range(3):
            alone = bundle.predict({k: v[n : n + 1] for k, v in x.items()})
            results = []
            for t in range(bundle.timesteps):
                frame = {"audio": x["audio"][n, :, t]}
                if t == 0 or n == 1:  # the image on the window's first frame (given later: ignored)
                    frame["image"] = x["image"][n] if t == 0 else np.zeros((1, 8, 8))
                results.append(stream.push(frame))
            assert [r.done for r in results] == [False] * (bundle.timesteps - 1) + [True]
            np.testing.assert_array_equal(results[-1].counts, alone.counts[0])
            assert results[-1].decision == alone.classes[0] and results[-1].label == alone.labels[0]


def test_stream_push_step_and_bad_frames(mm_bundle, mm_raw):
    x = {k: v[:1] for k, v in mm_raw[0].items()}
    with Bundle.open(mm_bundle[0]) as bundle:
        enc = bundle.encode(x)
        stream = bundle.stream()
        for t in range(bundle.timesteps):
            last = stream.push_step({k: v[t, 0] for k, v in enc.items()})
        np.testing.assert_array_equal(last.counts, bundle.predict(x).counts[0])
        stream = bundle.stream()
        for frame, err, msg in [
            ({"audio": x["audio"][0, :, 0]}, DataError, r"missing image"),
            (x["audio"][0, :, 0], DataError, r"frame is one array; this stream expects a dict"),
            ({"audio": np.zeros(12), "image": x["image"][0]}, ShapeError, r"frame 'audio' has shape \[12\]"),
        ]:
            with pytest.raises(err, match=msg) as exc:
                stream.push(frame)
            assert "\n" not in str(exc.value)
        stream.push({"audio": x["audio"][0, :, 0], "image": x["image"][0]})
        stream.push({"audio": x["audio"][0, :, 1]})  # later frames of the window need no image


def test_cli_stream_replays_readings_with_one_image_per_window(mm_bundle, mm_raw, tmp_path):
    x = {k: v[:2] for k, v in mm_raw[0].items()}
    np.save(tmp_path / "img.npy", x["image"])
    np.savetxt(tmp_path / "aud.csv", np.concatenate([x["audio"][n].T for n in range(2)]), delimiter=",")
    res = _run(
        "-m",
        "edgesnn.runner",
        str(mm_bundle[0]),
        "--input",
        f"image={tmp_path / 'img.npy'}",
        "--input",
        f"audio={tmp_path / 'aud.csv'}",
        "--stream",
        "--json",
    )
    assert res.returncode == 0, res.stderr
    windows = json.loads(res.stdout)["windows"]
    with Bundle.open(mm_bundle[0]) as bundle:
        for n in range(2):
            alone = bundle.predict({k: v[n : n + 1] for k, v in x.items()})
            assert windows[n]["counts"] == alone.counts[0].tolist()
