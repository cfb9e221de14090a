"""No user-facing text may advise starting, stopping, reducing, skipping or switching a medication.

SCIENCE.md 6.2. Every template and every message string in the application is read; the one
exception is the "talk to your prescriber first" card (once it exists), whose warning is the point.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from affectrange.safety import medication_advice_in

SRC = Path(__file__).resolve().parents[1] / "src" / "affectrange"
TEMPLATES = SRC / "web" / "templates"
EXEMPT_TEMPLATES = {"safety/_prescriber_card.html"}
_JINJA = re.compile(r"\{[{%#].*?[}%#]\}", re.S)
_TAGS = re.compile(r"<[^>]+>")


def template_texts() -> dict[str, str]:
    texts = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name not in EXEMPT_TEMPLATES:
            raw = path.read_text(encoding="utf-8")
            texts[name] = _TAGS.sub(" ", _JINJA.sub(" ", raw))
    return texts


def message_strings() -> dict[str, str]:
    """String literals in the code that are not docstrings: what a person can be shown."""
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                found[f"{path.relative_to(SRC)}:{node.lineno}"] = node.value
    return found


def test_the_guard_itself_catches_advice() -> None:
    assert medication_advice_in("You could stop taking it for a week.")
    assert medication_advice_in("Try to reduce your dose.")


def test_no_template_advises_a_medication_change() -> None:
    offending = {
        name: medication_advice_in(text)
        for name, text in template_texts().items()
        if medication_advice_in(text)
    }

    assert offending == {}


def test_no_message_in_the_code_advises_a_medication_change() -> None:
    strings = message_strings()
    offending = {
        where: medication_advice_in(text)
        for where, text in strings.items()
        if medication_advice_in(text) and not where.startswith("safety/")
    }

    assert len(strings) > 200  # the scan really read the code
    assert offending == {}
