"""Questionnaires through the real app: the pages a person uses and the /api/v1 endpoints.

Alice joined on 15 June 2026 (TODAY), so on her first day the default set is due from that date.
Totals are added up by hand from the answers sent.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.instruments import get_instrument
from affectrange.instruments.registry import SHIPPED
from affectrange.questionnaires import service
from affectrange.questionnaires.models import QuestionnaireResponse
from affectrange.safety_events.service import list_safety_events
from tests.conftest import TODAY, api_token, csrf_from, sign_in
from tests.support.clock import FrozenClock

ALICE = "alice@example.org"
BOB = "bob@example.org"
CAROL = "carol@example.org"
PHQ9_NAME = "Patient Health Questionnaire (PHQ-9)"
DEFAULT_DUE = {
    "Patient Health Questionnaire (PHQ-9)",
    "Generalized Anxiety Disorder 7 (GAD-7)",
    "Weekly blunting check (project-written, not validated)",
    "Primary Care PTSD Screen for DSM-5 (PC-PTSD-5)",
    "Alcohol Use Disorders Identification Test - Consumption (AUDIT-C)",
}
MILD_WORDS = "Some signs of depression were reported: the range called mild."
NONE_WORDS = "Few or no signs of depression were reported for the past two weeks."
REASSURING = re.compile(
    r"you('| a)re (fine|ok|okay|safe|well|not at risk)|no risk|not at risk|nothing to worry"
    r"|all clear|no need to worry",
    re.IGNORECASE,
)
ANSWER_TO_FINISH = "Answer this to see your result."


# --- helpers -------------------------------------------------------------------------------------


def count_responses(session: Session) -> int:
    """Rows in questionnaire_responses, as the app's own connection sees them."""
    count = session.scalar(select(func.count()).select_from(QuestionnaireResponse))
    session.commit()
    return int(count or 0)


def phq9_scores(*scores: int) -> dict[str, str]:
    """Form fields for the PHQ-9: q1, q2, ... with the given scores."""
    return {f"q{n}": str(score) for n, score in enumerate(scores, start=1)}


def open_form(client: TestClient, instrument: str = "phq9") -> str:
    page = client.get(f"/questionnaires/{instrument}")
    assert page.status_code == 200, page.text
    return page.text


def post_form(
    client: TestClient,
    answers: dict[str, str],
    *,
    action: str = "finish",
    instrument: str = "phq9",
    **headers: str,
) -> Any:
    data = {"csrf_token": csrf_from(open_form(client, instrument)), "action": action, **answers}
    return client.post(
        f"/questionnaires/{instrument}", data=data, headers=headers, follow_redirects=False
    )


def finish_phq9(client: TestClient, *scores: int) -> tuple[int, str]:
    """Answer the whole PHQ-9 in the browser; returns the response id and the result page."""
    response = post_form(client, phq9_scores(*scores))
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    match = re.fullmatch(r"/questionnaires/responses/(\d+)(\?support=1)?", location)
    assert match, location
    page = client.get(location)
    assert page.status_code == 200, page.text
    return int(match.group(1)), page.text


def radio_checked(html: str, name: str, value: int) -> bool:
    pattern = rf'<input type="radio" name="{name}" value="{value}"( checked)?>'
    match = re.search(pattern, html)
    assert match, f"no radio button {name}={value} on the page"
    return match.group(1) is not None


def field_error(html: str, name: str) -> str | None:
    match = re.search(rf'<p class="field-error" id="{name}-error">([^<]*)</p>', html)
    return match.group(1) if match else None


def crisis_card(html: str) -> str:
    start = html.index('data-testid="crisis-card"')
    return html[start : html.index("</section>", start)]


def due_list(html: str) -> str:
    start = html.index('data-testid="due-list"')
    return html[start : html.index("</ul>", start)]


def api_submit(
    client: TestClient, headers: dict[str, str], answers: dict[str, Any], instrument: str = "phq9"
) -> Any:
    return client.post(
        f"/api/v1/questionnaires/{instrument}/responses",
        json={"answers": answers},
        headers=headers,
    )


