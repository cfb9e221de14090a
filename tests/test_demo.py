"""Demo data: two accounts, a person with months of check-ins telling a true-to-life story."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import numpy as np
import pytest
import textstat  # type: ignore[import-untyped]
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session

from affectrange.accounts.models import Role, User
from affectrange.accounts.repository import UserRepository
from affectrange.analysis.events import MedicationEvent
from affectrange.analysis.series import DailySeries
from affectrange.careplan import service as careplan
from affectrange.checkins import service as checkins
from affectrange.config import Settings
from affectrange.demo import (
    CLINICIAN_EMAIL,
    DEMO_QUESTIONS,
    DEMO_ZIP,
    PERSON_EMAIL,
    STORY_DAYS,
    STORY_SEED,
    DemoResult,
    load_demo,
)
from affectrange.directory.repository import DirectoryReader
from affectrange.directory.schemas import DirectoryQuery
from affectrange.directory.service import search_directory
from affectrange.medications import service as medications
from affectrange.questionnaires import service as questionnaires
from affectrange.reminders import service as reminders
from affectrange.simulate import demo_story
from tests.conftest import NOW, TODAY, api_token, csrf_from, sign_in
from tests.learning.helpers import body_text

DEMO_PASSWORD = "demo password used by the tests"
WINDOW = dt.timedelta(days=28)


@pytest.fixture
def demo_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    # A configured password means no credentials file; running in tmp_path keeps var/ clean anyway.
    monkeypatch.chdir(tmp_path)
    settings.demo_password = SecretStr(DEMO_PASSWORD)
    return settings


@pytest.fixture
def loaded(session: Session, demo_settings: Settings) -> DemoResult:
    result = load_demo(session, demo_settings, now=NOW)
    session.commit()
    return result


def demo_user(session: Session, email: str) -> User:
    user = UserRepository(session).by_email(email)
    assert user is not None, f"{email} was not created"
    return user


def person_series(session: Session) -> DailySeries:
    first = TODAY - dt.timedelta(days=STORY_DAYS - 1)
    return checkins.daily_series(session, demo_user(session, PERSON_EMAIL), first, TODAY)


def window_mean(series: DailySeries, values: np.ndarray, first: dt.date, days: int) -> float:
    start = (first - series.first).days
    return float(np.nanmean(values[start : start + days]))


def test_demo_creates_the_person_and_the_clinician(session: Session, loaded: DemoResult) -> None:
    person = demo_user(session, PERSON_EMAIL)
    clinician = demo_user(session, CLINICIAN_EMAIL)

    assert loaded.created_accounts == (PERSON_EMAIL, CLINICIAN_EMAIL)
    assert (person.role, clinician.role) == (Role.PERSON, Role.CLINICIAN)
    assert loaded.password == DEMO_PASSWORD


def test_demo_person_has_at_least_120_days_of_checkins_up_to_today(
    session: Session, loaded: DemoResult
) -> None:
    series = person_series(session)
    answered = [day for day, seen in zip(series.dates, series.answered(), strict=True) if seen]

    assert loaded.added_checkins == loaded.total_checkins == len(answered)
    assert len(answered) >= 120
    assert answered[-1] == TODAY
    assert (answered[-1] - answered[0]).days >= 120


def test_demo_checkins_are_entered_on_their_own_day(session: Session, loaded: DemoResult) -> None:
    person = demo_user(session, PERSON_EMAIL)
    rows = checkins.list_checkins(session, person, TODAY - dt.timedelta(days=365), TODAY)

    assert not any(row.backfilled for row in rows)


def test_loading_again_adds_nothing(
    session: Session, demo_settings: Settings, loaded: DemoResult
) -> None:
    again = load_demo(session, demo_settings, now=NOW)
    ten_days_later = load_demo(session, demo_settings, now=NOW + dt.timedelta(days=10))

    for result in (again, ten_days_later):
        assert result.loaded
        assert result.created_accounts == ()
        assert result.added_checkins == 0
        assert result.total_checkins == loaded.total_checkins


def test_first_run_only_after_a_load_adds_nothing(
    session: Session, demo_settings: Settings, loaded: DemoResult
) -> None:
    result = load_demo(session, demo_settings, now=NOW, first_run_only=True)

    assert not result.loaded
    assert (result.created_accounts, result.added_checkins) == ((), 0)
    assert result.total_checkins == loaded.total_checkins


def test_first_run_only_on_an_empty_database_loads(
    session: Session, demo_settings: Settings
) -> None:
    result = load_demo(session, demo_settings, now=NOW, first_run_only=True)

    assert result.loaded
    assert result.added_checkins >= 120


def test_story_shows_numbness_up_and_both_pa_and_na_down_since_sertraline(
    session: Session, loaded: DemoResult
) -> None:
    story = demo_story(end=TODAY, n_days=STORY_DAYS, seed=STORY_SEED)
    sertraline = story.params.medication_events[0]
    series = person_series(session)
    before = sertraline.date - WINDOW
    recent = TODAY - WINDOW + dt.timedelta(days=1)

    numbness_before = window_mean(series, series.numbness(), before, 28)
    numbness_now = window_mean(series, series.numbness(), recent, 28)
    na_before = window_mean(series, series.negative_affect(), before, 28)
    na_now = window_mean(series, series.negative_affect(), recent, 28)
    pa_before = window_mean(series, series.positive_affect(), before, 28)
    pa_now = window_mean(series, series.positive_affect(), recent, 28)

    assert (sertraline.medication, sertraline.event) == ("sertraline", "start")
    assert sertraline.date < recent - WINDOW  # the two windows are months apart, not overlapping
    assert numbness_now > numbness_before + 1.0
    assert na_now < na_before - 1.0
    assert pa_now < pa_before  # good feelings quieter too: blunting, not recovery


def test_demo_person_signs_in_with_the_configured_password_and_sees_the_story(
    client: TestClient, loaded: DemoResult, tmp_path: Path
) -> None:
    headers = api_token(client, PERSON_EMAIL, DEMO_PASSWORD)

    listed = client.get("/api/v1/checkins", headers=headers).json()["checkins"]

    assert listed[-1]["date"] == TODAY.isoformat()
    assert 80 <= len(listed) <= 90  # the default 90 days, a few of them missed
    api_token(client, CLINICIAN_EMAIL, DEMO_PASSWORD)
    assert not (tmp_path / "var").exists()


def test_a_password_configured_later_replaces_the_generated_one(
    client: TestClient,
    session: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    first = load_demo(session, settings, now=NOW)  # no password configured: one is generated
    session.commit()
    generated = first.password
    assert generated is not None
    assert (tmp_path / "var" / "demo-logins.txt").read_text().count(generated) == 1

    settings.demo_password = SecretStr(DEMO_PASSWORD)
    second = load_demo(session, settings, now=NOW, first_run_only=True)
    session.commit()

    assert second.password == DEMO_PASSWORD
    api_token(client, PERSON_EMAIL, DEMO_PASSWORD)
    api_token(client, CLINICIAN_EMAIL, DEMO_PASSWORD)
    refused = client.post("/api/v1/auth/token", json={"email": PERSON_EMAIL, "password": generated})
    assert refused.status_code == 401


def test_demo_person_has_questionnaires_on_their_schedules_telling_the_story(
    session: Session, loaded: DemoResult, demo_settings: Settings
) -> None:
    person = demo_user(session, PERSON_EMAIL)
    phq9 = questionnaires.completed_responses(session, person, "phq9")
    checks = questionnaires.completed_responses(session, person, "blunting_check")

    assert len(phq9) >= 9  # every 14 days over 150 days
    assert len(checks) >= 19  # weekly
    assert not any(response.safety for response in phq9)
    assert phq9[0].total is not None
    assert phq9[-1].total is not None
    assert phq9[0].total >= 10 > phq9[-1].total  # depressed at first, better since
    assert checks[0].details["blunted"] is False
    assert checks[-1].details["blunted"] is True  # feelings dulled by the end
    assert reminders.reminder_choices(session, person).questionnaires_enabled
    before = len(phq9) + len(checks)
    load_demo(session, demo_settings, now=NOW)
    again = questionnaires.completed_responses(session, person)
    assert len(again) == before  # loading again adds no questionnaire twice


def test_demo_person_has_the_storys_medication_events_and_their_reassessments(
    session: Session, loaded: DemoResult, demo_settings: Settings
) -> None:
    person = demo_user(session, PERSON_EMAIL)
    story = demo_story(end=TODAY, n_days=STORY_DAYS, seed=STORY_SEED)
    start, increase = story.medication_events

    timeline = medications.timeline(session, person)
    planned = medications.scheduled_reassessments(
        session, person, medications.list_medication_events(session, person)[0]
    )

    assert timeline == [
        MedicationEvent(start.date, "sertraline", "start", 50.0),
        MedicationEvent(increase.date, "sertraline", "dose_change", 100.0),
    ]
    assert medications.list_medication_events(session, person)[0].rxcui == "36437"
    assert {item.due_on for item in planned} == {
        start.date + dt.timedelta(weeks=weeks) for weeks in (2, 4, 8)
    }
    load_demo(session, demo_settings, now=NOW)
    load_demo(session, demo_settings, now=NOW + dt.timedelta(days=10))
    assert medications.timeline(session, person) == timeline  # nothing added twice


def test_the_demo_checkins_chart_marks_the_sertraline_events(
    client: TestClient, loaded: DemoResult
) -> None:
    sign_in(client, PERSON_EMAIL, DEMO_PASSWORD)
    page = client.get("/checkins?days=180").text

    assert "sertraline 50 mg start" in page
    assert "sertraline 100 mg dose change" in page


def test_the_demo_clinician_sees_the_person_first_with_the_reason_then_revocation_refuses(
    client: TestClient, session: Session, loaded: DemoResult
) -> None:
    person = demo_user(session, PERSON_EMAIL)
    sign_in(client, CLINICIAN_EMAIL, DEMO_PASSWORD)

    dashboard = client.get("/clinician")
    assert dashboard.status_code == 200
    first_row = dashboard.text.split('data-testid="dashboard-row"')[1]
    assert person.display_name in first_row
    assert "blunting-like change" in first_row
    assert "after starting sertraline" in first_row

    record = client.get(f"/clinician/people/{person.id}")
    assert record.status_code == 200
    pdf = client.get(f"/clinician/people/{person.id}/report.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")

    client.cookies.clear()
    sign_in(client, PERSON_EMAIL, DEMO_PASSWORD)
    sharing_page = client.get("/sharing")
    assert "Dr. Rivera (demo)" in sharing_page.text
    share_id = sharing_page.text.split("/sharing/shares/")[1].split('"')[0]
    revoked = client.post(
        f"/sharing/shares/{share_id}/revoke",
        data={"csrf_token": csrf_from(sharing_page.text)},
        follow_redirects=False,
    )
    assert revoked.status_code == 303

    client.cookies.clear()
    sign_in(client, CLINICIAN_EMAIL, DEMO_PASSWORD)
    assert client.get(f"/clinician/people/{person.id}").status_code == 404
    assert client.get(f"/clinician/people/{person.id}/report.pdf").status_code == 404
    assert person.display_name not in client.get("/clinician").text


def test_the_demo_directory_has_prescribers_near_the_demo_person(
    session: Session, loaded: DemoResult, demo_settings: Settings
) -> None:
    near = search_directory(
        session, DirectoryQuery(zip=DEMO_ZIP, radius_miles=25, provider_type="prescriber")
    )
    in_plan = search_directory(
        session,
        DirectoryQuery(
            zip=DEMO_ZIP,
            radius_miles=25,
            provider_type="prescriber",
            plan="nutmeg-ppo",
            accepting=True,
            issues=("emotional-numbness",),
        ),
    )

    assert len(near.matches) == 4  # two psychiatrists, a child psychiatrist, a nurse practitioner
    assert all("prescriber" in match.provider_types for match in near.matches)
    assert all(
        match.distance_miles is not None and match.distance_miles <= 25 for match in near.matches
    )
    assert {match.credentials for match in near.matches} == {"MD", "PMHNP-BC"}
    assert all(match.npi.startswith("9") for match in near.matches)  # never a real NPI
    best = in_plan.matches[0]
    assert best.name == "Adaeze Okonkwo-Hale, MD"
    assert "In network for Nutmeg Mutual PPO (Nutmeg Mutual PPO network)" in best.why
    assert "Accepting new patients" in best.why
    assert "Treats emotional numbness or blunting" in best.why
    counts = DirectoryReader(session).counts()
    load_demo(session, demo_settings, now=NOW + dt.timedelta(days=10))
    assert DirectoryReader(session).counts() == counts  # loading again adds no provider twice


def test_the_demo_directory_offers_online_care_in_connecticut(
    session: Session, loaded: DemoResult
) -> None:
    online = search_directory(
        session,
        DirectoryQuery(
            state="CT", telehealth=True, issues=("trauma-ptsd",), modalities=("emdr", "cpt")
        ),
    )

    assert all(match.distance_miles is None for match in online.matches)
    best = online.matches[0]
    assert (best.name, best.address) == ("Saoirse Delacroix-Ng, LCSW", None)
    assert best.why[0] == "Offers online sessions and is licensed in CT"
    assert "Treats trauma and PTSD" in best.why
    online_only = {match.name for match in online.matches if match.address is None}
    assert online_only == {
        "Saoirse Delacroix-Ng, LCSW",
        "Ezekiel Amankwah, PhD",
        "Noor Haddad-Whitlock, LPC",
        "Marisol Cordero-Vance, PMHNP",
    }


def test_demo_person_has_a_plan_with_kept_days_associations_and_impact_ratings(
    client: TestClient, session: Session, demo_settings: Settings, loaded: DemoResult
) -> None:
    person = demo_user(session, PERSON_EMAIL)
    progress = careplan.progress(session, person, today=TODAY)
    sign_in(client, PERSON_EMAIL, DEMO_PASSWORD)

    page = client.get("/plan")

    assert [row.goal.strategy_id for row in progress.active] == [
        "movement",
        "sleep",
        "time_with_people",
    ]
    assert all(row.kept_total >= 5 for row in progress.active)
    assert any(item.enough for row in progress.active for item in row.associations)
    impact = careplan.impact_history(session, person)
    assert [point.month.month for point in impact] == [3, 4, 5]  # June is due
    assert impact[0].total < impact[-1].total  # rising as the numbness set in
    assert page.status_code == 200
    assert "Kept on <strong>" in page.text
    assert page.text.count("Association, not proof:") == 3
    assert 'data-testid="goal-associations"' in page.text
    assert 'id="trend-impact"' in page.text
    assert 'data-testid="impact-due"' in page.text
    again = load_demo(session, demo_settings, now=NOW)
    assert again.added_checkins == 0
    assert len(careplan.list_goals(session, person)) == 3


def test_the_demo_person_prints_a_preparation_sheet_with_their_questions_and_goals(
    client: TestClient, loaded: DemoResult
) -> None:
    sign_in(client, PERSON_EMAIL, DEMO_PASSWORD)

    sheet = client.get("/prepare")
    pdf = client.get("/prepare.pdf")

    assert sheet.status_code == 200
    for question in DEMO_QUESTIONS:
        assert html.escape(question, quote=False) in sheet.text
    assert "sertraline" in sheet.text
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_learning_pages_the_demo_person_is_pointed_to_read_at_grade_8_or_lower(
    client: TestClient, loaded: DemoResult
) -> None:
    sign_in(client, PERSON_EMAIL, DEMO_PASSWORD)
    range_page = client.get("/range").text
    links = sorted(set(re.findall(r'href="(/learn/[a-z0-9-]+)', range_page)))

    assert links, "the demo's pattern card links to a learning page"
    for link in links:
        page = client.get(link)
        assert page.status_code == 200
        grade = textstat.flesch_kincaid_grade(body_text(page.text))
        assert grade <= 8.0, (link, grade)
