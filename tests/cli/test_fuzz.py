"""Property-based fuzzing of every CLI verb against the error contract of DESIGN §3.

Whatever hypothesis throws at a verb (bad files where a file is expected, bad options), the
command must:

- end with an exit code in {0, 1, 2, 3, 130}, never with an exception escaping ``main()``
  (that would be a traceback);
- print at most one line on stderr besides ``warning: ...`` lines, and when it fails, exactly
  one ``error: ...`` line (no usage block, no "Traceback", no stray Python/numpy warnings);
- leave its output path (``--out`` / ``-o`` / ``--output`` / ``--copy-to``) absent or unchanged when
  it fails (exit 2 of train/evaluate/tune is "the profile is violated, the result is kept");
- never modify the artifacts it reads;
- refuse what cannot be right (a missing file, a directory for a file, an unknown name, an
  option that does not apply, e.g. ``export -t nir --form stepwise``) rather than ignore it.

Every verb is called in-process (``edgesnn.cli.main(argv)`` and ``edgesnn.runner.cli.main(argv)``)
with stdout/stderr captured (Python level and file descriptor 2) and Python warnings recorded
under the filters a user's interpreter has. An exception escaping ``main`` propagates, so
hypothesis reports each distinct defect at the line that raised it.

Knobs (environment):
- ``EDGESNN_FUZZ_EXAMPLES``: examples per property (default 15: the bounded CI run, ~1 min);
- ``EDGESNN_FUZZ_RANDOM=1``: a fresh random run (default: derandomized, reproducible), with
  shrinking; ``EDGESNN_FUZZ_SHRINK=1`` shrinks in the derandomized run too;
- ``EDGESNN_FUZZ_LOG=file.jsonl``: survey mode for long local runs. Hypothesis stops a property
  at its first failure; here every violation is appended to the file instead and the run goes
  on, and each property still fails at its end if it logged any;
- ``EDGESNN_FUZZ_TRACE=file.jsonl``: every call's argv, exit code and error line (what the
  strategies reach).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import math
import os
import shutil
import sys
import tempfile
import traceback
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

from edgesnn.cli import main as cli_main
from edgesnn.errors import EdgeSNNWarning
from edgesnn.runner.cli import main as runner_main

EXAMPLES = int(os.environ.get("EDGESNN_FUZZ_EXAMPLES", "15"))
RANDOM = os.environ.get("EDGESNN_FUZZ_RANDOM", "0") not in ("", "0")
SHRINK = RANDOM or os.environ.get("EDGESNN_FUZZ_SHRINK", "0") not in ("", "0")
LOG = os.environ.get("EDGESNN_FUZZ_LOG") or None
TRACE = os.environ.get("EDGESNN_FUZZ_TRACE") or None  # every call's exit code and error line (coverage check)
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0  # chmod does not stop root: skip those sub-cases
REPO = Path(__file__).resolve().parents[2]

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    print_blob=True,
    report_multiple_bugs=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if SHRINK else []),
    suppress_health_check=list(HealthCheck),
)

ALLOWED_CODES = {0, 1, 2, 3, 130}
KEEPS_ON_2 = {"train", "evaluate", "tune"}  # exit 2: the profile is violated, the result is still written


# --------------------------------------------------------------------------------------------
# calling a verb and checking the contract
# --------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    argv: list[str]
    code: int
    out: str
    err: str
    stray: list[str] = field(default_factory=list)  # warnings Python would print as they are

    @property
    def lines(self) -> list[str]:
        return [ln for ln in self.err.split("\n") if ln.strip()]  # a raw '\r' in an echoed name is no new line

    @property
    def errors(self) -> list[str]:
        return [ln for ln in self.lines if not ln.startswith("warning:")]


@contextlib.contextmanager
def _fd2_captured(box: list[str]):
    """Capture what C code (onnxruntime, HDF5) writes on file descriptor 2."""
    saved = os.dup(2)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            box.append(tmp.read().decode("utf-8", "replace"))


def _user_warning_filters() -> None:
    """The filters of a plain ``python`` process (DeprecationWarning hidden outside __main__), but
    every other warning shown (pytest's own filters would hide or alter them)."""
    warnings.resetwarnings()
    warnings.simplefilter("always")
    for category in (ResourceWarning, ImportWarning, PendingDeprecationWarning, DeprecationWarning):
        warnings.filterwarnings("ignore", category=category)
    warnings.filterwarnings("always", category=DeprecationWarning, module="__main__")


def invoke(entry, argv: list[str]) -> Outcome:
    """Run ``entry(argv)`` as the process would; exceptions escaping it propagate (= a traceback)."""
    argv = [str(a) for a in argv]
    note(f"argv: {argv}")
    out, err, c_err = io.StringIO(), io.StringIO(), []
    with _fd2_captured(c_err), warnings.catch_warnings(record=True) as caught:
        _user_warning_filters()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = entry(argv)
            except SystemExit as exc:  # argparse: ``sys.exit(main())`` would exit with this code
                code = exc.code
                if isinstance(code, str):
                    print(code, file=sys.stderr)
                    code = 1
                code = 0 if code is None else code
            except Exception as exc:
                if not LOG:
                    raise
                _record(
                    "ExceptionEscaped",
                    argv,
                    f"{type(exc).__name__} at {_origin(exc)}: {exc}"[:500],
                    "".join(traceback.format_exception(exc))[-4000:],
                )
                code = 1
                print("error: (exception logged)", file=sys.stderr)
    seen, stray = set(), []
    for w in caught:
        if entry is cli_main and issubclass(w.category, EdgeSNNWarning):
            continue  # printed by the CLI as one 'warning:' line
        key = (w.category.__name__, str(w.message), w.filename, w.lineno)
        if key not in seen:
            seen.add(key)
            stray.append(f"{w.filename}:{w.lineno}: {w.category.__name__}: {w.message}")
    result = Outcome(argv, code, out.getvalue(), err.getvalue() + c_err[0], stray)
    if TRACE:  # every outcome, to see what the strategies reach
        with open(TRACE, "a") as fh:
            fh.write(
                json.dumps(
                    {
                        "test": os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0],
                        "code": code,
                        "err": (result.errors or [""])[-1][:200],
                        "argv": argv,
                    }
                )
                + "\n"
            )
    note(f"exit {result.code}; stderr: {result.err[-2000:]!r}; stray warnings: {result.stray}")
    return result


def _sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"unreadable:{type(exc).__name__}"


def snapshot(path: Path | str | None) -> dict[str, str]:
    """Every path under ``path`` with its sha256 ('dir' for directories); {} when absent."""
    if path is None:
        return {}
    p = Path(path)
    if not p.exists():
        return {}
    if not p.is_dir():
        return {".": _sha(p)}
    snap = {".": "dir"}
    for sub in sorted(p.rglob("*")):
        snap[str(sub.relative_to(p))] = "dir" if sub.is_dir() else _sha(sub)
    return snap


def _changed(before: dict[str, str], after: dict[str, str], area: Path, output: Path | None) -> list[str]:
    """Changes in ``area`` except new empty directories on the way to ``output`` (``mkdir -p``)."""
    ancestors = set()
    if output is not None:
        rel = Path(os.path.relpath(output, area))
        ancestors = {str(p) for p in rel.parents if str(p) != "."}
    diff = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return [
        k
        for k in diff
        if not (
            k not in before
            and after.get(k) == "dir"
            and k in ancestors
            and not any(o.startswith(k + os.sep) for o in after if o not in before and after[o] != "dir")
        )
    ]


@dataclass
class Expect:
    """What a call must satisfy beyond the universal contract."""

    verb: str
    area: Path | None = None  # where outputs may appear: unchanged when the verb fails
    output: Path | None = None
    must_fail: str | None = None  # why the input can only be refused
    inapplicable: tuple[str, ...] = ()  # options that do not apply: refuse them or warn
    inputs: tuple[Path, ...] = ()  # artifacts read by the verb: never modified
    writes: bool = False  # exit 0 means ``output`` was written
    _before: dict = field(default_factory=dict)

    def __enter__(self) -> Expect:
        if self.area is not None:
            self._before["area"] = snapshot(self.area)
        for p in self.inputs:
            self._before[str(p)] = snapshot(p)
        return self

    def __exit__(self, *exc) -> None:
        return None


_SURVEY: list[dict] = []


