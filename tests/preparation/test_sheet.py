"""GET /prepare and /prepare.pdf: what changed and since when, the latest scores, the medication
timeline, the goals kept and the questions, on the page and in the PDF (read back with
pdftotext); the PDF is an audited export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.audit.service import entries_about
from affectrange.careplan import service as careplan
from affectrange.careplan.schemas import GoalIn
from affectrange.emotional_range.wording import ORDER_NOT_CAUSE, change_text
from affectrange.instruments import get_instrument
from affectrange.preparation import service
from affectrange.preparation.models import MAX_QUESTIONS
from tests.conftest import NOW, TODAY, sign_in
from tests.emotional_range.helpers import entry
from tests.preparation.helpers import ALICE, BOB, LONGEST, add_directly
from tests.reports.helpers import Recorded, load_year, long_day, pdf_pages, pdf_text, text_of

GOAL_TITLE = "Lights out by eleven"
QUESTIONS = ("Could this be a side effect?", "Why does music not move me any more?")


@pytest.fixture
def year(session: Session, alice: User) -> Recorded:
    return load_year(session, alice)


def keep_goal(session: Session, person: User, recorded: Recorded) -> int:
    """A sleep goal from 27 days before TODAY, kept on every third of the story's days."""
    started = TODAY - dt.timedelta(days=27)
    goal = careplan.add_goal(
        session,
        person,
        GoalIn(
            strategy_id="sleep", times_per_week=3, title="Lights out by eleven", started_on=started
        ),
        today=TODAY,
        now=NOW,
    )
    days = [day for day in recorded.story.days if day.date >= started][::3]
    for day in days:
        careplan.record_checkin_with_goals(
            session, person, entry(day), goals_kept=[goal.id], today=TODAY, now=NOW
        )
    session.commit()
    return len(days)


def expected_onset(recorded: Recorded) -> str:
    from tests.reports.helpers import pure_analysis  # noqa: PLC0415

    change = change_text(pure_analysis(recorded.story).blunting)
    assert change is not None, "the story has a blunting-like change"
    return change.when


def test_the_sheet_shows_the_change_scores_medications_goals_and_questions(
    client: TestClient, session: Session, alice: User, year: Recorded
) -> None:
    kept = keep_goal(session, alice, year)
    add_directly(session, alice, *QUESTIONS)
    sign_in(client, ALICE)

    response = client.get("/prepare")

    assert response.status_code == 200
    words = text_of(response.text)
    onset = expected_onset(year)
    assert "sertraline" in onset
    assert f"{onset} {ORDER_NOT_CAUSE}" in words
    assert "a blunting-like pattern" in words
    phq9_day, phq9_total = year.phq9[-1]
    gad7_day, gad7_total = year.gad7[-1]
    phq9, gad7 = get_instrument("phq9").name, get_instrument("gad7").name
    assert f"{phq9} {long_day(phq9_day)} {phq9_total} of 27" in words
    assert f"{gad7} {long_day(gad7_day)} {gad7_total} of 21" in words
    for event in year.story.medication_events:
        assert long_day(event.date) in words
    first = year.story.medication_events[0]
    assert f"Started sertraline, {first.dose_mg:g} mg a day" in words
    assert f"{GOAL_TITLE} : kept on {kept} days in 4 weeks (aim: 3 times a week)" in words
    for question in QUESTIONS:
        assert question in words
    assert '<a href="/prepare">Prepare for an appointment</a>' in response.text


def test_an_empty_record_says_so_in_one_line_each(client: TestClient, alice: User) -> None:
    sign_in(client, ALICE)

    words = text_of(client.get("/prepare").text)

    assert (
        "Not enough check-ins yet to describe a change: at least 14 are needed, and there are 0."
        in words
    )
    assert "No questionnaires completed yet." in words
    assert "No medication events recorded." in words
    assert "No care-plan goals in these weeks." in words
    assert "No questions written yet." in words


def test_the_pdf_holds_the_sheet_and_the_questions_on_two_pages_at_most(
    client: TestClient, session: Session, alice: User, year: Recorded, tmp_path: Path
) -> None:
    keep_goal(session, alice, year)
    longest = [f"{n}. {LONGEST}"[:300] for n in range(1, MAX_QUESTIONS + 1)]
    add_directly(session, alice, *QUESTIONS, *longest[: MAX_QUESTIONS - len(QUESTIONS)])
    sign_in(client, ALICE)

    response = client.get("/prepare.pdf")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    name = f"affectrange-appointment-sheet-{TODAY.isoformat()}.pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert response.headers["cache-control"] == "no-store"
    text = pdf_text(response.content, tmp_path)
    for heading in (
        "Appointment sheet: Alice",
        "My questions",
        "What changed, and since when",
        "My latest questionnaire scores",
        "My medication timeline",
        "Goals I kept",
    ):
        assert heading in text
    for question in QUESTIONS:
        assert question in text
    assert expected_onset(year).split(",")[0] in text  # "This began around <date>"
    assert GOAL_TITLE in text
    assert "Page 1 of" in text
    assert 1 <= pdf_pages(response.content, tmp_path) <= 2


def test_the_pdf_is_an_audited_export(client: TestClient, session: Session, alice: User) -> None:
    sign_in(client, ALICE)

    assert client.get("/prepare").status_code == 200
    session.expire_all()
    assert [entry.action for entry in entries_about(session, alice)] == []
    client.get("/prepare.pdf")

    session.expire_all()
    assert [(entry.action, entry.detail) for entry in entries_about(session, alice)] == [
        ("export_report", f"appointment sheet of {TODAY.isoformat()} as a PDF")
    ]


@pytest.mark.usefixtures("bob", "year")
def test_bobs_sheet_holds_nothing_of_alices(
    client: TestClient, session: Session, alice: User, tmp_path: Path
) -> None:
    add_directly(session, alice, QUESTIONS[1])
    sign_in(client, BOB)

    words = text_of(client.get("/prepare").text)
    text = pdf_text(client.get("/prepare.pdf").content, tmp_path)

    assert QUESTIONS[1] not in words
    assert QUESTIONS[1] not in text
    assert "sertraline" not in words
    assert "sertraline" not in text
    assert "No questions written yet." in words


def test_the_medication_lines_read_as_events_never_as_advice() -> None:
    from affectrange.analysis.events import MedicationEvent  # noqa: PLC0415

    day = dt.date(2026, 3, 2)
    lines = [
        service.medication_line(MedicationEvent(day, "sertraline", "start", 50.0)).words,
        service.medication_line(MedicationEvent(day, "sertraline", "dose_change", 100.0)).words,
        service.medication_line(MedicationEvent(day, "sertraline", "stop", None)).words,
    ]

    assert lines == [
        "Started sertraline, 50 mg a day",
        "New sertraline dose: 100 mg a day",
        "Stopped sertraline",
    ]
