"""The therapist finder on the web and in /api/v1: what a person sees, in which order, and why.

Five providers around Hartford, CT, written through the importers' own `DirectoryWriter` (the
positions are the real ZIP centroids of the offline table; the distances below were worked out by
hand with the haversine formula from those centroids):

- Ana Rivera, LCSW: a clinical social worker at 1000 Asylum Ave, placed by its address about
  0.6 miles from the centre of 06105; CPT, EMDR and CBT; English and Spanish; accepting; in the
  Nutmeg network; has an e-mail address.
- Ben Okafor, MD: a psychiatrist, office placed at the centre of ZIP 06103 (1.29 miles);
  accepting; no e-mail address.
- Cara Lind, PHD: a clinical psychologist, office placed at the centre of ZIP 06106 (1.37 miles);
  CBT, ACT and PE; not accepting new patients.
- Dev Shah, PMHNP: a psychiatric nurse practitioner, online only, licensed in CT.
- Eve Moreau, LPC: a counselor in New Haven (06510, 33.89 miles): outside a 10-mile radius.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.directory.geo import zip_centroid
from affectrange.directory.importers.common import DirectoryWriter, ImportSummary
from affectrange.directory.importers.nppes import import_nppes
from tests.conftest import NOW, api_token, sign_in
from tests.support.shared_data import NPPES_SAMPLE

ALICE = "alice@example.org"
BOB = "bob@example.org"
CAROL = "carol@example.org"

ANA, BEN, CARA, DEV, EVE = "1000000001", "1000000002", "1000000003", "1000000004", "1000000005"
ANA_EMAIL = "ana.rivera@clinic.example"
CARA_EMAIL = "cara.lind@practice.example"
DEV_EMAIL = "dev.shah@tele.example"
EVE_EMAIL = "eve.moreau@newhaven.example"
BEN_PHONE = "(860) 555-0102"
PLAN = "NUTMEG-GOLD"

ClientFor = Callable[[str], TestClient]


# --- the directory ---------------------------------------------------------------------------


def _centroid(zip_code: str) -> tuple[float, float]:
    found = zip_centroid(zip_code)
    assert found is not None
    return found.point.latitude, found.point.longitude


def practitioner(npi: str, given: str, family: str, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "npi": npi,
        "given_name": given,
        "family_name": family,
        "licensed_states": ("CT",),
        "languages": ("en",),
        "age_groups": ("adults",),
    }
    record.update(fields)
    return record


def load_providers(session: Session) -> None:
    """The five providers of the module docstring, committed (the per-test rollback undoes it)."""
    writer = DirectoryWriter(session, ImportSummary(source="test"), now=NOW)
    hartford_centre, south, newhaven = _centroid("06103"), _centroid("06106"), _centroid("06510")
    locations = writer.upsert(
        "locations",
        [
            {
                "source_key": "asylum",
                "line": "1000 Asylum Ave",
                "city": "Hartford",
                "state": "CT",
                "postal_code": "06105",
                "latitude": 41.7720,
                "longitude": -72.6900,
                "position_source": "plannet",
            },
            {
                "source_key": "main",
                "line": "100 Main St",
                "city": "Hartford",
                "state": "CT",
                "postal_code": "06103",
                "latitude": hartford_centre[0],
                "longitude": hartford_centre[1],
                "position_source": "zip-centroid",
            },
            {
                "source_key": "south",
                "line": "20 Wethersfield Ave",
                "city": "Hartford",
                "state": "CT",
                "postal_code": "06106",
                "latitude": south[0],
                "longitude": south[1],
                "position_source": "zip-centroid",
            },
            {
                "source_key": "newhaven",
                "line": "5 Chapel St",
                "city": "New Haven",
                "state": "CT",
                "postal_code": "06510",
                "latitude": newhaven[0],
                "longitude": newhaven[1],
                "position_source": "zip-centroid",
            },
        ],
    )
    payers = writer.upsert("organizations", [{"source_key": "nutmeg", "name": "Nutmeg Health"}])
    networks = writer.upsert(
        "networks",
        [
            {
                "source_key": "nutmeg-net",
                "name": "Nutmeg Health Network",
                "payer_id": payers["nutmeg"],
            }
        ],
    )
    plans = writer.upsert(
        "plans", [{"plan_key": PLAN, "name": "Nutmeg Gold PPO", "payer_id": payers["nutmeg"]}]
    )
    writer.link_plan_networks([(plans[PLAN], networks["nutmeg-net"])])
    people = writer.upsert(
        "practitioners",
        [
            practitioner(
                ANA,
                "Ana",
                "Rivera",
                credentials="LCSW",
                gender="female",
                specialties=("1041C0700X",),
                languages=("en", "es"),
                issues=("trauma-ptsd", "depression"),
                modalities=("cpt", "emdr", "cbt"),
                email=ANA_EMAIL,
                phone="(860) 555-0101",
                fee_min_usd=120,
                sliding_scale=True,
            ),
            practitioner(
                BEN,
                "Ben",
                "Okafor",
                credentials="MD",
                gender="male",
                specialties=("2084P0800X",),
                issues=("depression", "medication-management"),
                phone=BEN_PHONE,
                fee_min_usd=250,
                sliding_scale=False,
            ),
            practitioner(
                CARA,
                "Cara",
                "Lind",
                credentials="PHD",
                gender="female",
                specialties=("103TC0700X",),
                languages=("en", "fr"),
                issues=("anxiety", "emotional-numbness"),
                modalities=("cbt", "act", "pe"),
                email=CARA_EMAIL,
                phone="(860) 555-0103",
                fee_min_usd=180,
                sliding_scale=False,
            ),
            practitioner(
                DEV,
                "Dev",
                "Shah",
                credentials="PMHNP",
                gender="male",
                specialties=("363LP0808X",),
                issues=("depression",),
                email=DEV_EMAIL,
                phone="(860) 555-0104",
            ),
            practitioner(
                EVE,
                "Eve",
                "Moreau",
                credentials="LPC",
                gender="female",
                specialties=("101YP2500X",),
                modalities=("cpt",),
                email=EVE_EMAIL,
                phone="(203) 555-0105",
            ),
        ],
    )

    def role(key: str, npi: str, location: str | None, **fields: Any) -> dict[str, Any]:
        record: dict[str, Any] = {
            "source_key": key,
            "practitioner_id": people[npi],
            "location_id": locations[location] if location else None,
            "accepting_new_patients": True,
            "telehealth": False,
            "in_person": True,
        }
        record.update(fields)
        return record

    writer.upsert(
        "roles",
        [
            role("ana", ANA, "asylum", network_id=networks["nutmeg-net"]),
            role("ben", BEN, "main"),
            role("cara", CARA, "south", accepting_new_patients=False),
            role("dev", DEV, None, telehealth=True, in_person=False),
            role("eve", EVE, "newhaven"),
        ],
    )
    writer.finish()
    session.commit()


@pytest.fixture
def providers(session: Session) -> None:
    load_providers(session)


@pytest.fixture
def client_for(app: FastAPI) -> Iterator[ClientFor]:
    """`client_for(email)`: a separate cookie jar signed in as that account."""
    with ExitStack() as stack:

        def signed_in(email: str) -> TestClient:
            client = stack.enter_context(TestClient(app, base_url="http://testserver"))
            sign_in(client, email)
            return client

        yield signed_in


# --- reading pages ---------------------------------------------------------------------------


def text_of(page: str) -> str:
    """The page's words on one line: tags dropped, entities decoded, whitespace collapsed (and
    none before a full stop or comma, where a closing tag left it)."""
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    return re.sub(r" ([.,])", r"\1", words)


def match_npis(page: str) -> list[str]:
    """The results in the page's order."""
    return re.findall(r'<li class="match" data-testid="match" data-npi="(\d+)">', page)


