"""Sharing in the browser: alice invites, carol previews and accepts, codes work once and only
within 7 days, roles are kept apart, and choosing nothing is refused.

Each persona has their own signed-in browser (`client_for`), all on the same app and database.
"""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.sharing import service
from affectrange.sharing.scopes import SCOPE_LABELS, Scopes
from tests.conftest import NOW
from tests.sharing.conftest import ClientFor
from tests.sharing.helpers import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    active_shares,
    field_error,
    form_scopes,
    page_csrf,
    share,
    text_of,
)
from tests.support.clock import FrozenClock

CODE_PATTERN = re.compile(r'data-testid="invitation-code">([^<]+)</code>')
CANCEL_PATTERN = re.compile(r'action="/sharing/invitations/(\d+)/cancel"')


def create_invitation(alice: TestClient, scopes: Scopes | None = None) -> Response:
    data = {"csrf_token": page_csrf(alice, "/sharing"), **form_scopes(scopes or Scopes())}
    return alice.post("/sharing/invitations", data=data, follow_redirects=False)


def new_code(alice: TestClient, scopes: Scopes | None = None) -> str:
    response = create_invitation(alice, scopes)
    assert response.status_code == 201, response.text
    match = CODE_PATTERN.search(response.text)
    assert match, response.text
    return match.group(1)


def accept(clinician: TestClient, code: str) -> Response:
    data = {"csrf_token": page_csrf(clinician, "/clinician/accept"), "code": code}
    return clinician.post("/clinician/accept", data=data, follow_redirects=False)


def checkbox_checked(page: str, box_id: str) -> bool:
    match = re.search(rf'<input type="checkbox" id="{box_id}"[^>]*>', page)
    assert match, f"no checkbox {box_id}"
    return " checked" in match.group(0)


def share_cards(page: str) -> list[str]:
    return re.findall(r'<article class="share-card".*?</article>', page, flags=re.S)


# --- inviting ----------------------------------------------------------------------------------


def test_the_invitation_form_leaves_notes_unticked(client_for: ClientFor, alice: User) -> None:
    page = client_for(ALICE).get("/sharing")

    assert page.status_code == 200
    assert 'data-testid="no-shares"' in page.text
    ticked = {name: checkbox_checked(page.text, f"invite-{name}") for name in SCOPE_LABELS}
    assert ticked == {
        "checkins": True,
        "questionnaires": True,
        "medications": True,
        "notes": False,
        "safety": True,
    }


def test_the_code_is_shown_once_and_the_invitation_listed_as_unused(
    client_for: ClientFor, alice: User
) -> None:
    browser = client_for(ALICE)

    code = new_code(browser)

    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    later = browser.get("/sharing")
    assert code not in later.text
    assert 'data-testid="invitations"' in later.text
    assert len(CANCEL_PATTERN.findall(later.text)) == 1
    listed = text_of(later.text[later.text.index('data-testid="invitations"') :])
    assert "check-ins, questionnaires, medications, safety" in listed
    assert "22 Jun 2026 16:00 UTC" in listed  # works until 7 days after NOW


def test_the_link_opens_the_acceptance_page_with_the_code(
    client_for: ClientFor, alice: User, carol: User
) -> None:
    response = create_invitation(client_for(ALICE))
    link = re.search(r'data-testid="invitation-link">([^<]+)</a>', response.text)
    assert link
    code = CODE_PATTERN.search(response.text)
    assert code

    preview = client_for(CAROL).get(link.group(1).replace("&amp;", "&"))

    assert preview.status_code == 200
    assert f'value="{code.group(1)}"' in preview.text
    assert "Alice invites you to see their record" in text_of(preview.text)


def test_carol_previews_then_accepts_and_alice_sees_her_with_the_choice(
    client_for: ClientFor, session: Session, alice: User, carol: User
) -> None:
    alice_browser, carol_browser = client_for(ALICE), client_for(CAROL)
    code = new_code(alice_browser, Scopes(questionnaires=False, notes=True))

    preview = carol_browser.get("/clinician/accept", params={"code": code})
    words = text_of(preview.text)
    assert preview.status_code == 200
    assert "Alice invites you to see their record" in words
    assert SCOPE_LABELS["notes"] in words
    assert SCOPE_LABELS["questionnaires"] not in words
    assert active_shares(session) == []  # a preview is not an acceptance

    accepted = accept(carol_browser, code)
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/clinician/people/{alice.id}?accepted=1"
    landing = carol_browser.get(accepted.headers["location"])
    assert landing.status_code == 200
    assert "Alice now shares their record with you" in text_of(landing.text)

    sharing_page = alice_browser.get("/sharing").text
    [card] = share_cards(sharing_page)
    assert "Carol" in card
    assert "carol@example.org" in card
    [share_id] = [row.id for row in active_shares(session)]
    ticked = {name: checkbox_checked(card, f"share-{share_id}-{name}") for name in SCOPE_LABELS}
    assert ticked == {
        "checkins": True,
        "questionnaires": False,
        "medications": True,
        "notes": True,
        "safety": True,
    }
    assert 'data-testid="invitations"' not in sharing_page  # no unused invitation left


