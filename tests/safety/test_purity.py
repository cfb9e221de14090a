"""safety/ is pure: it imports the standard library and itself, nothing else (ARCHITECTURE.md).

tests/test_architecture.py checks the web/database ban for analysis/ and instruments/; this is the
stricter rule for safety/, kept beside its tests so the two can be edited independently.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import affectrange.safety

PACKAGE = Path(affectrange.safety.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))


def third_party_imports(source: str) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return sorted(
        name
        for name in names
        if name.split(".")[0] not in sys.stdlib_module_names and name != "__future__"
    )


def test_the_safety_modules_are_found() -> None:
    assert PACKAGE / "crisis_language.py" in MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_safety_imports_only_the_standard_library(path: Path) -> None:
    assert third_party_imports(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    ["import sqlalchemy", "from fastapi import Request", "from affectrange.db import Base"],
)
def test_the_check_notices_a_forbidden_import(source: str) -> None:
    assert third_party_imports(source) != []
