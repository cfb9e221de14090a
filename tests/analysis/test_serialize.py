"""analysis.serialize: the person object of CONTRACTS.md section 3, and strict JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from affectrange.analysis.engine import analyze
from affectrange.analysis.events import MedicationEvent
from affectrange.analysis.serialize import CONTRACT_METRICS, output_json, person_json
from affectrange.simulate import demo_story
from tests.analysis.helpers import day, person_series, series_of

DEMO_END = dt.date(2026, 6, 15)

METRIC_KEYS = {
    "n_days",
    "pa_mean",
    "na_mean",
    "pa_sd",
    "na_sd",
    "pa_rmssd",
    "na_rmssd",
    "emodiversity",
    "numbness_mean",
    "pa_reactivity",
    "na_reactivity",
}


@pytest.fixture(scope="module")
def demo_json() -> dict[str, Any]:
    person = demo_story(end=DEMO_END, n_days=150)
    series = person_series(person, DEMO_END - dt.timedelta(days=149), DEMO_END)
    return person_json("demo", analyze(series, person.medication_events))


def strict_round_trip(value: dict[str, Any]) -> Any:
    """JSON without NaN or Infinity (which JSON does not have), read back."""
    return json.loads(json.dumps(value, allow_nan=False))


def test_person_json_carries_every_key_of_the_contract(demo_json: dict[str, Any]) -> None:
    assert {"person_id", "n_days", "first_date", "last_date", "pattern", "blunting", "metrics"} <= (
        set(demo_json)
    )
    assert set(demo_json["blunting"]) == {"detected", "onset_date", "after_event"}
    assert set(demo_json["blunting"]["after_event"]) == {"medication", "event", "date", "lag_days"}
    assert set(demo_json["metrics"]) == {"current", "baseline"}
    assert set(demo_json["metrics"]["current"]) >= METRIC_KEYS
    assert set(demo_json["metrics"]["baseline"]) >= METRIC_KEYS
    assert set(CONTRACT_METRICS) == METRIC_KEYS


def test_person_json_values_have_the_contract_types(demo_json: dict[str, Any]) -> None:
    assert demo_json["person_id"] == "demo"
    assert demo_json["last_date"] == "2026-06-15"
    assert demo_json["first_date"] == "2026-01-17"
    assert demo_json["pattern"] == "blunting_like"
    assert demo_json["blunting"]["detected"] is True
    dt.date.fromisoformat(demo_json["blunting"]["onset_date"])
    link = demo_json["blunting"]["after_event"]
    assert (link["medication"], link["event"], link["date"]) == (
        "sertraline",
        "start",
        "2026-02-26",
    )
    onset = dt.date.fromisoformat(demo_json["blunting"]["onset_date"])
    assert link["lag_days"] == (onset - dt.date(2026, 2, 26)).days
    assert isinstance(demo_json["metrics"]["current"]["n_days"], int)


def test_contract_metrics_come_first_in_their_order(demo_json: dict[str, Any]) -> None:
    keys = list(demo_json["metrics"]["current"])

    assert tuple(keys[: len(CONTRACT_METRICS)]) == CONTRACT_METRICS


def test_numbers_are_rounded_to_four_decimals(demo_json: dict[str, Any]) -> None:
    for key in CONTRACT_METRICS:
        value = demo_json["metrics"]["current"][key]
        if isinstance(value, float):
            assert value == round(value, 4)


def test_person_json_is_strict_json(demo_json: dict[str, Any]) -> None:
    assert strict_round_trip(demo_json) == demo_json


def test_output_json_wraps_persons_with_version_1(demo_json: dict[str, Any]) -> None:
    document = output_json([demo_json])

    assert document == {"version": 1, "persons": [demo_json]}
    strict_round_trip(document)


def test_ten_days_give_insufficient_data_with_null_onset_and_baseline() -> None:
    series = series_of([3.0, 4.0] * 5, [1.0, 2.0] * 5, [1.0] * 10)
    events = [MedicationEvent(day(3), "sertraline", "start", 50.0)]

    person = strict_round_trip(person_json("p010", analyze(series, events)))

    assert person["pattern"] == "insufficient_data"
    assert person["n_days"] == 10
    assert person["blunting"] == {"detected": False, "onset_date": None, "after_event": None}
    assert person["metrics"]["baseline"] is None
    current = person["metrics"]["current"]
    assert current["n_days"] == 10
    assert current["pa_mean"] == 3.5
    # Too little data for a spread or a reactivity: null, never NaN.
    assert current["pa_sd"] is None
    assert current["pa_reactivity"] is None


def test_baseline_is_null_when_there_is_none() -> None:
    # 40 days: enough for the current window, not for a 28-day baseline before it.
    pa = [3.0, 4.0] * 20
    series = series_of(pa, [1.0, 2.0] * 20, [1.0] * 40)

    person = strict_round_trip(person_json("p040", analyze(series)))

    assert person["pattern"] == "no_pattern"
    assert person["metrics"]["baseline"] is None
    assert person["baseline_source"] is None
    assert set(person["metrics"]["current"]) >= METRIC_KEYS
