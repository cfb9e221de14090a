"""Which notes mean "I want to stop, or have stopped, a medication" (SCIENCE.md 6.2 rule 2)."""

from __future__ import annotations

import pytest

from affectrange.safety import find_stopping_language

STOPPING = [
    ("I stopped taking my pills last week.", "stopped taking"),
    ("Honestly I want to stop taking it, I feel like a zombie.", "want to stop taking"),
    ("I'm thinking of stopping the escitalopram.", "thinking of stopping"),
    ("Quit my meds on Friday", "quit my meds"),
    ("Skipped my dose this morning", "skipped my dose"),
    ("I've been OFF MY MEDS since June", "off my meds"),
    ("I want to come off\nthe venlafaxine", "want to come off"),
]
NOT_STOPPING = [
    "Took my meds with breakfast.",
    "The bus stopped at every stop.",
    "My sister is coming off her shift late.",
    "I stopped by the pharmacy.",
    "Want to stop feeling so flat.",
    "",
]


@pytest.mark.parametrize(("note", "phrase"), STOPPING)
def test_notes_about_stopping_are_found(note: str, phrase: str) -> None:
    assert phrase in find_stopping_language(note)


@pytest.mark.parametrize("note", NOT_STOPPING)
def test_other_notes_are_left_alone(note: str) -> None:
    assert find_stopping_language(note) == ()
