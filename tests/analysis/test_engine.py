"""analysis.engine.analyze: the demo person's story end to end, and people with too little data."""

from __future__ import annotations

import datetime as dt

import pytest

from affectrange.analysis.engine import PersonAnalysis, analyze
from affectrange.analysis.events import MedicationEvent
from affectrange.simulate import SimulatedPerson, demo_story, simulate_cohort
from tests.analysis.helpers import day, person_series, series_of

DEMO_END = dt.date(2026, 6, 15)
DEMO_DAYS = 150


@pytest.fixture(scope="module")
def demo() -> SimulatedPerson:
    return demo_story(end=DEMO_END, n_days=DEMO_DAYS)


@pytest.fixture(scope="module")
def demo_analysis(demo: SimulatedPerson) -> PersonAnalysis:
    first = DEMO_END - dt.timedelta(days=DEMO_DAYS - 1)
    return analyze(person_series(demo, first, DEMO_END), demo.medication_events)


def test_the_demo_person_is_blunting_like(demo_analysis: PersonAnalysis) -> None:
    assert demo_analysis.pattern == "blunting_like"
    assert demo_analysis.blunting.detected


def test_the_demo_onset_is_within_ten_days_of_the_truth(
    demo: SimulatedPerson, demo_analysis: PersonAnalysis
) -> None:
    onset = demo_analysis.blunting.onset_date
    assert demo.truth.onset_date is not None
    assert onset is not None
    assert abs((onset - demo.truth.onset_date).days) <= 10


def test_the_demo_change_follows_the_sertraline_start(
    demo: SimulatedPerson, demo_analysis: PersonAnalysis
) -> None:
    link = demo_analysis.blunting.after_event
    onset = demo_analysis.blunting.onset_date

    assert link is not None
    assert onset is not None
    assert link.event == demo.truth.after_event
    assert (link.event.medication, link.event.event) == ("sertraline", "start")
    assert link.lag_days == (onset - link.event.date).days


def test_the_demo_baseline_is_the_four_weeks_before_sertraline(
    demo: SimulatedPerson, demo_analysis: PersonAnalysis
) -> None:
    start = demo.medication_events[0].date
    baseline = demo_analysis.baseline

    assert demo_analysis.baseline_source == "before_first_medication"
    assert baseline is not None
    assert (baseline.first, baseline.last) == (
        start - dt.timedelta(days=28),
        start - dt.timedelta(days=1),
    )


def test_the_analysis_covers_the_calendar_and_counts_answered_days(
    demo: SimulatedPerson, demo_analysis: PersonAnalysis
) -> None:
    assert demo_analysis.last_date == DEMO_END
    assert demo_analysis.first_date == DEMO_END - dt.timedelta(days=DEMO_DAYS - 1)
    assert demo_analysis.n_days == len(demo.days)
    assert demo_analysis.current.last == DEMO_END
    assert len(demo_analysis.event_comparisons) == 2
    assert demo_analysis.associations  # the demo carries sleep, exercise, people and drinks


def test_events_are_taken_in_date_order_whatever_order_they_come_in(
    demo: SimulatedPerson, demo_analysis: PersonAnalysis
) -> None:
    first = DEMO_END - dt.timedelta(days=DEMO_DAYS - 1)
    shuffled = tuple(reversed(demo.medication_events))

    again = analyze(person_series(demo, first, DEMO_END), shuffled)

    assert again.baseline == demo_analysis.baseline
    assert again.blunting == demo_analysis.blunting


def test_ten_days_of_data_are_insufficient_with_no_onset() -> None:
    pa = [3.0, 4.0] * 5
    series = series_of(pa, [1.0, 2.0] * 5, [3.0] * 10)
    events = [MedicationEvent(day(2), "sertraline", "start", 50.0)]

    analysis = analyze(series, events)

    assert analysis.pattern == "insufficient_data"
    assert analysis.n_days == 10
    assert not analysis.blunting.detected
    assert analysis.blunting.onset_date is None
    assert analysis.blunting.after_event is None
    assert analysis.baseline is None
    assert analysis.baseline_source is None


def test_blunted_from_the_first_day_has_no_onset() -> None:
    # The simulator's "blunting from the start" people: the pattern is there, the change is not.
    cohort = simulate_cohort(18, seed=3, start=dt.date(2025, 1, 6), n_days=180)
    from_start = [p for p in cohort if p.truth.scenario == "blunting_from_start_no_medication"]
    first, last = dt.date(2025, 1, 6), dt.date(2025, 7, 4)

    assert len(from_start) == 2
    for person in from_start:
        analysis = analyze(person_series(person, first, last), person.medication_events)
        assert analysis.blunting.onset_date is None
        assert analysis.blunting.after_event is None
