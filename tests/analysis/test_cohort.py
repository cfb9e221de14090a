"""Validation on a simulated cohort whose truth is known: 9 scenarios x 30 people, 180 days each.

The thresholds are the targets the analysis is held to (docs/analysis.md): pattern accuracy,
blunting sensitivity and specificity, onset within 10 days, and the right medication event.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import pytest

from affectrange.analysis.engine import PersonAnalysis, analyze
from affectrange.simulate import SCENARIOS, SimulatedPerson, simulate_cohort
from tests.analysis.helpers import person_series

START = dt.date(2025, 1, 6)
N_DAYS = 180
PERSONS = 270
SEED = 20250106
ONSET_TOLERANCE_DAYS = 10


@dataclass(frozen=True, slots=True)
class Case:
    person: SimulatedPerson
    analysis: PersonAnalysis


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    last = START + dt.timedelta(days=N_DAYS - 1)
    cohort = simulate_cohort(PERSONS, seed=SEED, start=START, n_days=N_DAYS)
    return [
        Case(person, analyze(person_series(person, START, last), person.medication_events))
        for person in cohort
    ]


def share(hits: int, total: int) -> float:
    assert total > 0
    return hits / total


def misses(cases: list[Case]) -> Counter[tuple[str, str]]:
    """(scenario, pattern found) of the people classified wrongly, for the failure message."""
    return Counter(
        (case.person.truth.scenario, case.analysis.pattern)
        for case in cases
        if case.analysis.pattern != case.person.truth.expected_pattern
    )


def test_the_cohort_holds_thirty_people_of_each_scenario(cases: list[Case]) -> None:
    counts = Counter(case.person.truth.scenario for case in cases)

    assert counts == dict.fromkeys(SCENARIOS, 30)


def test_pattern_accuracy_is_at_least_90_percent(cases: list[Case]) -> None:
    correct = sum(case.analysis.pattern == case.person.truth.expected_pattern for case in cases)

    assert share(correct, len(cases)) >= 0.90, misses(cases)


def test_blunting_specificity_is_at_least_95_percent(cases: list[Case]) -> None:
    others = [case for case in cases if case.person.truth.expected_pattern != "blunting_like"]
    not_called = sum(case.analysis.pattern != "blunting_like" for case in others)

    assert share(not_called, len(others)) >= 0.95, misses(others)


def test_blunting_sensitivity_is_at_least_90_percent(cases: list[Case]) -> None:
    blunted = [case for case in cases if case.person.truth.expected_pattern == "blunting_like"]
    called = sum(case.analysis.pattern == "blunting_like" for case in blunted)

    assert share(called, len(blunted)) >= 0.90, misses(blunted)


def changes_with_an_onset(cases: list[Case]) -> list[Case]:
    return [case for case in cases if case.person.truth.onset_date is not None]


def test_onset_is_within_ten_days_in_at_least_80_percent_of_changes(cases: list[Case]) -> None:
    changes = changes_with_an_onset(cases)
    within = 0
    for case in changes:
        found, truth = case.analysis.blunting.onset_date, case.person.truth.onset_date
        assert truth is not None
        if found is not None and abs((found - truth).days) <= ONSET_TOLERANCE_DAYS:
            within += 1

    assert len(changes) == 90  # after a start, after a dose increase, and with missed days
    assert share(within, len(changes)) >= 0.80


def test_the_change_follows_the_true_event_in_at_least_90_percent(cases: list[Case]) -> None:
    changes = changes_with_an_onset(cases)
    matched = 0
    for case in changes:
        link = case.analysis.blunting.after_event
        if link is not None and link.event == case.person.truth.after_event:
            matched += 1

    assert share(matched, len(changes)) >= 0.90


def test_no_onset_is_reported_without_a_blunting_like_pattern(cases: list[Case]) -> None:
    for case in cases:
        if case.analysis.pattern != "blunting_like":
            assert case.analysis.blunting.onset_date is None
            assert case.analysis.blunting.after_event is None
