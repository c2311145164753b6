"""The package's shape, checked: imports flow one way and modules stay small.

Imports are read from the source (``ast``), at module level and inside functions alike
(a lazy import is still a dependency), except those under ``if TYPE_CHECKING:``. A unit is a
subpackage of ``edgesnn`` (``edgesnn.nir``) or a top-level module (``edgesnn.io``).
"""

from __future__ import annotations

import ast
import graphlib
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "edgesnn"
MAX_LINES = 300


def _module_name(path: Path) -> tuple[str, bool]:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def _imports(path: Path) -> set[str]:
    """Absolute names of the edgesnn modules ``path`` imports (TYPE_CHECKING blocks skipped)."""
    tree = ast.parse(path.read_text())
    skipped = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for n in ast.walk(node)
    }
    module, is_package = _module_name(path)
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
                found |= {f"{name}.{a.name}" for a in node.names} if node.module is None else {name}
            elif node.module and node.module.split(".")[0] == "edgesnn":
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "edgesnn"}
    return found


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "<edgesnn>"


def dependency_graph() -> dict[str, dict[str, list[str]]]:
    """unit -> {unit it imports: [where, …]}."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(PACKAGE.rglob("*.py")):
        src = _unit(_module_name(path)[0])
        for name in _imports(path):
            dst = _unit(name)
            if dst not in (src, "<edgesnn>"):
                graph[src][dst].append(str(path.relative_to(PACKAGE.parent)))
    return graph


def test_no_import_cycle_between_subpackages():
    graph = dependency_graph()
    try:  # the standard library finds a cycle (TopologicalSorter: unit -> units it imports)
        graphlib.TopologicalSorter({unit: set(deps) for unit, deps in graph.items()}).prepare()
    except graphlib.CycleError as err:
        cycle = err.args[1]
        where = [f"{b} imports {a} ({graph[b][a][0]})" for a, b in zip(cycle, cycle[1:])]
        raise AssertionError(f"import cycle: {where}") from None


def test_the_hub_imports_no_backend_and_no_model_code():
    graph = dependency_graph()
    assert set(graph["nir"]) <= {"errors", "io"}, dict(graph["nir"])


def test_training_does_not_load_a_backend():
    assert "backends" not in dependency_graph()["train"]


def test_the_device_runner_stays_small():
    """``edgesnn.runner`` ships in bundles with numpy and onnxruntime only."""
    assert set(dependency_graph()["runner"]) <= {"errors", "data", "readout", "io"}, dict(dependency_graph()["runner"])


def test_the_walker_sees_lazy_and_relative_imports(tmp_path):
    """The checks above could not fail if the walker missed imports: it must see these."""
    found = _imports(PACKAGE / "config" / "loader.py")
    assert "edgesnn.backends.registry" in found  # imported inside a function
    assert "edgesnn.io" in found  # relative, module level


def test_no_module_over_300_lines():
    long = {
        str(p.relative_to(PACKAGE.parent)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"
