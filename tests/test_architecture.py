"""The house keeps its floors: no two packages import each other, the ground floor imports no app.

The graph is built from the source with ast (every import, lazy ones inside functions included;
migrations left out, as they name historical states), so it cannot be fooled by import order.
"""

import ast
import itertools
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GROUND = "dingzhou_welfare"
APPS = [GROUND, "children", "subsidies", "adoption", "visits", "imports", "reports", "home", "api"]
TOP_FLOOR = ("home", "api")
MAX_LINES = 500


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield app, path


def import_edges() -> dict[tuple[str, str], list[str]]:
    """(importing package, imported package) -> ["file:line module", ...] for imports between apps."""
    edges = defaultdict(list)
    for app, path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue  # relative imports stay inside their package
            for name in names:
                top = name.split(".")[0]
                if top in APPS and top != app:
                    edges[app, top].append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    return edges


def find_cycles(edges) -> list[list[str]]:
    """Every elementary cycle's packages, found by a depth-first walk from each package."""
    graph = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    cycles = []

    def walk(start, node, path):
        for following in sorted(graph[node]):
            if following == start:
                cycles.append([*path, start])
            elif following not in path and following > start:  # each cycle once, from its smallest package
                walk(start, following, [*path, following])

    for start in sorted(graph):
        walk(start, start, [start])
    return cycles


def describe(cycle, edges) -> str:
    lines = [" -> ".join(cycle)]
    for source, target in itertools.pairwise(cycle):
        lines.append(f"  {source} -> {target}:")
        lines += [f"    {where}" for where in edges[source, target]]
    return "\n".join(lines)


def test_no_package_imports_another_that_imports_it_back():
    edges = import_edges()
    cycles = find_cycles(edges)
    assert not cycles, "import cycles between packages:\n" + "\n".join(describe(c, edges) for c in cycles)


def test_the_ground_floor_imports_no_app():
    upward = {target: where for (source, target), where in import_edges().items() if source == GROUND}
    assert not upward, f"{GROUND} imports apps above it: {upward}"


def test_no_app_imports_the_top_floor():
    into_top = {(source, target): where for (source, target), where in import_edges().items() if target in TOP_FLOOR}
    assert not into_top, f"packages import the top floor ({', '.join(TOP_FLOOR)}): {into_top}"


def test_the_cycle_finder_finds_a_cycle_and_names_its_imports():
    edges = {("a", "b"): ["a/x.py:3 b.y"], ("b", "c"): ["b/y.py:9 c"], ("c", "a"): ["c/z.py:1 a.x"], ("c", "d"): []}
    assert find_cycles(edges) == [["a", "b", "c", "a"]]
    assert "b/y.py:9 c" in describe(["a", "b", "c", "a"], edges)


def test_no_module_over_500_lines():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for _app, path in _modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not too_long, f"modules over {MAX_LINES} lines (split by what changes together): {too_long}"
