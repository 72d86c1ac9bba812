"""The pure layers must stay pure even through deferred imports that import-linter cannot see."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import tui

PURE_PACKAGES = {
    "tui.kraken": {"textual", "rich", "aiohttp"},
    "tui.book": {"textual", "rich", "aiohttp"},
    "tui.store": {"textual"},
    "tui.feed": {"textual"},
    "tui.exchange": {"textual"},
}


def _modules(package: str) -> list[str]:
    mod = __import__(package, fromlist=["__path__"])
    return [package] + [f"{package}.{m.name}" for m in pkgutil.iter_modules(mod.__path__)]


@pytest.mark.parametrize("package", sorted(PURE_PACKAGES))
def test_pure_modules_do_not_pull_in_forbidden_packages(package: str) -> None:
    forbidden = PURE_PACKAGES[package]
    modules = _modules(package)
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"bad = sorted(n for n in {sorted(forbidden)!r} if n in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{package} imported {out.stdout.strip()}"


def test_package_has_version() -> None:
    assert tui.__version__