def match_block(page: str, npi: str) -> str:
    start = rf'<li class="match" data-testid="match" data-npi="{npi}">'
    found = re.search(rf'{start}(.*?)</li>\s*(?=<li class="match"|</ol>)', page, flags=re.S)
    assert found, f"{npi} is not among the results"
    return found.group(1)


def listed(block: str, testid: str) -> list[str]:
    found = re.search(rf'<ul class="\w+" data-testid="{testid}">(.*?)</ul>', block, flags=re.S)
    if found is None:
        return []
    return [text_of(item) for item in re.findall(r"<li>(.*?)</li>", found.group(1), flags=re.S)]


def field_error(page: str, name: str) -> str | None:
    match = re.search(rf'<p class="field-error" id="{name}-error">\s*([^<]*?)\s*</p>', page)
    return html.unescape(match.group(1)) if match else None


def search(browser: TestClient, query: str, **headers: str) -> Any:
    return browser.get(f"/therapists?{query}", headers=headers)


# --- the page --------------------------------------------------------------------------------


def test_a_search_near_a_zip_lists_providers_nearest_first_with_the_reasons(
    providers: None, alice: User, client_for: ClientFor
) -> None:
    page = search(client_for(ALICE), "zip=06105&radius_miles=10")

    assert page.status_code == 200, page.text
    assert match_npis(page.text) == [ANA, BEN, CARA]  # Eve, 33.9 miles away, is left out
    assert "3 providers match" in text_of(page.text)
    ana = match_block(page.text, ANA)
    assert listed(ana, "why") == [
        "0.6 miles from 06105",
        "Therapist: Clinical Social Worker",
    ]
    assert "Ana Rivera, LCSW" in ana
    assert "1000 Asylum Ave, Hartford, CT 06105" in ana
    assert "Nutmeg Health Network" in ana
    assert 'href="/therapists/1000000001/contact"' in ana
    ben = match_block(page.text, BEN)
    assert listed(ben, "why") == [
        "1.3 miles from 06105 (office placed at the centre of ZIP 06103)",
        "Prescriber: Psychiatry",
    ]
    ben_words = text_of(ben)
    assert "1.3 miles (to the centre of the office's ZIP code" in ben_words
    assert "No e-mail on file: phoning is the way to reach them." in ben_words
    assert "(to the centre of" not in text_of(ana)  # Ana's office is placed by its address


