"""Links into the learning pages: from the pattern card on "My emotional range" and from
questionnaire results, each to a page and a section that exist."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.analysis.items import NEGATIVE_ITEMS, POSITIVE_ITEMS
from affectrange.instruments import get_instrument
from affectrange.instruments.registry import PLUGINS, SHIPPED
from affectrange.learning.content import LEARN_MORE, PAGES
from tests.conftest import api_token, sign_in
from tests.emotional_range.helpers import load_story, record_days, steady_days

ALICE = "alice@example.org"
LEARN_LINK = re.compile(
    r'<p class="learn-link" data-testid="learn-link">[^<]*<a href="([^"]+)">([^<]+)</a>'
)
PATTERN = re.compile(r'data-testid="pattern-card" data-pattern="([a-z_]+)"')


def follow(client: TestClient, href: str) -> str:
    """Open a link to a learning page; its section, if it names one, must be on the page."""
    path, _, anchor = href.partition("#")
    response = client.get(path)
    assert response.status_code == 200, href
    if anchor:
        assert f'id="{anchor}"' in response.text, href
    return response.text


def heading_of(page: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", page)
    assert match
    return html.unescape(match.group(1))


def range_page(client: TestClient) -> str:
    sign_in(client, ALICE)
    response = client.get("/range")
    assert response.status_code == 200
    return response.text


# --- from the pattern card ----------------------------------------------------------------------


def test_a_blunting_like_card_links_to_what_blunting_is(
    client: TestClient, session: Session, alice: User
) -> None:
    load_story(session, alice)

    page = range_page(client)

    assert PATTERN.findall(page) == ["blunting_like"]
    assert LEARN_LINK.findall(page) == [
        ("/learn/what-is-emotional-blunting", "What is emotional blunting?")
    ]
    assert heading_of(follow(client, "/learn/what-is-emotional-blunting")) == (
        "What is emotional blunting?"
    )


def test_an_anhedonia_like_card_links_to_blunting_or_anhedonia(
    client: TestClient, session: Session, alice: User
) -> None:
    # Good feelings low, bad feelings not high, not numb: anhedonia-like.
    record_days(session, alice, steady_days(20, value=1))
    session.commit()

    page = range_page(client)

    assert PATTERN.findall(page) == ["anhedonia_like"]
    [(href, text)] = LEARN_LINK.findall(page)
    assert (href, text) == (
        "/learn/blunting-anhedonia-dissociation#anhedonia",
        "Blunting or anhedonia?",
    )
    assert "Anhedonia: less pleasure" in follow(client, href)


def test_a_low_mood_card_links_to_blunting_or_low_mood(
    client: TestClient, session: Session, alice: User
) -> None:
    ratings = dict.fromkeys(POSITIVE_ITEMS, 1) | dict.fromkeys(NEGATIVE_ITEMS, 4)
    record_days(session, alice, steady_days(20, value=1, items=ratings))
    session.commit()

    page = range_page(client)

    assert PATTERN.findall(page) == ["depressed_affect"]
    [(href, _)] = LEARN_LINK.findall(page)
    assert href == "/learn/blunting-anhedonia-dissociation#depression"
    follow(client, href)


def test_no_pattern_has_no_learning_link(client: TestClient, session: Session, alice: User) -> None:
    record_days(session, alice, steady_days(20, value=3))
    session.commit()

    page = range_page(client)

    assert PATTERN.findall(page) == ["no_pattern"]
    assert LEARN_LINK.findall(page) == []


# --- from questionnaire results -----------------------------------------------------------------


def result_page(client: TestClient, alice: User, instrument: str) -> str:
    lowest = {item.id: item.options[0].value for item in get_instrument(instrument).items}
    saved = client.post(
        f"/api/v1/questionnaires/{instrument}/responses",
        json={"answers": lowest},
        headers=api_token(client, ALICE),
    )
    assert saved.status_code == 201, saved.text
    sign_in(client, ALICE)
    response = client.get(f"/questionnaires/responses/{saved.json()['id']}")
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize(
    ("instrument", "href", "section"),
    [
        ("phq9", "/learn/blunting-anhedonia-dissociation#depression", "Low mood, or depression"),
        ("pcl5", "/learn/causes#ptsd", "PTSD"),
        ("pcptsd5", "/learn/causes#ptsd", "PTSD"),
        ("auditc", "/learn/causes#substances", "Alcohol and other drugs"),
        ("blunting_check", "/learn/what-is-emotional-blunting", "What it can feel like"),
    ],
)
def test_a_result_links_to_the_page_that_suits_the_questionnaire(
    client: TestClient, alice: User, instrument: str, href: str, section: str
) -> None:
    page = result_page(client, alice, instrument)

    [(linked, _)] = LEARN_LINK.findall(page)
    assert linked == href
    assert section in follow(client, linked)


def test_every_questionnaire_has_a_learn_more_link_to_a_page_that_exists(
    client: TestClient,
) -> None:
    slugs = {page.slug for page in PAGES}
    instruments = {instrument.id for instrument in (*SHIPPED, *PLUGINS)}

    assert set(LEARN_MORE) == instruments
    for link in LEARN_MORE.values():
        assert link.slug in slugs
        follow(client, link.href)
