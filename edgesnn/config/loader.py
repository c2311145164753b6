"""Find and load profiles and targets by built-in name or YAML path.

Built-ins live in the top-level ``profiles/``, ``targets/``, ``devices/`` and ``recipes/``
folders of the source tree, shipped inside the wheel as ``edgesnn/_data/<folder>``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from ..data.load import path_state
from ..errors import ConfigError, UsageError, did_you_mean, unknown_name
from ..io import read_structured
from ..layout import TARGET_FILE
from .device import Device
from .schema import Profile, Target

M = TypeVar("M", bound=BaseModel)


def _data_dir(kind: str) -> Path:
    pkg = Path(__file__).resolve().parent.parent
    for candidate in (pkg / "_data" / kind, pkg.parent / kind):
        if candidate.is_dir():
            return candidate
    raise ConfigError(f"built-in {kind} folder not found beside the edgesnn package")


def builtin_names(kind: str) -> list[str]:
    return sorted(p.stem for p in _data_dir(kind).glob("*.yaml"))


def _read(kind: str, name_or_path: str | Path) -> tuple[Path, dict]:
    """``(path, mapping)`` of a built-in ``kind`` name or a YAML file (one-line errors)."""
    text = str(name_or_path)
    path = Path(text)
    names = builtin_names(kind)
    if not text.strip():
        raise UsageError(f"empty {kind[:-1]} name; choose from: {', '.join(names)} or give a YAML file")
    state = path_state(path)
    if not (text.endswith((".yaml", ".yml")) or state == "file"):
        if text in names:
            path = _data_dir(kind) / f"{text}.yaml"
        elif state == "missing":  # an existing directory falls through to read_structured's "is a directory"
            raise unknown_name(kind[:-1], text, names)
    raw = read_structured(path, f"{kind[:-1]} file", fmt="yaml")
    if not isinstance(raw, dict):
        raise ConfigError(f"{kind[:-1]} file '{path}' must hold a mapping of keys, got {type(raw).__name__}")
    return path, raw


def _load(kind: str, schema: type[M], name_or_path: str | Path) -> M:
    path, raw = _read(kind, name_or_path)
    raw.setdefault("name", path.stem)
    return validate(schema, raw, where=str(path))


def load_recipe(name_or_path: str | Path) -> dict:
    """The hyper-parameters a recipe sets (``--set @NAME``): a built-in name (``recipes/``, each
    file says what it was measured to give) or a YAML file of ``key: value`` lines. The values
    are checked where they are used, like ``--set`` values."""
    path, raw = _read("recipes", name_or_path)
    bad = [k for k in raw if not isinstance(k, str)]
    if bad:
        raise ConfigError(f"recipe file '{path}': keys must be hyper-parameter names, got {bad[0]!r}")
    return raw


def validate(schema: type[M], raw: dict, where: str) -> M:
    """Validate ``raw`` against ``schema``, reporting every problem at once in one line."""
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{where}: " + "; ".join(_describe(schema, e) for e in exc.errors())) from None


def _describe(schema: type[BaseModel], err: dict) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        known = _known_keys(schema, err["loc"][:-1])
        return f"unknown key '{loc}'{did_you_mean(str(err['loc'][-1]), known)}"
    value = err.get("input")
    shown = "" if isinstance(value, dict) else f" (got {value!r})"
    return f"{loc or 'file'}: {err['msg'].lower()}{shown}"


def _known_keys(schema: type[BaseModel], loc: tuple) -> list[str]:
    model: type[BaseModel] | None = schema
    for part in loc:
        field = model.model_fields.get(str(part)) if model else None
        ann = getattr(field, "annotation", None)
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
    return list(model.model_fields) if model else []


@cache
def load_profile(name_or_path: str | Path) -> Profile:
    profile = _load("profiles", Profile, name_or_path)
    check_devices(str(name_or_path), ann_baseline=profile.ann_baseline)
    return profile


def check_devices(where: str, **names: str | None) -> None:
    """ConfigError (one line, naming the file and the key) for a device name that does not load."""
    for key, name in names.items():
        if name is None:
            continue
        try:
            load_device(name)
        except UsageError as exc:
            raise ConfigError(f"{where}: {key}: {exc}") from None


@cache
def load_target(name_or_path: str | Path) -> Target:
    """A target, checked against what its backend declares (``edgesnn.backends.base.Backend``):
    the backend is registered, ``supports`` ⊆ its primitives, ``runtime.precision`` one of its
    precisions, ``numerics.quantize`` a known scheme."""
    target = _load("targets", Target, name_or_path)
    check_backend(target, where=str(name_or_path))
    check_devices(str(name_or_path), device=target.device, ann_baseline=target.ann_baseline)
    return target


def check_backend(target: Target, where: str) -> None:
    """ConfigError (one line, naming the file) when ``target`` asks more than its backend offers."""
    from ..backends.registry import backend_class
    from ..numerics import SCHEMES

    try:
        cls = backend_class(target.backend)
    except UsageError as exc:  # unknown name: a mistake in the file, not on the command line
        raise ConfigError(f"{where}: backend: {exc}") from None
    extra = sorted(set(target.supports) - cls.primitives)
    if extra:
        raise ConfigError(
            f"{where}: supports lists {', '.join(extra)}, which backend '{cls.name}' cannot run "
            f"(it runs: {', '.join(sorted(cls.primitives))})"
        )
    precision = target.runtime.get("precision")
    if precision is not None and precision not in cls.precisions:
        raise ConfigError(
            f"{where}: runtime.precision '{precision}' is not one backend '{cls.name}' offers "
            f"({', '.join(cls.precisions) or 'it has no precision setting'})"
        )
    if target.numerics.quantize not in SCHEMES:
        raise ConfigError(
            f"{where}: numerics.quantize '{target.numerics.quantize}' is not a scheme; "
            f"choose from: {', '.join(SCHEMES)}"
        )


def export_target(directory: Path, manifest: dict) -> Target:
    """The target an export directory was made for: its own ``target.yaml`` (a target given as
    a file), else the built-in its manifest names (``nir`` when it names none)."""
    own = Path(directory) / TARGET_FILE
    return load_target(own if own.is_file() else manifest.get("target") or "nir")


def save_target(target: Target, directory: Path) -> Path | None:
    """Write ``target.yaml`` into ``directory`` unless ``target`` is a built-in (None then)."""
    import yaml

    if target.name in builtin_names("targets") and load_target(target.name) == target:
        return None
    path = Path(directory) / TARGET_FILE
    path.write_text(yaml.safe_dump(target.model_dump(mode="json"), sort_keys=False))
    return path


@cache
def load_device(name_or_path: str | Path) -> Device:
    """A device cost table (``devices/``): built-in name or YAML path."""
    return _load("devices", Device, name_or_path)


def list_devices() -> list[Device]:
    return [load_device(n) for n in builtin_names("devices")]


def list_profiles() -> list[Profile]:
    return [load_profile(n) for n in builtin_names("profiles")]


def list_targets() -> list[Target]:
    return [load_target(n) for n in builtin_names("targets")]
