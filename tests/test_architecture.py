"""The floors of Qorgau: each app imports only from the floors below it.

``FLOORS`` is the one statement of the order (docs/architecture.md explains it). The check reads
every module of ``src/qorgau`` (migrations and tests aside) with ``ast`` and reports
  (a) an import of a project app from a higher floor or from a sibling on the same floor,
  (b) a cycle between apps,
  (c) an import of a project module inside a function (``if TYPE_CHECKING:`` is fine),
each with the file and line. Django's string references ("registry.Case") are not imports.
Modules directly under ``qorgau/`` (settings, urls, wsgi, ``__main__``) wire the project
together and stand above every floor.
"""

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "qorgau"
SRC = Path(__file__).resolve().parents[1] / "src" / PACKAGE

# Lowest first. Apps on one floor may not import each other.
FLOORS: list[tuple[str, ...]] = [
    ("core",),
    ("reference",),
    ("audit",),
    ("access",),
    ("registry",),
    ("oversight",),
    ("campaigns", "training"),
    ("stats",),
    ("letters",),
    ("portal", "api"),
    ("demo",),
]


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted
    target: str  # the imported module, dotted
    where: str  # file:line
    in_function: bool


@dataclass(frozen=True)
class Problem:
    kind: str  # "upward", "sibling", "cycle", "inner", "unplaced"
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


def app_of(module: str) -> str | None:
    """The app a dotted module belongs to (``qorgau.registry.models`` → ``registry``), or None
    for modules outside the package and for the project's own top-level modules."""
    parts = module.split(".")
    if parts[0] != PACKAGE or len(parts) < 2:
        return None
    if len(parts) == 2 and parts[1] in {"settings", "urls", "wsgi", "__main__"}:
        return None
    return parts[1]


def _is_package(path: str) -> bool:
    return path.endswith("__init__.py")


def _resolve(module: str, path: str, node: ast.ImportFrom) -> list[str]:
    """The dotted targets of a ``from … import …``, relative ones made absolute."""
    if node.level:
        base = module.split(".")
        # In a package's __init__ the package itself is level 1; in a module, its parent.
        keep = len(base) - node.level + (1 if _is_package(path) else 0)
        base = base[:keep]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    if node.module is None or prefix == PACKAGE:
        # ``from . import services`` / ``from qorgau import registry``: each name is a module.
        return [f"{prefix}.{alias.name}" for alias in node.names]
    return [prefix]


def _under_type_checking(node: ast.AST, parents: Mapping[ast.AST, ast.AST]) -> bool:
    parent = parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.If) and "TYPE_CHECKING" in ast.unparse(parent.test):
            return True
        parent = parents.get(parent)
    return False


def _in_function(node: ast.AST, parents: Mapping[ast.AST, ast.AST]) -> bool:
    parent = parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return True
        parent = parents.get(parent)
    return False


def imports_of(module: str, path: str, source: str) -> list[Import]:
    """Every import of a project module in ``source`` (TYPE_CHECKING blocks left out)."""
    tree = ast.parse(source, filename=path)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            targets = _resolve(module, path, node)
        else:
            continue
        if _under_type_checking(node, parents):
            continue
        for target in targets:
            if target.split(".")[0] == PACKAGE:
                found.append(
                    Import(module, target, f"{path}:{node.lineno}", _in_function(node, parents))
                )
    return found