def _origin(exc: BaseException) -> str:
    """file:line where ``exc`` was raised (the innermost frame in edgesnn, else the innermost)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/edgesnn/" in f.filename]
    f = (ours or frames or [None])[-1]
    return (
        f"{os.path.relpath(f.filename, REPO) if f.filename.startswith(str(REPO)) else f.filename}:{f.lineno}"
        if f
        else "?"
    )


def _record(kind: str, argv: list[str], detail: str, err: str) -> None:
    entry = {
        "kind": kind,
        "argv": argv,
        "detail": detail,
        "stderr": err[-3000:],
        "test": os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0],
    }
    _SURVEY.append(entry)
    with open(LOG, "a") as fh:
        fh.write(json.dumps(entry) + "\n")


def surveyed(test):
    """In survey mode (EDGESNN_FUZZ_LOG), fail the property at its end if it logged violations."""

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        start = len(_SURVEY)
        test(*args, **kwargs)
        found = _SURVEY[start:]
        if found:
            kinds = sorted({f"{v['kind']}: {v['detail'][:150]}" for v in found})
            raise AssertionError(
                f"{len(found)} contract violations logged to {LOG}; distinct:\n" + "\n".join(kinds[:40])
            )

    return wrapper


_VIOLATIONS: dict[str, type] = {}


def _violation(kind: str) -> type:
    """One AssertionError subclass per clause, so hypothesis reports each broken clause as its own bug."""
    if kind not in _VIOLATIONS:
        _VIOLATIONS[kind] = type(kind, (AssertionError,), {"__module__": __name__})
    return _VIOLATIONS[kind]


def check(res: Outcome, exp: Expect) -> None:
    """The contract (see the module docstring); in survey mode each broken clause is logged, not raised."""
    tail = f"\nargv: {res.argv}\nexit: {res.code}\nstderr:\n{res.err[-3000:]}"

    def ok(condition: bool, kind: str, message: str) -> None:
        if condition:
            return
        if LOG:
            return _record(kind, res.argv, message, res.err)
        raise _violation(kind)(message + tail)

    if LOG and "exception logged" in res.err:
        return
    errors = res.errors
    usage = len(errors) > 1 and any(ln.lower().startswith(("usage:", "try '")) for ln in errors)
    ok("Traceback" not in res.err and "Traceback" not in res.out, "TracebackPrinted", "a traceback was printed")
    ok(res.code in ALLOWED_CODES, "ExitCodeNotAllowed", f"exit code {res.code} not in {sorted(ALLOWED_CODES)}")
    ok(not usage, "UsageBlock", "a usage error printed as a multi-line usage block, not one 'error:' line")
    ok(
        usage or len(errors) <= 1,
        "ExtraStderrLines",
        f"{len(errors)} lines on stderr (at most one 'error:' line besides warnings)",
    )
    ok(not res.stray, "WarningLeaked", f"Python warnings leaked to stderr: {res.stray}")
    if res.code != 0 and not usage:
        ok(
            len(errors) == 1 and errors[0].startswith(("error: ", "interrupted")),
            "NoErrorLine",
            "failed without one 'error: ...' line",
        )
    if exp.must_fail:
        ok(res.code != 0, "BadInputAccepted", f"bad input accepted ({exp.must_fail})")
    for option in exp.inapplicable:
        if res.code in (0, 2) and not usage:
            ok(
                any(option in ln for ln in res.lines),
                "OptionIgnored",
                f"{option} does not apply here but was silently ignored",
            )
    if exp.area is not None and res.code != 0 and not (res.code == 2 and exp.verb in KEEPS_ON_2):
        changed = _changed(exp._before["area"], snapshot(exp.area), exp.area, exp.output)
        ok(
            not changed,
            "OutputChangedOnFailure",
            f"failed (exit {res.code}) but changed its output area: {changed[:10]}",
        )
    if exp.writes and exp.output is not None and res.code == 0:
        ok(Path(exp.output).exists(), "OutputNotWritten", f"exit 0 but {exp.output} was not written")
    for p in exp.inputs:
        ok(snapshot(p) == exp._before[str(p)], "InputModified", f"modified its input {p}")


def run_cli(argv: list[str], exp: Expect, entry=None) -> Outcome:
    with exp:
        res = invoke(entry or cli_main, argv)
    check(res, exp)
    return res


# --------------------------------------------------------------------------------------------
# generated files: what the strategies describe, materialized in the example's temp directory
# --------------------------------------------------------------------------------------------


class Bad(NamedTuple):
    """A file (or non-file) to put where a verb expects a file; ``kind`` says how it is made."""

    kind: str
    ext: str = ""
    data: Any = None


class ArraySpec(NamedTuple):
    shape: tuple[int, ...]
    dtype: str
    base: str
    specials: tuple[tuple[int, float], ...] = ()


DELETE = "<delete>"
SPECIAL_VALUES = (math.nan, math.inf, -math.inf, 1e300, -1e300, 1e-300, 3.5e38, -0.0, 0.0, 1.0, -1.0, 255.0, 1e6)
DTYPES = ("float32", "float64", "float16", "int8", "int64", "uint8", "bool", "complex64", "<U3", "|S3", "object")
MAGICS = (
    b"",
    b"PK\x03\x04",
    b"PK\x05\x06" + b"\0" * 18,
    b"\x93NUMPY\x01\x00",
    b"\x89HDF\r\n\x1a\n",
    b"\x80\x02",
    b"\xef\xbb\xbf",
    b"---\n",
    b"{",
    b"\x08\x07\x12\x04",
)
NON_UTF8 = (b"\xff", b"\xfe\xff", b"\xc3\x28", b"\x80abc", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80")
RAW_YAML = (
    "key: [unclosed",
    "{a: 1",
    "- - -",
    "!!python/object/apply:os.system ['true']",
    "a: &x [*x]",
    "%YAML 9.9\n---\na: 1",
    "\t\tdt_s: 1",
    "? [a, b]\n: 1",
    "dt_s: 0.001\ndt_s: 0.002",
    "[" * 3000,
    "a: " + "{b: " * 400 + "1" + "}" * 400,
    "--- 1\n--- 2",
    "dt_s: !!binary aGVsbG8=",
    "name: \x07",
    "dt_s: 0.001\nlimits: [1, 2]",
    "dt_s: .nan",
    "dt_s: .inf\ntimesteps: -3",
    "null",
    "~",
    "[]",
    "''",
)
RAW_JSON = (
    "{",
    "[1, 2",
    '{"a": NaN}',
    '{"hidden_1": {"_type": "choice", "_value": []}}',
    "[" * 3000,
    '{"a": ' * 2000 + "1" + "}" * 2000,
    "null",
    "1e999",
    '"text"',
    '{"beta": {"_type": "uniform"}}',
    '{"beta": {"_type": "uniform", "_value": ["a", "b"]}}',
    '{"": {}}',
    "\ufeff{}",
)

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(SPECIAL_VALUES),
    st.sampled_from((0, -1, 1, 2, 3, 7, 64, 10**12, 2**63, -(2**63) - 1)),
    st.integers(-5, 40),
    st.text(max_size=8),
)
WEIRD = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3), st.dictionaries(st.text(max_size=5), inner, min_size=1, max_size=3)
    ),
    max_leaves=6,
)


def often(strategy, times: int) -> list:
    """``times`` copies of ``strategy`` to weight a ``st.one_of`` (it drops repeated objects, so each is a new map)."""
    return [strategy.map(lambda v: v) for _ in range(times)]


def _near_shapes(good: tuple[int, ...]):
    """Shapes close to ``good``: one axis changed, dropped or added; or any small shape."""
    n = len(good)
    return st.one_of(
        st.just(good),
        st.builds(
            lambda i, v: tuple(v if j == i % n else s for j, s in enumerate(good)),
            st.integers(0, max(n - 1, 0)),
            st.sampled_from((0, 1, 2, 3, 5)),
        ),
        st.builds(lambda i: good[: i % n] + good[i % n + 1 :], st.integers(0, max(n - 1, 0))),
        st.builds(lambda v: good + (v,), st.sampled_from((1, 2))),
        array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=4),
    )


def array_specs(good: tuple[int, ...], dtypes=DTYPES, bases=("zeros", "ones", "randn", "labels2", "arange", "huge")):
    return st.builds(
        ArraySpec,
        _near_shapes(good),
        st.sampled_from(dtypes),
        st.sampled_from(bases),
        st.lists(st.tuples(st.integers(0, 1000), st.sampled_from(SPECIAL_VALUES)), max_size=3).map(tuple),
    )


def build_array(spec: ArraySpec) -> np.ndarray:
    shape = tuple(spec.shape)
    size = math.prod(shape)
    rng = np.random.default_rng(0)
    base = {
        "zeros": np.zeros(size),
        "ones": np.ones(size),
        "randn": rng.standard_normal(size),
        "labels2": np.arange(size) % 2.0,
        "arange": np.arange(size, dtype=float),
        "huge": np.full(size, 1e300),
    }[spec.base]
    flat = base.astype(np.float64)
    for i, v in spec.specials:
        if size:
            flat[i % size] = v
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dt = np.dtype(spec.dtype)
        if dt.kind in "fc":
            arr = flat.astype(dt)
        elif dt.kind in "iu":
            info = np.iinfo(dt)
            arr = np.clip(np.nan_to_num(flat, nan=0, posinf=info.max, neginf=info.min), info.min, info.max).astype(dt)
        elif dt.kind == "b":
            arr = flat != 0
        elif dt.kind in "US":
            arr = np.array([f"{v:.3g}"[:3] for v in flat], dtype=dt)
        else:
            objs = [None, "a", 1.5, [1, 2], {"k": 1}, b"x", 3]
            arr = np.empty(size, dtype=object)
            for i, v in enumerate(flat):
                arr[i] = objs[i % len(objs)] if spec.base != "ones" else float(v)
    return arr.reshape(shape)


def _write_h5(path: Path, arrays: dict[str, np.ndarray]) -> None:
    import h5py

    with h5py.File(path, "w") as fh:
        for key, arr in arrays.items():
            if arr.dtype.kind == "O":
                fh.create_dataset(
                    key,
                    data=np.array([str(v) for v in arr.reshape(-1)], dtype=object).reshape(arr.shape),
                    dtype=h5py.string_dtype(),
                )
            elif arr.dtype.kind == "U":
                fh.create_dataset(key, data=arr.astype("S"))
            else:
                fh.create_dataset(key, data=arr)


def _mutate_doc(doc: Any, where: tuple[float, ...], value: Any) -> Any:
    """Set (or delete) one entry of a parsed YAML/JSON/checkpoint document, picked by fractions."""
    if not isinstance(doc, dict) or not doc or not where:
        return value if value != DELETE else {}
    keys = list(doc)
    key = keys[min(int(where[0] * len(keys)), len(keys) - 1)]
    if len(where) > 1 and isinstance(doc[key], dict) and doc[key]:
        doc[key] = _mutate_doc(doc[key], where[1:], value)
    elif value == DELETE:
        del doc[key]
    else:
        doc[key] = value
    return doc


def _to_torchable(value: Any):
    import torch

    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__tensor__":
        return torch.zeros(value[1])
    return value


def _apply_payload(payload: tuple, original: bytes, templates: dict[str, bytes], member: str) -> bytes | None:
    """New bytes of a member (None: make it a directory)."""
    kind = payload[0]
    if kind == "bytes":
        return payload[1] + payload[2]
    if kind == "empty":
        return b""
    if kind == "dir":
        return None
    if kind == "truncate":
        return original[: int(payload[1] * len(original))]
    if kind == "garble":
        data = bytearray(original)
        for frac, byte in payload[1]:
            if data:
                data[min(int(frac * len(data)), len(data) - 1)] = byte
        return bytes(data)
    if kind == "nonutf8":
        cut = int(payload[1] * len(original))
        return original[:cut] + payload[2] + original[cut:]
    if kind == "doc":  # parse (JSON, YAML or a torch checkpoint), change one entry, write back
        where, value = payload[1], payload[2]
        if member.endswith(".pt"):
            import torch

            try:
                doc = torch.load(io.BytesIO(original), map_location="cpu", weights_only=False)
            except Exception:
                return original
            buf = io.BytesIO()
            torch.save(_mutate_doc(doc, where, _to_torchable(value)), buf)
            return buf.getvalue()
        try:
            doc = json.loads(original)
            return json.dumps(_mutate_doc(doc, where, value)).encode()
        except (ValueError, UnicodeDecodeError):
            import yaml

            try:
                doc = yaml.safe_load(original)
                return yaml.safe_dump(_mutate_doc(doc, where, value), allow_unicode=True).encode()
            except Exception:
                return original
    if kind == "template":
        return templates.get(payload[1], b"")
    raise AssertionError(kind)


def _resign_dir(directory: Path) -> None:
    """Make manifest.json's sha256 match the (corrupted) files, so the corruption gets past the check."""
    path = directory / "manifest.json"
    try:
        manifest = json.loads(path.read_text())
        files = manifest.get("files")
        for name in list(files):
            if (directory / name).is_file():
                files[name] = hashlib.sha256((directory / name).read_bytes()).hexdigest()
        path.write_text(json.dumps(manifest, indent=2))
    except Exception:
        pass


