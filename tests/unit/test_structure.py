"""The shape issue 12 gave the code, kept: small modules, thin screens.

A module over 500 lines holds more than one idea; a screen class over 25
methods holds rules that belong in its plain ``state`` module (unit-tested
without the pilot) or in a widget. Migrations are exempt: each is one change.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "noc_console"
MAX_MODULE_LINES = 500
MAX_SCREEN_METHODS = 25
SCREEN_BASES = {"NocScreen", "ModalScreen", "Screen", "PagedListScreen"}

MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{lines} lines: split it by idea"


def _screen_classes() -> list[object]:
    found = []
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {ast.unparse(b).split("[")[0].split(".")[-1] for b in node.bases}
            if bases & SCREEN_BASES:
                where = f"{path.relative_to(PACKAGE)}::{node.name}"
                found.append(pytest.param(node, id=where))
    return found


@pytest.mark.parametrize("node", _screen_classes())
def test_screen_is_thin(node: ast.ClassDef) -> None:
    methods = [n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    assert len(methods) <= MAX_SCREEN_METHODS, (
        f"{len(methods)} methods: move rules to its state module, pieces to widgets"
    )


PACKAGES = sorted(
    {p.parent for p in MODULES} | {p.parent for p in PACKAGE.rglob("*.tcss")},
)


@pytest.mark.parametrize("folder", PACKAGES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_every_folder_is_a_regular_package(folder: Path) -> None:
    """setuptools' package finder skips a folder without ``__init__.py``: an installed console
    would lack that screen or service (a source checkout would not show it)."""
    assert (folder / "__init__.py").exists()
