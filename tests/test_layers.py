"""The layers stay pure and small, including what import-linter cannot see.

import-linter reads import statements; a deferred import inside a function escapes it. So each
pure module is imported in a fresh interpreter and the forbidden packages must still be absent
from ``sys.modules``. Modules that another branch of the restructure creates are skipped until
they exist.
"""

from __future__ import annotations

import ast
import importlib.util
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import tui

ROOT = Path(tui.__file__).resolve().parent
NO_UI = frozenset({"textual", "rich"})
NO_UI_NO_IO = NO_UI | {"aiohttp"}

# A package stands for itself and every module below it.
PURE: dict[str, frozenset[str]] = {
    "tui.kraken": NO_UI_NO_IO,
    "tui.kraken.vocab": NO_UI_NO_IO,
    "tui.kraken.rfc3339": NO_UI_NO_IO,
    "tui.kraken.events": NO_UI_NO_IO,
    "tui.book": NO_UI_NO_IO,
    "tui.config": NO_UI_NO_IO,
    "tui.store": NO_UI_NO_IO,
    "tui.orders": NO_UI_NO_IO,
    "tui.feed.endpoints": NO_UI_NO_IO,
    "tui.feed.venue": NO_UI_NO_IO,
    "tui.feed": NO_UI,
    "tui.desk": NO_UI,
    "tui.exchange": NO_UI,
}

CLASS_LIMIT = 500
FUNCTION_LIMIT = 80


def _modules(name: str) -> list[str]:
    spec = importlib.util.find_spec(name)
    if spec is None:
        pytest.skip(f"{name} does not exist on this branch yet")
    if spec.submodule_search_locations is None:
        return [name]
    found = pkgutil.walk_packages(spec.submodule_search_locations, prefix=f"{name}.")
    return [name, *sorted(m.name for m in found)]


@pytest.mark.parametrize("name", sorted(PURE))
def test_pure_modules_do_not_pull_in_forbidden_packages(name: str) -> None:
    modules = _modules(name)
    forbidden = sorted(PURE[name])
    # One module at a time, so the failure names the module that first pulled the package in.
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        f"    bad = [n for n in {forbidden!r} if n in sys.modules]\n"
        "    if bad:\n"
        "        print(m, 'imported', ','.join(bad))\n"
        "        break\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _size_offenders() -> list[str]:
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), rel)):
            if not isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            assert node.end_lineno is not None
            lines = node.end_lineno - node.lineno + 1
            if isinstance(node, ast.ClassDef):
                # The exchange's matching engine is the one class allowed to be long: it is the
                # venue's rule book, kept in one place so it can be read against Kraken's.
                exempt = rel.startswith("tui/exchange/") and node.name == "Engine"
                if lines > CLASS_LIMIT and not exempt:
                    offenders.append(f"{rel}:{node.lineno} class {node.name} has {lines} lines")
            elif lines > FUNCTION_LIMIT:
                offenders.append(f"{rel}:{node.lineno} def {node.name} has {lines} lines")
    return offenders


def test_no_class_over_500_lines_and_no_function_over_80() -> None:
    offenders = _size_offenders()
    assert not offenders, "too long:\n" + "\n".join(offenders)


def test_package_has_version() -> None:
    assert tui.__version__


def _module_cycles() -> list[list[str]]:
    """Strongly connected groups of tui modules, counting every import statement: those inside
    functions and under ``TYPE_CHECKING`` too, which is where the old loops hid."""
    import grimp

    graph = grimp.build_graph("tui")
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.find_modules_directly_imported_by(v):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def test_no_import_cycles_not_even_behind_type_checking() -> None:
    assert _module_cycles() == []