def api_phq9(*scores: int) -> dict[str, int]:
    return {f"q{n}": score for n, score in enumerate(scores, start=1)}


@pytest.fixture
def signed_in(client: TestClient, alice: User) -> TestClient:
    sign_in(client, ALICE)
    return client


@pytest.fixture
def headers(client: TestClient, alice: User) -> dict[str, str]:
    return api_token(client, ALICE)


# --- the list of questionnaires -----------------------------------------------------------------


def test_a_new_person_sees_the_default_set_due_today(signed_in: TestClient) -> None:
    page = signed_in.get("/questionnaires")

    assert page.status_code == 200
    listed = due_list(page.text)
    for name in DEFAULT_DUE:
        assert name in listed
    assert "PTSD Checklist for DSM-5 (PCL-5)" not in listed  # only after a positive screen
    assert listed.count("<li") == 5
    assert "overdue" not in listed
    assert "every 2 weeks" in listed


def test_a_questionnaire_four_days_late_is_shown_overdue(
    signed_in: TestClient, clock: FrozenClock
) -> None:
    clock.advance(dt.timedelta(days=4))  # 19 June: due since 15 June

    listed = due_list(signed_in.get("/questionnaires").text)

    assert "overdue since 15 June" in listed


def test_three_days_late_is_still_just_due(signed_in: TestClient, clock: FrozenClock) -> None:
    clock.advance(dt.timedelta(days=3))

    listed = due_list(signed_in.get("/questionnaires").text)

    assert "overdue" not in listed


def test_a_finished_phq9_leaves_the_list_and_shows_under_recent_results(
    signed_in: TestClient,
) -> None:
    response_id, _ = finish_phq9(signed_in, 1, 1, 1, 1, 1, 0, 0, 0, 0)

    page = signed_in.get("/questionnaires").text

    assert PHQ9_NAME not in due_list(page)
    assert f'href="/questionnaires/responses/{response_id}"' in page


def test_the_home_page_lists_questionnaires_due(signed_in: TestClient) -> None:
    page = signed_in.get("/")

    assert page.status_code == 200
    assert "Questionnaires due" in page.text
    listed = due_list(page.text)
    assert 'href="/questionnaires/phq9"' in listed
    assert PHQ9_NAME in listed


def test_the_home_page_marks_an_overdue_questionnaire(
    signed_in: TestClient, clock: FrozenClock
) -> None:
    clock.advance(dt.timedelta(days=4))

    listed = due_list(signed_in.get("/").text)

    assert '<span class="badge overdue">overdue</span>' in listed


def test_a_reassessment_shows_as_coming_up_then_due_on_its_date(
    client: TestClient, alice: User, session: Session, clock: FrozenClock
) -> None:
    service.schedule_reassessments(
        session,
        alice,
        source_id=7,
        event_date=TODAY,
        event_label="the medication change of 15 June 2026",
        now=clock.now(),
    )
    session.commit()
    sign_in(client, ALICE)

    before = client.get("/questionnaires").text
    clock.advance(dt.timedelta(days=14))  # 29 June
    sign_in(client, ALICE)
    on_the_day = client.get("/questionnaires").text

    assert "on 29 June 2026" in before
    assert "2 weeks after the medication change of 15 June 2026" in before
    assert "2 weeks after the medication change of 15 June 2026" in due_list(on_the_day)


# --- answering and the result page --------------------------------------------------------------


def test_answering_phq9_leads_to_the_result_with_total_band_explanation_and_trend(
    signed_in: TestClient, session: Session
) -> None:
    # 1+1+1+1+1+1+0+0+0 = 6: mild (5-9).
    response_id, page = finish_phq9(signed_in, 1, 1, 1, 1, 1, 1, 0, 0, 0)

    result = page[page.index('data-testid="result"') :]
    assert '<span class="total">6</span>' in result
    assert '<span class="of"> out of 27</span>' in result
    assert '<span class="band">mild</span>' in result
    assert MILD_WORDS in result
    assert "It is not a diagnosis" in result
    assert '<svg viewBox="0 0' in result
    assert 'class="trend-chart"' in result
    assert 'data-band="moderately severe"' in result  # the bands are shaded behind the line
    assert f'data-date="{TODAY.isoformat()}"' in result
    assert "crisis-card" not in page
    assert count_responses(session) == 1
    assert response_id > 0


