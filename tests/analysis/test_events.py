"""analysis.events: the medication event type shared by the CSVs, the pages and the simulator."""

from __future__ import annotations

import datetime as dt

import pytest

from affectrange.analysis.events import CHANGE_KINDS, EVENT_KINDS, MedicationEvent

DAY = dt.date(2026, 2, 26)


def test_event_kinds_are_start_dose_change_and_stop() -> None:
    assert EVENT_KINDS == ("start", "dose_change", "stop")
    assert frozenset({"start", "dose_change"}) == CHANGE_KINDS


def test_a_stop_may_have_no_dose() -> None:
    event = MedicationEvent(DAY, "sertraline", "stop", None)

    assert event.dose_mg is None


@pytest.mark.parametrize("kind", ["start", "dose_change"])
def test_a_start_or_dose_change_needs_a_dose(kind: str) -> None:
    with pytest.raises(ValueError, match="needs a dose"):
        MedicationEvent(DAY, "sertraline", kind, None)  # type: ignore[arg-type]


@pytest.mark.parametrize("dose", [0.0, -25.0])
def test_a_dose_must_be_positive(dose: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        MedicationEvent(DAY, "sertraline", "start", dose)


def test_an_unknown_event_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown medication event"):
        MedicationEvent(DAY, "sertraline", "pause", 50.0)  # type: ignore[arg-type]


def test_events_are_values() -> None:
    assert MedicationEvent(DAY, "sertraline", "start", 50.0) == MedicationEvent(
        DAY, "sertraline", "start", 50.0
    )
