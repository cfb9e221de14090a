"""The layout rules of ARCHITECTURE.md, checked on the source itself (parsed with ast)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import affectrange

PACKAGE = Path(affectrange.__file__).parent
PURE_PACKAGES = ("analysis", "instruments", "safety")
FORBIDDEN_IN_PURE = ("affectrange.web", "affectrange.db", "sqlalchemy", "fastapi", "starlette")

# accounts/repository.py documents these: signing in and presenting a cookie or token must find
# a user before anyone is signed in, so they cannot be scoped by an owner.
UNSCOPED_ACCOUNT_LOOKUPS = frozenset(
    {"UserRepository", "WebSessionRepository", "ApiTokenLookup", "LoginFailureRepository"}
)
# reminders/repository.py documents this one: the scheduler works for no one person; it finds who
# asked for reminders and claims each reminder once. It reads no check-in or answer itself.
UNSCOPED_SYSTEM_LOOKUPS = frozenset(
    {
        ("reminders", "ReminderLedger"),
        ("audit", "AuditLedger"),  # appends to and verifies the whole chain
        ("sharing", "InvitationLookup"),  # the clinician holds a code, not an owner id
        ("directory", "DirectoryReader"),  # the public directory: no one person's data
    }
)


def imported_modules(source: str, module: str) -> set[str]:
    """Every module a source file imports, relative imports resolved against `module`."""
    found: set[str] = set()
    package_parts = module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def forbidden_imports(source: str, module: str) -> list[str]:
    return sorted(
        name
        for name in imported_modules(source, module)
        if any(name == bad or name.startswith(f"{bad}.") for bad in FORBIDDEN_IN_PURE)
    )


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(relative.parts)


def pure_modules() -> list[Path]:
    return sorted(
        path
        for package in PURE_PACKAGES
        if (PACKAGE / package).is_dir()
        for path in (PACKAGE / package).rglob("*.py")
    )


def test_the_pure_packages_are_found() -> None:
    assert PACKAGE / "analysis" / "series.py" in pure_modules()


@pytest.mark.parametrize("path", pure_modules(), ids=module_name)
def test_analysis_and_instruments_import_nothing_from_the_web_or_the_database(path: Path) -> None:
    source = path.read_text(encoding="utf-8")

    assert forbidden_imports(source, module_name(path)) == []


@pytest.mark.parametrize(
    "source",
    [
        "import sqlalchemy",
        "from sqlalchemy.orm import Session",
        "from fastapi import Depends",
        "import starlette.requests",
        "from affectrange.db import Base",
        "from affectrange import db",
        "from affectrange.web.templating import render",
        "from ..web import csrf",
        "from .. import db",
    ],
)
def test_the_import_check_catches_each_kind_of_forbidden_import(source: str) -> None:
    assert forbidden_imports(source, "affectrange.analysis.metrics") != []


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np",
        "from affectrange.analysis.items import ITEM_IDS",
        "from . import items",
    ],
)
def test_the_import_check_allows_pure_imports(source: str) -> None:
    assert forbidden_imports(source, "affectrange.analysis.metrics") == []


def test_importing_the_pure_packages_loads_no_web_or_database_code() -> None:
    # Catches what the per-file check cannot: a pure module importing one that imports SQLAlchemy.
    modules = [module_name(path).removesuffix(".__init__") for path in pure_modules()]
    script = (
        f"import importlib, sys\nfor name in {modules!r}: importlib.import_module(name)\n"
        f"bad = {FORBIDDEN_IN_PURE!r}\n"
        "print(sorted(m for m in sys.modules if any(m == b or m.startswith(b + '.') for b in bad)))"
    )

    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"


def repository_classes() -> list[tuple[str, ast.ClassDef]]:
    classes: list[tuple[str, ast.ClassDef]] = []
    for path in sorted(PACKAGE.glob("*/repository.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        feature = path.parent.name
        classes.extend((feature, node) for node in tree.body if isinstance(node, ast.ClassDef))
    return classes


def init_parameters(cls: ast.ClassDef) -> list[str]:
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__init__":
            arguments = node.args
            return [arg.arg for arg in [*arguments.args, *arguments.kwonlyargs]]
    return []


def test_repositories_are_found() -> None:
    names = {cls.name for _, cls in repository_classes()}

    assert {"CheckinRepository", "ApiTokenRepository"} <= names
    assert names >= UNSCOPED_ACCOUNT_LOOKUPS, "the exceptions below name classes that exist"
    assert names >= {name for _, name in UNSCOPED_SYSTEM_LOOKUPS}


def test_every_repository_is_built_with_its_owner() -> None:
    unscoped = [
        f"{feature}.{cls.name}"
        for feature, cls in repository_classes()
        if "owner" not in init_parameters(cls)
        and not (feature == "accounts" and cls.name in UNSCOPED_ACCOUNT_LOOKUPS)
        and (feature, cls.name) not in UNSCOPED_SYSTEM_LOOKUPS
    ]

    assert unscoped == []