def test_the_trend_chart_shows_every_finished_phq9(
    signed_in: TestClient, clock: FrozenClock
) -> None:
    finish_phq9(signed_in, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    clock.advance(dt.timedelta(days=13))  # 28 June; still inside the 14-day session
    _, page = finish_phq9(signed_in, 2, 2, 2, 2, 2, 0, 0, 0, 0)  # 10: moderate

    assert 'data-date="2026-06-15"' in page
    assert 'data-date="2026-06-28"' in page
    table = page[page.index('-table">') :]
    assert '<th scope="row">2026-06-15</th><td>0</td><td>none-minimal</td>' in table
    assert '<th scope="row">2026-06-28</th><td>10</td><td>moderate</td>' in table


def test_item_9_endorsed_shows_the_crisis_card_before_the_score(
    signed_in: TestClient, alice: User, session: Session
) -> None:
    # 1+1+1+1+1+0+0+0+1 = 6
    response = post_form(signed_in, phq9_scores(1, 1, 1, 1, 1, 0, 0, 0, 1))
    assert response.status_code == 303
    assert response.headers["location"].startswith("/questionnaires/responses/")

    page = signed_in.get(response.headers["location"]).text

    card_at = page.index('data-testid="crisis-card"')
    assert card_at < page.index('data-testid="result"')
    assert card_at < page.index('<span class="total">6</span>')
    card = crisis_card(page)
    assert 'href="tel:988"' in card
    assert "838255" in card
    assert "immediate danger, call 911" in card
    assert "You can keep using AffectRange as usual." in card
    assert len(list_safety_events(session, alice)) == 1
    session.commit()


def test_the_card_stays_on_the_result_page_when_it_is_opened_again(signed_in: TestClient) -> None:
    response_id, _ = finish_phq9(signed_in, 0, 0, 0, 0, 0, 0, 0, 0, 2)

    again = signed_in.get(f"/questionnaires/responses/{response_id}").text

    assert again.index('data-testid="crisis-card"') < again.index('data-testid="result"')


def test_after_the_card_the_app_is_not_blocked(signed_in: TestClient) -> None:
    finish_phq9(signed_in, 0, 0, 0, 0, 0, 0, 0, 0, 3)

    for path in ("/", "/checkins/new", "/questionnaires", "/questionnaires/gad7"):
        assert signed_in.get(path).status_code == 200, path


def test_item_9_at_0_shows_no_card_and_no_reassurance(
    signed_in: TestClient, alice: User, session: Session
) -> None:
    _, page = finish_phq9(signed_in, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    assert "crisis-card" not in page
    assert '<span class="total">0</span>' in page
    assert NONE_WORDS in page
    assert not REASSURING.search(page), REASSURING.search(page)
    assert list_safety_events(session, alice) == []
    session.commit()


def test_item_9_endorsed_while_saving_for_later_shows_the_card_at_once(
    signed_in: TestClient,
) -> None:
    response = post_form(signed_in, {"q9": "1"}, action="save")

    assert response.status_code == 303
    page = signed_in.get(response.headers["location"]).text
    assert page.index('data-testid="crisis-card"') < page.index("<h1>")
    assert "Your answers are saved." in crisis_card(page)


def test_item_9_endorsed_with_other_items_missing_shows_the_card_with_the_form(
    signed_in: TestClient,
) -> None:
    response = post_form(signed_in, {"q1": "2", "q9": "1"})

    assert response.status_code == 422
    html = response.text
    assert html.index('data-testid="crisis-card"') < html.index('id="questionnaire-form"')


def test_save_and_continue_later_keeps_the_answers_and_shows_progress(
    signed_in: TestClient,
) -> None:
    response = post_form(signed_in, phq9_scores(0, 1, 2, 3), action="save")

    assert response.status_code == 303
    assert response.headers["location"] == "/questionnaires/phq9?saved=1"
    saved_page = signed_in.get(response.headers["location"]).text
    assert "Your answers so far are saved." in saved_page
    later = open_form(signed_in)
    assert "Welcome back: your earlier answers are filled in." in later
    assert "4 of 9 answered" in later
    assert radio_checked(later, "q1", 0)
    assert radio_checked(later, "q2", 1)
    assert radio_checked(later, "q3", 2)
    assert radio_checked(later, "q4", 3)
    assert not radio_checked(later, "q4", 2)
    assert not any(radio_checked(later, "q5", value) for value in range(4))


def test_resuming_and_finishing_completes_the_saved_response(
    signed_in: TestClient, session: Session
) -> None:
    post_form(signed_in, phq9_scores(3, 3), action="save")

    # The browser sends the filled-in answers again along with the new ones: 3*4 + 2*4 = 20.
    response_id, page = finish_phq9(signed_in, 3, 3, 3, 3, 2, 2, 2, 2, 0)

    assert '<span class="total">20</span>' in page
    assert '<span class="band">severe</span>' in page
    assert count_responses(session) == 1
    assert "Welcome back" not in open_form(signed_in)  # a fresh form for the next time
    assert response_id > 0


def test_finishing_with_a_missing_item_lists_it_and_keeps_the_answers(
    signed_in: TestClient, session: Session
) -> None:
    answers = phq9_scores(1, 1, 1, 1, 1, 1, 1, 1)  # item 9 left out

    response = post_form(signed_in, answers)

    assert response.status_code == 422
    html = response.text
    assert "Your answers so far are saved. 1 question still needs an answer" in html
    assert f'<a href="#q9-error">Question 9</a>: {ANSWER_TO_FINISH}' in html
    assert field_error(html, "q9") == ANSWER_TO_FINISH
    assert field_error(html, "q8") is None
    assert radio_checked(html, "q8", 1)
    assert "8 of 9 answered" in html
    later = open_form(signed_in)
    assert "8 of 9 answered" in later
    assert all(radio_checked(later, f"q{n}", 1) for n in range(1, 9))
    assert count_responses(session) == 1  # kept, unfinished


def test_an_answer_not_on_the_form_is_refused_and_nothing_is_saved(
    signed_in: TestClient, session: Session
) -> None:
    answers = {**phq9_scores(2, 2, 2, 2, 2, 2, 2, 2, 0), "q3": "7"}

    response = post_form(signed_in, answers)

    assert response.status_code == 422
    html = response.text
    assert "Nothing was saved. Please check 1 answer:" in html
    assert field_error(html, "q3") == "Choose one of the answers shown."
    assert radio_checked(html, "q2", 2)  # what was chosen is still chosen
    assert not any(radio_checked(html, "q3", value) for value in range(4))
    assert count_responses(session) == 0
    assert "Welcome back" not in open_form(signed_in)


def test_an_invalid_answer_does_not_overwrite_answers_saved_earlier(
    signed_in: TestClient,
) -> None:
    post_form(signed_in, phq9_scores(3, 3), action="save")

    response = post_form(signed_in, {"q1": "0", "q2": "x"}, action="save")

    assert response.status_code == 422
    later = open_form(signed_in)
    assert radio_checked(later, "q1", 3)
    assert radio_checked(later, "q2", 3)


def test_a_form_without_a_csrf_token_is_refused_and_saves_nothing(
    signed_in: TestClient, session: Session
) -> None:
    data = {"action": "finish", **phq9_scores(0, 0, 0, 0, 0, 0, 0, 0, 0)}

    response = signed_in.post("/questionnaires/phq9", data=data, follow_redirects=False)

    assert response.status_code == 403
    assert count_responses(session) == 0


def test_htmx_finishing_answers_with_a_redirect_header(signed_in: TestClient) -> None:
    response = post_form(
        signed_in, phq9_scores(0, 0, 0, 0, 0, 0, 0, 0, 0), **{"HX-Request": "true"}
    )

    assert response.status_code == 204
    assert re.fullmatch(r"/questionnaires/responses/\d+", response.headers["HX-Redirect"])


def test_an_unknown_questionnaire_is_404(signed_in: TestClient) -> None:
    assert signed_in.get("/questionnaires/nonesuch").status_code == 404
    # A licensed plug-in whose text this server does not hold cannot be answered either.
    assert signed_in.get("/questionnaires/odq").status_code == 404


@pytest.mark.parametrize("instrument", [i.id for i in SHIPPED])
def test_every_shipped_questionnaire_has_a_result_page_and_a_trend(
    client: TestClient, headers: dict[str, str], instrument: str
) -> None:
    # The first option of every item scores 0 (and "No" ends the routing questions): total 0.
    lowest = {item.id: item.options[0].value for item in get_instrument(instrument).items}
    saved = api_submit(client, headers, lowest, instrument)
    assert saved.status_code == 201, saved.text
    assert saved.json()["total"] == 0
    sign_in(client, ALICE)

    page = client.get(f"/questionnaires/responses/{saved.json()['id']}")
    results = client.get("/questionnaires/results")

    assert page.status_code == 200
    assert '<span class="total">0</span>' in page.text
    assert 'class="trend-chart"' in page.text
    assert "crisis-card" not in page.text
    assert results.status_code == 200
    assert f'data-date="{TODAY.isoformat()}"' in results.text


# --- ownership and roles ------------------------------------------------------------------------


def test_bob_gets_404_for_alices_result_page(
    client: TestClient, headers: dict[str, str], bob: User
) -> None:
    alices = api_submit(client, headers, api_phq9(2, 2, 2, 2, 2, 2, 2, 2, 1)).json()
    sign_in(client, BOB)

    page = client.get(f"/questionnaires/responses/{alices['id']}")

    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert '<span class="total">' not in page.text
    assert "crisis-card" not in page.text


def test_bob_cannot_resume_or_clear_alices_unfinished_answers(
    client: TestClient, alice: User, bob: User
) -> None:
    sign_in(client, ALICE)
    post_form(client, phq9_scores(2, 2, 2), action="save")
    sign_in(client, BOB)

    bobs_form = open_form(client)
    restart = client.post(
        "/questionnaires/phq9/restart",
        data={"csrf_token": csrf_from(bobs_form)},
        follow_redirects=False,
    )
    sign_in(client, ALICE)
    alices_form = open_form(client)

    assert "Welcome back" not in bobs_form
    assert "0 of 9 answered" in bobs_form
    assert restart.status_code == 303
    assert "3 of 9 answered" in alices_form


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/questionnaires"),
        ("GET", "/questionnaires/phq9"),
        ("POST", "/questionnaires/phq9"),
        ("GET", "/questionnaires/schedule"),
        ("GET", "/questionnaires/results"),
    ],
)
def test_a_clinician_gets_403_on_the_questionnaire_pages(
    client: TestClient, carol: User, method: str, path: str
) -> None:
    sign_in(client, CAROL)
    csrf = csrf_from(client.get("/account").text)
    data = {"csrf_token": csrf, **phq9_scores(0, 0, 0, 0, 0, 0, 0, 0, 0)}

    response = client.request(method, path, data=data if method == "POST" else None)

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/questionnaires/due"),
        ("GET", "/api/v1/questionnaires/responses"),
        ("POST", "/api/v1/questionnaires/phq9/responses"),
    ],
)
def test_a_clinician_gets_403_from_the_questionnaire_api(
    client: TestClient, carol: User, method: str, path: str
) -> None:
    body = {"answers": api_phq9(0, 0, 0, 0, 0, 0, 0, 0, 0)} if method == "POST" else None

    response = client.request(method, path, json=body, headers=api_token(client, CAROL))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