def test_the_page_says_how_the_order_is_decided_and_that_no_one_pays(
    alice: User, client_for: ClientFor
) -> None:
    page = client_for(ALICE).get("/therapists")

    assert page.status_code == 200
    words = text_of(page.text)
    assert "only providers who meet every filter you set are shown" in words
    assert "come first; then the nearer ones" in words
    assert "the order of their NPI number" in words
    assert "No one pays to be listed or to be placed higher." in words
    assert match_npis(page.text) == []
    assert "Enter a ZIP code, or choose online sessions and your state, then search." in words


def test_filters_change_the_list(providers: None, alice: User, client_for: ClientFor) -> None:
    browser = client_for(ALICE)

    prescribers = search(browser, "zip=06105&provider_type=prescriber")
    therapists = search(browser, "zip=06105&provider_type=therapist")
    accepting = search(browser, "zip=06105&accepting=on")
    in_plan = search(browser, f"zip=06105&plan={PLAN}")
    wider = search(browser, "zip=06105&radius_miles=40")
    women = search(browser, "zip=06105&gender=female")
    cheap = search(browser, "zip=06105&max_fee_usd=150")

    assert match_npis(prescribers.text) == [BEN]
    assert match_npis(therapists.text) == [ANA, CARA]
    assert match_npis(accepting.text) == [ANA, BEN]  # Cara is not taking new patients
    assert match_npis(in_plan.text) == [ANA]
    assert "In network for Nutmeg Gold PPO (Nutmeg Health Network)" in listed(
        match_block(in_plan.text, ANA), "why"
    )
    assert match_npis(wider.text) == [ANA, BEN, CARA, EVE]
    assert match_npis(women.text) == [ANA, CARA]
    assert match_npis(cheap.text) == [ANA]
    assert "Sessions from $120, within your $150" in listed(match_block(cheap.text, ANA), "why")


def test_preferences_put_the_best_fit_first_and_name_what_is_missing(
    providers: None, alice: User, client_for: ClientFor
) -> None:
    page = search(client_for(ALICE), "zip=06105&modality=pe&issue=anxiety&language=fr")

    assert match_npis(page.text) == [CARA, ANA, BEN]  # Cara lists all three; then distance
    cara = match_block(page.text, CARA)
    # Compared without case: how a language or issue is capitalised is the wording's business.
    assert [reason.lower() for reason in listed(cara, "why")[2:]] == [
        "treats anxiety",
        "offers prolonged exposure (pe)",
        "speaks french",
    ]
    assert listed(cara, "unmet") == []
    assert [reason.lower() for reason in listed(match_block(page.text, ANA), "unmet")] == [
        "does not list anxiety",
        "does not list prolonged exposure (pe)",
        "does not list french",
    ]
    # What was asked stays ticked in the form.
    assert re.search(r'value="pe" id="modality-pe" checked', page.text)
    assert re.search(r'value="anxiety" id="issue-anxiety" checked', page.text)


