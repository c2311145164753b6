"""What every backend declares and provides: the one extension point of edgesnn.

A backend turns a NIR graph into an artifact for one runtime and runs that artifact on
time-major input ``[T, B, *features]`` (DESIGN §3). It *declares* what it can do as class
attributes, so a target YAML naming it is checked at load and the stages ask it instead of
keeping lists of their own:

    name            the string a target's ``backend:`` names
    artifact_name   the main file inside an export directory (``model.nir``, ``model.onnx``…)
    primitives      the NIR node types it can run: a target's ``supports`` must be a subset
    suffixes        file suffix -> target, for an artifact run alone (``.onnx`` -> ``onnx``)
    precisions      the values a target's ``runtime.precision`` may take (empty: none)
    records         True when ``run(record=True)`` returns every neuron node's spikes
                    (else :meth:`recording_twin` supplies an artifact that does)
    bundle_member   the bundle member edgesnn's device runner executes for this backend
                    (``model.stepwise.onnx``, ``model.xylo.npz``; the runner's ``LOADERS``),
                    made by :meth:`bundle_model`; None: ``edgesnn package`` refuses its targets
    event_input     True when the runtime takes event counts, not graded values (training
                    then picks an event encoder)
    eval_batch      samples per ``run`` call when ``evaluate`` is not told (default 128)
    Settings        the typed export options (a pydantic model; unknown or ill-typed options
                    are refused in one line before anything is written)

Every export first asks :meth:`prepare` for the graph the artifact computes (weights on the
target's grid) and the arithmetic that judges it, then writes the backend's own files
(:meth:`write`, which refuses what the runtime cannot express) and ``model.nir`` (that graph,
reloaded once written: the source of truth a runtime may lower again). Register built-ins
and plug-ins the same way: an entry point in the ``edgesnn.backends`` group naming the class
(see ``docs/writing-a-backend.md``); ``@register`` adds one in-process (tests).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import UsageError
from ..layout import GRAPH_FILE
from ..nir.result import RunResult

if TYPE_CHECKING:
    import nir

    from ..config import Target

__all__ = ["Backend", "ExportSettings", "Prepared", "RunResult"]


@dataclass(frozen=True)
class Prepared:
    """The graph an artifact is made from (export writes it as ``model.nir``), the graph and the
    dtype its judge, the reference simulator, computes (``simulate(judged or graph, x,
    dtype=dtype)``: an integer artifact is judged on its integer graph), and ``notes`` for
    ``parity.json``."""

    graph: nir.NIRGraph
    dtype: type = np.float64
    notes: dict[str, Any] = field(default_factory=dict)
    judged: nir.NIRGraph | None = None

    @property
    def judge_graph(self) -> nir.NIRGraph:
        return self.graph if self.judged is None else self.judged


class ExportSettings(BaseModel):
    """A backend's export options. The base takes none; subclass it with typed fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Backend(abc.ABC):
    """Export a NIR graph to an artifact and run it; see the module docstring for what a
    subclass declares."""

    name: ClassVar[str]
    artifact_name: ClassVar[str]
    primitives: ClassVar[frozenset[str]]
    suffixes: ClassVar[dict[str, str]] = {}
    precisions: ClassVar[tuple[str, ...]] = ()
    records: ClassVar[bool] = True
    bundle_member: ClassVar[str | None] = None
    event_input: ClassVar[bool] = False
    #: samples per ``run`` call when evaluating (a runtime with a large fixed cost per call wants more)
    eval_batch: ClassVar[int] = 128
    Settings: ClassVar[type[ExportSettings]] = ExportSettings

    def available(self) -> bool:
        """True when the runtime can be imported here (see ``require``)."""
        try:
            self.require()
        except Exception:
            return False
        return True

    def require(self) -> None:
        """Raise RuntimeUnavailableError (exit 3) naming the install command if the runtime is missing."""

    def settings(self, **options: Any) -> ExportSettings:
        """``options`` validated against :attr:`Settings` (UsageError naming the known ones)."""
        try:
            return self.Settings(**options)
        except ValidationError as exc:
            known = ", ".join(self.Settings.model_fields) or "none"
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'options'}: {e['msg'].lower()}" for e in exc.errors()
            )
            raise UsageError(f"{self.name} export options: {problems} (known options: {known})") from None

    def export(self, graph: nir.NIRGraph, out_dir: Path, target: Target, **options: Any) -> list[Path]:
        """Write ``model.nir`` and the backend's artifact(s) for ``graph`` into ``out_dir`` (a
        fresh temp directory); return their paths, ``model.nir`` first."""
        from ..nir.graph import read_graph, write_graph

        settings = self.settings(**options)
        graph = self.prepare(graph, target, settings).graph
        files = self.write(graph, Path(out_dir), target, settings)  # refuses what it cannot run first
        source = write_graph(graph, Path(out_dir) / GRAPH_FILE)
        read_graph(source)  # the file must reload before anyone relies on it
        return [source, *(p for p in files if p != source)]

    def prepare(self, graph: nir.NIRGraph, target: Target, settings: ExportSettings) -> Prepared:
        """The graph the artifact computes (what ``export`` writes as ``model.nir``) and the
        arithmetic that judges it. Default: ``graph`` as given, judged in float64."""
        return Prepared(graph)

    def write(self, graph: nir.NIRGraph, out_dir: Path, target: Target, settings: ExportSettings) -> list[Path]:
        """Write the backend's own files beside ``model.nir``; return their paths. Raise
        UnsupportedPrimitiveError for what the runtime cannot express, before writing."""
        return []

    @abc.abstractmethod
    def run(self, artifact: Path, x: np.ndarray, target: Target, record: bool = False) -> RunResult:
        """Run an artifact written by ``export`` on ``x`` of shape ``[T, B, *features]`` (a
        multimodal graph: a dict Input name -> array)."""

    def check_graph(self, graph: nir.NIRGraph, target: Target) -> None:
        """Design-rule checks of the chip (neurons per layer, inputs, topology): raise
        ConstraintViolation (exit 2) naming the resource and its limit. Training and the tuner
        run them on the untrained model, before any training. Default: none."""

    def reference(self, artifact: Path, x, target: Target, record: bool = False) -> RunResult | None:
        """The judge of this backend's arithmetic when it is not the float reference simulator's:
        edgesnn's own model of an integer chip, run on the exported ``artifact`` (export parity is
        then measured against it, the float reference reported beside). None (the default): the
        float reference simulator judges."""
        return None

    def device_figures(self, artifact: Path, activity: Any, target: Target) -> dict[str, Any] | None:
        """What the device itself would spend on ``artifact`` at the measured ``activity`` (an
        ``edgesnn.metrics.ActivityReport``), from its maker's own models and published figures:
        ``{"device": name, "figures": [{name, value, unit, source}], "notes": [...]}`` (the report's
        ``device`` section). None (the default): the target's cost table is all there is."""
        return None

    @property
    def packages(self) -> bool:
        """True when ``edgesnn package`` can bundle this backend's artifact (``bundle_member``)."""
        return self.bundle_member is not None

    def ships_integers(self, target: Target) -> bool:
        """True when the artifact for ``target`` computes in the target's own integers, so a bundle
        ships the export's model as it is (no float twin to re-quantise). Default: True for a
        backend whose bundle member is not the stepwise ONNX (Xylo)."""
        return self.bundle_member not in (None, "model.stepwise.onnx")

    def bundle_model(self, graph: nir.NIRGraph, target: Target) -> bytes:
        """The bytes of :attr:`bundle_member` for ``graph``: by default the artifact ``export``
        writes (lowered again from ``graph``: a deterministic lowering gives the export's bytes)."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix=f"edgesnn-bundle-{self.name}-") as tmp:
            self.export(graph, Path(tmp), target)
            return (Path(tmp) / self.artifact_name).read_bytes()

    def recording_twin(self, artifact: Path, graph: nir.NIRGraph, target: Target, tmp: Path) -> Path | None:
        """An artifact in ``tmp`` that records every neuron node and computes what ``artifact``
        does, when ``artifact`` itself cannot record; None when it can (the default)."""
        return None