# --- the schedule page ----------------------------------------------------------------------------


def schedule_form(html: str) -> dict[str, str]:
    """What a browser sends for the schedule form as it is shown."""
    data = {"csrf_token": csrf_from(html)}
    selects = re.finditer(
        r'<select id="([a-z0-9_]+)-every" name="\1-every"[^>]*>(.*?)</select>', html, re.S
    )
    for match in selects:
        chosen = re.search(r'<option value="([^"]+)" selected>', match.group(2))
        assert chosen, f"nothing chosen for {match.group(1)}"
        data[f"{match.group(1)}-every"] = chosen.group(1)
    for match in re.finditer(r'name="([a-z0-9_]+)-enabled"( checked)?>', html):
        if match.group(2):
            data[f"{match.group(1)}-enabled"] = "on"
    return data


def schedule_row(html: str, instrument: str) -> str:
    start = html.index(f'<select id="{instrument}-every"')
    return html[start : html.index("</tr>", start)]


def test_the_schedule_page_shows_the_defaults(signed_in: TestClient) -> None:
    page = signed_in.get("/questionnaires/schedule").text

    assert '<option value="14" selected>every 2 weeks</option>' in schedule_row(page, "phq9")
    assert '<option value="7" selected>every week</option>' in schedule_row(page, "blunting_check")
    assert '<option value="once" selected>once</option>' in schedule_row(page, "pcptsd5")
    assert '<option value="30" selected>every month</option>' in schedule_row(page, "auditc")
    assert "15 June 2026" in schedule_row(page, "phq9")
    assert "only after a positive PTSD screen" in page