def test_online_care_in_the_persons_state(
    providers: None, alice: User, client_for: ClientFor
) -> None:
    browser = client_for(ALICE)

    online_only = search(browser, "telehealth=on&state=CT")
    near_and_online = search(browser, "zip=06105&telehealth=on")

    assert match_npis(online_only.text) == [DEV]
    dev = match_block(online_only.text, DEV)
    assert listed(dev, "why")[0] == "Offers online sessions and is licensed in CT"
    assert re.search(r'data-testid="distance">\s*Online', dev)
    assert match_npis(near_and_online.text) == [ANA, BEN, CARA, DEV]  # online after in-person


def test_show_more_extends_the_list(providers: None, alice: User, client_for: ClientFor) -> None:
    browser = client_for(ALICE)

    first = search(browser, "zip=06105&limit=2")

    assert match_npis(first.text) == [ANA, BEN]
    assert "The first 2, best match first." in text_of(first.text)
    more = re.search(r'<a class="button secondary" href="([^"]+)" data-testid="more">', first.text)
    assert more
    following = browser.get(html.unescape(more.group(1)))
    assert match_npis(following.text) == [ANA, BEN, CARA]
    assert 'data-testid="more"' not in following.text


def test_real_nppes_providers_near_hartford(
    session: Session, alice: User, client_for: ClientFor
) -> None:
    import_nppes(session, NPPES_SAMPLE, now=NOW)
    session.commit()

    page = search(client_for(ALICE), "zip=06105&radius_miles=5&provider_type=prescriber")

    assert page.status_code == 200
    assert "9 providers match" in text_of(page.text)
    shea = match_block(page.text, "1043217037")
    assert "William Shea, MD" in shea
    assert listed(shea, "why") == [
        "1.8 miles from 06105 (office placed at the centre of ZIP 06030)",
        "Prescriber: Psychiatry",
    ]
    assert "New patients Not stated" in text_of(shea)  # NPPES never says


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        ("zip=abc", "zip", "'abc' is not a US ZIP code"),
        ("zip=06105&radius_miles=0", "radius_miles", "Must be more than 0."),
        ("zip=06105&radius_miles=far", "radius_miles", "Enter a number."),
        ("zip=06105&max_fee_usd=-5", "max_fee_usd", "Must be at least 0."),
        ("zip=06105&modality=hypnosis", "modality", "unknown modality 'hypnosis'"),
        ("zip=06105&provider_type=shaman", "provider_type", "Input should be"),
        ("zip=06105&state=XX", "state", "'XX' is not a US state or territory code such as CT"),
        (
            "radius_miles=10",
            "zip",
            "Give a ZIP code to search nearby, or a state with online care.",
        ),
        (
            "telehealth=on",
            "state",
            "Give a ZIP code to search nearby, or a state with online care.",
        ),
    ],
)
def test_bad_input_shows_the_form_again_with_the_message_next_to_the_field(
    providers: None, alice: User, client_for: ClientFor, case: tuple[str, str, str]
) -> None:
    query, field, message = case
    page = search(client_for(ALICE), query)

    assert page.status_code == 422
    shown = field_error(page.text, field)
    assert shown is not None, f"no message next to {field}"
    assert shown.startswith(message)
    assert f'href="#{field}-error"' in page.text  # the summary links to it
    assert match_npis(page.text) == []
    assert "Nothing was searched." in text_of(page.text)


def test_what_was_typed_stays_in_the_form(alice: User, client_for: ClientFor) -> None:
    page = search(client_for(ALICE), "zip=6x105&radius_miles=12&modality=cpt&sliding_scale=on")

    assert page.status_code == 422
    assert 'id="zip" name="zip"' in page.text
    assert re.search(r'name="zip"[^>]*value="6x105"', page.text)
    assert re.search(r'name="radius_miles"[^>]*value="12"', page.text)
    assert re.search(r'value="cpt" id="modality-cpt" checked', page.text)
    assert re.search(r'id="sliding_scale" checked', page.text)
    assert re.search(r'name="zip"[^>]*aria-invalid="true" aria-describedby="zip-error"', page.text)


