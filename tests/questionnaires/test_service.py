"""Questionnaire rules against a real database: answering, scoring, safety events, schedules.

Runs on SQLite and PostgreSQL (`--db`). Every total below is added up by hand from the answers.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.checkins import service as checkins
from affectrange.checkins.schemas import CheckinIn
from affectrange.errors import InvalidInput, NotFound
from affectrange.instruments import get_instrument
from affectrange.instruments.model import Value
from affectrange.questionnaires import service
from affectrange.questionnaires.models import QuestionnaireResponse, Reassessment, ResponseStatus
from affectrange.questionnaires.service import SavedAnswers
from affectrange.safety_events.models import SafetySignal
from affectrange.safety_events.service import list_safety_events
from tests.conftest import NOW, TODAY, checkin_payload

PHQ9 = get_instrument("phq9")
LABEL = "the medication change of 15 June 2026"
"""The event is on TODAY (15 June 2026): +2 weeks is 29 June, +4 weeks 13 July, +8 weeks
10 August."""
JUNE_29 = dt.date(2026, 6, 29)
JULY_13 = dt.date(2026, 7, 13)
AUGUST_10 = dt.date(2026, 8, 10)


def phq9(*scores: int | None, **extra: Value | None) -> dict[str, Value | None]:
    """PHQ-9 answers: the scores of q1, q2, ... in order, then any extra items by id."""
    answers: dict[str, Value | None] = {f"q{n}": score for n, score in enumerate(scores, start=1)}
    answers.update(extra)
    return answers


def save(
    session: Session,
    person: User,
    answers: dict[str, Value | None],
    *,
    finish: bool = True,
    instrument: str = "phq9",
    today: dt.date = TODAY,
    now: dt.datetime = NOW,
) -> SavedAnswers:
    return service.save_answers(
        session,
        person,
        get_instrument(instrument),
        answers,
        finish=finish,
        now=now,
        today=today,
    )


def count_responses(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(QuestionnaireResponse)) or 0)


def count_reassessments(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Reassessment)) or 0)


def reload(session: Session, response_id: int) -> QuestionnaireResponse:
    """The row as stored, not the object the service still holds."""
    session.expire_all()
    response = session.get(QuestionnaireResponse, response_id)
    assert response is not None
    return response


def at(day: dt.date) -> dt.datetime:
    """Noon in New York on `day`, as the clock would say it (UTC)."""
    return dt.datetime.combine(day, dt.time(16, 0), tzinfo=dt.UTC)


# --- answering: resumable -------------------------------------------------------------------------


def test_saved_answers_are_resumed_in_the_same_unfinished_response(
    session: Session, alice: User
) -> None:
    first = save(session, alice, phq9(1, 2), finish=False)
    later = NOW + dt.timedelta(hours=3)

    resumed = service.in_progress_response(session, alice, "phq9")
    assert resumed is not None
    assert resumed.id == first.response.id
    assert reload(session, resumed.id).answers == {"q1": 1, "q2": 2}

    second = save(session, alice, phq9(1, 2, 0), finish=False, now=later)

    assert second.response.id == first.response.id
    assert first.completed is False
    assert first.missing == ()  # not finishing: nothing is reported missing yet
    stored = reload(session, first.response.id)
    assert stored.status is ResponseStatus.IN_PROGRESS
    assert stored.answers == {"q1": 1, "q2": 2, "q3": 0}
    assert stored.total is None
    assert stored.completed_on is None
    assert count_responses(session) == 1


def test_finishing_with_item_9_unanswered_keeps_the_answers_and_asks_for_it(
    session: Session, alice: User
) -> None:
    saved = save(session, alice, phq9(3, 3, 3, 3, 3, 3, 3, 3))  # q1-q8; q9 left out

    assert saved.completed is False
    assert saved.missing == ("q9",)
    assert saved.safety is False
    stored = reload(session, saved.response.id)
    assert stored.status is ResponseStatus.IN_PROGRESS
    assert stored.answers == {f"q{n}": 3 for n in range(1, 9)}
    # Never imputed: 24 from eight items is not turned into a total.
    assert stored.total is None
    assert stored.band is None
    assert stored.completed_on is None
    assert service.completed_responses(session, alice) == []


def test_finishing_names_every_missing_item_in_order(session: Session, alice: User) -> None:
    saved = save(session, alice, phq9(1, None, 1, 1, None, 1, 1, 1))

    assert saved.missing == ("q2", "q5", "q9")
    assert reload(session, saved.response.id).answers == {
        "q1": 1,
        "q3": 1,
        "q4": 1,
        "q6": 1,
        "q7": 1,
        "q8": 1,
    }


def test_the_missing_item_answered_later_completes_the_same_response(
    session: Session, alice: User
) -> None:
    first = save(session, alice, phq9(1, 1, 1, 1, 1, 1, 1, 1))

    second = save(session, alice, phq9(1, 1, 1, 1, 1, 1, 1, 1, 0))

    assert second.response.id == first.response.id
    assert second.completed is True
    assert reload(session, first.response.id).total == 8
    assert count_responses(session) == 1


# --- finishing: the stored result -----------------------------------------------------------------


class Banded(NamedTuple):
    scores: tuple[int, ...]
    """q1 to q9"""
    total: int
    band: str
    positive: bool
    """At or above the PHQ-9 screening cut-off of 10."""


BAND_BOUNDARIES = [
    Banded((0, 0, 0, 0, 0, 0, 0, 0, 0), 0, "none-minimal", False),
    Banded((1, 1, 1, 1, 0, 0, 0, 0, 0), 4, "none-minimal", False),
    Banded((1, 1, 1, 1, 1, 0, 0, 0, 0), 5, "mild", False),
    Banded((2, 2, 2, 2, 1, 0, 0, 0, 0), 9, "mild", False),
    Banded((2, 2, 2, 2, 2, 0, 0, 0, 0), 10, "moderate", True),
    Banded((2, 2, 2, 2, 2, 2, 2, 0, 0), 14, "moderate", True),
    Banded((2, 2, 2, 2, 2, 2, 2, 1, 0), 15, "moderately severe", True),
    Banded((3, 3, 3, 3, 3, 2, 2, 0, 0), 19, "moderately severe", True),
    Banded((3, 3, 3, 3, 3, 3, 2, 0, 0), 20, "severe", True),
    Banded((3, 3, 3, 3, 3, 3, 3, 3, 3), 27, "severe", True),
]


@pytest.mark.parametrize("case", BAND_BOUNDARIES, ids=lambda case: f"{case.total}-{case.band}")
def test_a_finished_phq9_stores_its_total_band_and_screen(
    session: Session, alice: User, case: Banded
) -> None:
    assert sum(case.scores) == case.total  # the table itself is right
    answered_at = NOW + dt.timedelta(minutes=7)

    saved = save(session, alice, phq9(*case.scores), now=answered_at)

    assert saved.completed is True
    assert saved.missing == ()
    stored = reload(session, saved.response.id)
    assert stored.status is ResponseStatus.COMPLETED
    assert stored.total == case.total
    assert stored.band == case.band
    assert stored.positive is case.positive
    assert stored.completed_on == TODAY
    assert stored.completed_at == answered_at
    assert stored.instrument_version == PHQ9.version


def test_the_difficulty_question_is_kept_but_not_added_to_the_total(
    session: Session, alice: User
) -> None:
    saved = save(session, alice, phq9(1, 1, 1, 1, 0, 0, 0, 0, 0, q10=3))

    stored = reload(session, saved.response.id)
    assert stored.total == 4
    assert stored.answers["q10"] == 3
    assert stored.details["difficulty"] == 3


def test_a_finished_response_is_not_resumed_the_next_one_starts_fresh(
    session: Session, alice: User
) -> None:
    first = save(session, alice, phq9(0, 0, 0, 0, 0, 0, 0, 0, 0))

    assert service.in_progress_response(session, alice, "phq9") is None
    second = save(session, alice, phq9(1), finish=False, today=TODAY + dt.timedelta(days=14))

    assert second.response.id != first.response.id
    assert reload(session, first.response.id).total == 0
    assert [r.id for r in service.completed_responses(session, alice, "phq9")] == [
        first.response.id
    ]


def test_the_blunting_check_answered_no_is_complete_at_zero(session: Session, alice: User) -> None:
    saved = save(session, alice, {"q1": 0}, instrument="blunting_check")

    assert saved.completed is True
    stored = reload(session, saved.response.id)
    assert stored.total == 0
    assert stored.details["blunted"] is False


def test_the_blunting_check_answered_yes_needs_how_much_it_bothered(
    session: Session, alice: User
) -> None:
    saved = save(session, alice, {"q1": 1}, instrument="blunting_check")

    assert saved.completed is False
    assert saved.missing == ("q2",)

    done = save(session, alice, {"q1": 1, "q2": 6, "q3": 1}, instrument="blunting_check")

    stored = reload(session, done.response.id)
    assert done.response.id == saved.response.id
    assert stored.total == 6
    assert stored.details["cause"] == "my medication"


# --- bad answers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "item"),
    [
        ({"q3": 4}, "q3"),
        ({"q3": -1}, "q3"),
        ({"q9": True}, "q9"),
        ({"q4": "2"}, "q4"),
        ({"q11": 0}, "q11"),
    ],
    ids=["too-high", "negative", "boolean", "text", "unknown-item"],
)
def test_an_invalid_answer_is_refused_naming_the_item_and_nothing_is_saved(
    session: Session, alice: User, bad: dict[str, Value | None], item: str
) -> None:
    answers = phq9(1, 1, 1, 1, 1, 1, 1, 1, 0)
    answers.update(bad)

    with pytest.raises(InvalidInput) as raised:
        save(session, alice, answers)

    assert set(raised.value.fields) == {item}
    assert item in raised.value.fields[item]
    assert count_responses(session) == 0
    assert list_safety_events(session, alice) == []


def test_an_invalid_answer_leaves_earlier_saved_answers_as_they_were(
    session: Session, alice: User
) -> None:
    kept = save(session, alice, phq9(2, 2), finish=False)

    with pytest.raises(InvalidInput):
        save(session, alice, phq9(0, 0, 7), finish=False)

    assert reload(session, kept.response.id).answers == {"q1": 2, "q2": 2}


# --- safety events (SCIENCE.md 6.1) ---------------------------------------------------------------


def test_item_9_at_1_records_one_safety_event_even_when_saved_twice(
    session: Session, alice: User
) -> None:
    first = save(session, alice, phq9(0, 0, 0, 0, 0, 0, 0, 0, 1), finish=False)
    second = save(
        session, alice, phq9(0, 0, 0, 0, 0, 0, 0, 0, 1), now=NOW + dt.timedelta(minutes=5)
    )

    assert first.safety is True
    assert second.safety is True
    assert second.completed is True
    events = list_safety_events(session, alice)
    assert len(events) == 1
    event = events[0]
    assert event.signal is SafetySignal.PHQ9_ITEM9
    assert event.item_value == 1
    assert event.source == "questionnaire_response"
    assert event.source_id == first.response.id
    assert event.occurred_at == NOW
    stored = reload(session, first.response.id)
    # Item 9 raises the flag whatever the total (here 1, in the none-minimal range).
    assert stored.total == 1
    assert stored.band == "none-minimal"
    assert stored.safety is True


@pytest.mark.parametrize("value", [2, 3])
def test_the_event_keeps_the_answer_given_to_item_9(
    session: Session, alice: User, value: int
) -> None:
    save(session, alice, phq9(1, 1, 1, 1, 1, 1, 1, 1, value))

    assert [event.item_value for event in list_safety_events(session, alice)] == [value]


def test_item_9_answered_alone_raises_the_flag_before_the_rest_is_answered(
    session: Session, alice: User
) -> None:
    saved = save(session, alice, {"q9": 2})

    assert saved.completed is False
    assert saved.safety is True
    assert len(list_safety_events(session, alice)) == 1


def test_item_9_at_0_records_nothing(session: Session, alice: User) -> None:
    saved = save(session, alice, phq9(3, 3, 3, 3, 3, 3, 3, 3, 0))

    assert saved.safety is False
    assert reload(session, saved.response.id).safety is False
    assert reload(session, saved.response.id).total == 24
    assert list_safety_events(session, alice) == []


def test_each_new_phq9_with_item_9_endorsed_is_its_own_event(session: Session, alice: User) -> None:
    save(session, alice, phq9(0, 0, 0, 0, 0, 0, 0, 0, 1))
    save(
        session,
        alice,
        phq9(0, 0, 0, 0, 0, 0, 0, 0, 2),
        today=TODAY + dt.timedelta(days=14),
        now=NOW + dt.timedelta(days=14),
    )

    events = list_safety_events(session, alice)
    assert [event.item_value for event in events] == [2, 1]  # newest first


def test_a_risky_checkin_note_records_a_note_language_event(session: Session, alice: User) -> None:
    entry = CheckinIn.model_validate(checkin_payload(note="Numb again. Some days I want to die."))

    recorded = checkins.record_checkin(session, alice, entry, today=TODAY, now=NOW)
    checkins.record_checkin(session, alice, entry, today=TODAY, now=NOW + dt.timedelta(hours=1))

    assert recorded.crisis_language
    events = list_safety_events(session, alice)
    assert len(events) == 1  # once per day's entry, however often it is saved
    assert events[0].signal is SafetySignal.NOTE_LANGUAGE
    assert events[0].item_value is None
    assert events[0].source == "checkin"
    assert events[0].source_id == recorded.checkin.id


def test_starting_again_and_endorsing_item_9_again_is_a_second_event(
    session: Session, alice: User
) -> None:
    # The first answer sheet is thrown away ("Clear my answers and start again"); the card was
    # shown for it all the same, and the new sheet is a new answer that must be logged too.
    first = save(session, alice, phq9(0, 0, 0, 0, 0, 0, 0, 0, 1), finish=False)
    assert service.discard_in_progress(session, alice, "phq9") is True

    second = save(
        session,
        alice,
        phq9(0, 0, 0, 0, 0, 0, 0, 0, 2),
        now=NOW + dt.timedelta(minutes=10),
    )

    assert second.safety is True
    events = list_safety_events(session, alice)
    assert [(event.item_value, event.occurred_at) for event in events] == [
        (2, NOW + dt.timedelta(minutes=10)),
        (1, NOW),
    ], f"response ids: first {first.response.id}, second {second.response.id}"


def test_a_calm_checkin_note_records_nothing(session: Session, alice: User) -> None:
    entry = CheckinIn.model_validate(checkin_payload(note="Dinner with Alex was fine."))

    checkins.record_checkin(session, alice, entry, today=TODAY, now=NOW)

    assert list_safety_events(session, alice) == []


def test_safety_events_are_the_persons_own(session: Session, alice: User, bob: User) -> None:
    save(session, alice, phq9(0, 0, 0, 0, 0, 0, 0, 0, 1))

    assert list_safety_events(session, bob) == []
    assert len(list_safety_events(session, alice)) == 1


# --- due questionnaires ---------------------------------------------------------------------------


def test_a_new_person_is_asked_for_the_default_set_from_the_day_they_joined(
    session: Session, alice: User
) -> None:
    due = service.due_questionnaires(session, alice, today=TODAY)

    assert [(item.instrument, item.due_on) for item in due] == [
        ("auditc", TODAY),
        ("blunting_check", TODAY),
        ("gad7", TODAY),
        ("pcptsd5", TODAY),
        ("phq9", TODAY),
    ]


def test_a_finished_phq9_is_due_again_two_weeks_later(session: Session, alice: User) -> None:
    save(session, alice, phq9(0, 0, 0, 0, 0, 0, 0, 0, 0))

    def due_phq9(day: dt.date) -> list[dt.date]:
        return [
            i.due_on
            for i in service.due_questionnaires(session, alice, today=day)
            if i.instrument == "phq9"
        ]

    assert due_phq9(TODAY) == []
    assert due_phq9(dt.date(2026, 6, 28)) == []
    assert due_phq9(JUNE_29) == [JUNE_29]


def test_an_unfinished_phq9_does_not_count_as_answered(session: Session, alice: User) -> None:
    save(session, alice, phq9(0, 0, 0, 0, 0, 0, 0, 0))  # item 9 missing

    assert "phq9" in {i.instrument for i in service.due_questionnaires(session, alice, today=TODAY)}


def test_a_positive_ptsd_screen_puts_pcl5_on_the_list_the_same_day(
    session: Session, alice: User
) -> None:
    # Trauma Yes and 3 of the 5 items Yes: total 3, positive at the cut-off of 3.
    answers: dict[str, Value | None] = {"trauma": 1, "q1": 1, "q2": 1, "q3": 1, "q4": 0, "q5": 0}
    saved = save(session, alice, answers, instrument="pcptsd5")

    assert reload(session, saved.response.id).positive is True
    due = {i.instrument: i for i in service.due_questionnaires(session, alice, today=TODAY)}
    assert due["pcl5"].due_on == TODAY
    assert "pcptsd5" not in due


def test_a_negative_ptsd_screen_keeps_pcl5_off_the_list(session: Session, alice: User) -> None:
    save(session, alice, {"trauma": 0}, instrument="pcptsd5")

    later = dt.date(2026, 12, 1)
    assert "pcl5" not in {
        i.instrument for i in service.due_questionnaires(session, alice, today=later)
    }


# --- a person's schedule --------------------------------------------------------------------------


def test_a_changed_interval_moves_the_next_date(session: Session, alice: User) -> None:
    save(session, alice, phq9(0, 0, 0, 0, 0, 0, 0, 0, 0))

    service.change_schedule(session, alice, {"phq9": (True, 28)}, now=NOW)

    overview = {next.instrument: next for next in service.schedule_overview(session, alice)}
    assert overview["phq9"].rule.every_days == 28
    assert overview["phq9"].due_on == JULY_13  # 15 June + 28 days
    assert overview["gad7"].rule.every_days == 14  # the others keep their defaults


def test_switching_one_off_removes_it_from_the_list(session: Session, alice: User) -> None:
    service.change_schedule(session, alice, {"auditc": (False, 30)}, now=NOW)

    due = {i.instrument for i in service.due_questionnaires(session, alice, today=TODAY)}
    assert "auditc" not in due
    assert "phq9" in due


def test_back_to_the_usual_schedule_forgets_the_changes(session: Session, alice: User) -> None:
    service.change_schedule(session, alice, {"auditc": (False, 30), "phq9": (True, 90)}, now=NOW)

    service.reset_schedule(session, alice)

    overview = {next.instrument: next for next in service.schedule_overview(session, alice)}
    assert overview["auditc"].rule.enabled is True
    assert overview["phq9"].rule.every_days == 14


@pytest.mark.parametrize(
    ("choices", "field"),
    [
        ({"nonsense": (True, 14)}, "nonsense"),
        ({"odq": (True, 30)}, "odq"),  # licensed: its text is not loaded on this server
        ({"phq9": (True, 10)}, "phq9"),
        ({"gad7": (True, 0)}, "gad7"),
        ({"gad7": (True, 365)}, "gad7"),
    ],
    ids=["unknown", "licensed", "10-days", "0-days", "365-days"],
)
def test_a_schedule_change_that_cannot_be_kept_is_refused_naming_it(
    session: Session, alice: User, choices: dict[str, tuple[bool, int | None]], field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        service.change_schedule(session, alice, {"auditc": (False, 30), **choices}, now=NOW)

    assert set(raised.value.fields) == {field}
    # Nothing saved, not even the good row sent with it.
    overview = {next.instrument: next for next in service.schedule_overview(session, alice)}
    assert overview["auditc"].rule.enabled is True
    assert overview["phq9"].rule.every_days == 14
    assert overview["gad7"].rule.every_days == 14


def test_schedules_are_per_person(session: Session, alice: User, bob: User) -> None:
    service.change_schedule(session, alice, {"phq9": (False, 14)}, now=NOW)

    assert "phq9" in {i.instrument for i in service.due_questionnaires(session, bob, today=TODAY)}
    assert "phq9" not in {
        i.instrument for i in service.due_questionnaires(session, alice, today=TODAY)
    }


# --- re-assessments after a medication event ------------------------------------------------------


def schedule(
    session: Session, person: User, event_date: dt.date = TODAY, source_id: int = 41
) -> list[Reassessment]:
    return service.schedule_reassessments(
        session, person, source_id=source_id, event_date=event_date, event_label=LABEL, now=NOW
    )


def test_a_medication_event_sets_phq9_and_blunting_check_at_two_four_and_eight_weeks(
    session: Session, alice: User
) -> None:
    rows = schedule(session, alice)

    assert sorted((row.instrument, row.due_on, row.reason) for row in rows) == [
        ("blunting_check", JUNE_29, f"2 weeks after {LABEL}"),
        ("blunting_check", JULY_13, f"4 weeks after {LABEL}"),
        ("blunting_check", AUGUST_10, f"8 weeks after {LABEL}"),
        ("phq9", JUNE_29, f"2 weeks after {LABEL}"),
        ("phq9", JULY_13, f"4 weeks after {LABEL}"),
        ("phq9", AUGUST_10, f"8 weeks after {LABEL}"),
    ]


def test_scheduling_the_same_event_twice_adds_nothing(session: Session, alice: User) -> None:
    first = schedule(session, alice)

    second = schedule(session, alice)

    assert count_reassessments(session) == 6
    assert {row.id for row in second} == {row.id for row in first}


def test_a_changed_event_date_replaces_the_old_dates(session: Session, alice: User) -> None:
    schedule(session, alice)

    rows = schedule(session, alice, event_date=dt.date(2026, 6, 20))

    assert count_reassessments(session) == 6
    # 20 June + 14 = 4 July; + 28 = 18 July; + 56 = 15 August.
    assert sorted({row.due_on for row in rows}) == [
        dt.date(2026, 7, 4),
        dt.date(2026, 7, 18),
        dt.date(2026, 8, 15),
    ]


def test_cancelling_removes_the_events_reassessments_only(session: Session, alice: User) -> None:
    schedule(session, alice, source_id=41)
    schedule(session, alice, source_id=42, event_date=dt.date(2026, 7, 1))

    removed = service.cancel_reassessments(session, alice, source_id=41)

    assert removed == 6
    assert count_reassessments(session) == 6
    assert service.cancel_reassessments(session, alice, source_id=41) == 0


def test_another_persons_cancel_removes_nothing(session: Session, alice: User, bob: User) -> None:
    schedule(session, alice, source_id=41)

    assert service.cancel_reassessments(session, bob, source_id=41) == 0
    assert count_reassessments(session) == 6


def test_a_reassessment_is_due_on_its_date_with_its_reason(session: Session, alice: User) -> None:
    # The recurring PHQ-9 and blunting check are off, so only the re-assessment can ask.
    service.change_schedule(
        session, alice, {"phq9": (False, 14), "blunting_check": (False, 7)}, now=NOW
    )
    schedule(session, alice)

    before = service.due_questionnaires(session, alice, today=dt.date(2026, 6, 28))
    on_the_day = service.due_questionnaires(session, alice, today=JUNE_29)

    assert {"phq9", "blunting_check"}.isdisjoint(item.instrument for item in before)
    due = {item.instrument: item for item in on_the_day}
    assert due["phq9"].due_on == JUNE_29
    assert due["phq9"].reasons == (f"2 weeks after {LABEL}",)
    assert due["blunting_check"].reasons == (f"2 weeks after {LABEL}",)
    upcoming = service.upcoming_reassessments(session, alice, today=JUNE_29)
    assert sorted({row.due_on for row in upcoming}) == [JULY_13, AUGUST_10]


def test_a_reassessment_and_the_fortnightly_phq9_on_one_day_are_one_entry(
    session: Session, alice: User
) -> None:
    save(session, alice, phq9(0, 0, 0, 0, 0, 0, 0, 0, 0))  # 15 June: next fortnightly 29 June
    schedule(session, alice)

    due = [
        i
        for i in service.due_questionnaires(session, alice, today=JUNE_29)
        if i.instrument == "phq9"
    ]

    assert len(due) == 1
    assert due[0].due_on == JUNE_29
    assert due[0].reasons == ("every 2 weeks", f"2 weeks after {LABEL}")


@pytest.mark.parametrize(
    ("answered_on", "still_due"),
    [
        (dt.date(2026, 6, 25), True),  # 4 days before 29 June: too early to count
        (dt.date(2026, 6, 26), False),  # 3 days before: counts
        (JUNE_29, False),
    ],
)
def test_a_phq9_answered_up_to_three_days_early_counts_for_the_reassessment(
    session: Session, alice: User, answered_on: dt.date, still_due: bool
) -> None:
    service.change_schedule(session, alice, {"phq9": (False, 14)}, now=NOW)
    schedule(session, alice)

    save(session, alice, phq9(0, 0, 0, 0, 0, 0, 0, 0, 0), today=answered_on, now=at(answered_on))

    due = {i.instrument for i in service.due_questionnaires(session, alice, today=JUNE_29)}
    assert ("phq9" in due) is still_due


def test_reassessments_are_the_persons_own(session: Session, alice: User, bob: User) -> None:
    schedule(session, alice)

    assert service.upcoming_reassessments(session, bob, today=TODAY) == []
    assert len(service.upcoming_reassessments(session, alice, today=TODAY)) == 6


# --- ownership ------------------------------------------------------------------------------------


def test_bob_can_neither_see_nor_resume_alices_responses(
    session: Session, alice: User, bob: User
) -> None:
    finished = save(session, alice, phq9(2, 2, 2, 2, 2, 2, 2, 2, 2))
    unfinished = save(session, alice, {"q1": 1}, instrument="gad7", finish=False)

    for response_id in (finished.response.id, unfinished.response.id):
        with pytest.raises(NotFound):
            service.get_response(session, bob, response_id)
        with pytest.raises(NotFound):
            service.get_completed_response(session, bob, response_id)
    assert service.in_progress_response(session, bob, "gad7") is None
    assert service.completed_responses(session, bob) == []
    assert service.recent_results(session, bob) == []

    bobs = save(session, bob, {"q1": 3}, instrument="gad7", finish=False)

    assert bobs.response.id != unfinished.response.id
    assert reload(session, unfinished.response.id).answers == {"q1": 1}
    assert service.discard_in_progress(session, bob, "phq9") is False
    assert service.get_response(session, alice, finished.response.id).total == 18


def test_an_unfinished_response_has_no_result_yet(session: Session, alice: User) -> None:
    saved = save(session, alice, phq9(1), finish=False)

    assert service.get_response(session, alice, saved.response.id).id == saved.response.id
    with pytest.raises(NotFound):
        service.get_completed_response(session, alice, saved.response.id)


def test_start_again_forgets_the_unfinished_answers(session: Session, alice: User) -> None:
    save(session, alice, phq9(1, 2, 3), finish=False)

    assert service.discard_in_progress(session, alice, "phq9") is True
    assert service.in_progress_response(session, alice, "phq9") is None
    assert count_responses(session) == 0