def test_changing_an_interval_is_saved_and_shown(
    signed_in: TestClient, headers: dict[str, str]
) -> None:
    assert api_submit(signed_in, headers, api_phq9(0, 0, 0, 0, 0, 0, 0, 0, 0)).status_code == 201
    page = signed_in.get("/questionnaires/schedule").text
    assert "29 June 2026" in schedule_row(page, "phq9")  # 15 June + 14
    data = schedule_form(page)
    data["phq9-every"] = "28"

    response = signed_in.post("/questionnaires/schedule", data=data, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/questionnaires/schedule?saved=1"
    after = signed_in.get(response.headers["location"]).text
    assert "Your schedule is saved." in after
    row = schedule_row(after, "phq9")
    assert '<option value="28" selected>every 4 weeks</option>' in row
    assert "13 July 2026" in row  # 15 June + 28
    assert '<option value="7" selected>every week</option>' in schedule_row(after, "blunting_check")


def test_switching_a_questionnaire_off_takes_it_off_the_due_list(signed_in: TestClient) -> None:
    data = schedule_form(signed_in.get("/questionnaires/schedule").text)
    del data["auditc-enabled"]

    signed_in.post("/questionnaires/schedule", data=data, follow_redirects=False)

    listed = due_list(signed_in.get("/questionnaires").text)
    assert "AUDIT-C" not in listed
    assert PHQ9_NAME in listed


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10", "Choose once, or every 7, 14, 28, 30, 90 days."),
        ("abc", "Choose how often from the list."),
        ("-14", "Choose how often from the list."),
    ],
)
def test_a_bad_interval_is_refused_naming_the_row(
    signed_in: TestClient, value: str, message: str
) -> None:
    data = schedule_form(signed_in.get("/questionnaires/schedule").text)
    data["phq9-every"] = value
    data["gad7-every"] = "28"  # a good change sent with it is not saved either

    response = signed_in.post("/questionnaires/schedule", data=data, follow_redirects=False)

    assert response.status_code == 422
    assert "Nothing was saved." in response.text
    assert field_error(response.text, "phq9") == message
    assert field_error(response.text, "gad7") is None
    after = signed_in.get("/questionnaires/schedule").text
    assert '<option value="14" selected>' in schedule_row(after, "phq9")
    assert '<option value="14" selected>' in schedule_row(after, "gad7")