def test_htmx_swaps_only_the_results_or_the_whole_form_on_an_error(
    providers: None, alice: User, client_for: ClientFor
) -> None:
    browser = client_for(ALICE)

    results = search(browser, "zip=06105", **{"HX-Request": "true"})
    invalid = search(browser, "zip=nowhere", **{"HX-Request": "true"})

    assert results.status_code == 200
    assert results.text.lstrip().startswith('<section id="results"')
    assert match_npis(results.text) == [ANA, BEN, CARA]
    assert "<form" not in results.text
    assert '<div hx-swap-oob="innerHTML:#flash">3 providers match</div>' in results.text
    assert invalid.status_code == 422
    assert invalid.headers["HX-Retarget"] == "#finder"
    assert invalid.headers["HX-Reswap"] == "outerHTML"
    assert invalid.text.lstrip().startswith('<div id="finder">')
    assert (
        field_error(invalid.text, "zip")
        == "'nowhere' is not a US ZIP code or an address ending in one"
    )
    assert 'hx-target="#finder"' in invalid.text  # the next search replaces the messages too
    corrected = search(browser, "zip=06105", **{"HX-Request": "true", "HX-Target": "finder"})
    assert corrected.status_code == 200
    assert corrected.text.lstrip().startswith('<div id="finder">')
    assert field_error(corrected.text, "zip") is None
    assert 'hx-target="#results"' in corrected.text
    assert match_npis(corrected.text) == [ANA, BEN, CARA]


# --- who may use it --------------------------------------------------------------------------


def test_the_navigation_offers_the_finder_to_people_only(
    alice: User, carol: User, client_for: ClientFor
) -> None:
    assert '<a href="/therapists">Find a therapist</a>' in client_for(ALICE).get("/checkins").text
    assert "Find a therapist" not in client_for(CAROL).get("/clinician").text


def test_clinicians_are_refused_the_person_pages_and_the_api(
    providers: None, carol: User, client_for: ClientFor
) -> None:
    browser = client_for(CAROL)
    headers = api_token(browser, CAROL)

    for url in (
        "/therapists",
        "/therapists?zip=06105",
        "/therapists/contacts",
        f"/therapists/{ANA}/contact",
    ):
        assert browser.get(url).status_code == 403, url
    api = browser.get("/api/v1/directory/search?zip=06105", headers=headers)
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "forbidden"


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/therapists?zip=06105", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


# --- the JSON API ----------------------------------------------------------------------------


def test_the_api_answers_total_and_ranked_results(
    providers: None, alice: User, client: TestClient
) -> None:
    headers = api_token(client, ALICE)

    response = client.get(
        "/api/v1/directory/search",
        params=[("zip", "06105"), ("modality", "cpt"), ("modality", "pe"), ("limit", "2")],
        headers=headers,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"total", "results"}
    assert body["total"] == 3
    assert [result["npi"] for result in body["results"]] == [ANA, CARA]  # one modality each
    ana = body["results"][0]
    assert ana == {
        "npi": ANA,
        "name": "Ana Rivera, LCSW",
        "credentials": "LCSW",
        "distance_miles": ana["distance_miles"],
        "why": [
            "0.6 miles from 06105",
            "Therapist: Clinical Social Worker",
            "Offers Cognitive processing therapy (CPT)",
        ],
        "unmet": ["Does not list Prolonged exposure (PE)"],
        "provider_types": ["therapist"],
        "specialties": ["Clinical Social Worker"],
        "address": "1000 Asylum Ave, Hartford, CT 06105",
        "phone": "(860) 555-0101",
        "telehealth": False,
        "accepting_new_patients": True,
        "network": "Nutmeg Health Network",
        "can_be_contacted": True,
        "position_source": "plannet",
    }
    assert 0.55 < ana["distance_miles"] < 0.65
    assert "email" not in str(body)  # the provider's address is never handed out


def test_the_api_needs_a_token(providers: None, client: TestClient) -> None:
    response = client.get("/api/v1/directory/search?zip=06105")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"zip": "nowhere"}, "zip"),
        ({"zip": "06105", "modality": "hypnosis"}, "modality"),
        ({"zip": "06105", "radius_miles": "-1"}, "radius_miles"),
        ({"zip": "06105", "radius_miles": "far"}, "radius_miles"),
        ({"zip": "06105", "provider_type": "shaman"}, "provider_type"),
        ({"telehealth": "true"}, "state"),
        ({}, "zip"),
    ],
)
def test_bad_api_input_answers_422_naming_the_field(
    alice: User, client: TestClient, params: dict[str, str], field: str
) -> None:
    response = client.get(
        "/api/v1/directory/search", params=params, headers=api_token(client, ALICE)
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert list(error["fields"]) == [field]
