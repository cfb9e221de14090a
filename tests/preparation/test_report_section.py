"""Section 7 of the appointment report: the person's own questions (always in their own copy,
in a clinician's only with the notes scope) and the goals kept in the period (with the
check-ins), in the model, the HTML, the clinician's page and the PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.reports import render
from affectrange.reports.model import GoalKept, Report
from affectrange.reports.service import build_report
from affectrange.sharing.scopes import Scopes
from tests.conftest import NOW, TODAY, sign_in
from tests.preparation.helpers import CAROL, LONGEST, add_directly
from tests.preparation.test_sheet import GOAL_TITLE, QUESTIONS, keep_goal
from tests.reports.helpers import YEAR_DAYS, Recorded, load_year, pdf_pages, pdf_text, text_of
from tests.sharing.helpers import share

YEAR_START = TODAY - dt.timedelta(days=YEAR_DAYS - 1)
NOT_SHARED = "Notes and the questions written for the appointment are not shared with you."


@pytest.fixture
def year(session: Session, alice: User) -> Recorded:
    return load_year(session, alice)


def report_for(session: Session, person: User, scopes: Scopes, *, days: int = 90) -> Report:
    own = scopes == Scopes.everything()
    return build_report(
        session,
        person,
        first=TODAY - dt.timedelta(days=days - 1),
        last=TODAY,
        today=TODAY,
        scopes=scopes,
        prepared_for=None if own else "Carol",
        now=NOW,
    )


def test_the_persons_own_report_holds_their_questions_and_goals(
    session: Session, alice: User, year: Recorded
) -> None:
    kept = keep_goal(session, alice, year)
    add_directly(session, alice, *QUESTIONS)

    report = report_for(session, alice, Scopes.everything())
    words = text_of(render.render_html(report))

    assert report.questions == QUESTIONS
    assert report.goals == (
        GoalKept(GOAL_TITLE, f"kept on {kept} days in 4 weeks (aim: 3 times a week)"),
    )
    assert "Questions and goals kept" in words
    assert f"1. {QUESTIONS[0]}" not in words  # an ordered list: numbered by the reader
    for question in QUESTIONS:
        assert question in words
    assert words.index(QUESTIONS[0]) < words.index(QUESTIONS[1])
    assert "the questions written for the appointment" in words  # "Included"
    assert f"{GOAL_TITLE} : kept on {kept} days" in words
    assert NOT_SHARED not in words


def test_a_clinician_without_the_notes_scope_never_sees_the_questions(
    session: Session, alice: User, year: Recorded
) -> None:
    kept = keep_goal(session, alice, year)
    add_directly(session, alice, *QUESTIONS)

    report = report_for(session, alice, Scopes())
    words = text_of(render.render_html(report))

    assert report.questions is None
    for question in QUESTIONS:
        assert question not in words
    assert NOT_SHARED in words
    assert "No questions written" not in words  # not "none": not shared
    assert f"{GOAL_TITLE} : kept on {kept} days" in words  # goals go with the check-ins


def test_a_clinician_with_the_notes_scope_sees_them(
    session: Session, alice: User, year: Recorded
) -> None:
    add_directly(session, alice, *QUESTIONS)

    report = report_for(session, alice, Scopes(notes=True))

    assert report.questions == QUESTIONS
    assert QUESTIONS[1] in text_of(render.render_html(report))


def test_without_check_ins_there_are_no_goals_and_without_questions_one_line(
    session: Session, alice: User, year: Recorded
) -> None:
    keep_goal(session, alice, year)

    report = report_for(session, alice, Scopes(checkins=False, notes=True))
    words = text_of(render.render_html(report))

    assert report.goals is None
    assert GOAL_TITLE not in words
    assert "Goals kept from" not in words
    assert "No questions written for the appointment." in words


def test_the_clinicians_page_follows_the_share(
    client: TestClient, session: Session, alice: User, carol: User, year: Recorded
) -> None:
    add_directly(session, alice, *QUESTIONS)
    record = share(session, alice, carol)
    sign_in(client, CAROL)
    url = f"/clinician/people/{alice.id}/report"

    without_notes = text_of(client.get(url).text)

    assert "Questions and goals kept" in without_notes
    assert QUESTIONS[1] not in without_notes
    assert NOT_SHARED in without_notes
    assert record.scopes.notes is False


def test_the_clinicians_page_with_notes_shows_the_questions(
    client: TestClient, session: Session, alice: User, carol: User, year: Recorded
) -> None:
    add_directly(session, alice, *QUESTIONS)
    share(session, alice, carol, Scopes(notes=True))
    sign_in(client, CAROL)

    words = text_of(client.get(f"/clinician/people/{alice.id}/report").text)

    for question in QUESTIONS:
        assert question in words
    assert NOT_SHARED not in words


def test_a_years_report_with_five_questions_and_a_goal_stays_on_three_letter_pages(
    session: Session, alice: User, year: Recorded, tmp_path: Path
) -> None:
    keep_goal(session, alice, year)
    sentence = (
        "Why do I feel so little, even on days that used to mean a lot to me, like birthdays? "
    )
    questions = [f"{n:02d} {sentence}"[:100] for n in range(1, 6)]
    add_directly(session, alice, *questions)

    report = report_for(session, alice, Scopes.everything(), days=YEAR_DAYS)
    pdf = render.render_pdf(report)
    text = pdf_text(pdf, tmp_path)

    assert "Questions and goals kept" in text
    for question in questions:
        assert question.strip() in text
    assert GOAL_TITLE in text
    assert 1 <= pdf_pages(pdf, tmp_path) <= 3


def test_ten_of_the_longest_questions_are_printed_whole(
    session: Session, alice: User, year: Recorded, tmp_path: Path
) -> None:
    questions = [f"{n:02d} {LONGEST}"[:300] for n in range(1, 11)]
    add_directly(session, alice, *questions)

    pdf = render.render_pdf(report_for(session, alice, Scopes.everything(), days=YEAR_DAYS))
    text = pdf_text(pdf, tmp_path).replace(" ", "")

    for question in questions:
        assert question.replace(" ", "") in text
    # A year with the most a sheet holds runs onto a fourth page; it never loses words.
    assert pdf_pages(pdf, tmp_path) <= 4
