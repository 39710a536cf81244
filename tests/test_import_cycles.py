"""No import cycles between packages, and the layers point one way: portals and the JSON API →
use cases (service/flows) → domains → db; monitors never imports service
(tests/monitors/test_registry.py).

Read from the source with `ast`, every import counts: at module level, inside functions (a
lazy import is how a cycle hides) and under TYPE_CHECKING. A package is a
`service.<domain>` package, a top-level `service` module, or a module or package directly
under `monitors/`.
"""

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP_PACKAGES = ("service", "monitors")
# Alembic's revisions import nothing of ours but the migration helpers, and run apart.
SKIPPED_DIRS = {"migrations"}
# Layers that only the app, the CLI and each other may import.
ABOVE_DOMAINS = ("service.flows", "service.api", "service.portals")
WIRING = ("service.app", "service.cli", "service.__main__", "service.demo")

Edges = dict[str, dict[str, list[str]]]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(module: str) -> str | None:
    """The node a module belongs to: `service.alerts.lifecycle` → `service.alerts`."""
    parts = module.split(".")
    if parts[0] not in TOP_PACKAGES or len(parts) < 2:
        return None
    return ".".join(parts[:2])


def exists(module: str) -> bool:
    path = ROOT.joinpath(*module.split("."))
    return path.with_suffix(".py").exists() or path.is_dir()


def imported(path: Path) -> Iterator[tuple[str, int]]:
    """Every module an import in the file names, with its line."""
    yield from imports_in(path.read_text(), module_name(path), path.name == "__init__.py")


def imports_in(source: str, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            yield origin, node.lineno
            for alias in node.names:  # `from service import clock` imports service.clock
                if exists(f"{origin}.{alias.name}"):
                    yield f"{origin}.{alias.name}", node.lineno


def package_edges() -> Edges:
    edges: Edges = defaultdict(lambda: defaultdict(list))
    for top in TOP_PACKAGES:
        for path in sorted((ROOT / top).rglob("*.py")):
            if SKIPPED_DIRS & set(path.parts):
                continue
            source = package_of(module_name(path))
            for target, line in imported(path):
                destination = package_of(target)
                if source and destination and destination != source:
                    where = f"{path.relative_to(ROOT)}:{line}"
                    edges[source][destination].append(where)
    return edges


def cycles(edges: Edges) -> list[list[str]]:
    """The strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in edges.get(node, {}):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def describe(component: list[str], edges: Edges) -> str:
    lines = [" ↔ ".join(component)]
    for source in component:
        for destination in component:
            if destination in edges[source]:
                lines.append(f"  {source} → {destination}: {edges[source][destination][0]}")
    return "\n".join(lines)


def test_no_import_cycle_between_packages():
    edges = package_edges()

    found = cycles(edges)

    assert not found, "import cycles:\n" + "\n".join(describe(c, edges) for c in found)


def test_domains_never_import_the_use_cases_or_the_routers():
    edges = package_edges()
    upper = ABOVE_DOMAINS + WIRING

    wrong = [
        f"{source} → {destination}: {places[0]}"
        for source, targets in edges.items()
        if source.startswith("service.") and source not in upper
        for destination, places in targets.items()
        if destination in upper
    ]

    assert not wrong, "a domain imports a layer above it:\n" + "\n".join(wrong)


def test_the_check_sees_lazy_and_relative_imports():
    source = "def later():\n    from service.portals import worker\n    from . import intake\n"

    found = list(imports_in(source, "service.complaints.service", is_package=False))

    assert ("service.portals.worker", 2) in found
    assert ("service.complaints.intake", 3) in found


def test_the_check_finds_a_cycle():
    edges = {"service.a": {"service.b": ["a.py:1"]}, "service.b": {"service.a": ["b.py:1"]}}

    assert cycles(edges) == [["service.a", "service.b"]]