def _rebuild_zip(template: bytes, op: str, member: str, payload: tuple, resign: bool, templates) -> bytes:
    with zipfile.ZipFile(io.BytesIO(template)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    original = members.get(member, b"")
    if op == "drop":
        members.pop(member, None)
    else:
        new = _apply_payload(payload, original, templates, member)
        members[member if new is not None else member + "/"] = new if new is not None else b""
        if new is None:
            members.pop(member, None)
    if resign and "manifest.json" in members:
        try:
            manifest = json.loads(members["manifest.json"])
            for name in list(manifest.get("files", {})):
                if name in members:
                    manifest["files"][name] = hashlib.sha256(members[name]).hexdigest()
            members["manifest.json"] = json.dumps(manifest, indent=2).encode()
        except Exception:
            pass
        members["manifest.sha256"] = hashlib.sha256(members["manifest.json"]).hexdigest().encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def materialize(bad: Bad, folder: Path, stem: str, built: dict) -> str:
    """Create ``bad`` under ``folder`` and return the path to give on the command line."""
    templates = built["templates"]
    path = folder / f"{stem}{bad.ext}"
    kind, data = bad.kind, bad.data
    if kind == "missing":
        return str(folder / "no-such-dir" / path.name) if data else str(path)
    if kind == "dir":
        path.mkdir(parents=True)
        if data:
            (path / "inside.txt").write_text("x")
        return str(path)
    if kind == "name":  # a bare name, not a file
        return data
    if kind == "fixture":  # a built artifact (never modified) or another framework's NIR file from tests/fixtures
        if data in THIRD_PARTY_NIR:
            return str(REPO / "tests" / "fixtures" / "nir" / data)
        return str(built["bundle"]) if data == "bundle" else str(built["root"] / data)
    if kind == "artifact":  # a copy of a built run/export directory with one member corrupted
        src, op, member, payload, resign = data
        shutil.copytree(built[src], path)
        target = path / member
        if op == "drop":
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
        else:
            original = target.read_bytes() if target.is_file() else b""
            new = _apply_payload(payload, original, templates, member)
            target.unlink(missing_ok=True)
            if new is None:
                target.mkdir()
            else:
                target.write_bytes(new)
        if resign:
            _resign_dir(path)
        return str(path)
    if kind == "bundle":
        op, member, payload, resign = data
        path.write_bytes(_rebuild_zip(templates["bundle.zip"], op, member, payload, resign, templates))
        return str(path)
    if kind == "arrays":
        arrays = {k: build_array(v) for k, v in data.items()}
        if bad.ext == ".npz":
            with open(path, "wb") as fh:
                np.savez(fh, **arrays)
        else:
            _write_h5(path, arrays)
        return str(path)
    if kind == "npy":
        with open(path, "wb") as fh:
            np.save(fh, build_array(data), allow_pickle=True)
        return str(path)
    if kind == "unreadable":
        path.write_bytes(templates[data])
        path.chmod(0)
        return str(path)
    if kind == "yaml":
        import yaml

        base = yaml.safe_load(templates[data[0]])
        path.write_text(yaml.safe_dump(_mutate_doc(base, data[1], data[2]), allow_unicode=True))
        return str(path)
    if kind == "json":
        base = json.loads(templates[data[0]])
        path.write_text(json.dumps(_mutate_doc(base, data[1], data[2])))
        return str(path)
    if kind == "text":
        path.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
        return str(path)
    if kind == "bytes":
        path.write_bytes(data[0] + data[1])
        return str(path)
    if kind == "empty":
        path.write_bytes(b"")
        return str(path)
    if kind == "good":
        path.write_bytes(templates[data])
        return str(path)
    if kind in ("truncate", "garble", "nonutf8"):
        template = data[0]
        path.write_bytes(_apply_payload((kind, *data[1:]), templates[template], templates, template))
        return str(path)
    raise AssertionError(kind)


def must_fail_reason(bad: Bad) -> str | None:
    """Inputs no verb can accept as the file it asked for."""
    if bad.kind in ("missing", "dir", "unreadable"):
        return f"a {bad.kind} path given as a file"
    if bad.kind == "empty" and bad.ext not in (".yaml", ".yml"):
        return "an empty file"
    if bad.kind == "bytes" and bad.ext in (".npz", ".h5", ".hdf5", ".npy", ".nir", ".zip", ".pt", ".onnx"):
        return "random bytes for a binary format"
    return None


# --------------------------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------------------------

FRACS = st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=3).map(tuple)
GARBLE = st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8).map(tuple)


def corruptions(templates: tuple[str, ...], ext_of=lambda t: Path(t).suffix):
    """Truncated, garbled or non-UTF-8 versions of good files."""
    t = st.sampled_from(templates)
    return st.one_of(
        st.builds(lambda n, f: Bad("truncate", ext_of(n), (n, f)), t, st.floats(0, 1, exclude_max=True)),
        st.builds(lambda n, g: Bad("garble", ext_of(n), (n, g)), t, GARBLE),
        st.builds(lambda n, f, b: Bad("nonutf8", ext_of(n), (n, f, b)), t, st.floats(0, 1), st.sampled_from(NON_UTF8)),
    )


