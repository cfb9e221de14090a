"""The simulator: determinism, the scale, the model's parameters, the scenarios, the CSV formats."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import math
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

import affectrange.simulate as simulate_module
from affectrange.analysis.items import (
    BLUNTING_ITEMS,
    ITEM_IDS,
    ITEMS_BY_ID,
    NEGATIVE_ITEMS,
    POSITIVE_ITEMS,
    Valence,
)
from affectrange.simulate import (
    ITEM_OFFSETS,
    MIN_SCENARIO_DAYS,
    SCENARIOS,
    Effect,
    GroundTruth,
    MedicationEvent,
    PersonParams,
    SimulatedDay,
    SimulatedPerson,
    demo_story,
    scenario_params,
    simulate_cohort,
    simulate_latent,
    simulate_person,
    write_long_csv,
    write_medications_csv,
    write_wide_csv,
)
from tests.simulate.conftest import COHORT_DAYS, COHORT_START, PERSONS_PER_SCENARIO

FloatArray = NDArray[np.float64]
START = dt.date(2026, 1, 1)
COHORT_END = COHORT_START + dt.timedelta(days=COHORT_DAYS - 1)
BLUNTING_AFTER_MEDICATION = ("blunting_after_start", "blunting_after_dose_increase", "missing_days")


# --------------------------------------------------------------------------------------------------
# Helpers


class Window(NamedTuple):
    """Daily valence means (mean of that valence's items) over the answered days of a window."""

    pa: FloatArray
    na: FloatArray
    numbness: FloatArray


def valence_means(days: Iterable[SimulatedDay], ids: tuple[str, ...]) -> FloatArray:
    """Each day's mean of the given items: PA, NA or numbness as SCIENCE.md 4 defines them."""
    return np.array([np.mean([day.items[item] for item in ids]) for day in days])


def window(person: SimulatedPerson, first: dt.date, last: dt.date) -> Window:
    days = [day for day in person.days if first <= day.date <= last]
    return Window(
        valence_means(days, POSITIVE_ITEMS),
        valence_means(days, NEGATIVE_ITEMS),
        valence_means(days, BLUNTING_ITEMS),
    )


def baseline_window(person: SimulatedPerson) -> Window:
    """The 28 days before the first medication event, else the first 28 days of the series."""
    events = person.medication_events
    first_event = events[0].date if events else COHORT_START + dt.timedelta(days=28)
    return window(person, first_event - dt.timedelta(days=28), first_event - dt.timedelta(days=1))


def last_window(person: SimulatedPerson) -> Window:
    return window(person, COHORT_END - dt.timedelta(days=27), COHORT_END)


def of(cohort: list[SimulatedPerson], scenario: str) -> list[SimulatedPerson]:
    persons = [person for person in cohort if person.truth.scenario == scenario]
    assert len(persons) == PERSONS_PER_SCENARIO
    return persons


def lag1_autocorrelation(series: FloatArray) -> float:
    centred = series - series.mean()
    return float(np.dot(centred[1:], centred[:-1]) / np.dot(centred, centred))


def sd(values: FloatArray) -> float:
    return float(np.std(values, ddof=1))


# --------------------------------------------------------------------------------------------------
# Determinism and the scale


def test_the_same_seed_gives_the_same_person(steady: PersonParams) -> None:
    first = simulate_person(steady, start=START, n_days=60, seed=42)
    again = simulate_person(steady, start=START, n_days=60, seed=42)
    other = simulate_person(steady, start=START, n_days=60, seed=43)

    assert first == again
    assert first.days != other.days


def test_a_cohort_is_reproducible_and_does_not_change_when_it_grows(
    cohort: list[SimulatedPerson],
) -> None:
    smaller = simulate_cohort(len(SCENARIOS), seed=11, start=COHORT_START, n_days=COHORT_DAYS)

    assert smaller == cohort[: len(SCENARIOS)]


def test_a_cohort_cycles_through_the_scenarios(cohort: list[SimulatedPerson]) -> None:
    scenarios = [person.truth.scenario for person in cohort]

    assert scenarios == list(SCENARIOS) * PERSONS_PER_SCENARIO
    assert [person.person_id for person in cohort[:3]] == ["p001", "p002", "p003"]


def test_one_person_of_a_cohort_can_be_regenerated_from_their_seed(
    cohort: list[SimulatedPerson],
) -> None:
    person = cohort[1]
    assert person.seed is not None

    alone = simulate_person(person.params, start=COHORT_START, n_days=COHORT_DAYS, seed=person.seed)

    assert alone.days == person.days


@settings(max_examples=60, deadline=None)
@given(
    level=st.floats(min_value=-3.0, max_value=9.0),
    spread=st.floats(min_value=0.0, max_value=3.0),
    phi=st.floats(min_value=0.0, max_value=0.95),
    reactivity=st.floats(min_value=0.0, max_value=3.0),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_every_rating_is_an_integer_on_its_scale(
    level: float, spread: float, phi: float, reactivity: float, seed: int
) -> None:
    # Levels beyond the scale and large spreads force the clipping at 0 and 6.
    params = PersonParams(
        pa_baseline=level,
        na_baseline=6.0 - level,
        numbness_baseline=level,
        pa_sd=spread,
        na_sd=spread,
        autocorrelation=phi,
        pa_reactivity=reactivity,
        na_reactivity=reactivity,
        item_noise_sd=spread,
        missing_day_probability=0.2,
    )

    person = simulate_person(params, start=START, n_days=40, seed=seed)

    for day in person.days:
        assert list(day.items) == list(ITEM_IDS)
        assert all(type(value) is int and 0 <= value <= 6 for value in day.items.values())
        event = day.event_pleasantness
        assert event is None or (type(event) is int and -3 <= event <= 3)


def test_days_are_in_date_order_inside_the_simulated_calendar(steady: PersonParams) -> None:
    person = simulate_person(
        replace(steady, missing_day_probability=0.3), start=START, n_days=90, seed=1
    )

    dates = [day.date for day in person.days]
    assert dates == sorted(set(dates))
    assert dates[0] >= START
    assert dates[-1] <= START + dt.timedelta(days=89)


def test_item_offsets_cover_every_item_and_cancel_within_each_valence() -> None:
    assert set(ITEM_OFFSETS) == set(ITEM_IDS)
    for valence in Valence:
        offsets = [ITEM_OFFSETS[i] for i in ITEM_IDS if ITEMS_BY_ID[i].valence is valence]
        assert sum(offsets) == pytest.approx(0.0, abs=1e-12)


# --------------------------------------------------------------------------------------------------
# The model's parameters are honoured


def test_the_missing_day_probability_is_honoured(steady: PersonParams) -> None:
    n_days, probability = 2000, 0.3
    person = simulate_person(
        replace(steady, missing_day_probability=probability), start=START, n_days=n_days, seed=7
    )

    missed = n_days - len(person.days)
    # Binomial(2000, 0.3): mean 600, SD sqrt(2000 * 0.3 * 0.7) = 20.5; allow 4 SD (82 days).
    assert abs(missed - 600) <= 4 * math.sqrt(n_days * probability * (1 - probability))


def test_the_no_event_probability_is_honoured(steady: PersonParams) -> None:
    person = simulate_person(
        replace(steady, no_event_probability=0.15), start=START, n_days=2000, seed=8
    )

    unrated = sum(day.event_pleasantness is None for day in person.days)
    # Binomial(2000, 0.15): mean 300, SD 16.0; allow 4 SD.
    assert abs(unrated - 300) <= 4 * 16.0


def test_missed_days_leave_the_answered_days_unchanged(steady: PersonParams) -> None:
    every_day = simulate_person(steady, start=START, n_days=200, seed=9)
    some_days = simulate_person(
        replace(steady, missing_day_probability=0.4), start=START, n_days=200, seed=9
    )

    by_date = {day.date: day for day in every_day.days}
    assert len(some_days.days) < 200
    assert all(by_date[day.date] == day for day in some_days.days)


def test_keep_last_day_answers_the_last_day(steady: PersonParams) -> None:
    params = replace(steady, missing_day_probability=0.99)

    person = simulate_person(params, start=START, n_days=10, seed=3, keep_last_day=True)

    assert person.days[-1].date == START + dt.timedelta(days=9)


def test_the_latent_pa_follows_the_ar1_parameter(steady: PersonParams) -> None:
    params = replace(steady, autocorrelation=0.6, pa_reactivity=0.0)

    latent = simulate_latent(params, start=START, n_days=5000, seed=10)

    deviation = latent.pa - latent.pa_mean
    # The SE of a lag-1 autocorrelation is about sqrt((1 - 0.6^2) / 5000) = 0.011; allow 4 SE.
    assert lag1_autocorrelation(deviation) == pytest.approx(0.6, abs=0.045)
    # Stationary SD of AR(1) with innovation SD 0.6: 0.6 / sqrt(1 - 0.36) = 0.75.
    assert float(np.std(deviation)) == pytest.approx(0.75, rel=0.05)


def test_the_daily_pa_item_mean_keeps_the_ar1_parameter(steady: PersonParams) -> None:
    params = replace(steady, autocorrelation=0.6, pa_reactivity=0.0, item_noise_sd=0.3)

    person = simulate_person(params, start=START, n_days=5000, seed=11)

    pa = valence_means(person.days, POSITIVE_ITEMS)
    # Item noise and rounding add about (0.3^2 + 1/12) / 7 = 0.025 of day-specific variance to
    # the latent 0.6^2 / (1 - 0.6^2) = 0.5625, so phi shows as 0.6 * 0.5625 / 0.5875 = 0.574.
    assert lag1_autocorrelation(pa) == pytest.approx(0.574, abs=0.045)


def test_latent_affect_rises_by_the_reactivity_per_point_of_event(steady: PersonParams) -> None:
    params = replace(steady, autocorrelation=0.0)

    latent = simulate_latent(params, start=START, n_days=4000, seed=12)

    pleasant = np.maximum(latent.event, 0).astype(np.float64)
    unpleasant = np.maximum(-latent.event, 0).astype(np.float64)
    # Residual SD 0.6 over 4000 days with an event SD near 0.9: slope SE about 0.01.
    assert np.polyfit(pleasant, latent.pa, 1)[0] == pytest.approx(0.4, abs=0.04)
    assert np.polyfit(unpleasant, latent.na, 1)[0] == pytest.approx(0.5, abs=0.04)
    # Centred event terms keep the baseline the long-run mean.
    assert float(latent.pa.mean()) == pytest.approx(3.0, abs=0.05)


def test_an_effect_ramps_linearly_from_its_first_day(steady: PersonParams) -> None:
    effect = Effect(onset_lag_days=5, ramp_days=4, na_shift=-1.0, numbness_shift=2.0)
    params = replace(steady, effects=((START + dt.timedelta(days=10), effect),))

    latent = simulate_latent(params, start=START, n_days=30, seed=0)

    # Day 15 is the first day of the change (a quarter of it); from day 18 it is at full size.
    assert latent.na_mean[[14, 15, 16, 17, 18, 29]].tolist() == pytest.approx(
        [1.5, 1.25, 1.0, 0.75, 0.5, 0.5]
    )
    assert latent.numbness_mean[[14, 18]].tolist() == pytest.approx([0.8, 2.8])


def test_an_effect_counts_its_lag_from_its_medication_event(steady: PersonParams) -> None:
    started = MedicationEvent(START + dt.timedelta(days=20), "sertraline", "start", 50.0)
    effect = Effect(onset_lag_days=3, ramp_days=0, pa_shift=-1.0, variability_scale=0.5)
    params = replace(steady, medication_events=(started,), effects=((0, effect),))

    latent = simulate_latent(params, start=START, n_days=30, seed=0)

    assert latent.pa_mean[[22, 23]].tolist() == pytest.approx([3.0, 2.0])


def test_context_is_plausible_and_goes_with_affect(steady: PersonParams) -> None:
    person = simulate_person(replace(steady, context=True), start=START, n_days=3000, seed=13)

    sleep = [day.sleep_hours for day in person.days]
    exercise = [day.exercise_minutes for day in person.days]
    assert all(h is None or (3 <= h <= 11 and h * 2 == int(h * 2)) for h in sleep)
    assert all(m is None or (m >= 0 and m % 5 == 0) for m in exercise)
    assert all(d is None or d >= 0 for d in (day.alcohol_drinks for day in person.days))
    # About 8% of each field is left empty.
    assert 0.04 < sum(h is None for h in sleep) / len(sleep) < 0.12

    pa = valence_means(person.days, POSITIVE_ITEMS)
    slept = np.array([np.nan if h is None else h for h in sleep])
    known = ~np.isnan(slept)
    # 0.2 PA per hour, sleep SD 0.9, PA SD about 0.85: correlation near 0.2.
    assert np.corrcoef(slept[known], pa[known])[0, 1] > 0.1
    moved = np.array([m is not None and m > 0 for m in exercise])
    rested = np.array([m == 0 for m in exercise])
    assert pa[moved].mean() - pa[rested].mean() > 0.15


def test_without_context_the_context_fields_are_empty(steady: PersonParams) -> None:
    person = simulate_person(steady, start=START, n_days=20, seed=14)

    fields = [
        (day.sleep_hours, day.exercise_minutes, day.social_minutes, day.alcohol_drinks)
        for day in person.days
    ]
    assert set(fields) == {(None, None, None, None)}


# --------------------------------------------------------------------------------------------------
# Scenarios


@pytest.mark.parametrize("scenario", BLUNTING_AFTER_MEDICATION)
def test_blunting_flattens_the_last_28_days_against_the_pre_medication_baseline(
    cohort: list[SimulatedPerson], scenario: str
) -> None:
    for person in of(cohort, scenario):
        before, now = baseline_window(person), last_window(person)

        assert now.na.mean() < before.na.mean() - 0.5
        assert sd(now.pa) < sd(before.pa)
        assert sd(now.na) < sd(before.na)
        assert now.numbness.mean() > before.numbness.mean() + 1.5
        assert person.truth.expected_pattern == "blunting_like"


def test_a_response_to_medication_lifts_pa_and_lowers_na(cohort: list[SimulatedPerson]) -> None:
    for person in of(cohort, "response_to_medication"):
        before, now = baseline_window(person), last_window(person)

        assert now.pa.mean() > before.pa.mean()
        assert now.na.mean() < before.na.mean()
        assert now.numbness.mean() < 2.0
        assert person.truth == GroundTruth("response_to_medication", "no_pattern")


def test_anhedonia_lowers_pa_alone(cohort: list[SimulatedPerson]) -> None:
    for person in of(cohort, "anhedonia"):
        before, now = baseline_window(person), last_window(person)

        assert now.pa.mean() < before.pa.mean() - 0.5
        assert sd(now.pa) < sd(before.pa)
        assert now.numbness.mean() < 2.5
        assert person.truth.expected_pattern == "anhedonia_like"
        assert person.medication_events == ()


def test_depressed_affect_lowers_pa_and_raises_na(cohort: list[SimulatedPerson]) -> None:
    for person in of(cohort, "depressed_affect"):
        before, now = baseline_window(person), last_window(person)

        assert now.pa.mean() < before.pa.mean()
        assert now.na.mean() > before.na.mean() + 0.5
        assert person.truth.expected_pattern == "depressed_affect"


def test_blunting_without_medication_is_there_from_the_first_day(
    cohort: list[SimulatedPerson],
) -> None:
    for person in of(cohort, "blunting_from_start_no_medication"):
        first = window(person, COHORT_START, COHORT_START + dt.timedelta(days=27))

        assert first.numbness.mean() > 3.0
        assert last_window(person).numbness.mean() > 3.0
        assert first.na.mean() < 1.5
        assert person.truth == GroundTruth("blunting_from_start_no_medication", "blunting_like")


@pytest.mark.parametrize("scenario", ["no_change", "medication_no_effect"])
def test_people_without_an_effect_stay_where_they_were(
    cohort: list[SimulatedPerson], scenario: str
) -> None:
    for person in of(cohort, scenario):
        before, now = baseline_window(person), last_window(person)

        assert abs(now.na.mean() - before.na.mean()) < 1.0
        assert now.numbness.mean() < 2.0
        assert person.truth.expected_pattern == "no_pattern"
        assert person.truth.onset_date is None


def test_the_missing_days_scenario_misses_about_a_third_of_the_days(
    cohort: list[SimulatedPerson],
) -> None:
    for person in of(cohort, "missing_days"):
        assert 0.2 < 1 - len(person.days) / COHORT_DAYS < 0.5


def test_blunting_truth_names_the_event_the_analysis_should_name(
    cohort: list[SimulatedPerson],
) -> None:
    for person in cohort:
        truth = person.truth
        if truth.onset_date is None:
            assert truth.after_event is None
            continue
        # CONTRACTS.md 3: the latest start or dose change on or before the onset, within 90 days.
        candidates = [
            event
            for event in person.medication_events
            if event.event in {"start", "dose_change"}
            and 0 <= (truth.onset_date - event.date).days <= 90
        ]
        assert truth.after_event == max(candidates, key=lambda event: event.date)
        assert truth.onset_date < COHORT_END - dt.timedelta(days=28)


def test_scenarios_draw_different_people_from_different_generators() -> None:
    first, _ = scenario_params("anhedonia", np.random.default_rng(1), START, 180)
    second, _ = scenario_params("anhedonia", np.random.default_rng(2), START, 180)

    assert first != second


def test_an_unknown_scenario_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown scenario 'grief'"):
        scenario_params("grief", np.random.default_rng(0), START, 180)


def test_a_calendar_too_short_for_the_scenarios_is_refused() -> None:
    with pytest.raises(ValueError, match=f"at least {MIN_SCENARIO_DAYS} days"):
        scenario_params("no_change", np.random.default_rng(0), START, MIN_SCENARIO_DAYS - 1)


# --------------------------------------------------------------------------------------------------
# The demo person


def test_the_demo_story_has_the_contracted_shape() -> None:
    end = dt.date(2026, 6, 15)

    person = demo_story(end=end)

    assert len(person.days) >= 140
    assert person.days[-1].date == end
    assert person.days[0].date >= end - dt.timedelta(days=149)
    started, increased = person.medication_events
    assert (started.medication, started.event, started.dose_mg) == ("sertraline", "start", 50.0)
    assert (increased.medication, increased.event, increased.dose_mg) == (
        "sertraline",
        "dose_change",
        100.0,
    )
    assert started.date < increased.date
    onset = person.truth.onset_date
    assert onset is not None
    assert 21 <= (onset - started.date).days <= 35
    assert person.truth.after_event == started
    assert person.truth.expected_pattern == "blunting_like"


def test_the_demo_story_ends_flat_after_starting_depressed() -> None:
    end = dt.date(2026, 6, 15)
    person = demo_story(end=end)
    started = person.medication_events[0]

    before = window(person, started.date - dt.timedelta(days=28), started.date)
    now = window(person, end - dt.timedelta(days=27), end)

    assert before.na.mean() > 2.0
    assert now.na.mean() < 1.2
    assert now.numbness.mean() > 3.5
    assert sd(now.pa) < sd(before.pa)


def test_the_demo_story_needs_room_for_its_story() -> None:
    with pytest.raises(ValueError, match="at least 124 days"):
        demo_story(end=dt.date(2026, 6, 15), n_days=100)


# --------------------------------------------------------------------------------------------------
# Validation


def test_impossible_parameters_are_refused(steady: PersonParams) -> None:
    with pytest.raises(ValueError, match="autocorrelation"):
        replace(steady, autocorrelation=1.0)
    with pytest.raises(ValueError, match="missing_day_probability"):
        replace(steady, missing_day_probability=1.5)
    with pytest.raises(ValueError, match="not a medication event index"):
        replace(steady, effects=((0, Effect(onset_lag_days=1, ramp_days=1)),))
    with pytest.raises(ValueError, match="needs a dose"):
        MedicationEvent(START, "sertraline", "start", None)
    with pytest.raises(ValueError, match="cannot be negative"):
        Effect(onset_lag_days=-1, ramp_days=0)
    with pytest.raises(ValueError, match="unknown pattern"):
        GroundTruth("custom", "sad")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# CSV files (CONTRACTS.md section 3)

WIDE_HEADER = (
    "person_id,date,joyful,calm,interested,close,proud,amused,hopeful,"
    "sad,anxious,irritable,guilty,stressed,lonely,numb,indifferent,detached,event_pleasantness"
)


@pytest.fixture
def persons(cohort: list[SimulatedPerson], steady: PersonParams) -> list[SimulatedPerson]:
    """A few scenarios plus someone who stopped a medication, so a dose cell is empty."""
    stopped = replace(
        steady,
        medication_events=(
            MedicationEvent(START + dt.timedelta(days=3), "escitalopram", "start", 10.0),
            MedicationEvent(START + dt.timedelta(days=8), "escitalopram", "dose_change", 7.5),
            MedicationEvent(START + dt.timedelta(days=12), "escitalopram", "stop", None),
        ),
    )
    quitter = simulate_person(stopped, start=START, n_days=15, seed=5, person_id="q001")
    return [*cohort[: len(SCENARIOS)], quitter]


def read_rows(path: Path) -> tuple[str, list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\r\n")
        return header, list(csv.reader(handle))


def test_the_long_csv_has_the_contract_header_and_round_trips(
    persons: list[SimulatedPerson], tmp_path: Path
) -> None:
    path = tmp_path / "long.csv"

    written = write_long_csv(persons, path)

    header, rows = read_rows(path)
    assert header == "person_id,date,item,value"
    assert written == len(rows)
    read_back: dict[tuple[str, str], dict[str, int]] = {}
    for person_id, date, item, value in rows:
        read_back.setdefault((person_id, date), {})[item] = int(value)
    expected = {
        (person.person_id, day.date.isoformat()): {
            **day.items,
            **(
                {}
                if day.event_pleasantness is None
                else {"event_pleasantness": day.event_pleasantness}
            ),
        }
        for person in persons
        for day in person.days
    }
    assert read_back == expected


def test_the_wide_csv_has_the_contract_header_and_round_trips(
    persons: list[SimulatedPerson], tmp_path: Path
) -> None:
    path = tmp_path / "wide.csv"

    written = write_wide_csv(persons, path)

    header, rows = read_rows(path)
    assert header == WIDE_HEADER
    columns = header.split(",")
    read_back = [dict(zip(columns, row, strict=True)) for row in rows]
    assert written == len(read_back) == sum(len(person.days) for person in persons)
    expected = [
        {
            "person_id": person.person_id,
            "date": day.date.isoformat(),
            **{item: str(value) for item, value in day.items.items()},
            "event_pleasantness": ""
            if day.event_pleasantness is None
            else str(day.event_pleasantness),
        }
        for person in persons
        for day in person.days
    ]
    assert read_back == expected


def test_the_medications_csv_has_the_contract_header_and_round_trips(
    persons: list[SimulatedPerson], tmp_path: Path
) -> None:
    path = tmp_path / "meds.csv"

    write_medications_csv(persons, path)

    header, rows = read_rows(path)
    assert header == "person_id,date,medication,event,dose_mg"
    read_back = [
        (person_id, dt.date.fromisoformat(date), medication, event, float(dose) if dose else None)
        for person_id, date, medication, event, dose in rows
    ]
    expected = [
        (person.person_id, event.date, event.medication, event.event, event.dose_mg)
        for person in persons
        for event in person.medication_events
    ]
    assert read_back == expected
    assert rows[-3:] == [
        ["q001", "2026-01-04", "escitalopram", "start", "10"],
        ["q001", "2026-01-09", "escitalopram", "dose_change", "7.5"],
        ["q001", "2026-01-13", "escitalopram", "stop", ""],
    ]


# --------------------------------------------------------------------------------------------------
# Purity


def test_the_simulator_imports_nothing_from_the_web_or_database_side() -> None:
    source = Path(simulate_module.__file__).read_text(encoding="utf-8")
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)

    allowed = {"numpy", "numpy.typing"}
    outside = {
        name
        for name in imported
        if name not in allowed
        and not name.startswith("affectrange.analysis.")
        and name.split(".")[0] not in sys.stdlib_module_names
    }
    assert outside == set()
