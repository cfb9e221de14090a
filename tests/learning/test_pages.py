"""The learning pages through the real app: open to everyone, each with its heading, its sources
cited in the text, the crisis card where help is the subject, and no medication advice or licensed
questionnaire text anywhere."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from affectrange.accounts.models import User
from affectrange.instruments import (
    get_instrument,
    load_licensed_text,
    register_instrument,
    reset_registry,
)
from affectrange.instruments.registry import PLUGINS, built_in
from affectrange.learning.content import PAGES, SEEK_HELP, SOURCES, LearningPage, citer
from affectrange.safety import crisis_resources, medication_advice_in
from tests.conftest import sign_in
from tests.learning.helpers import body_text, body_units
from tests.test_medication_advice_guard import template_texts

ALICE = "alice@example.org"
CAROL = "carol@example.org"
SLUGS = [page.slug for page in PAGES]
H1 = re.compile(r"<h1>(.*?)</h1>", re.S)


def page_for(slug: str) -> LearningPage:
    return next(page for page in PAGES if page.slug == slug)


def words_of(page_html: str) -> str:
    """The page's words on one line: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page_html)).split())


def main_of(page_html: str) -> str:
    """What is inside <main>: the page itself, without the navigation and the footer."""
    start = page_html.index('<main id="main">')
    return page_html[start : page_html.index("</main>", start)]


def open_page(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.text


# --- who may read them --------------------------------------------------------------------------


def test_the_index_lists_every_page_signed_out(client: TestClient) -> None:
    page = open_page(client, "/learn")

    assert H1.findall(page) == ["Learn about emotional blunting"]
    listed = re.findall(r'<li><a href="(/learn/[a-z-]+)">([^<]+)</a>', page)
    assert listed == [(f"/learn/{p.slug}", html.escape(p.title)) for p in PAGES]
    assert len(listed) == 7


@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_opens_signed_out_with_its_heading(client: TestClient, slug: str) -> None:
    page = open_page(client, f"/learn/{slug}")

    assert H1.findall(page) == [html.escape(page_for(slug).title)]
    assert '<a href="/login">Sign in</a>' in page  # really signed out


@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_opens_for_a_signed_in_person_and_a_clinician(
    client: TestClient, alice: User, carol: User, slug: str
) -> None:
    for email in (ALICE, CAROL):
        sign_in(client, email)
        page = open_page(client, f"/learn/{slug}")

        assert H1.findall(page) == [html.escape(page_for(slug).title)]
        assert "Sign out</button>" in page  # really signed in
        client.cookies.clear()


def test_an_unknown_page_is_404(client: TestClient) -> None:
    response = client.get("/learn/no-such-page")

    assert response.status_code == 404
    assert "There is no learning page at this address." in words_of(response.text)


def test_the_navigation_links_to_the_pages_signed_in_and_out(
    client: TestClient, alice: User
) -> None:
    assert '<a href="/learn">Learn</a>' in open_page(client, "/")
    sign_in(client, ALICE)
    assert '<a href="/learn">Learn</a>' in open_page(client, "/checkins")


def test_the_pages_link_forward_and_back_in_reading_order(client: TestClient) -> None:
    for index, learning_page in enumerate(PAGES):
        page = open_page(client, learning_page.href)
        links = re.findall(r'href="([^"]+)">(Back|Next): ', page)
        expected = []
        if index > 0:
            expected.append((PAGES[index - 1].href, "Back"))
        if index + 1 < len(PAGES):
            expected.append((PAGES[index + 1].href, "Next"))
        assert links == expected


def test_every_link_between_learning_pages_leads_to_a_page_and_its_section(
    client: TestClient,
) -> None:
    pages = {p.href: open_page(client, p.href) for p in PAGES}
    followed = 0
    for page in pages.values():
        for path, anchor in re.findall(r'href="(/learn/[a-z-]+)(?:#([a-z-]+))?"', main_of(page)):
            assert path in pages, path
            if anchor:
                assert f'id="{anchor}"' in pages[path], f"{path}#{anchor}"
            followed += 1
    assert followed >= 10


# --- sources --------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_lists_its_sources_and_cites_each_in_the_text(
    client: TestClient, slug: str
) -> None:
    learning_page = page_for(slug)
    page = open_page(client, learning_page.href)
    body = page[page.index('data-testid="learn-body"') : page.index('data-testid="sources"')]
    listed = page[page.index('data-testid="sources"') :]

    assert learning_page.sources, "a page without sources"
    for key in learning_page.sources:
        source = SOURCES[key]
        assert f'<li id="source-{key}">{html.escape(source.citation)}' in listed
        assert f'<a href="#source-{key}">{html.escape(source.short)}</a>' in body, key
    cited = set(re.findall(r'<a href="#source-([a-z0-9]+)">', body))
    assert cited == set(learning_page.sources)


def test_every_citation_names_a_year_or_a_volume() -> None:
    for source in SOURCES.values():
        assert re.search(r"\((1[89]|20)\d\d\)|\b(19|20)\d\d\b|\d+:\d+", source.citation), source


def test_a_page_cannot_cite_a_source_it_does_not_list() -> None:
    unlisted = next(key for key in SOURCES if key not in PAGES[0].sources)

    with pytest.raises(ValueError, match="which its sources do not list"):
        citer(PAGES[0])(unlisted)


# --- safety ---------------------------------------------------------------------------------------