def test_a_used_code_is_refused_on_the_code_field(
    client_for: ClientFor, session: Session, alice: User, carol: User, dave: User
) -> None:
    code = new_code(client_for(ALICE))
    assert accept(client_for(CAROL), code).status_code == 303

    again = accept(client_for(DAVE), code)

    assert again.status_code == 422
    assert field_error(again.text, "code") == service.INVALID_CODE_MESSAGE
    assert f'value="{code}"' in again.text  # what was typed is kept
    assert [row.clinician_id for row in active_shares(session)] == [carol.id]


def test_an_expired_code_is_refused_and_nothing_changes(
    client_for: ClientFor, session: Session, clock: FrozenClock, alice: User, carol: User
) -> None:
    alice_browser, carol_browser = client_for(ALICE), client_for(CAROL)
    code = new_code(alice_browser)
    clock.advance(dt.timedelta(days=7))

    preview = carol_browser.get("/clinician/accept", params={"code": code})
    refused = accept(carol_browser, code)

    assert preview.status_code == 422
    assert field_error(preview.text, "code") == service.INVALID_CODE_MESSAGE
    assert refused.status_code == 422
    assert field_error(refused.text, "code") == service.INVALID_CODE_MESSAGE
    assert active_shares(session) == []
    assert 'data-testid="invitations"' not in alice_browser.get("/sharing").text


def test_a_code_still_works_a_minute_before_it_expires(
    client_for: ClientFor, session: Session, clock: FrozenClock, alice: User, carol: User
) -> None:
    code = new_code(client_for(ALICE))
    clock.advance(dt.timedelta(days=7, minutes=-1))

    assert accept(client_for(CAROL), code).status_code == 303
    assert [row.clinician_id for row in active_shares(session)] == [carol.id]


def test_a_cancelled_code_is_refused(
    client_for: ClientFor, session: Session, alice: User, carol: User
) -> None:
    alice_browser = client_for(ALICE)
    code = new_code(alice_browser)
    page = alice_browser.get("/sharing").text
    [invitation_id] = CANCEL_PATTERN.findall(page)

    cancelled = alice_browser.post(
        f"/sharing/invitations/{invitation_id}/cancel",
        data={"csrf_token": page_csrf(alice_browser, "/sharing")},
        follow_redirects=False,
    )
    refused = accept(client_for(CAROL), code)

    assert cancelled.status_code == 303
    assert "its code no longer works" in text_of(
        alice_browser.get(cancelled.headers["location"]).text
    )
    assert refused.status_code == 422
    assert field_error(refused.text, "code") == service.INVALID_CODE_MESSAGE
    assert active_shares(session) == []


def test_choosing_nothing_is_refused_naming_the_scopes_field(
    client_for: ClientFor, alice: User
) -> None:
    browser = client_for(ALICE)

    response = browser.post(
        "/sharing/invitations",
        data={"csrf_token": page_csrf(browser, "/sharing")},
        follow_redirects=False,
    )

    assert response.status_code == 422
    assert (
        field_error(response.text, "scopes") == "Choose at least one part of your record to share."
    )
    assert 'data-testid="invitation-code"' not in response.text
    assert not checkbox_checked(response.text, "invite-checkins")  # what was ticked is kept
    assert 'data-testid="invitations"' not in browser.get("/sharing").text


def test_unticking_every_box_of_a_share_is_refused_and_keeps_the_share(
    client_for: ClientFor, session: Session, alice: User, carol: User
) -> None:
    record = share(session, alice, carol)
    browser = client_for(ALICE)

    response = browser.post(
        f"/sharing/shares/{record.share_id}",
        data={"csrf_token": page_csrf(browser, "/sharing")},
        follow_redirects=False,
    )

    assert response.status_code == 422
    assert "Choose at least one part" in text_of(response.text)
    assert [row.scopes for row in active_shares(session)] == [Scopes()]


def test_a_person_cannot_accept_an_invitation(
    client_for: ClientFor, session: Session, alice: User, bob: User
) -> None:
    code = new_code(client_for(ALICE))
    bob_browser = client_for(BOB)

    page = bob_browser.get("/clinician/accept", params={"code": code})
    posted = bob_browser.post(
        "/clinician/accept",
        data={"csrf_token": page_csrf(bob_browser, "/sharing"), "code": code},
        follow_redirects=False,
    )

    assert page.status_code == 403
    assert "Alice" not in page.text
    assert posted.status_code == 403
    assert active_shares(session) == []


def test_a_clinician_cannot_invite_or_open_the_sharing_page(
    client_for: ClientFor, session: Session, carol: User
) -> None:
    browser = client_for(CAROL)

    page = browser.get("/sharing")
    posted = browser.post(
        "/sharing/invitations",
        data={"csrf_token": page_csrf(browser, "/clinician/accept"), **form_scopes(Scopes())},
        follow_redirects=False,
    )

    assert page.status_code == 403
    assert posted.status_code == 403
    assert service.pending_invitations(session, carol, now=NOW) == []


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    for url in ("/sharing", "/clinician/accept", "/sharing/activity", "/clinician"):
        response = client.get(url, follow_redirects=False)
        assert response.status_code in (302, 303), url
        assert response.headers["location"].startswith("/login"), url