def test_the_schedule_form_needs_its_csrf_token(signed_in: TestClient) -> None:
    data = schedule_form(signed_in.get("/questionnaires/schedule").text)
    del data["csrf_token"]
    data["phq9-every"] = "28"

    response = signed_in.post("/questionnaires/schedule", data=data, follow_redirects=False)

    assert response.status_code == 403
    page = signed_in.get("/questionnaires/schedule").text
    assert '<option value="14" selected>' in schedule_row(page, "phq9")


# --- the JSON API --------------------------------------------------------------------------------


def test_api_answering_phq9_returns_the_result(client: TestClient, headers: dict[str, str]) -> None:
    # 2+2+2+2+2+2+2+2+0 = 16: moderately severe, at or above the screening cut-off of 10.
    response = api_submit(client, headers, {**api_phq9(2, 2, 2, 2, 2, 2, 2, 2, 0), "q10": 1})

    assert response.status_code == 201
    body = response.json()
    assert body["instrument"] == "phq9"
    assert body["status"] == "completed"
    assert body["total"] == 16
    assert body["band"] == "moderately severe"
    assert body["positive"] is True
    assert body["safety"] is False
    assert body["completed_on"] == TODAY.isoformat()
    assert body["answers"]["q10"] == 1
    assert body["crisis_support"] is None


