"""The sheet's words: the medication-advice guard reads them (SCIENCE.md 6.2), and no suggested
question proposes doing anything about a medication."""

from __future__ import annotations

import pytest

from affectrange.preparation import service
from affectrange.safety import medication_advice_in
from tests.test_medication_advice_guard import message_strings, template_texts

TEMPLATES = (
    "preparation/_sheet.html",
    "preparation/_add_question.html",
    "preparation/sheet.html",
    "preparation/edit.html",
    "preparation/document.html",
    "reports/_body.html",
)


def test_the_guard_reads_the_new_templates_and_finds_no_advice() -> None:
    texts = template_texts()

    for name in TEMPLATES:
        assert name in texts
        assert medication_advice_in(texts[name]) == ()
    assert "My questions" in texts["preparation/_sheet.html"]
    assert "Questions and goals kept" in texts["reports/_body.html"]


def test_the_guard_reads_the_suggestions_and_the_sheets_messages() -> None:
    strings = message_strings()
    ours = {where: text for where, text in strings.items() if where.startswith("preparation/")}

    for suggestion in service.SUGGESTIONS:
        assert suggestion in ours.values()
    assert any("the most one sheet holds" in text for text in ours.values())
    flagged = {
        where: found for where, text in ours.items() if (found := medication_advice_in(text))
    }
    assert flagged == {}


@pytest.mark.parametrize("suggestion", service.SUGGESTIONS)
def test_no_suggestion_proposes_a_medication_change(suggestion: str) -> None:
    assert medication_advice_in(suggestion) == ()
    for word in ("stop", "lower", "reduce", "switch", "change", "dose", "taper", "skip"):
        assert word not in suggestion.lower()


def test_the_guard_would_catch_a_suggestion_that_did() -> None:
    assert medication_advice_in("Should I switch to another antidepressant?")
    assert medication_advice_in("Could we lower the dose?")