def test_when_to_seek_help_shows_the_crisis_card_first_with_988(client: TestClient) -> None:
    page = open_page(client, f"/learn/{SEEK_HELP}")
    main = main_of(page)
    card = main[main.index('data-testid="crisis-card"') : main.index("</section>")]

    assert main.index('data-testid="crisis-card"') < main.index('data-testid="learn-body"')
    assert '<a href="tel:988"><strong>Call or text 988</strong></a>' in card
    assert "Chat at 988lifeline.org" in card
    assert "If you are in immediate danger, call 911." in words_of(card)
    for resource in crisis_resources("US").resources:
        assert html.escape(resource.label) in card
    # Nothing raised the card here: it claims no answer, note or save.
    assert "Something you wrote" not in card
    assert "You said" not in card
    assert "saved" not in card


@pytest.mark.parametrize("slug", [slug for slug in SLUGS if slug != SEEK_HELP])
def test_the_other_pages_have_no_crisis_card(client: TestClient, slug: str) -> None:
    assert 'data-testid="crisis-card"' not in open_page(client, f"/learn/{slug}")


def test_the_medication_advice_guard_reads_every_learning_template() -> None:
    scanned = template_texts()

    for learning_page in PAGES:
        assert learning_page.template.removeprefix("learning/").startswith("pages/")
        assert learning_page.template in scanned
    assert {"learning/index.html", "learning/page.html"} <= set(scanned)


def test_no_rendered_learning_page_advises_a_medication_change(client: TestClient) -> None:
    offending = {}
    for path in ["/learn", *(p.href for p in PAGES)]:
        words = words_of(main_of(open_page(client, path)))
        if medication_advice_in(words):
            offending[path] = medication_advice_in(words)

    assert offending == {}


def test_the_medication_pages_send_decisions_to_the_prescriber(client: TestClient) -> None:
    managing = words_of(open_page(client, "/learn/managing-blunting"))
    causes = words_of(open_page(client, "/learn/causes"))

    assert "That choice is for your prescriber to make with you." in managing
    assert "AffectRange never suggests what to do about a medicine." in managing
    for words in (managing, causes):
        assert "Stopping all at once can cause discontinuation symptoms." in words


# --- licensed questionnaires (SCIENCE.md 0) -------------------------------------------------------


@pytest.fixture
def licensed_text_loaded(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Every licensed plug-in with item text and labels loaded, as a licensed host would, each
    string a marker that must never reach a learning page."""
    markers: dict[str, str] = {}
    for plugin in PLUGINS:
        instrument_id = plugin.id
        instrument = built_in(instrument_id)
        items = {}
        for item in instrument.items:
            text = f"zqlicensed {instrument_id} {item.id} text"
            options = {
                str(option.value): f"zqlicensed {instrument_id} {item.id} option {option.value}"
                for option in item.options
            }
            items[item.id] = {"text": text, "options": options}
            markers[text] = instrument_id
            markers.update(dict.fromkeys(options.values(), instrument_id))
        document = {
            "format": 1,
            "instrument": instrument_id,
            "version": "test",
            "stem": f"zqlicensed {instrument_id} stem",
            "items": items,
        }
        path = tmp_path / f"{instrument_id}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        register_instrument(load_licensed_text(instrument_id, path), replace=True)
    yield markers
    reset_registry()


def test_no_licensed_item_text_reaches_a_page_even_when_the_host_holds_it(
    client: TestClient, licensed_text_loaded: dict[str, str]
) -> None:
    for plugin in PLUGINS:  # the host really holds the text now
        assert str(get_instrument(plugin.id).items[0].text).startswith("zqlicensed")
    for path in ["/learn", *(p.href for p in PAGES)]:
        page = open_page(client, path)
        assert "zqlicensed" not in page, path


# Answer labels SCIENCE.md gives for licensed scales: SHAPS (2) and WSAS (3.1). One of them in
# passing is ordinary English; the scale's own run of them is not ours to print.
LICENSED_ANCHORS = (
    re.compile(r"(definitely|strongly) (agree|disagree)", re.IGNORECASE),
    re.compile(r"not at all\W+slightly\W+definitely\W+markedly", re.IGNORECASE),
)
# The PANAS adjectives (SCIENCE.md 3.3, APA copyright).
PANAS = {
    "interested", "excited", "strong", "enthusiastic", "proud", "alert", "inspired",
    "determined", "attentive", "active", "distressed", "upset", "guilty", "scared", "hostile",
    "irritable", "ashamed", "nervous", "jittery", "afraid",
}  # fmt: skip


@pytest.mark.parametrize("slug", SLUGS)
def test_licensed_questionnaires_are_named_never_quoted(client: TestClient, slug: str) -> None:
    page = open_page(client, f"/learn/{slug}")
    units = body_units(page)
    text = " ".join(units)

    assert not re.search(r"[\"\u201c\u201d]", text), "a quotation on a learning page"
    for anchors in LICENSED_ANCHORS:
        assert not anchors.search(text)
    for unit in units:
        adjectives = {word for word in re.findall(r"[a-z]+", unit.lower()) if word in PANAS}
        assert len(adjectives) < 4, f"a run of PANAS adjectives: {unit}"
    assert "<form" not in main_of(page)
    assert "<input" not in main_of(page)


def test_the_body_text_measured_leaves_out_the_citations(client: TestClient) -> None:
    page = open_page(client, "/learn/what-is-emotional-blunting")
    text = body_text(page)

    assert '<a href="#source-goodwin2017">Goodwin 2017</a>' in page
    assert "Goodwin" not in text
    assert "Sources" not in text
    assert text.startswith("Emotional blunting means your feelings have gone quiet.")
    assert "46 in 100 said they had it." in text