def generic_bad(exts: tuple[str, ...], unreadable_template: str | None = None):
    """Missing paths, directories, empty files, random bytes or text, unreadable files."""
    e = st.sampled_from(exts)
    options = [
        st.builds(Bad, st.just("missing"), e, st.booleans()),
        st.builds(Bad, st.just("dir"), e, st.booleans()),
        st.builds(Bad, st.just("empty"), e, st.none()),
        st.builds(Bad, st.just("bytes"), e, st.tuples(st.sampled_from(MAGICS), st.binary(max_size=200))),
        st.builds(Bad, st.just("text"), e, st.one_of(st.text(max_size=200), st.binary(max_size=100))),
    ]
    if unreadable_template and not ROOT:
        options.append(st.builds(Bad, st.just("unreadable"), e, st.just(unreadable_template)))
    return st.one_of(*options)


def _csv_bytes(header, rows, sep):
    lines = ([sep.join(header)] if header is not None else []) + [sep.join(r) for r in rows]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


CELLS = st.one_of(
    st.sampled_from(
        (
            "0",
            "1",
            "2",
            "-1",
            "1.5",
            "nan",
            "NaN",
            "inf",
            "-inf",
            "1e300",
            "-1e300",
            "1e-300",
            "",
            " ",
            "abc",
            "0x10",
            '"',
            "\x00",
            "TRUE",
            "3.4e39",
        )
    ),
    st.integers(-3, 3).map(str),
    st.text(max_size=4),
)
RANDOM_CSV = st.builds(
    lambda h, r, s: Bad("text", ".csv", _csv_bytes(h, r, s)),
    st.one_of(st.none(), st.lists(st.sampled_from(("a", "b", "c", "d", "label", "class", "y", "", "ℓ")), max_size=6)),
    st.lists(st.lists(CELLS, max_size=6), max_size=14),
    st.sampled_from((",", ";", " ", "\t")),
)


@st.composite
def dataset_arrays(draw, ext):
    """NPZ/HDF5 datasets: near-valid x/y with wrong keys, dtypes, shapes, NaN/inf/1e300, object arrays."""
    n = draw(st.sampled_from((0, 1, 2, 3, 12, 24)))
    arrays = {}
    xshape = draw(st.sampled_from(((n, 4), (n, 2, 5), (n, 1, 3, 3), (n,), (n, 1, 1, 1, 1))))
    xkey = draw(st.sampled_from(("x", "x", "X", "x_a", "feat")))
    arrays[xkey] = draw(
        array_specs(
            xshape, dtypes=("float32", "float32", "float64") + DTYPES, bases=("randn", "randn", "zeros", "huge", "ones")
        )
    )
    if draw(st.booleans()):
        arrays["x_b"] = draw(array_specs((n, 3)))
    ykey = draw(st.sampled_from(("y", "y", "Y", "label", "labels")))
    arrays[ykey] = draw(
        array_specs(
            draw(st.sampled_from(((n,), (n, 1), (n + 1,)))),
            dtypes=("int64", "int64", "<U3", "float64", "object", "bool"),
            bases=("labels2", "labels2", "zeros", "arange"),
        )
    )
    for extra, good in (("classes", (2,)), ("lengths", (n,))):
        if draw(st.integers(0, 3)) == 0:
            arrays[extra] = draw(array_specs(good))
    return Bad("arrays", ext, arrays)


def bad_datasets():
    return st.one_of(
        generic_bad((".csv", ".npz", ".h5", ".hdf5", ".ts", ".txt", ""), "dataset.csv"),
        corruptions(("dataset.csv", "dataset.npz", "dataset.h5", "dataset.ts")),
        RANDOM_CSV,
        dataset_arrays(".npz"),
        dataset_arrays(".h5"),
        st.builds(
            lambda t: Bad("good", Path(t).suffix, t), st.sampled_from(("dataset.csv", "dataset.npz", "dataset.ts"))
        ),
    )


def bad_docs(template: str, ext: str, raw: tuple[str, ...]):
    """A YAML/JSON document: a good one with one entry changed or deleted, raw broken text, or junk."""
    return st.one_of(
        *often(
            st.builds(lambda w, v: Bad(ext[1:], ext, (template, w, v)), FRACS, st.one_of(WEIRD, st.just(DELETE))), 3
        ),
        st.builds(lambda t: Bad("text", ext, t), st.sampled_from(raw)),
        generic_bad((ext,), template),
        corruptions((template,)),
    )


UNKNOWN_NAMES = st.one_of(
    st.sampled_from(("", "wearabel", "onnx_cpu", "loihi3", "digitz", "../iris", "-", "x" * 300, "🙂", "iris\x00")),
    st.text(max_size=12),
)
DATASETS = (
    "digits",
    "digits_rows",
    "breast_cancer",
    "wine",
    "iris",
    "basic_motions",
    "japanese_vowels",
    "pickup_gesture",
    "pbmc68k",
    "mnist",
    "spoken_digits",
    "digits_spoken",
    "mnist_spoken",
)

OUT_KINDS = ("fresh", "nested", "existing_file", "existing_dir", "existing_empty_dir", "under_file") + (
    () if ROOT else ("unwritable",)
)


def make_out(kind: str, area: Path, name: str) -> Path:
    """An output path of ``kind`` under ``area`` (which holds outputs only)."""
    if kind == "fresh":
        return area / name
    if kind == "nested":
        return area / "a" / "b" / name
    if kind == "existing_file":
        (area / name).write_bytes(b"precious")
        return area / name
    if kind == "existing_dir":
        (area / name).mkdir()
        (area / name / "keep.txt").write_text("precious")
        return area / name
    if kind == "existing_empty_dir":
        (area / name).mkdir()
        return area / name
    if kind == "under_file":
        (area / "blocker").write_text("a file, not a directory")
        return area / "blocker" / name
    if kind == "unwritable":
        (area / "ro").mkdir()
        (area / "ro").chmod(0o555)
        return area / "ro" / name
    raise AssertionError(kind)


@contextlib.contextmanager
def example_dirs():
    """(inputs folder, outputs area) of one example, removed afterwards (permissions restored)."""
    with tempfile.TemporaryDirectory(prefix="edgesnn-fuzz-") as tmp:
        root = Path(tmp)
        (root / "in").mkdir()
        (root / "area").mkdir()
        try:
            yield root / "in", root / "area"
        finally:
            for p in [root, *root.rglob("*")]:
                with contextlib.suppress(OSError):
                    if not p.is_symlink():
                        p.chmod(0o700)


def set_values():
    return st.one_of(
        st.sampled_from(
            (
                "0",
                "-1",
                "2",
                "-0.5",
                "1e300",
                "nan",
                "inf",
                "-inf",
                "[0]",
                "[-3]",
                "[]",
                "[[4]]",
                "[4, 0]",
                "{a: 1}",
                "{}",
                "abc",
                "",
                "True",
                "null",
                "[1000000000000]",
                "1000000000000",
                "0.0",
                "1.5",
                "'8'",
                "[8, x]",
                "[",
                "]",
                "1e-300",
                "[2, 2, 2, 2, 2, 2, 2, 2]",
            )
        ),
        st.integers(-3, 40).map(str),
        st.sampled_from(
            (
                "leaky",
                "synaptic",
                "rate",
                "latency",
                "fast_sigmoid",
                "zero",
                "subtract",
                "none",
                "concat",
                "add",
                "ce_rate",
                "mse_count",
                "ann",
                "avg",
                "max",
                "ünï",
                "\x00",
                "a" * 200,
            )
        ),
    )


SET_KEYS = (
    "neuron",
    "beta",
    "alpha",
    "threshold",
    "surrogate",
    "slope",
    "reset",
    "learn_beta",
    "learn_threshold",
    "encoder",
    "encoder_threshold",
    "timesteps",
    "population",
    "loss",
    "correct_rate",
    "incorrect_rate",
    "lr",
    "batch_size",
    "weight_decay",
    "init",
    "init_rate",
    "hidden",
    "hidden",
    "hidden",
    "skip",
    "w1",
    "wd1",
    "h1",
    "pool",
    "model",
    "epochs",
    "betta",
    "",
    "seed",
)
SET_ARGS = st.one_of(
    *often(st.builds(lambda k, v: f"{k}={v}", st.sampled_from(SET_KEYS), set_values()), 6),
    st.sampled_from(
        (
            "hidden",
            "=",
            "=1",
            "beta==0.9",
            "beta=0.9=1",
            " beta = 0.9",
            "HIDDEN=[8]",
            "hidden =[8]",
            "__class__=1",
            "hidden.0=4",
        )
    ),
)

ONNX_TARGETS = ("onnx", "onnx-cpu", "cortex-m")
SAFE_TARGETS = ONNX_TARGETS + ("nir",)  # Lava targets are left out: slow to start, covered by their own tests


def _unknown(bad: Bad, known: tuple[str, ...]) -> str | None:
    if bad.kind == "name" and bad.data not in known:
        return f"unknown name {bad.data!r}"
    return must_fail_reason(bad) if bad.kind != "name" else None


# --------------------------------------------------------------------------------------------
# the model every artifact-reading verb is fuzzed around (iris, tiny MLP, 1 epoch)
# --------------------------------------------------------------------------------------------


class Built(dict):
    """The fixture's paths and template bytes; short in hypothesis's failure reports."""

    def __repr__(self) -> str:
        return f"<fuzz model in {self['root']}>"