def test_api_item_9_endorsed_returns_crisis_support(
    client: TestClient, headers: dict[str, str], alice: User, session: Session
) -> None:
    response = api_submit(client, headers, api_phq9(0, 0, 0, 0, 0, 0, 0, 0, 1))

    assert response.status_code == 201
    body = response.json()
    assert body["total"] == 1
    assert body["safety"] is True
    support = body["crisis_support"]
    assert support["emergency_number"] == "911"
    assert any(resource["href"] == "tel:988" for resource in support["resources"])
    events = list_safety_events(session, alice)
    assert [(event.signal.value, event.item_value) for event in events] == [("phq9_item9", 1)]
    session.commit()


def test_api_missing_items_are_named_and_nothing_is_kept(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    response = api_submit(
        client, headers, {"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 1, "q9": None}
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert set(error["fields"]) == {"q6", "q7", "q8", "q9"}
    assert error["fields"]["q9"] == "This is required."
    assert count_responses(session) == 0


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"q3": 4}, "q3"),
        ({"q3": "1"}, "q3"),
        ({"q12": 0}, "q12"),
    ],
)
def test_api_an_invalid_answer_is_named_and_nothing_is_kept(
    client: TestClient,
    headers: dict[str, str],
    session: Session,
    answers: dict[str, Any],
    field: str,
) -> None:
    response = api_submit(client, headers, {**api_phq9(0, 0, 0, 0, 0, 0, 0, 0, 0), **answers})

    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert count_responses(session) == 0


def test_api_unknown_body_fields_are_refused(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/questionnaires/phq9/responses",
        json={"answers": api_phq9(0, 0, 0, 0, 0, 0, 0, 0, 0), "total": 0},
        headers=headers,
    )

    assert response.status_code == 422


def test_api_a_late_evening_answer_counts_for_the_local_day(
    client: TestClient, headers: dict[str, str], clock: FrozenClock
) -> None:
    # 02:00 UTC on 16 June is 22:00 on 15 June in New York, where alice lives.
    clock.moment = dt.datetime(2026, 6, 16, 2, 0, tzinfo=dt.UTC)

    body = api_submit(client, headers, api_phq9(0, 0, 0, 0, 0, 0, 0, 0, 0)).json()

    assert body["completed_on"] == "2026-06-15"


def test_api_due_lists_what_a_new_person_is_asked(
    client: TestClient, headers: dict[str, str]
) -> None:
    before = client.get("/api/v1/questionnaires/due", headers=headers)
    api_submit(client, headers, api_phq9(0, 0, 0, 0, 0, 0, 0, 0, 0))
    after = client.get("/api/v1/questionnaires/due", headers=headers)

    assert before.status_code == 200
    due = {item["instrument"]: item for item in before.json()["due"]}
    assert sorted(due) == ["auditc", "blunting_check", "gad7", "pcptsd5", "phq9"]
    assert due["phq9"] == {
        "instrument": "phq9",
        "name": PHQ9_NAME,
        "due_on": TODAY.isoformat(),
        "overdue": False,
        "reasons": ["every 2 weeks"],
    }
    assert "phq9" not in {item["instrument"] for item in after.json()["due"]}


