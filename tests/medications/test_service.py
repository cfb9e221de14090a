"""Medication timeline rules against a real database: codes, re-assessments, bad input, owners.

Alice lives in New York; TODAY is Monday 15 June 2026 there. An event on 28 May 2026 is
re-assessed at +2 weeks (11 June), +4 weeks (25 June) and +8 weeks (23 July).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.analysis.events import MedicationEvent as TimelineEvent
from affectrange.errors import InvalidInput, NotFound
from affectrange.medications import service
from affectrange.medications.models import MedicationEvent
from affectrange.medications.schemas import MedicationEventIn
from affectrange.questionnaires import service as questionnaires
from affectrange.questionnaires.models import Reassessment
from affectrange.safety_events.models import SafetySignal
from affectrange.safety_events.service import list_safety_events
from tests.conftest import NOW, TODAY

START_DAY = dt.date(2026, 5, 28)
TWO_WEEKS, FOUR_WEEKS, EIGHT_WEEKS = (
    dt.date(2026, 6, 11),
    dt.date(2026, 6, 25),
    dt.date(2026, 7, 23),
)
MOVED_EIGHT_WEEKS, JULY_27 = dt.date(2026, 7, 30), dt.date(2026, 7, 27)


def form(**values: Any) -> MedicationEventIn:
    data: dict[str, Any] = {
        "medication": "sertraline",
        "event": "start",
        "date": START_DAY,
        "dose_mg": 50,
    }
    data.update(values)
    return MedicationEventIn.model_validate(data)


def record(session: Session, person: User, **values: Any) -> service.SavedMedicationEvent:
    return service.record_medication_event(session, person, form(**values), now=NOW)


def reassessments(session: Session, person: User) -> set[tuple[str, dt.date, str]]:
    rows = session.scalars(select(Reassessment).where(Reassessment.owner_id == person.id))
    return {(row.instrument, row.due_on, row.reason) for row in rows}


def due_dates(session: Session, person: User) -> set[dt.date]:
    return {due_on for _, due_on, _ in reassessments(session, person)}


def count_events(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(MedicationEvent)) or 0)


def reassessing() -> list[str]:
    """The re-assessment instruments this server can show (the ODQ only with its text)."""
    answerable = {instrument.id for instrument in questionnaires.answerable_instruments()}
    return [i for i in ("phq9", "blunting_check", "odq") if i in answerable]


# --- recording --------------------------------------------------------------------------------


def test_a_catalogue_medication_gets_its_code_and_canonical_name(
    session: Session, alice: User
) -> None:
    saved = record(session, alice, medication="  Sertraline ")

    assert (saved.event.medication, saved.event.rxcui) == ("sertraline", "36437")
    assert saved.event.owner_id == alice.id
    assert (saved.event.created_at, saved.event.updated_at) == (NOW, NOW)
    assert not saved.talk_to_prescriber


def test_a_medication_not_in_the_catalogue_is_kept_as_typed_without_a_code(
    session: Session, alice: User
) -> None:
    saved = record(session, alice, medication="Esketamine nasal spray", dose_mg=56)

    assert (saved.event.medication, saved.event.rxcui) == ("Esketamine nasal spray", None)


def test_a_start_schedules_reassessments_at_two_four_and_eight_weeks(
    session: Session, alice: User
) -> None:
    saved = record(session, alice)

    expected = {
        (instrument, due_on, f"{weeks} weeks after starting sertraline on 28 May 2026")
        for instrument in reassessing()
        for weeks, due_on in ((2, TWO_WEEKS), (4, FOUR_WEEKS), (8, EIGHT_WEEKS))
    }
    assert "phq9" in reassessing()
    assert reassessments(session, alice) == expected
    assert {(r.instrument, r.due_on, r.reason) for r in saved.reassessments} == expected


def test_an_event_entered_late_sets_no_reassessment_already_long_past(
    session: Session, alice: User
) -> None:
    # 3 May: +2 weeks (17 May) and +4 weeks (31 May) fell due 29 and 15 days before TODAY
    # (15 June), more than the 14 allowed; only +8 weeks (28 June) is still meaningful.
    record(session, alice, date=dt.date(2026, 5, 3))
    # A start a year ago: every re-assessment is long past, so none is set.
    record(session, alice, medication="fluoxetine", date=dt.date(2025, 6, 1))

    assert due_dates(session, alice) == {dt.date(2026, 6, 28)}


def test_a_reassessment_due_14_days_ago_is_still_set(session: Session, alice: User) -> None:
    # 18 May + 2 weeks = 1 June, exactly 14 days before TODAY.
    record(session, alice, date=dt.date(2026, 5, 18))

    assert dt.date(2026, 6, 1) in due_dates(session, alice)


def test_labels_name_the_kind_of_event(session: Session, alice: User) -> None:
    change = record(session, alice, event="dose_change", dose_mg=100, date=dt.date(2026, 6, 1))
    stop = record(session, alice, event="stop", dose_mg=None, date=TODAY)

    assert change.reassessments[0].reason == (
        "2 weeks after the sertraline dose change of 1 June 2026"
    )
    assert stop.reassessments[0].reason == "2 weeks after stopping sertraline on 15 June 2026"


def test_editing_the_date_moves_the_reassessments(session: Session, alice: User) -> None:
    saved = record(session, alice)

    service.update_medication_event(
        session, alice, saved.event.id, form(date=dt.date(2026, 6, 4)), now=NOW
    )

    assert due_dates(session, alice) == {
        dt.date(2026, 6, 18),
        dt.date(2026, 7, 2),
        MOVED_EIGHT_WEEKS,
    }
    assert len(reassessments(session, alice)) == 3 * len(reassessing())


def test_editing_changes_the_values_and_the_code(session: Session, alice: User) -> None:
    saved = record(session, alice, note="first")
    later = NOW + dt.timedelta(hours=1)

    updated = service.update_medication_event(
        session,
        alice,
        saved.event.id,
        form(medication="bupropion", dose_mg=150, note=None),
        now=later,
    )

    row = service.get_medication_event(session, alice, saved.event.id)
    assert updated.event is row
    assert (row.medication, row.rxcui, row.dose_mg, row.note) == ("bupropion", "42347", 150, None)
    assert (row.created_at, row.updated_at) == (NOW, later)
    assert all("starting bupropion" in reason for _, _, reason in reassessments(session, alice))


def test_deleting_removes_the_event_and_its_reassessments_only(
    session: Session, alice: User
) -> None:
    first = record(session, alice)
    second = record(session, alice, event="dose_change", dose_mg=100, date=dt.date(2026, 6, 1))

    service.delete_medication_event(session, alice, first.event.id)

    assert [row.id for row in service.list_medication_events(session, alice)] == [second.event.id]
    assert due_dates(session, alice) == {dt.date(2026, 6, 15), dt.date(2026, 6, 29), JULY_27}


def test_the_timeline_is_in_date_order_as_the_analysis_takes_it(
    session: Session, alice: User
) -> None:
    record(session, alice, event="stop", dose_mg=None, date=TODAY)
    record(session, alice)
    record(session, alice, event="dose_change", dose_mg=100, date=dt.date(2026, 6, 1))

    assert service.timeline(session, alice) == [
        TimelineEvent(START_DAY, "sertraline", "start", 50.0),
        TimelineEvent(dt.date(2026, 6, 1), "sertraline", "dose_change", 100.0),
        TimelineEvent(TODAY, "sertraline", "stop", None),
    ]


def test_the_saved_notice_finds_the_events_own_reassessments(session: Session, alice: User) -> None:
    start = record(session, alice)
    record(session, alice, event="dose_change", dose_mg=100, date=dt.date(2026, 6, 4))

    planned = service.scheduled_reassessments(session, alice, start.event)

    assert {item.due_on for item in planned} == {TWO_WEEKS, FOUR_WEEKS, EIGHT_WEEKS}
    assert all(item.reason.endswith("starting sertraline on 28 May 2026") for item in planned)


# --- safety -----------------------------------------------------------------------------------


def test_a_stop_asks_for_the_prescriber_card(session: Session, alice: User) -> None:
    stop = record(session, alice, event="stop", dose_mg=None, date=TODAY)

    assert stop.talk_to_prescriber
    assert stop.event.dose_mg is None


def test_a_note_about_stopping_asks_for_the_prescriber_card(session: Session, alice: User) -> None:
    saved = record(session, alice, event="dose_change", note="I want to stop taking it soon.")

    assert saved.talk_to_prescriber


def test_crisis_language_in_a_note_is_recorded_once_per_event(
    session: Session, alice: User
) -> None:
    saved = record(session, alice, note="Some days I want to die.")
    service.update_medication_event(
        session, alice, saved.event.id, form(note="I want to die."), now=NOW
    )

    events = list_safety_events(session, alice)
    assert saved.crisis_language
    assert [(e.signal, e.source, e.source_id) for e in events] == [
        (SafetySignal.NOTE_LANGUAGE, "medication_event", saved.event.id)
    ]


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"dose_mg": None}, "dose_mg"),
        ({"event": "dose_change", "dose_mg": None}, "dose_mg"),
        ({"date": TODAY + dt.timedelta(days=1)}, "date"),
    ],
)
def test_the_service_refuses_what_the_form_cannot_see_and_saves_nothing(
    session: Session, alice: User, values: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        record(session, alice, **values)

    assert set(refused.value.fields) == {field}
    assert count_events(session) == 0
    assert reassessments(session, alice) == set()


def test_today_is_the_persons_own_day(session: Session, alice: User) -> None:
    # 02:00 UTC on 16 June is still 15 June in New York.
    late_evening = dt.datetime(2026, 6, 16, 2, 0, tzinfo=dt.UTC)
    tomorrow_there = form(date=dt.date(2026, 6, 16))

    with pytest.raises(InvalidInput):
        service.record_medication_event(session, alice, tomorrow_there, now=late_evening)
    saved = service.record_medication_event(session, alice, form(date=TODAY), now=late_evening)

    assert saved.event.day == TODAY


def test_a_failed_edit_changes_nothing(session: Session, alice: User) -> None:
    saved = record(session, alice)
    before = reassessments(session, alice)

    with pytest.raises(InvalidInput):
        service.update_medication_event(
            session, alice, saved.event.id, form(date=TODAY + dt.timedelta(days=3)), now=NOW
        )

    session.expire_all()
    assert service.get_medication_event(session, alice, saved.event.id).day == START_DAY
    assert reassessments(session, alice) == before


# --- owners -----------------------------------------------------------------------------------


def test_bob_cannot_read_change_or_delete_alices_events(
    session: Session, alice: User, bob: User
) -> None:
    saved = record(session, alice)
    event_id = saved.event.id

    with pytest.raises(NotFound):
        service.get_medication_event(session, bob, event_id)
    with pytest.raises(NotFound):
        service.update_medication_event(session, bob, event_id, form(dose_mg=200), now=NOW)
    with pytest.raises(NotFound):
        service.delete_medication_event(session, bob, event_id)

    assert service.list_medication_events(session, bob) == []
    assert service.timeline(session, bob) == []
    assert service.get_medication_event(session, alice, event_id).dose_mg == 50
    assert len(reassessments(session, alice)) == 3 * len(reassessing())