def _quiet(argv: list[str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        warnings.simplefilter("ignore")
        code = cli_main(argv)
    assert code == 0, f"fixture command failed: {argv}\n{err.getvalue()}"


def _templates(root: Path, built: dict) -> dict[str, bytes]:
    rng = np.random.default_rng(1)
    y = np.arange(24) % 2
    x = (rng.standard_normal((24, 4)) + y[:, None] * 2).astype(np.float32)
    t = {}
    t["dataset.csv"] = (
        "a,b,c,d,label\n" + "".join(",".join(f"{v:.3f}" for v in r) + f",{c}\n" for r, c in zip(x, y))
    ).encode()
    buf = io.BytesIO()
    np.savez(buf, x=x, y=y)
    t["dataset.npz"] = buf.getvalue()
    _write_h5(root / "d.h5", {"x": x, "y": y})
    t["dataset.h5"] = (root / "d.h5").read_bytes()
    series = rng.standard_normal((24, 2, 5))
    t["dataset.ts"] = (
        "@problemName fuzz\n@timeStamps false\n@univariate false\n@dimensions 2\n@equalLength true\n"
        "@seriesLength 5\n@classLabel true a b\n@data\n"
        + "".join(":".join(",".join(f"{v:.3f}" for v in ch) for ch in s) + f":{'ab'[c]}\n" for s, c in zip(series, y))
    ).encode()
    t["profile.yaml"] = (
        b"name: fuzz\ndt_s: 0.001\ntimesteps: 4\nlimits:\n  max_param_bytes: 1000000\n"
        b"  min_mean_firing_rate: 0.0\ndefault_target: onnx-cpu\n"
    )
    t["target.yaml"] = (REPO / "targets" / "onnx-cpu.yaml").read_bytes()
    t["space.json"] = json.dumps(
        {
            "beta": {"_type": "uniform", "_value": [0.8, 0.95]},
            "hidden_1": {"_type": "choice", "_value": [4, 8]},
            "timesteps": {"_type": "choice", "_value": [4]},
        }
    ).encode()
    buf = io.BytesIO()
    np.save(buf, (rng.random((4, 2, 4)) < 0.5).astype(np.float32))
    t["input.npy"] = buf.getvalue()
    buf = io.BytesIO()
    np.save(buf, np.array([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5]]))
    t["raw.npy"] = buf.getvalue()
    t["raw.csv"] = b"sl,sw,pl,pw\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n"
    t["model.nir"] = (built["nir"] / "model.nir").read_bytes()
    t["model.onnx"] = (built["onnx"] / "model.onnx").read_bytes()
    t["model.stepwise.onnx"] = (built["onnx"] / "model.stepwise.onnx").read_bytes()
    t["checkpoint.pt"] = (built["run"] / "checkpoint.pt").read_bytes()
    t["bundle.zip"] = built["bundle"].read_bytes()
    t["manifest.json"] = (built["onnx"] / "manifest.json").read_bytes()
    t["lif_norse.nir"] = (REPO / "tests" / "fixtures" / "nir" / "lif_norse.nir").read_bytes()
    return t


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """A trained iris run (MLP, 8 hidden, 4 steps, 1 epoch), its ONNX and NIR exports and a bundle."""
    root = tmp_path_factory.mktemp("fuzz-model")
    _quiet(
        [
            "train",
            "-d",
            "iris",
            "-p",
            "workstation",
            "-t",
            "onnx-cpu",
            "-e",
            "1",
            "--set",
            "hidden=[8]",
            "--set",
            "timesteps=4",
            "-o",
            str(root / "run"),
            "--json",
        ]
    )
    _quiet(["export", str(root / "run"), "-t", "onnx", "-o", str(root / "onnx"), "--json"])
    _quiet(["export", str(root / "run"), "-t", "nir", "-o", str(root / "nir"), "--json"])
    _quiet(["package", str(root / "onnx"), "-o", str(root / "bundle.zip"), "--json"])
    built = Built(root=root, run=root / "run", onnx=root / "onnx", nir=root / "nir", bundle=root / "bundle.zip")
    built["templates"] = _templates(root, built)
    return built


def _inputs(built: dict) -> tuple[Path, ...]:
    return (built["run"], built["onnx"], built["nir"], built["bundle"])


# --------------------------------------------------------------------------------------------
# strategies for artifacts, inputs and option slots
# --------------------------------------------------------------------------------------------

THIRD_PARTY_NIR = (
    "lif_norse.nir",
    "lif_rockpool.nir",
    "cnn_sinabs.nir",
)  # tests/fixtures/nir: other frameworks' graphs
RUN_MEMBERS = ("checkpoint.pt", "checkpoint.pt", "manifest.json", "metrics.json")
ONNX_MEMBERS = ("model.onnx", "model.stepwise.onnx", "model.nir", "manifest.json", "parity.json")
NIR_MEMBERS = ("model.nir", "model.nir", "manifest.json", "parity.json")
BUNDLE_MEMBERS = (
    "manifest.json",
    "manifest.sha256",
    "model.stepwise.onnx",
    "model.nir",
    "preprocessing.json",
    "encoder.json",
    "classes.json",
    "profile.json",
    "target.json",
    "report.json",
    "README.md",
)
PAYLOADS = st.one_of(
    st.tuples(st.just("bytes"), st.sampled_from(MAGICS), st.binary(max_size=100)),
    st.tuples(st.just("empty")),
    st.tuples(st.just("dir")),
    st.tuples(st.just("truncate"), st.floats(0, 1, exclude_max=True)),
    st.tuples(st.just("garble"), GARBLE),
    st.tuples(st.just("nonutf8"), st.floats(0, 1), st.sampled_from(NON_UTF8)),
    st.tuples(
        st.just("doc"),
        FRACS,
        st.one_of(WEIRD, st.just(DELETE), st.tuples(st.just("__tensor__"), st.lists(st.integers(0, 3), max_size=3))),
    ),
    st.tuples(
        st.just("template"),
        st.sampled_from(("model.nir", "model.onnx", "checkpoint.pt", "manifest.json", "lif_norse.nir")),
    ),
)


def fixture(*names: str):
    """One of the built artifacts (``run``, ``onnx``, ``nir``, ``onnx/model.onnx``, ``bundle``...), unchanged."""
    return st.sampled_from(names).map(lambda n: Bad("fixture", "", n))


def names(*choices: str):
    return st.sampled_from(choices).map(lambda n: Bad("name", "", n))


def artifact_dirs(src: str, members: tuple[str, ...]):
    """A copy of a built directory with one member replaced (junk, truncated, garbled, a directory, one JSON or
    checkpoint entry changed) or dropped; ``resign`` rewrites the manifest's sha256 so the change gets past it."""
    return st.builds(
        lambda op, m, p, r: Bad("artifact", "", (src, op, m, p, r)),
        st.sampled_from(("replace", "replace", "replace", "drop")),
        st.sampled_from(members),
        PAYLOADS,
        st.booleans(),
    )


def bundles():
    return st.one_of(
        st.builds(
            lambda op, m, p, r: Bad("bundle", ".zip", (op, m, p, r)),
            st.sampled_from(("replace", "replace", "drop")),
            st.sampled_from(BUNDLE_MEMBERS),
            PAYLOADS,
            st.booleans(),
        ),
        corruptions(("bundle.zip",)),
        generic_bad((".zip",), "bundle.zip"),
    )


def run_inputs():
    """``--input`` files: arrays near [T, B, 4] (or raw [N, 4]) with wrong shapes / dtypes / NaN / inf / 1e300,
    object arrays, NPZ archives, CSV junk, truncated or garbled good inputs, non-files."""
    return st.one_of(
        st.builds(lambda s: Bad("npy", ".npy", s), array_specs((4, 2, 4), dtypes=("float32",) * 3 + DTYPES)),
        st.builds(lambda s: Bad("npy", ".npy", s), array_specs((3, 4), dtypes=("float64",) * 3 + DTYPES)),
        st.builds(
            lambda a: Bad("arrays", ".npz", a),
            st.dictionaries(
                st.sampled_from(("x", "arr_0", "y", "image")), array_specs((4, 2, 4)), min_size=0, max_size=2
            ),
        ),
        RANDOM_CSV,
        st.builds(lambda t: Bad("good", Path(t).suffix, t), st.sampled_from(("input.npy", "raw.npy", "raw.csv"))),
        corruptions(("input.npy", "raw.npy", "raw.csv")),
        generic_bad((".npy", ".npz", ".csv", ".txt", ".json", ""), "input.npy"),
    )


NAMES = st.one_of(*often(st.none(), 6), st.sampled_from(("image", "audio", "x", "", "1a", "a b", "a=b")))
ONE_OR_TWO_INPUTS = st.one_of(
    *often(st.lists(run_inputs(), min_size=1, max_size=1), 8), st.lists(run_inputs(), min_size=2, max_size=2)
)


def _input_args(specs, named, folder: Path, built: dict) -> list[str]:
    args = []
    for i, (spec, name) in enumerate(zip(specs, named)):
        path = materialize(spec, folder, f"x{i}", built)
        args += ["--input", path if name is None else f"{name}={path}"]
    return args


def _fill(argv: list[str], built: dict, folder: Path, **extra: str) -> list[str]:
    """Replace {run} / {onnx} / {nir} / {bundle} / {input} (and ``extra``) placeholders in ``argv``."""
    input_npy = folder / "good-input.npy"
    if not input_npy.exists():
        input_npy.write_bytes(built["templates"]["input.npy"])
    paths = {
        "{run}": built["run"],
        "{onnx}": built["onnx"],
        "{nir}": built["nir"],
        "{bundle}": built["bundle"],
        "{input}": input_npy,
        **{f"{{{k}}}": v for k, v in extra.items()},
    }
    return [str(paths.get(a, a)) for a in argv]


TRAIN_BASE = ["-e", "1", "--set", "hidden=[8]", "--set", "timesteps=4"]
TUNE_BASE = ["-n", "1", "-e", "1", "--json"]
PROFILES = ("workstation", "wearable", "implant", "always-on-audio")
ALL_TARGETS = SAFE_TARGETS + ("lava", "lava-float", "loihi2")
MODELS = ("mlp", "cnn1d", "cnn2d", "rnn", "fusion", "fusion2")


# --------------------------------------------------------------------------------------------
# the properties
# --------------------------------------------------------------------------------------------


@surveyed
@FUZZ
@given(
    verb=st.sampled_from(("profiles", "targets", "datasets")),
    show=st.booleans(),
    what=st.one_of(
        UNKNOWN_NAMES.map(lambda n: Bad("name", "", n)),
        bad_docs("profile.yaml", ".yaml", RAW_YAML),
        bad_docs("target.yaml", ".yaml", RAW_YAML),
    ),
    as_json=st.booleans(),
)
def test_catalog_verbs(built, verb, show, what, as_json):
    """``profiles [show X]``, ``targets [show X]``, ``datasets`` with unknown names and bad YAML files."""
    with example_dirs() as (folder, area):
        argv = [verb] + (["--json"] if as_json else [])
        must = None
        if show and verb != "datasets":
            argv += ["show", materialize(what, folder, "doc", built)]
            must = _unknown(what, PROFILES if verb == "profiles" else ALL_TARGETS)
        run_cli(argv, Expect(verb, must_fail=must, inputs=_inputs(built)))


UNKNOWN_SLOTS = (  # (verb, argv with {X} where the name goes, the names that exist there)
    ("train", ["-d", "{X}", "-p", "workstation", "-t", "onnx-cpu", *TRAIN_BASE], DATASETS),
    ("train", ["-d", "iris", "-p", "{X}", "-t", "onnx-cpu", *TRAIN_BASE], PROFILES),
    ("train", ["-d", "iris", "-p", "workstation", "-t", "{X}", *TRAIN_BASE], ALL_TARGETS),
    ("train", ["-d", "iris", "-p", "workstation", "-m", "{X}", *TRAIN_BASE], MODELS),
    ("tune", ["-d", "{X}", "-p", "workstation", "-t", "onnx-cpu", *TUNE_BASE], DATASETS),
    ("tune", ["-d", "iris", "-p", "workstation", "-t", "onnx-cpu", "--engine", "{X}", *TUNE_BASE], ("optuna", "nni")),
    (
        "tune",
        ["-d", "iris", "-p", "workstation", "-t", "onnx-cpu", "--tuner", "{X}", *TUNE_BASE],
        ("tpe", "nsga2", "random", "grid", "cmaes", ""),
    ),
    (
        "tune",
        ["-d", "iris", "-p", "workstation", "-t", "onnx-cpu", "--objectives", "{X}", *TUNE_BASE],
        ("accuracy", "energy", "memory"),
    ),
    ("tune", ["-d", "iris", "-p", "workstation", "-t", "onnx-cpu", "-m", "{X}", *TUNE_BASE], MODELS),
    ("export", ["{run}", "-t", "{X}"], ALL_TARGETS),
    ("export", ["{run}", "-t", "onnx", "-p", "{X}"], PROFILES),
    ("export", ["{run}", "-t", "onnx", "--form", "{X}"], ("unrolled", "stepwise", "")),
    ("run", ["{onnx}", "--input", "{input}", "-t", "{X}"], ALL_TARGETS),
    ("evaluate", ["{onnx}", "--limit", "5", "-d", "{X}"], DATASETS),
    ("evaluate", ["{onnx}", "--limit", "5", "-p", "{X}"], PROFILES),
    ("evaluate", ["{onnx}", "--limit", "5", "-t", "{X}"], ALL_TARGETS),
    ("package", ["{onnx}", "-t", "{X}"], ONNX_TARGETS),
    ("profiles", ["show", "{X}"], PROFILES),
    ("targets", ["show", "{X}"], ALL_TARGETS),
)


@surveyed
@FUZZ
@given(slot=st.sampled_from(UNKNOWN_SLOTS), name=UNKNOWN_NAMES, as_json=st.booleans())
def test_unknown_names(built, slot, name, as_json):
    """An unknown dataset / profile / target / model / engine / tuner / objective / form name in every verb
    (typos, empty, very long, NUL bytes, paths that do not exist, non-ASCII)."""
    verb, argv, known = slot
    with example_dirs() as (folder, area):
        out = area / ("y.npy" if verb == "run" else "out")
        argv = [verb] + _fill(argv, built, folder, X=name)
        if verb in ("train", "tune", "export", "evaluate", "package"):
            argv += ["-o", out]
        elif verb == "run":
            argv += ["--output", out]
        argv += ["--json"] if as_json and verb not in ("tune",) else []
        must = None if name in known else f"unknown name {name!r}"
        run_cli(argv, Expect(verb, area=area, output=out, must_fail=must, inputs=_inputs(built)))


OPTION_FAULTS = (  # option values the parser itself must refuse (out of range, wrong type, missing, unknown)
    ("train", ["-d", "iris", "-e", "0"]),
    ("train", ["-d", "iris", "-e", "-1"]),
    ("train", ["-d", "iris", "-e", "abc"]),
    ("train", ["-d", "iris", "--top-k", "1"]),
    ("train", ["-d", "iris", "--seed", "1.5"]),
    ("train", ["-d", "iris", "--no-such-option"]),
    ("train", []),
    ("train", ["-d"]),
    ("export", ["{run}"]),
    ("export", ["{run}", "-t", "onnx", "--form"]),
    ("run", ["{onnx}"]),
    ("run", ["{onnx}", "--input"]),
    ("evaluate", []),
    ("evaluate", ["{onnx}", "--limit", "0"]),
    ("evaluate", ["{onnx}", "--limit", "-1"]),
    ("evaluate", ["{onnx}", "--batch-size", "0"]),
    ("tune", ["-d", "iris", "-n", "0"]),
    ("tune", ["-d", "iris", "-n", "x"]),
    ("tune", ["-d", "iris", "--timeout", "0"]),
    ("tune", ["-d", "iris", "--jobs", "0"]),
    ("tune", ["-d", "iris", "-e", "0"]),
    ("package", []),
    ("package", ["{onnx}", "--no-such-option"]),
    ("profiles", ["show"]),
    ("targets", ["show", "a", "b"]),
    ("datasets", ["--no-such-option"]),
    ("no-such-verb", []),
    ("--no-such-option", []),
    ("runner", []),
    ("runner", ["{bundle}"]),
    ("runner", ["{bundle}", "--no-such-option"]),
    ("runner", ["{bundle}", "--input"]),
)


@surveyed
@FUZZ
@given(case=st.sampled_from(OPTION_FAULTS), as_json=st.booleans())
def test_option_values_the_parser_refuses(built, case, as_json):
    """Out-of-range epochs / trials / limits, wrong types, missing or unknown options, for every verb and the
    runner: still one 'error:' line, and nothing written."""
    verb, rest = case
    with example_dirs() as (folder, area):
        rest = _fill(rest, built, folder)
        out = area / "out"
        if verb == "runner":
            argv, entry = rest + (["--json"] if as_json else []), runner_main
        else:
            argv, entry = [verb] + rest, cli_main
            if verb in ("train", "export", "evaluate", "tune", "package") and rest[-1:] not in (["-d"], ["--form"]):
                argv += ["-o", str(out)] + (["--json"] if as_json else [])
        run_cli(
            argv,
            Expect(verb, area=area, output=out, must_fail="the parser must refuse this", inputs=_inputs(built)),
            entry=entry,
        )


OUTPUT_CASES = (  # (verb, argv with {out}, output file name, has --force)
    ("train", ["train", "-d", "iris", "-p", "workstation", "-t", "onnx-cpu", *TRAIN_BASE, "-o", "{out}"], "run", True),
    ("export", ["export", "{run}", "-t", "onnx", "-o", "{out}"], "export", True),
    ("export", ["export", "{run}", "-t", "nir", "-o", "{out}"], "export", True),
    ("evaluate", ["evaluate", "{onnx}", "--limit", "5", "-o", "{out}"], "report", False),
    ("package", ["package", "{onnx}", "-o", "{out}"], "bundle.zip", True),
    ("run", ["run", "{onnx}", "--input", "{input}", "--output", "{out}"], "y.npy", False),
    ("tune", ["tune", "-d", "iris", "-p", "workstation", "-t", "onnx-cpu", *TUNE_BASE, "-o", "{out}"], "tune", False),
    ("runner", ["--copy-to", "{out}"], "runner", False),
)


@surveyed
@FUZZ
@given(
    case=st.sampled_from(OUTPUT_CASES), out_kind=st.sampled_from(OUT_KINDS), force=st.booleans(), as_json=st.booleans()
)
def test_outputs_that_exist_or_cannot_be_written(built, case, out_kind, force, as_json):
    """Every verb's output path: existing file / directory (with and without --force), under a file, in a
    read-only directory. A failure leaves it as it was; success writes it."""
    verb, argv, name, has_force = case
    with example_dirs() as (folder, area):
        out = make_out(out_kind, area, name)
        argv = _fill(argv, built, folder, out=out)
        argv += (["--force"] if force and has_force else []) + (["--json"] if as_json and verb not in ("tune",) else [])
        must = None
        if out_kind in ("under_file", "unwritable"):
            must = "an output path that cannot be written"
        elif out_kind.startswith("existing") and has_force and not force and verb != "package":
            must = "an existing output without --force"
        elif verb == "package" and (
            (out_kind == "existing_file" and not force)
            or out_kind.startswith("existing_")
            and out_kind != "existing_file"
        ):
            must = "an existing bundle file without --force, or a directory as the bundle file"
        elif verb == "run" and out_kind.startswith("existing_") and out_kind != "existing_file":
            must = "--output is a directory"
        elif verb == "evaluate" and out_kind in ("existing_file", "existing_dir"):
            must = "the report directory exists and is not an earlier report"
        elif verb in ("runner", "tune") and out_kind == "existing_file":
            must = "a file where the output directory goes"
        run_cli(
            argv,
            Expect(verb, area=area, output=out, must_fail=must, writes=True, inputs=_inputs(built)),
            entry=runner_main if verb == "runner" else None,
        )


@surveyed
@FUZZ
@given(
    data=bad_datasets(),
    label=st.one_of(*often(st.none(), 2), st.sampled_from(("label", "y", "nope", "", "x", "a"))),
    top_k=st.one_of(*often(st.none(), 3), st.sampled_from(("2", "3"))),
    as_json=st.booleans(),
)
def test_train_on_bad_dataset_files(built, data, label, top_k, as_json):
    """``train -d FILE``: broken CSV/NPZ/HDF5/.ts files, wrong keys, dtypes, shapes, NaN/inf/1e300, object arrays."""
    with example_dirs() as (folder, area):
        out = area / "run"
        argv = [
            "train",
            "-d",
            materialize(data, folder, "data", built),
            "-p",
            "workstation",
            "-t",
            "onnx-cpu",
            *TRAIN_BASE,
            "-o",
            out,
        ]
        argv += (["--label-column", label] if label is not None else []) + (["--top-k", top_k] if top_k else [])
        argv += ["--json"] if as_json else []
        run_cli(
            argv,
            Expect(
                "train", area=area, output=out, must_fail=must_fail_reason(data), writes=True, inputs=_inputs(built)
            ),
        )


DOC_SLOTS = (  # (verb, argv before the slot, the slot option, the option that writes)
    ("train", ["-d", "iris", *TRAIN_BASE, "-t", "onnx-cpu"], "-p", "-o"),
    ("train", ["-d", "iris", *TRAIN_BASE, "-p", "workstation"], "-t", "-o"),
    ("tune", ["-d", "iris", *TUNE_BASE, "-t", "onnx-cpu"], "-p", "-o"),
    ("tune", ["-d", "iris", *TUNE_BASE, "-p", "workstation"], "-t", "-o"),
    ("export", ["{run}", "-t", "onnx"], "-p", "-o"),
    ("export", ["{run}"], "-t", "-o"),
    ("evaluate", ["{onnx}", "--limit", "5"], "-p", "-o"),
    ("evaluate", ["{onnx}", "--limit", "5"], "-t", "-o"),
    ("package", ["{onnx}"], "-t", "-o"),
    ("run", ["{onnx}", "--input", "{input}"], "-t", "--output"),
)


@surveyed
@FUZZ
@given(
    slot=st.sampled_from(DOC_SLOTS),
    profile=bad_docs("profile.yaml", ".yaml", RAW_YAML),
    target=bad_docs("target.yaml", ".yaml", RAW_YAML),
    as_json=st.booleans(),
)
def test_bad_profile_and_target_files(built, slot, profile, target, as_json):
    """``-p FILE`` / ``-t FILE`` of every verb: YAML with one entry changed to junk or deleted, broken YAML,
    non-UTF-8, truncated or garbled files, directories, missing files."""
    verb, argv, option, writes = slot
    doc = profile if option == "-p" else target
    with example_dirs() as (folder, area):
        out = area / ("y.npy" if verb == "run" else "out")
        argv = [verb] + _fill(argv, built, folder) + [option, materialize(doc, folder, "doc", built), writes, out]
        argv += ["--json"] if as_json and verb != "tune" else []
        run_cli(
            argv,
            Expect(verb, area=area, output=out, must_fail=must_fail_reason(doc), writes=True, inputs=_inputs(built)),
        )


@surveyed
@FUZZ
@given(
    dataset=st.sampled_from(("iris", "iris", "wine")),
    profile=st.sampled_from(("workstation", "wearable")),
    target=st.one_of(*often(st.none(), 2), st.sampled_from(SAFE_TARGETS + ("loihi2",))),
    model=st.one_of(*often(st.none(), 2), st.sampled_from(MODELS)),
    sets=st.lists(SET_ARGS, min_size=1, max_size=2),
    top_k=st.one_of(*often(st.none(), 3), st.sampled_from(("2", "100"))),
    label=st.one_of(*often(st.none(), 2), st.sampled_from(("label", "nope", ""))),
    seed=st.sampled_from(("0",) * 8 + ("-1", "99999999999999999999999", "1")),
    as_json=st.booleans(),
)
def test_train_with_bad_hyperparameters(built, dataset, profile, target, model, sets, top_k, label, seed, as_json):
    """``train --set key=value`` junk (hidden=[0], beta=2, lr=-1, nan, 1e300, lists, strings, malformed pairs),
    models that do not fit the data, --top-k / --label-column / --seed values."""
    with example_dirs() as (folder, area):
        out = area / "run"
        argv = ["train", "-d", dataset, "-p", profile, "--seed", seed, "-o", out, *TRAIN_BASE]
        for s in sets:
            argv += ["--set", s]
        argv += (["-t", target] if target is not None else []) + (["-m", model] if model is not None else [])
        argv += (["--top-k", top_k] if top_k else []) + (["--label-column", label] if label is not None else [])
        argv += ["--json"] if as_json else []
        run_cli(argv, Expect("train", area=area, output=out, writes=True, inputs=_inputs(built)))


@surveyed
@FUZZ
@given(
    space=st.one_of(st.none(), bad_docs("space.json", ".json", RAW_JSON), bad_docs("space.json", ".json", RAW_JSON)),
    model=st.sampled_from(("mlp", "mlp", "rnn", "cnn2d")),
    tuner=st.one_of(st.none(), st.sampled_from(("tpe", "random", "nsga2", "grid", "cmaes"))),
    objectives=st.sampled_from(("accuracy,energy", "accuracy", "memory", "energy,memory", "accuracy,accuracy")),
    extra=st.lists(
        st.sampled_from(
            (
                ("--timeout", "inf"),
                ("--resume",),
                ("--storage", "junk://"),
                ("--storage", "sqlite:///no/such/dir/x.db"),
                ("--nni-port", "8080"),
                ("--nni-remote", "m.yaml"),
                ("--no-prune",),
                ("--study", "s"),
                ("--jobs", "2"),
                ("--seed", "-1"),
            )
        ),
        max_size=2,
    ),
)
def test_tune_with_bad_spaces_and_options(built, space, model, tuner, objectives, extra):
    """``tune --space FILE`` with junk NNI spaces (wrong _type/_value, nested, NaN, unknown parameters), and
    tuners / objectives / storage / resume / NNI-only options."""
    with example_dirs() as (folder, area):
        out = area / "tune"
        argv = [
            "tune",
            "-d",
            "iris",
            "-p",
            "workstation",
            "-t",
            "onnx-cpu",
            "-m",
            model,
            "--objectives",
            objectives,
            *TUNE_BASE,
            "-o",
            out,
        ]
        if space is not None:
            argv += ["--space", materialize(space, folder, "space", built)]
        argv += ["--tuner", tuner] if tuner else []
        inapplicable = []
        for e in extra:
            argv += list(e)
            if e[0] in ("--nni-port", "--nni-remote"):  # the engine is optuna
                inapplicable.append(e[0])
        run_cli(
            argv,
            Expect(
                "tune",
                area=area,
                output=out,
                must_fail=must_fail_reason(space) if space else None,
                inapplicable=tuple(inapplicable),
                writes=True,
                inputs=_inputs(built),
            ),
        )


@surveyed
@FUZZ
@given(
    model=st.one_of(
        *often(fixture("run", "nir/model.nir", *THIRD_PARTY_NIR), 2),
        *often(artifact_dirs("run", RUN_MEMBERS), 4),
        corruptions(("model.nir", "lif_norse.nir")),
        generic_bad((".nir", ".pt", ""), "model.nir"),
        dataset_arrays(".nir"),
    ),
    target=st.sampled_from(SAFE_TARGETS),
    form=st.one_of(*often(st.none(), 2), st.sampled_from(("unrolled", "stepwise", "Stepwise", "both"))),
    profile=st.one_of(*often(st.none(), 2), st.sampled_from(("workstation", "wearable"))),
    as_json=st.booleans(),
)
def test_export_bad_models(built, model, target, form, profile, as_json):
    """``export MODEL -t T``: run directories with a corrupt checkpoint / manifest / metrics (re-signed or not),
    random / truncated / garbled .nir files, HDF5 files that are no NIR graph, other frameworks' graphs;
    ``--form`` values, including ones that do not apply to the target."""
    with example_dirs() as (folder, area):
        out = area / "export"
        argv = ["export", materialize(model, folder, "model", built), "-t", target, "-o", out]
        argv += (["--form", form] if form is not None else []) + (["-p", profile] if profile is not None else [])
        argv += ["--json"] if as_json else []
        must, inapplicable = must_fail_reason(model), ()
        if form is not None and target in ONNX_TARGETS and form not in ("unrolled", "stepwise"):
            must = must or f"--form {form!r} is no ONNX form"
        if form is not None and target not in ONNX_TARGETS:
            inapplicable = ("--form",)
        run_cli(
            argv,
            Expect(
                "export",
                area=area,
                output=out,
                must_fail=must,
                inapplicable=inapplicable,
                writes=True,
                inputs=_inputs(built),
            ),
        )


@surveyed
@FUZZ
@given(
    artifact=st.one_of(
        *often(fixture("onnx", "onnx/model.onnx", "onnx/model.stepwise.onnx", "nir", "nir/model.nir", "bundle"), 4),
        artifact_dirs("onnx", ONNX_MEMBERS),
        artifact_dirs("nir", NIR_MEMBERS),
        bundles(),
        corruptions(("model.onnx", "model.nir")),
        generic_bad((".onnx", ".nir", ".net", ".zip", ".txt"), "model.onnx"),
    ),
    inputs=ONE_OR_TWO_INPUTS,
    input_names=st.lists(NAMES, min_size=2, max_size=2),
    output=st.booleans(),
    misuse=st.sampled_from((False,) * 6 + (True,)),
    target=st.one_of(*often(st.none(), 3), st.sampled_from(SAFE_TARGETS)),
    as_json=st.booleans(),
)
def test_run_bad_artifacts_and_inputs(built, artifact, inputs, input_names, output, misuse, target, as_json):
    """``run ARTIFACT --input FILE [--output Y]``: corrupt exports and bundles, bad input arrays (shapes,
    dtypes, NaN/inf/1e300, object arrays, NPZ, CSV), malformed NAME=PATH, a target that does not fit."""
    with example_dirs() as (folder, area):
        path = materialize(artifact, folder, "artifact", built)
        bundle = path.endswith(".zip")
        out = area / "y.npy" if output and (misuse or not bundle) else None  # --output/-t do not apply to bundles
        target = target if misuse or not bundle else None
        argv = ["run", path] + _input_args(inputs, input_names, folder, built)
        argv += (["--output", out] if out is not None else []) + (["-t", target] if target else [])
        argv += ["--json"] if as_json else []
        must = must_fail_reason(artifact) or next((r for r in map(must_fail_reason, inputs) if r), None)
        if path.endswith(".zip") and (out is not None or target is not None):
            must = must or "--output/--target do not apply to a bundle"
        run_cli(
            argv, Expect("run", area=area, output=out, must_fail=must, writes=out is not None, inputs=_inputs(built))
        )


@surveyed
@FUZZ
@given(
    artifact=st.one_of(
        fixture("onnx", "nir", "nir/model.nir"),
        artifact_dirs("onnx", ONNX_MEMBERS),
        artifact_dirs("nir", NIR_MEMBERS),
        artifact_dirs("onnx", ONNX_MEMBERS),
        generic_bad((".nir", ""), "model.nir"),
    ),
    dataset=st.one_of(*often(st.none(), 2), st.just("iris")),
    target=st.one_of(*often(st.none(), 2), st.just("nir")),
    limit=st.sampled_from(("5", "5", "1")),
    batch=st.sampled_from(("128", "128", "1")),
    as_json=st.booleans(),
)
def test_evaluate_bad_artifacts(built, artifact, dataset, target, limit, batch, as_json):
    """``evaluate ARTIFACT``: export directories with a corrupt model / manifest / parity (re-signed or not)."""
    with example_dirs() as (folder, area):
        out = area / "report"
        argv = [
            "evaluate",
            materialize(artifact, folder, "artifact", built),
            "-o",
            out,
            "--limit",
            limit,
            "--batch-size",
            batch,
        ]
        argv += (
            (["-d", dataset] if dataset else []) + (["-t", target] if target else []) + (["--json"] if as_json else [])
        )
        run_cli(
            argv,
            Expect(
                "evaluate",
                area=area,
                output=out,
                must_fail=must_fail_reason(artifact),
                writes=True,
                inputs=_inputs(built),
            ),
        )


@surveyed
@FUZZ
@given(
    artifact=fixture("onnx", "nir", "nir/model.nir"),
    dataset=st.one_of(bad_datasets(), names("iris", "digits", "wine", "digits_rows", "breast_cancer")),
    limit=st.sampled_from(("5", "5", "1", "1000")),
    as_json=st.booleans(),
)
def test_evaluate_bad_datasets(built, artifact, dataset, limit, as_json):
    """``evaluate ARTIFACT -d FILE|NAME``: broken dataset files, datasets of another shape or class count."""
    with example_dirs() as (folder, area):
        out = area / "report"
        argv = [
            "evaluate",
            materialize(artifact, folder, "artifact", built),
            "-o",
            out,
            "--limit",
            limit,
            "-d",
            materialize(dataset, folder, "data", built),
        ] + (["--json"] if as_json else [])
        run_cli(
            argv,
            Expect(
                "evaluate",
                area=area,
                output=out,
                must_fail=must_fail_reason(dataset),
                writes=True,
                inputs=_inputs(built),
            ),
        )


@surveyed
@FUZZ
@given(
    artifact=st.one_of(
        fixture("onnx", "onnx", "nir", "run"),
        *often(artifact_dirs("onnx", ONNX_MEMBERS), 4),
        artifact_dirs("nir", NIR_MEMBERS),
        generic_bad((".onnx", ".zip", ""), "model.onnx"),
    ),
    target=st.one_of(*often(st.none(), 2), st.sampled_from(SAFE_TARGETS)),
    unrolled=st.booleans(),
    as_json=st.booleans(),
)
def test_package_bad_exports(built, artifact, target, unrolled, as_json):
    """``package EXPORT [-t T]``: export directories with a corrupt member (re-signed or not), a run directory,
    a NIR export, non-ONNX targets."""
    with example_dirs() as (folder, area):
        out = area / "bundle.zip"
        argv = ["package", materialize(artifact, folder, "export", built), "-o", out]
        argv += (
            (["--unrolled"] if unrolled else []) + (["-t", target] if target else []) + (["--json"] if as_json else [])
        )
        must = must_fail_reason(artifact) or ("package needs an ONNX target, not nir" if target == "nir" else None)
        run_cli(argv, Expect("package", area=area, output=out, must_fail=must, writes=True, inputs=_inputs(built)))


@surveyed
@FUZZ
@given(
    bundle=st.one_of(fixture("bundle"), fixture("bundle"), bundles()),
    inputs=ONE_OR_TWO_INPUTS,
    input_names=st.lists(NAMES, min_size=2, max_size=2),
    flags=st.lists(st.sampled_from(("--json", "--json", "--stream", "--stream", "--info")), max_size=2, unique=True),
)
def test_runner_bad_bundles(built, bundle, inputs, input_names, flags):
    """``python -m edgesnn.runner BUNDLE --input FILE``: corrupt zips, tampered or re-signed members, bad raw
    inputs (shapes, dtypes, NaN/inf/1e300, CSV junk), --stream / --info / --json."""
    with example_dirs() as (folder, area):
        argv = [materialize(bundle, folder, "bundle", built)] + _input_args(inputs, input_names, folder, built) + flags
        must = must_fail_reason(bundle)
        if "--info" not in flags:
            must = must or next((r for r in map(must_fail_reason, inputs) if r), None)
        run_cli(argv, Expect("runner", must_fail=must, inputs=_inputs(built)), entry=runner_main)
