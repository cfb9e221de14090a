"""The analysis in plain words: differences with their intervals, the onset and its order in time,
the pattern card, and associations."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from affectrange.analysis.associations import Association
from affectrange.analysis.change import EventLink
from affectrange.analysis.comparisons import Difference
from affectrange.analysis.engine import BluntingFinding, PersonAnalysis, analyze
from affectrange.analysis.events import MedicationEvent
from affectrange.analysis.pattern import PATTERNS, Criterion
from affectrange.emotional_range import wording
from affectrange.emotional_range.wording import (
    DATES_NOT_CAUSE,
    ORDER_NOT_CAUSE,
    association_row,
    change_text,
    criterion_row,
    describe,
    difference_words,
    pattern_words,
)
from affectrange.safety import medication_advice_in
from affectrange.simulate import SimulatedPerson
from tests.emotional_range.helpers import demo, found_onset, long_day, story_series

ONSET = dt.date(2026, 9, 7)
START = MedicationEvent(dt.date(2026, 8, 9), "sertraline", "start", 50.0)


def difference(value: float, low: float, high: float) -> Difference:
    return Difference("na", 3.0, 3.0 + value, value, None, low, high, 28, 28)


@pytest.fixture(scope="module")
def story() -> SimulatedPerson:
    return demo()


@pytest.fixture(scope="module")
def demo_analysis(story: SimulatedPerson) -> PersonAnalysis:
    return analyze(story_series(story), story.medication_events)


@pytest.mark.parametrize(
    ("value", "low", "high", "words"),
    [
        (-1.2, -1.5, -0.9, "about 1.2 points lower (0.9 to 1.5)"),
        (0.64, 0.21, 1.04, "about 0.6 points higher (0.2 to 1.0)"),
        (-0.53, -1.2, 0.51, "about 0.5 points lower (from 1.2 lower to 0.5 higher)"),
        (1.02, 0.5, 1.5, "about 1.0 point higher (0.5 to 1.5)"),
        (0.01, -0.3, 0.25, "about the same (from 0.3 lower to 0.2 higher)"),
        (-0.02, -0.4, -0.1, "about the same (0.1 to 0.4 lower)"),
    ],
)
def test_a_difference_in_words(value: float, low: float, high: float, words: str) -> None:
    assert difference_words(difference(value, low, high)) == words


def test_the_onset_names_the_start_and_the_lag_then_says_it_is_not_a_cause() -> None:
    text = change_text(BluntingFinding(True, ONSET, EventLink(START, 29)))

    assert text is not None
    assert text.when == (
        "This began around 7 September 2026, 29 days after you started sertraline on 9 August."
    )
    assert text.caveat == ORDER_NOT_CAUSE
    assert "not a cause" in text.caveat


def test_a_dose_change_is_named_with_its_dose_and_a_year_when_it_differs() -> None:
    change = MedicationEvent(dt.date(2025, 12, 20), "escitalopram", "dose_change", 15.0)

    text = change_text(BluntingFinding(True, dt.date(2026, 1, 10), EventLink(change, 21)))

    assert text is not None
    assert text.when == (
        "This began around 10 January 2026, 21 days after your escitalopram dose changed to "
        "15 mg on 20 December 2025."
    )


def test_one_day_and_the_same_day() -> None:
    one = change_text(BluntingFinding(True, ONSET, EventLink(START, 1)))
    same = change_text(BluntingFinding(True, ONSET, EventLink(START, 0)))

    assert one is not None
    assert "1 day after you started" in one.when
    assert same is not None
    assert same.when == "This began around 7 September 2026, the same day you started sertraline."


def test_blunting_without_an_onset_is_present_since_the_check_ins_began() -> None:
    text = change_text(BluntingFinding(True, None, None))

    assert text is not None
    assert "present since your check-ins began" in text.when
    assert text.caveat == DATES_NOT_CAUSE


def test_an_onset_with_no_event_before_it() -> None:
    text = change_text(BluntingFinding(True, ONSET, None))

    assert text is not None
    assert text.when == (
        "This began around 7 September 2026. No medication start or dose change is recorded in "
        "the 90 days before it."
    )


def test_no_blunting_no_onset_text() -> None:
    assert change_text(BluntingFinding(False, None, None)) is None


def test_every_pattern_has_its_own_words(demo_analysis: PersonAnalysis) -> None:
    said = {
        pattern: pattern_words(dataclasses.replace(demo_analysis, pattern=pattern))
        for pattern in PATTERNS
    }

    assert len(set(said.values())) == len(PATTERNS)
    assert said["blunting_like"] == (
        "In the last 4 weeks your feelings, good and bad, have been quieter and steadier than "
        "before, and you have often felt numb or flat."
    )
    assert "at least 14 of the 28 days" in said["insufficient_data"]
    for text in said.values():
        assert medication_advice_in(text) == ()


def test_blunting_without_a_baseline_is_not_said_to_be_quieter_than_before(
    demo_analysis: PersonAnalysis,
) -> None:
    flat = Criterion("flat_spread", "Share of the possible spread", 0.15, 0.2, met=True)
    alone = dataclasses.replace(demo_analysis, criteria=(flat,))

    assert "than before" not in pattern_words(alone)
    assert "numb or flat" in pattern_words(alone)


def test_criteria_show_value_and_what_is_needed() -> None:
    rows = [
        criterion_row(Criterion("numbness_endorsed", "Numb", 4.4691, 2.5, met=True)),
        criterion_row(Criterion("negative_not_high", "NA", 0.7593, 2.5, met=True)),
        criterion_row(Criterion("enough_days", "Days", 9.0, 14.0, met=False)),
        criterion_row(Criterion("positive_low", "PA", 2.3, 2.5, met=True)),
        criterion_row(Criterion("positive_low", "PA", 2.3, 2.0, met=False)),
        criterion_row(Criterion("spread_narrowed", "Spread", None, 0.7, met=False)),
    ]

    assert [(row.value, row.needed, row.met) for row in rows] == [
        ("4.47", "at least 2.5", True),
        ("0.76", "below 2.5", True),
        ("9", "at least 14", False),
        ("2.30", "below 2.5", True),
        ("2.30", "at most 2", False),
        ("not enough data", "at most 0.7", False),
    ]


def test_metrics_say_not_enough_data_and_no_baseline(demo_analysis: PersonAnalysis) -> None:
    current = dataclasses.replace(demo_analysis.current, pa_mean=1.9683, pa_reactivity=None)
    alone = dataclasses.replace(demo_analysis, current=current, baseline=None, baseline_source=None)

    card = describe(alone).card

    values = {row.key: (row.current, row.baseline) for row in card.metrics}
    assert values["pa_mean"] == ("1.97", "no baseline")
    assert values["pa_reactivity"] == ("not enough data", "no baseline")
    assert card.baseline_period is None
    assert "no earlier period to compare with" in card.baseline_words


def test_an_association_in_words_and_whether_it_is_clear() -> None:
    sleep = Association(
        "sleep_hours", "pa", "same_day", 129, 0.1939, 0.0218, 0.3549, 0.1426, "hour of sleep"
    )
    drinks = Association(
        "alcohol_drinks", "na", "next_day", 127, -0.08, -0.25, 0.09, -0.05, "drink"
    )

    clear, unclear = association_row(sleep), association_row(drinks)

    assert clear.clear
    assert clear.words == (
        "Days with more sleep went with higher positive feelings the same day: about 0.14 points "
        "per hour of sleep (r = 0.19, 95% interval 0.02 to 0.35, 129 days)."
    )
    assert not unclear.clear
    assert wording.clear_first([unclear, clear]) == (clear, unclear)


def test_the_demo_story_in_words(story: SimulatedPerson, demo_analysis: PersonAnalysis) -> None:
    onset, link = found_onset(story, demo_analysis)
    start, dose_change = story.medication_events
    assert start.date.year == onset.year  # so the start is named without its year

    text = describe(demo_analysis)

    assert text.card.title == "A blunting-like pattern"
    assert text.change is not None
    assert text.change.when == (
        f"This began around {long_day(onset)}, {link.lag_days} days after you started "
        f"sertraline on {start.date.day} {start.date:%B}."
    )
    assert [c.heading for c in text.comparisons] == [
        f"sertraline {start.dose_mg:g} mg start, {long_day(start.date)}",
        f"sertraline {dose_change.dose_mg:g} mg dose change, {long_day(dose_change.date)}",
    ]
    assert len(text.comparisons[0].rows) == 6  # 3 measures x 2 periods
    assert text.unclear_count == len(text.associations) - len(text.clear_associations)
