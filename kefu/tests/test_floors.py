"""The import direction of kefu/floors.py, checked on the source (ast, no import): every app is
on a floor, every app→app import runs downward or is one of the few listed exceptions (each
still used), and no chain of module imports leads from one app back into itself through another."""

import ast
from collections import defaultdict
from pathlib import Path

from kefu.floors import ALLOWED_UPWARD, FLOORS, MAX_UPWARD, floor_of

KEFU = Path(__file__).resolve().parent.parent


def _apps() -> list[str]:
    return sorted(p.name for p in KEFU.iterdir() if (p / "apps.py").exists())


def _is_test(parts: tuple[str, ...]) -> bool:
    return "tests" in parts or parts[-1].startswith("test_") or parts[-1] == "conftest.py"


def _modules() -> dict[str, Path]:
    """Dotted name → file of the apps' code (tests excluded)."""
    found = {}
    for app in _apps():
        for path in (KEFU / app).rglob("*.py"):
            parts = path.relative_to(KEFU).parts
            if _is_test(parts):
                continue
            name = "kefu." + ".".join(parts)[: -len(".py")]
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The kefu modules a file imports (module level or inside functions: both are dependencies)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # `from ..x import y`: relative to this module's package
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            # `from kefu.x import selectors` imports the module kefu.x.selectors when there is one.
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name.startswith("kefu."):
                targets.add(name)
    return targets


def _graph() -> tuple[dict[str, set[str]], dict[str, str]]:
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    return graph, {name: name.split(".")[1] for name in modules}


def app_edges() -> dict[tuple[str, str], set[str]]:
    """(app, imported app) → the importing modules."""
    graph, app_of = _graph()
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    for source, targets in graph.items():
        for target in targets:
            if app_of[source] != app_of[target]:
                edges[(app_of[source], app_of[target])].add(source)
    return edges


def test_every_app_is_on_one_floor():
    placed = [app for apps in FLOORS for app in apps]
    assert len(placed) == len(set(placed)), "an app is on two floors"
    assert sorted(placed) == _apps()


def test_imports_run_downward_except_the_listed_few():
    floor = floor_of()
    edges = app_edges()
    upward = {edge: sorted(sources) for edge, sources in edges.items() if floor[edge[1]] >= floor[edge[0]]}
    unlisted = {edge: sources for edge, sources in upward.items() if edge not in ALLOWED_UPWARD}
    assert unlisted == {}, "imports that run upward or sideways (move the code to the right floor)"
    assert sorted(ALLOWED_UPWARD) == sorted(upward), "an allowed exception is no longer used: remove it"
    assert len(ALLOWED_UPWARD) <= MAX_UPWARD
    assert all(len(reason) > 40 for reason in ALLOWED_UPWARD.values()), "each exception says why"


def test_core_imports_no_domain_app_and_org_only_core():
    edges = app_edges()
    assert sorted(target for source, target in edges if source == "core") == []
    assert sorted(target for source, target in edges if source == "org") == ["core"]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_no_module_import_cycle_across_apps():
    graph, app_of = _graph()
    across = [component for component in _cycles(graph) if len({app_of[m] for m in component}) > 1]
    assert across == []


def test_relative_imports_are_resolved(tmp_path):
    (tmp_path / "a.py").write_text("from ..b import c\nfrom . import d\n")
    modules = {"kefu.x.sub.a": tmp_path / "a.py", "kefu.x.b.c": tmp_path, "kefu.x.sub.d": tmp_path}
    assert _imports("kefu.x.sub.a", tmp_path / "a.py", modules) == {"kefu.x.b.c", "kefu.x.sub.d"}


def test_the_cycle_finder_finds_a_cycle():
    graph = {"kefu.a.x": {"kefu.b.y"}, "kefu.b.y": {"kefu.a.x"}, "kefu.a.z": set()}
    assert _cycles(graph) == [["kefu.a.x", "kefu.b.y"]]
