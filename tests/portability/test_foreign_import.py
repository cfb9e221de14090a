"""Questionnaire answers from another health system (issue 8, point 2): LOINC-coded
QuestionnaireResponses are scored with our definitions and added to any account; the same file
twice adds nothing; a file with any problem is refused whole, naming the entry, and writes
nothing. The responses are written by hand in tests/portability/foreign.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.analysis.items import ITEM_IDS
from affectrange.audit.service import actor_for
from affectrange.checkins.schemas import CheckinIn
from affectrange.checkins.service import record_checkin
from affectrange.portability import service
from affectrange.portability.fhir_import import ImportRefused
from affectrange.portability.service import ImportResult
from affectrange.questionnaires.models import QuestionnaireResponse
from affectrange.safety_events.models import SafetyEvent
from tests.conftest import NOW, TODAY
from tests.portability import foreign
from tests.portability.foreign import as_file, bundle, gad7, patient, phq9
from tests.portability.helpers import row_counts

SOURCE = "from-my-clinic.json"
PHQ9_VALUES = (1, 2, 0, 3, 1, 0, 2, 1, 0)  # 1+2+0+3+1+0+2+1+0 = 10: "moderate" (10-14)
GAD7_VALUES = (3, 2, 2, 1, 0, 1, 2)  # 3+2+2+1+0+1+2 = 11: "moderate" (10-14)
ITEM9_VALUES = (0, 1, 1, 1, 0, 0, 1, 0, 2)  # 0+1+1+1+0+0+1+0+2 = 6: "mild", item 9 = 2


def import_file(session: Session, person: User, document: dict[str, Any]) -> ImportResult:
    result = service.import_record(
        session,
        person,
        as_file(document),
        source=SOURCE,
        now=NOW,
        actor=actor_for(person),
        address="testclient",
    )
    session.commit()
    return result


def responses_of(session: Session, person: User) -> list[QuestionnaireResponse]:
    session.expire_all()
    rows = list(
        session.scalars(
            select(QuestionnaireResponse)
            .where(QuestionnaireResponse.owner_id == person.id)
            .order_by(QuestionnaireResponse.id)
        )
    )
    session.commit()
    return rows


@pytest.fixture
def alice_with_a_checkin(session: Session, alice: User) -> User:
    """Foreign answers add to a record that already holds data."""
    entry = CheckinIn(date=TODAY, **dict.fromkeys(ITEM_IDS, 3))
    record_checkin(session, alice, entry, today=TODAY, now=NOW)
    session.commit()
    return alice


def test_a_loinc_phq9_is_scored_with_our_definition(
    session: Session, alice_with_a_checkin: User
) -> None:
    alice = alice_with_a_checkin
    document = phq9(PHQ9_VALUES, total=(foreign.PHQ9_TOTAL, 10))

    result = import_file(session, alice, document)

    assert result.summary() == "Imported 1 questionnaire response."
    assert result.safety_flagged is False
    [stored] = responses_of(session, alice)
    assert stored.instrument == "phq9"
    assert stored.status.value == "completed"
    assert stored.answers == {f"q{n}": value for n, value in enumerate(PHQ9_VALUES, start=1)}
    assert (stored.total, stored.band, stored.positive) == (10, "moderate", True)
    # 09:30 at -04:00 is 13:30 UTC, and 2 May where alice lives
    assert stored.completed_at == dt.datetime(2026, 5, 2, 13, 30, tzinfo=dt.UTC)
    assert stored.completed_on == dt.date(2026, 5, 2)


def test_the_same_file_again_is_skipped_as_already_there(session: Session, alice: User) -> None:
    document = phq9(PHQ9_VALUES)
    import_file(session, alice, document)

    again = import_file(session, alice, document)

    assert again.added == {"questionnaire responses": 0}
    assert again.skipped == 1
    assert again.summary() == "Imported nothing new; 1 already in your record."
    assert len(responses_of(session, alice)) == 1


def test_a_gad7_in_a_bundle_with_a_patient_leaves_the_patient_out(
    session: Session, alice: User
) -> None:
    document = bundle(patient(), gad7(GAD7_VALUES, total=(foreign.GAD7_TOTAL, 11)))

    result = import_file(session, alice, document)

    assert result.not_imported == {"Patient": 1}
    assert result.summary() == "Imported 1 questionnaire response; not imported: 1 Patient."
    [stored] = responses_of(session, alice)
    assert (stored.instrument, stored.total, stored.band) == ("gad7", 11, "moderate")
    assert alice.display_name == "Alice"  # the file's Patient changed nothing about her


def test_item_9_above_0_records_a_safety_event(session: Session, alice: User) -> None:
    result = import_file(session, alice, phq9(ITEM9_VALUES))

    assert result.safety_flagged is True
    [stored] = responses_of(session, alice)
    assert (stored.total, stored.band, stored.safety) == (6, "mild", True)
    events = list(session.scalars(select(SafetyEvent).where(SafetyEvent.owner_id == alice.id)))
    assert [
        (event.signal.value, event.item_value, event.source, event.source_id, event.occurred_at)
        for event in events
    ] == [
        (
            "phq9_item9",
            2,
            "questionnaire_response",
            stored.id,
            dt.datetime(2026, 5, 2, 13, 30, tzinfo=dt.UTC),
        )
    ]


def test_the_difficulty_item_in_loinc_answer_codes_is_understood(
    session: Session, alice: User
) -> None:
    difficulty = {
        "linkId": f"/{foreign.PHQ9_DIFFICULTY}",
        "answer": [{"valueCoding": {"system": foreign.LOINC, "code": "LA6573-5"}}],
    }
    import_file(session, alice, phq9(PHQ9_VALUES, extra_items=[difficulty]))

    [stored] = responses_of(session, alice)
    assert stored.answers["q10"] == 1


# --- refused whole --------------------------------------------------------------------------------


def without_authored() -> dict[str, Any]:
    return phq9(PHQ9_VALUES, resource_id="bad", authored=None)


def with_answer(code: str) -> dict[str, Any]:
    document = phq9(PHQ9_VALUES, resource_id="bad")
    document["item"][0]["item"][2]["answer"] = [
        {"valueCoding": {"system": foreign.LOINC, "code": code}}
    ]
    return document


def missing_items() -> dict[str, Any]:
    document = phq9(PHQ9_VALUES, resource_id="bad")
    questions = document["item"][0]["item"]
    document["item"][0]["item"] = [
        question
        for question in questions
        if question["linkId"] not in ("/44254-1", "/44260-8")  # items 4 and 9
    ]
    return document


def with_questionnaire(canonical: str) -> dict[str, Any]:
    document = phq9(PHQ9_VALUES, resource_id="bad")
    document["questionnaire"] = canonical
    return document


KNOWN_PANELS = (
    "44249-1 (Patient Health Questionnaire (PHQ-9)), 55757-9 (Patient Health Questionnaire-2 "
    "(PHQ-2)), 69737-5 (Generalized Anxiety Disorder 7 (GAD-7)), 72109-2 (Alcohol Use Disorders "
    "Identification Test - Consumption (AUDIT-C)), 82666-9 (Drug Abuse Screening Test (DAST-10))"
)
PHQ9_NAME = "Patient Health Questionnaire (PHQ-9)"
REFUSED: dict[str, tuple[dict[str, Any], str]] = {
    "a LOINC panel we do not ship": (
        with_questionnaire("http://loinc.org/q/69723-5"),
        "questionnaire 'http://loinc.org/q/69723-5' is not one of the instruments this "
        f"installation scores; responses are imported when they name one of these LOINC panels: "
        f"{KNOWN_PANELS}",
    ),
    "a questionnaire of some other system": (
        with_questionnaire("https://forms.example.com/Questionnaire/mood-check"),
        f"these LOINC panels: {KNOWN_PANELS}",
    ),
    "an answer code the item does not allow": (
        with_answer("LA6572-7"),
        f"item '44259-0': http://loinc.org|LA6572-7 is not one of the answers {PHQ9_NAME} allows",
    ),
    "an item that is not in the instrument": (
        phq9(
            PHQ9_VALUES,
            resource_id="bad",
            extra_items=[{"linkId": "/69725-0", "answer": [foreign.answer(1)]}],
        ),
        f"item '69725-0' is not an item of {PHQ9_NAME}",
    ),
    "items missing": (
        missing_items(),
        f"{PHQ9_NAME} is not complete; unanswered: 44254-1, 44260-8",
    ),
    "a total that disagrees with the answers": (
        phq9(PHQ9_VALUES, resource_id="bad", total=(foreign.PHQ9_TOTAL, 12)),
        f"the file gives a total of 12, but its answers score 10 on {PHQ9_NAME}",
    ),
    "a response still in progress": (
        phq9(PHQ9_VALUES, resource_id="bad", status="in-progress"),
        "status 'in-progress'; only finished responses are imported",
    ),
    "no authored time": (
        without_authored(),
        "has no 'authored' time, so its date is unknown",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_bad_response_refuses_the_whole_file_naming_its_entry(
    session: Session, alice: User, case: str
) -> None:
    bad, reason = REFUSED[case]
    # A good response first: it is not imported either.
    document = bundle(phq9(PHQ9_VALUES, resource_id="good"), bad)
    before = row_counts(session)

    with pytest.raises(ImportRefused) as refused:
        import_file(session, alice, document)

    message = refused.value.message
    assert message.startswith(f"{SOURCE}: entry 2 (QuestionnaireResponse/bad): "), message
    assert reason in message
    assert responses_of(session, alice) == []
    assert row_counts(session) == before


def test_a_single_bad_response_is_named_as_the_response(session: Session, alice: User) -> None:
    with pytest.raises(ImportRefused) as refused:
        import_file(session, alice, phq9(PHQ9_VALUES, status="in-progress"))

    assert refused.value.message == (
        f"{SOURCE}: the response: status 'in-progress'; only finished responses are imported"
    )
    assert refused.value.status_code == 422
    assert responses_of(session, alice) == []


def test_a_bundle_without_any_response_is_refused(session: Session, alice: User) -> None:
    with pytest.raises(ImportRefused) as refused:
        import_file(session, alice, bundle(patient()))

    assert refused.value.message == (
        f"{SOURCE}: holds no QuestionnaireResponse and is not an AffectRange export"
    )