def _cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one app (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(app: str) -> None:
        index[app] = low[app] = len(index)
        stack.append(app)
        on_stack.add(app)
        for other in sorted(edges.get(app, ())):
            if other not in index:
                visit(other)
                low[app] = min(low[app], low[other])
            elif other in on_stack:
                low[app] = min(low[app], index[other])
        if low[app] == index[app]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == app:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for app in sorted(edges):
        if app not in index:
            visit(app)
    return found


def check(modules: Iterable[tuple[str, str, str]], floors: list[tuple[str, ...]]) -> list[Problem]:
    """The problems of a set of modules, each given as (dotted name, path, source)."""
    floor_of = {app: level for level, apps in enumerate(floors) for app in apps}
    problems: list[Problem] = []
    edges: dict[str, set[str]] = {}
    first_seen: dict[tuple[str, str], str] = {}
    for module, path, source in modules:
        for imp in imports_of(module, path, source):
            if imp.in_function:
                problems.append(Problem("inner", f"{imp.where} imports {imp.target} in a function"))
            source_app, target_app = app_of(imp.source), app_of(imp.target)
            if source_app is None or target_app is None or source_app == target_app:
                continue
            edges.setdefault(source_app, set()).add(target_app)
            first_seen.setdefault((source_app, target_app), imp.where)
            for app in (source_app, target_app):
                if app not in floor_of:
                    problems.append(Problem("unplaced", f"{imp.where}: app {app} is on no floor"))
            if source_app not in floor_of or target_app not in floor_of:
                continue
            if floor_of[target_app] > floor_of[source_app]:
                problems.append(
                    Problem("upward", f"{imp.where}: {source_app} imports {imp.target} (higher)")
                )
            elif floor_of[target_app] == floor_of[source_app]:
                problems.append(
                    Problem("sibling", f"{imp.where}: {source_app} imports {imp.target} (sibling)")
                )
    for component in _cycles(edges):
        # Name the steps that climb or stay on a floor: those are the ones to remove.
        steps = [
            f"{a} -> {b} ({first_seen[(a, b)]})"
            for a in component
            for b in component
            if b in edges.get(a, ()) and floor_of.get(b, -1) >= floor_of.get(a, -1)
        ]
        problems.append(Problem("cycle", " <-> ".join(component) + ": " + "; ".join(steps)))
    return problems


def project_modules(root: Path = SRC) -> list[tuple[str, str, str]]:
    """Every module of the package except migrations and tests, as (name, path, source)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent)
        if {"migrations", "tests"} & set(relative.parts[:-1]):
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        shown = str(path.relative_to(root.parents[1]))
        found.append((".".join(parts), shown, path.read_text(encoding="utf-8")))
    return found


# --- The checker can fail ---------------------------------------------------------------

SYNTHETIC_FLOORS = [("low",), ("mid_a", "mid_b"), ("high",)]


def synthetic(name: str, source: str, *, package: bool = False) -> tuple[str, str, str]:
    path = name.replace(".", "/") + ("/__init__.py" if package else ".py")
    return (name, path, source)


def test_the_checker_reports_an_upward_import_with_its_line():
    problems = check(
        [synthetic("qorgau.low.models", "import os\n\nfrom qorgau.high import services\n")],
        SYNTHETIC_FLOORS,
    )
    assert [str(p) for p in problems if p.kind == "upward"] == [
        "upward: qorgau/low/models.py:3: low imports qorgau.high (higher)"
    ]


def test_the_checker_reports_a_sibling_import_and_a_cycle():
    problems = check(
        [
            synthetic("qorgau.mid_a.services", "from qorgau.mid_b.models import Thing\n"),
            synthetic("qorgau.mid_b.models", "from qorgau.mid_a import services\n"),
            synthetic("qorgau.high.views", "from qorgau.low import models\n"),
        ],
        SYNTHETIC_FLOORS,
    )
    kinds = sorted(p.kind for p in problems)
    assert kinds == ["cycle", "sibling", "sibling"]
    cycle = next(p for p in problems if p.kind == "cycle")
    assert cycle.message.startswith("mid_a <-> mid_b: ")
    assert "qorgau/mid_a/services.py:1" in cycle.message


def test_the_checker_reports_a_cycle_through_three_floors_once():
    problems = check(
        [
            synthetic("qorgau.low.a", "from qorgau.mid_a import b\n"),
            synthetic("qorgau.mid_a.b", "from qorgau.high import c\n"),
            synthetic("qorgau.high.c", "from ..low import a\n"),
        ],
        SYNTHETIC_FLOORS,
    )
    assert [p.message.split(":")[0] for p in problems if p.kind == "cycle"] == [
        "high <-> low <-> mid_a"
    ]
    assert len([p for p in problems if p.kind == "upward"]) == 2


def test_the_checker_reports_an_inner_import_but_not_a_type_checking_one():
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from qorgau.high.models import Case\n"
        "def f():\n"
        "    from . import helpers\n"
        "    import json\n"
        "    return helpers, json\n"
    )
    problems = check([synthetic("qorgau.low.services", source)], SYNTHETIC_FLOORS)
    assert [str(p) for p in problems] == [
        "inner: qorgau/low/services.py:5 imports qorgau.low.helpers in a function"
    ]


def test_the_checker_resolves_relative_imports_of_a_package_and_of_the_package_root():
    problems = check(
        [
            synthetic("qorgau.low", "from ..high import views\nfrom .x import y\n", package=True),
            synthetic("qorgau.mid_b.x", "from qorgau import high\n"),
            synthetic("qorgau.unknown.y", "from qorgau.low import z\n"),
        ],
        SYNTHETIC_FLOORS,
    )
    assert sorted(str(p) for p in problems) == [
        "unplaced: qorgau/unknown/y.py:1: app unknown is on no floor",
        "upward: qorgau/low/__init__.py:1: low imports qorgau.high (higher)",
        "upward: qorgau/mid_b/x.py:1: mid_b imports qorgau.high (higher)",
    ]


def test_the_project_wiring_may_import_every_floor():
    problems = check(
        [synthetic("qorgau.urls", "from qorgau.high import views\nfrom qorgau.low import x\n")],
        SYNTHETIC_FLOORS,
    )
    assert problems == []


# --- The tree keeps its floors -----------------------------------------------------------


def test_every_app_stands_on_one_floor():
    apps = sorted(p.name for p in SRC.iterdir() if (p / "apps.py").exists())
    placed = sorted(app for floor in FLOORS for app in floor)
    assert apps == placed


def test_no_app_imports_upwards_sideways_in_a_circle_or_inside_a_function():
    problems = check(project_modules(), FLOORS)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(map(str, problems))
