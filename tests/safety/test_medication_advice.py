"""The medication-advice deny-list (SCIENCE.md 6.2 hard rule 1)."""

from __future__ import annotations

import re

import pytest

from affectrange.safety import DEFAULT_MEDICATION_ADVICE_PATTERNS, medication_advice_in

CURLY = "\u2019"  # the typographic apostrophe

# Each sentence advises starting, stopping, reducing, skipping, tapering, switching or adding a
# medicine, and must be flagged; the second value is the phrasing that comes back.
ADVICE = [
    ("Stop taking your medication.", "Stop taking"),
    ("STOP TAKING it for a week", "STOP TAKING"),
    ("You could stop your antidepressant for a week.", "stop your antidepressant"),
    ("Stopping the medication may help you feel more.", "Stopping the medication"),
    ("Just stop cold turkey.", "stop cold turkey"),
    ("Quit your meds.", "Quit your meds"),
    ("Quit taking them.", "Quit taking"),
    ("Discontinue the SSRI.", "Discontinue"),
    ("Come off sertraline.", "Come off"),
    ("Wean yourself off it.", "Wean yourself off"),
    ("Get off the pills.", "Get off the pills"),
    ("Taper slowly over four weeks.", "Taper"),
    ("A tapering schedule", "tapering"),
    ("Try reducing your dose.", "reducing your dose"),
    ("Reduce your dose.", "Reduce your dose"),
    ("Lower your dose to 10 mg.", "Lower your dose"),
    ("Could I lower my dose?", "lower my dose"),
    ("Should we stop my medication?", "stop my medication"),
    ("Halve your tablets.", "Halve your tablets"),
    ("Cut down on your medication.", "Cut down on your medication"),
    ("Ask for a lower dose.", "a lower dose"),
    ("Take half in the morning.", "Take half"),
    ("Skip a dose at the weekend.", "Skip a dose"),
    ("Skip your pills on Saturday.", "Skip your pills"),
    (f"Skip today{CURLY}s dose.", f"Skip today{CURLY}s dose"),
    ("Consider a drug holiday.", "drug holiday"),
    ("Switch to bupropion.", "Switch to"),
    ("Switch your medication.", "Switch your medication"),
    ("Switching antidepressants may help.", "Switching antidepressants"),
    ("You should change your medication.", "change your medication"),
    ("Try a different antidepressant.", "Try a different antidepressant"),
    ("Add a supplement such as omega-3.", "Add a supplement"),
    ("Start taking St John's wort.", "Start taking"),
    ("Start an antidepressant.", "Start an antidepressant"),
    ("Increase your dose.", "Increase your dose"),
    ("Double the dose before bed.", "Double the dose"),
    ("Ask about a higher dose.", "a higher dose"),
    ("You should take it in the morning.", "You should take"),
    ("You might want to stop.", "You might want to stop"),
    ("Consider switching.", "Consider switching"),
    ("stop\n    taking", "stop\n    taking"),
]

# Neutral text the app shows: routing to the prescriber, research facts, and interface words that
# share a verb with advice.
NEUTRAL = [
    "Talk to your prescriber before making any change to your medication.",
    "Talk to your prescriber first.",
    "Your prescriber is the right person to ask about your medication.",
    "Stopping abruptly can cause discontinuation symptoms.",
    "Discontinuation symptoms followed stopping in 24-28% of people in the studies.",
    "Bring this sheet to your next appointment with your prescriber.",
    "Blunting-like trends are worth discussing with your clinician.",
    "If you take a medication, note its name and dose.",
    "Stop e-mail reminders at any time.",
    "Skip this question",
    "Skip to main content",
    "You can skip today's check-in.",
    "Switch off reminders",
    "Start the questionnaire",
    "Start your check-in",
    "Add a note",
    "Increase the text size",
    "Reduce motion",
    "Lower scores mean fewer symptoms.",
    "Come back tomorrow.",
    "Your dose was saved.",
    "Change your password",
    "",
]


@pytest.mark.parametrize(("text", "phrasing"), ADVICE)
def test_advice_is_flagged(text: str, phrasing: str) -> None:
    assert phrasing in medication_advice_in(text)


@pytest.mark.parametrize("text", NEUTRAL)
def test_neutral_text_passes(text: str) -> None:
    assert medication_advice_in(text) == ()


def test_the_prescriber_card_is_flagged_so_its_exemption_must_be_explicit() -> None:
    # SCIENCE.md 6.2 rule 2's card says "Don't stop suddenly". The template lint exempts that card
    # by name; the function itself does not read intent.
    card = (
        "Don't stop suddenly; talk to your prescriber first; "
        "stopping abruptly can cause discontinuation symptoms."
    )

    assert medication_advice_in(card) == ("stop suddenly",)


def test_findings_come_back_in_reading_order_each_once() -> None:
    text = "Taper first. Then stop taking it. Really, STOP  TAKING it, then taper again."

    assert medication_advice_in(text) == ("Taper", "stop taking")


def test_a_phrasing_inside_a_longer_word_is_not_flagged() -> None:
    assert medication_advice_in("tapered-off paper tapers") != ()  # the verb forms are flagged
    assert medication_advice_in("tapestry") == ()
    assert medication_advice_in("nonstop taking of notes") == ()
    assert medication_advice_in("backswitch tool") == ()


def test_custom_patterns_replace_the_default() -> None:
    assert medication_advice_in("Try St John's wort", [r"\bst\s+john'?s\s+wort\b"]) == (
        "St John's wort",
    )
    assert medication_advice_in("Stop taking it", [r"\bwort\b"]) == ()


def test_a_single_string_is_refused_rather_than_read_letter_by_letter() -> None:
    with pytest.raises(TypeError):
        medication_advice_in("stop", r"\bstop\b")


@pytest.mark.parametrize("pattern", DEFAULT_MEDICATION_ADVICE_PATTERNS)
def test_every_default_pattern_compiles_and_finds_something(pattern: str) -> None:
    examples = " ".join(text for text, _ in ADVICE)

    assert re.compile(pattern, re.IGNORECASE).search(examples), pattern
