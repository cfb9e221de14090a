"""Filters a person's own record proposes in the finder: only with consent, only from the latest
PTSD screen and the emotional-range analysis, shown as chips the person can remove.

The providers are those of tests/directory/test_routes.py. The screens and the diary are recorded
through the questionnaire, check-in and medication services, as the pages record them; the diary
with a blunting-like change after a sertraline start is the demo story of
tests/emotional_range/helpers.py.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.directory import suggestions
from affectrange.directory.vocabulary import TRAUMA_FOCUSED_MODALITIES
from affectrange.instruments import get_instrument
from affectrange.questionnaires import service as questionnaires
from affectrange.safety import medication_advice_in
from tests.conftest import NOW, TODAY, csrf_from
from tests.directory.test_routes import (
    ALICE,
    ANA,
    BEN,
    BOB,
    CARA,
    ClientFor,
    client_for,
    listed,
    match_block,
    match_npis,
    providers,
    text_of,
)
from tests.emotional_range.helpers import demo_analysis, load_story

__all__ = ["client_for", "providers"]  # fixtures shared with test_routes.py
pytestmark = pytest.mark.usefixtures("providers")

FROM_PROFILE = " (suggested from your check-ins and screens)"
TRAUMA_TERMS = [f"modality:{code}" for code in TRAUMA_FOCUSED_MODALITIES]


def finish_screen(
    session: Session, person: User, instrument: str, answers: dict[str, Any], *, days_ago: int = 0
) -> None:
    when = NOW - dt.timedelta(days=days_ago)
    questionnaires.save_answers(
        session,
        person,
        get_instrument(instrument),
        answers,
        finish=True,
        now=when,
        today=TODAY - dt.timedelta(days=days_ago),
    )
    session.commit()


POSITIVE_PCPTSD5 = {"trauma": 1, "q1": 1, "q2": 1, "q3": 1, "q4": 0, "q5": 0}  # 3 of 5: positive
NEGATIVE_PCPTSD5 = {"trauma": 1, "q1": 1, "q2": 0, "q3": 0, "q4": 0, "q5": 0}  # 1 of 5
POSITIVE_PCL5 = {f"q{n}": 2 for n in range(1, 21)}  # total 40, at or above 33


def consent(browser: TestClient, use_profile: bool, back: str = "") -> Any:
    page = browser.get("/therapists")
    data = {"csrf_token": csrf_from(page.text), "use_profile": "on" if use_profile else "off"}
    if back:
        data["back"] = back
    return browser.post("/therapists/profile", data=data, follow_redirects=False)


def form_query(page: str, **extra: str) -> str:
    """What submitting the finder form as shown sends: its ticked boxes, its hidden fields and
    its filled inputs (the way a browser builds the query string), plus `extra`."""
    form = re.search(r'<form method="get" action="/therapists".*?</form>', page, flags=re.S)
    assert form
    pairs: list[tuple[str, str]] = []
    for tag in re.findall(r"<input [^>]+>", form.group(0)):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name is None or value is None or not value.group(1):
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) in {"checkbox", "radio"} and " checked" not in tag:
            continue
        pairs.append((name.group(1), html.unescape(value.group(1))))
    pairs = [(name, value) for name, value in pairs if name not in extra]
    return "/therapists?" + urlencode(pairs + list(extra.items()))


def chips(page: str) -> dict[str, tuple[bool, str]]:
    """Each suggestion chip: term -> (active, link)."""
    found = re.findall(r'<a class="chip( off)?" href="([^"]+)" data-term="([^"]+)"', page)
    return {term: (not off, html.unescape(href)) for off, href, term in found}


def ticked(page: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]+)" id="[^"]+" checked', page)


# --- consent ---------------------------------------------------------------------------------


def test_without_consent_nothing_is_read_and_nothing_proposed(
    session: Session, alice: User, client_for: ClientFor
) -> None:
    finish_screen(session, alice, "pcptsd5", POSITIVE_PCPTSD5)
    load_story(session, alice)
    browser = client_for(ALICE)

    page = browser.get("/therapists")
    results = browser.get("/therapists?zip=06105")

    words = text_of(page.text)
    assert "Suggestions are off." in words
    assert "the result of your latest PTSD screen (PC-PTSD-5 or PCL-5)" in words
    assert "nothing is shared with anyone" in words
    assert 'data-testid="findings"' not in page.text
    assert ticked(page.text, "modality") == []
    assert 'id="prefer_prescribers" checked' not in page.text
    assert 'name="suggested"' not in page.text
    assert chips(results.text) == {}
    assert FROM_PROFILE not in results.text
    assert suggestions.profile_suggestions(session, alice, today=TODAY) == (
        suggestions.ProfileSuggestions(use_profile=False)
    )


def test_consent_is_given_and_taken_back_through_the_form(
    session: Session, alice: User, client_for: ClientFor
) -> None:
    browser = client_for(ALICE)

    turned_on = consent(browser, True)
    on_page = browser.get(turned_on.headers["location"])
    turned_off = consent(browser, False, back="zip=06105&modality=cpt")
    off_page = browser.get(turned_off.headers["location"])

    assert turned_on.status_code == 303
    assert turned_on.headers["location"] == "/therapists?consent=on"
    assert "Suggestions are on. You can turn them off at any time." in text_of(on_page.text)
    assert "Nothing in your record proposes a filter at the moment." in text_of(on_page.text)
    assert suggestions.uses_profile(session, alice) is False  # read after it was turned off
    assert turned_off.headers["location"] == "/therapists?zip=06105&modality=cpt&consent=off"
    assert "Suggestions are off. Your record is not read by the finder." in text_of(off_page.text)
    assert match_npis(off_page.text) == [ANA, BEN, CARA]  # back to the same search


def test_consent_is_each_persons_own_and_needs_the_forms_token(
    session: Session, alice: User, bob: User, client_for: ClientFor
) -> None:
    alices, bobs = client_for(ALICE), client_for(BOB)
    finish_screen(session, bob, "pcptsd5", POSITIVE_PCPTSD5)

    forged = bobs.post("/therapists/profile", data={"use_profile": "on"}, follow_redirects=False)
    consent(alices, True)

    assert forged.status_code == 403
    assert suggestions.uses_profile(session, alice) is True
    assert suggestions.uses_profile(session, bob) is False
    assert 'data-testid="findings"' not in bobs.get("/therapists").text


# --- the PTSD screen -------------------------------------------------------------------------


def test_a_positive_ptsd_screen_proposes_the_trauma_focused_therapies_as_removable_chips(
    session: Session, alice: User, client_for: ClientFor
) -> None:
    finish_screen(session, alice, "pcptsd5", POSITIVE_PCPTSD5)
    browser = client_for(ALICE)
    consent(browser, True)

    fresh = browser.get("/therapists")

    words = text_of(fresh.text)
    assert (
        "Your latest PTSD screen (PC-PTSD-5, finished on 15 June 2026) was positive. A screen is "
        "not a diagnosis" in words
    )
    assert "cognitive processing therapy, prolonged exposure, EMDR and trauma-focused CBT" in words
    assert ticked(fresh.text, "modality") == ["emdr", "cpt", "pe", "tf-cbt"]  # the form's order
    assert re.findall(r'name="suggested" value="([^"]+)"', fresh.text) == TRAUMA_TERMS
    assert 'id="prefer_prescribers" checked' not in fresh.text  # no blunting finding here

    searched = browser.get(form_query(fresh.text, zip="06105"))

    assert searched.status_code == 200, searched.text
    assert match_npis(searched.text) == [ANA, CARA, BEN]  # Ana lists CPT and EMDR, Cara PE
    ana = listed(match_block(searched.text, ANA), "why")
    assert f"Offers Cognitive processing therapy (CPT){FROM_PROFILE}" in ana
    assert f"Offers EMDR{FROM_PROFILE}" in ana
    assert chips(searched.text).keys() == set(TRAUMA_TERMS)
    assert all(active for active, _ in chips(searched.text).values())

    _, remove_cpt = chips(searched.text)["modality:cpt"]
    removed = browser.get(remove_cpt)

    sent = parse_qsl(urlsplit(remove_cpt).query)
    assert ("modality", "cpt") not in sent
    assert ("suggested", "modality:cpt") not in sent
    assert ("zip", "06105") in sent
    ana_after = listed(match_block(removed.text, ANA), "why")
    assert not any("CPT" in reason for reason in ana_after)
    assert f"Offers EMDR{FROM_PROFILE}" in ana_after
    after = chips(removed.text)
    assert after["modality:cpt"][0] is False  # offered again, not applied
    assert all(after[term][0] for term in TRAUMA_TERMS if term != "modality:cpt")
    readded = browser.get(after["modality:cpt"][1])
    assert f"Offers Cognitive processing therapy (CPT){FROM_PROFILE}" in listed(
        match_block(readded.text, ANA), "why"
    )


def test_only_the_latest_ptsd_screen_counts(
    session: Session, alice: User, client_for: ClientFor
) -> None:
    finish_screen(session, alice, "pcptsd5", POSITIVE_PCPTSD5, days_ago=30)
    finish_screen(session, alice, "pcptsd5", NEGATIVE_PCPTSD5, days_ago=2)
    browser = client_for(ALICE)
    consent(browser, True)

    page = browser.get("/therapists")

    assert 'data-finding="ptsd_screen"' not in page.text
    assert ticked(page.text, "modality") == []


def test_a_positive_pcl5_after_a_negative_pc_ptsd_5_proposes_them(
    session: Session, alice: User, client_for: ClientFor
) -> None:
    finish_screen(session, alice, "pcptsd5", NEGATIVE_PCPTSD5, days_ago=20)
    finish_screen(session, alice, "pcl5", POSITIVE_PCL5, days_ago=1)
    browser = client_for(ALICE)
    consent(browser, True)

    page = browser.get("/therapists")

    assert "Your latest PTSD screen (PCL-5, finished on 14 June 2026) was positive." in text_of(
        page.text
    )
    assert sorted(ticked(page.text, "modality")) == sorted(TRAUMA_FOCUSED_MODALITIES)


# --- a blunting-like change after a medication event -----------------------------------------


def test_blunting_after_a_medication_start_proposes_prescribers_for_a_review(
    session: Session, alice: User, client_for: ClientFor
) -> None:
    load_story(session, alice)
    truth = demo_analysis().blunting
    assert truth.onset_date is not None
    assert truth.after_event is not None
    browser = client_for(ALICE)
    consent(browser, True)

    fresh = browser.get("/therapists")

    onset = f"{truth.onset_date.day} {truth.onset_date:%B %Y}"
    words = text_of(fresh.text)
    assert (
        f"Your check-ins show a blunting-like change (feelings quieter and flatter than before) "
        f"that began around {onset}, {truth.after_event.lag_days} days after a medication start "
        "in your medication timeline. That is an order in time, not a cause." in words
    )
    assert "a prescriber can review your medication with you" in words
    assert 'id="prefer_prescribers" checked' in fresh.text
    assert ticked(fresh.text, "modality") == []  # no PTSD screen

    query = form_query(fresh.text, zip="06105", provider_type="therapist")
    searched = browser.get(query)

    assert match_npis(searched.text) == [BEN, ANA, CARA]  # the prescriber first, then distance
    assert listed(match_block(searched.text, BEN), "why")[-1] == (
        f"Prescriber who can review your medication with you{FROM_PROFILE}"
    )
    [(active, remove)] = chips(searched.text).values()
    assert active
    without = browser.get(remove)
    assert match_npis(without.text) == [ANA, CARA]  # therapists only, as asked
    assert "prefer_prescribers" not in remove


def test_the_same_diary_without_medication_events_proposes_nothing(
    session: Session, alice: User, client_for: ClientFor
) -> None:
    load_story(session, alice, with_events=False)
    browser = client_for(ALICE)
    consent(browser, True)

    page = browser.get("/therapists")

    assert 'data-finding="blunting"' not in page.text
    assert 'id="prefer_prescribers" checked' not in page.text
    assert "Nothing in your record proposes a filter at the moment." in text_of(page.text)


def test_both_findings_together_and_no_word_of_medication_advice(
    session: Session, alice: User, client_for: ClientFor
) -> None:
    finish_screen(session, alice, "pcptsd5", POSITIVE_PCPTSD5)
    load_story(session, alice)
    browser = client_for(ALICE)
    consent(browser, True)

    fresh = browser.get("/therapists")
    searched = browser.get(form_query(fresh.text, zip="06105"))

    found = suggestions.profile_suggestions(session, alice, today=TODAY)
    assert [finding.key for finding in found.findings] == ["ptsd_screen", "blunting"]
    assert [proposal.term for proposal in found.proposals] == [
        *TRAUMA_TERMS,
        suggestions.PRESCRIBERS_TERM,
    ]
    assert len(chips(searched.text)) == 5
    for page in (fresh, searched):
        assert medication_advice_in(text_of(page.text)) == ()
    for finding in found.findings:
        assert medication_advice_in(f"{finding.words} {finding.proposes}") == ()