def test_api_lists_completed_responses_oldest_first(
    client: TestClient, headers: dict[str, str], clock: FrozenClock
) -> None:
    first = api_submit(client, headers, api_phq9(1, 0, 0, 0, 0, 0, 0, 0, 0)).json()
    clock.advance(dt.timedelta(days=14))
    second = api_submit(client, headers, api_phq9(1, 1, 0, 0, 0, 0, 0, 0, 0)).json()
    gad7 = api_submit(client, headers, {f"q{n}": 1 for n in range(1, 8)}, "gad7").json()

    listed = client.get("/api/v1/questionnaires/responses", headers=headers)
    only_phq9 = client.get("/api/v1/questionnaires/responses?instrument=phq9", headers=headers)
    one = client.get(f"/api/v1/questionnaires/responses/{second['id']}", headers=headers)

    assert [(r["id"], r["total"]) for r in listed.json()["responses"]] == [
        (first["id"], 1),
        (second["id"], 2),
        (gad7["id"], 7),
    ]
    assert [r["id"] for r in only_phq9.json()["responses"]] == [first["id"], second["id"]]
    assert one.json()["completed_on"] == "2026-06-29"
    assert gad7["band"] == "mild"  # 7: GAD-7 mild is 5-9


def test_api_response_as_fhir(client: TestClient, headers: dict[str, str]) -> None:
    # 0+1+2+3+0+1+2+3+0 = 12
    saved = api_submit(client, headers, api_phq9(0, 1, 2, 3, 0, 1, 2, 3, 0)).json()

    response = client.get(f"/api/v1/questionnaires/responses/{saved['id']}/fhir", headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    resource = FhirResponse.model_validate_json(response.text)
    assert resource.status == "completed"
    assert resource.id == str(saved["id"])
    items = {item.linkId: item for item in resource.item or []}
    total = items["total"].answer
    assert total is not None
    assert total[0].valueInteger == 12
    assert {f"q{n}" for n in range(1, 10)} <= set(items)


def test_api_questionnaire_definition_as_fhir(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/api/v1/questionnaires/phq9/fhir", headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    questionnaire = Questionnaire.model_validate_json(response.text)

    def link_ids(items: Any) -> set[str]:
        found: set[str] = set()
        for item in items or []:
            found.add(item.linkId)
            found |= link_ids(item.item)
        return found

    assert {f"q{n}" for n in range(1, 11)} <= link_ids(questionnaire.item)
    assert questionnaire.status == "active" or questionnaire.status is not None


def test_api_bob_gets_404_for_alices_response(
    client: TestClient, headers: dict[str, str], bob: User
) -> None:
    alices = api_submit(client, headers, api_phq9(3, 3, 3, 3, 3, 3, 3, 3, 0)).json()
    bobs_headers = api_token(client, BOB)

    for path in (
        f"/api/v1/questionnaires/responses/{alices['id']}",
        f"/api/v1/questionnaires/responses/{alices['id']}/fhir",
    ):
        response = client.get(path, headers=bobs_headers)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
        assert "24" not in response.text
    listed = client.get("/api/v1/questionnaires/responses", headers=bobs_headers)
    assert listed.json()["responses"] == []
    still = client.get(f"/api/v1/questionnaires/responses/{alices['id']}", headers=headers)
    assert still.json()["total"] == 24


def test_api_impossible_response_ids_are_refused(
    client: TestClient, headers: dict[str, str]
) -> None:
    for path in (
        "/api/v1/questionnaires/responses/0",
        "/api/v1/questionnaires/responses/99999999999999999999",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 422, path
        assert "response_id" in response.json()["error"]["fields"]
