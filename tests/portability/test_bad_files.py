"""A damaged or foreign file is refused whole (issue 8, point 5): the message names the file and
the place (the line and column, the entry, the field), and not one row is written. The files are
alice's own export, changed by hand the way a damaged or edited file would be, imported into bob's
empty account."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.analysis.items import ITEM_IDS
from affectrange.audit.service import actor_for
from affectrange.checkins.schemas import CheckinIn
from affectrange.checkins.service import record_checkin
from affectrange.portability import service
from affectrange.portability.fhir_export import entry_url
from affectrange.portability.fhir_import import ImportRefused
from affectrange.portability.service import ExportFormat
from tests.conftest import NOW, TODAY
from tests.portability.helpers import load_everything, row_counts

SOURCE = "alice-record.fhir.json"
Document = dict[str, Any]


@pytest.fixture
def exported(session: Session, alice: User, tmp_path: Path) -> Document:
    load_everything(session, alice, tmp_path / "outbox")
    export = service.export_record(
        session,
        alice,
        file_format=ExportFormat.FHIR,
        now=NOW,
        actor=actor_for(alice),
        address="testclient",
    )
    session.commit()
    document: Document = json.loads(export.content)
    return document


def entry_number(document: Document, resource_id: str) -> int:
    """1-based, as the messages count."""
    ids = [entry["resource"].get("id") for entry in document["entry"]]
    return ids.index(resource_id) + 1


def resource(document: Document, resource_id: str) -> Document:
    found: Document = document["entry"][entry_number(document, resource_id) - 1]["resource"]
    return found


def refused_import(session: Session, person: User, content: bytes) -> str:
    """Import, expect a refusal, and check that nothing at all was written."""
    before = row_counts(session)
    with pytest.raises(ImportRefused) as refused:
        service.import_record(
            session,
            person,
            content,
            source=SOURCE,
            now=NOW,
            actor=actor_for(person),
            address="testclient",
        )
    # No rollback first: whatever the refused import had flushed would be counted (and kept).
    assert row_counts(session) == before
    assert service.read_record(session, person).is_empty()
    return refused.value.message


# --- not a FHIR file at all ---------------------------------------------------------------------

NOT_FHIR: dict[str, tuple[bytes, str]] = {
    "empty": (b"", f"{SOURCE}: the file is empty"),
    # line 2 is `  "type": }`: two spaces, `"type":` (7), a space, so the brace is column 11
    "not JSON": (
        b'{"resourceType": "Bundle",\n  "type": }',
        f"{SOURCE}: not JSON (line 2, column 11: Expecting value)",
    ),
    # `{"resourceType": "Bundle", "note": "caf` is 39 bytes, so the Latin-1 e-acute is byte 39
    "not UTF-8": (
        b'{"resourceType": "Bundle", "note": "caf\xe9"}',
        f"{SOURCE}: not UTF-8 text (byte 39)",
    ),
    "a JSON array": (
        b'[{"resourceType": "Bundle", "type": "collection"}]',
        f"{SOURCE}: a FHIR file holds one JSON object",
    ),
    "a resource of another type": (
        b'{"resourceType": "Patient", "id": "p1"}',
        f"{SOURCE}: a FHIR Patient cannot be imported; give an AffectRange export (a Bundle) "
        "or QuestionnaireResponses",
    ),
    "JSON without a resourceType": (
        b'{"entry": []}',
        f"{SOURCE}: a FHIR document without a resourceType cannot be imported; give an "
        "AffectRange export (a Bundle) or QuestionnaireResponses",
    ),
}


@pytest.mark.parametrize("case", NOT_FHIR)
def test_a_file_that_is_not_a_fhir_bundle_is_refused(
    session: Session, bob: User, case: str
) -> None:
    content, message = NOT_FHIR[case]

    assert refused_import(session, bob, content) == message


# --- our export, changed by hand ----------------------------------------------------------------


def invalid_status(document: Document) -> str:
    resource(document, "medication-1")["status"] = 42
    number = entry_number(document, "medication-1")
    return (
        f"{SOURCE}: the Bundle is not valid FHIR R4: entry {number}, resource.status: "
        "Input should be a valid string"
    )


def altered_numbness(document: Document) -> str:
    observation = resource(document, "checkin-2026-06-13-numbness")
    observation["valueQuantity"]["value"] = 3.5  # the items give (5 + 3 + 3) / 3 = 3.6667
    number = entry_number(document, "checkin-2026-06-13-numbness")
    return (
        f"{SOURCE}: entry {number} (Observation/checkin-2026-06-13-numbness): gives 3.5 but the "
        "check-in's items give 3.6667: the file was changed or damaged"
    )


def altered_item(document: Document) -> str:
    """Raising an item without its mean is caught too: the mean no longer agrees."""
    panel = resource(document, "checkin-2026-06-13")
    numb = next(c for c in panel["component"] if c["code"]["coding"][0]["code"] == "numb")
    numb["valueInteger"] = 6  # (6 + 3 + 3) / 3 = 4, but the file says 3.6667
    number = entry_number(document, "checkin-2026-06-13-numbness")
    return (
        f"{SOURCE}: entry {number} (Observation/checkin-2026-06-13-numbness): gives 3.6667 but "
        "the check-in's items give 4.0000: the file was changed or damaged"
    )


def altered_total(document: Document) -> str:
    resource(document, "response-2-total")["valueInteger"] = 12  # the answers score 11
    number = entry_number(document, "response-2-total")
    return (
        f"{SOURCE}: entry {number} (Observation/response-2-total): gives a total of 12 but the "
        "answers of 'response-2' score 11 on Patient Health Questionnaire (PHQ-9)"
    )


def unknown_resource(document: Document) -> str:
    document["entry"].insert(
        3,
        {
            "fullUrl": "urn:uuid:8c2f1bde-0000-4000-8000-000000000001",
            "resource": {
                "resourceType": "Condition",
                "id": "c1",
                "subject": {"reference": "urn:uuid:whoever"},
            },
        },
    )
    return f"{SOURCE}: entry 4 (Condition/c1): a Condition is not part of an AffectRange export"


def dangling_safety_event(document: Document) -> str:
    missing = entry_url("QuestionnaireResponse", "response-9")
    resource(document, "safety-event-1")["derivedFrom"] = [{"reference": missing}]
    number = entry_number(document, "safety-event-1")
    return (
        f"{SOURCE}: entry {number} (Observation/safety-event-1): refers to '{missing}', which "
        "is not a QuestionnaireResponse in the file"
    )


def second_patient(document: Document) -> str:
    other = copy.deepcopy(document["entry"][0])
    other["resource"]["id"] = "someone-else"
    other["fullUrl"] = entry_url("Patient", "someone-else")
    document["entry"].append(other)
    number = len(document["entry"])
    return (
        f"{SOURCE}: entry {number} (Patient/someone-else): a second Patient; an export is one "
        "person's record"
    )


def goal_day_outside(document: Document) -> str:
    goal = resource(document, "goal-2")  # "sleep", 1 to 13 June
    goal["extension"].append({"url": goal["extension"][0]["url"], "valueDate": "2026-06-14"})
    number = entry_number(document, "goal-2")
    return f"{SOURCE}: entry {number} (Goal/goal-2): day kept outside the goal's period: 2026-06-14"


def long_version(document: Document) -> str:
    response = resource(document, "response-2")
    response["questionnaire"] = response["questionnaire"].split("|")[0] + "|" + "1" * 17
    number = entry_number(document, "response-2")
    return (
        f"{SOURCE}: entry {number} (QuestionnaireResponse/response-2): instrument_version: "
        "String should have at most 16 characters"
    )


CHANGED: dict[str, Callable[[Document], str]] = {
    "invalid FHIR (status 42)": invalid_status,
    "a daily mean changed": altered_numbness,
    "an item changed under its mean": altered_item,
    "a questionnaire total changed": altered_total,
    "a resource type the export has not": unknown_resource,
    "a safety event pointing at nothing": dangling_safety_event,
    "a second Patient": second_patient,
    "a goal ticked outside its period": goal_day_outside,
    "a questionnaire version longer than the record keeps": long_version,
}


@pytest.mark.parametrize("case", CHANGED)
def test_a_changed_export_is_refused_naming_the_entry(
    session: Session, exported: Document, bob: User, case: str
) -> None:
    document = copy.deepcopy(exported)
    expected = CHANGED[case](document)

    message = refused_import(session, bob, json.dumps(document).encode("utf-8"))

    assert message == expected


def test_the_unchanged_export_imports(session: Session, exported: Document, bob: User) -> None:
    """The cases above fail for their change alone."""
    result = service.import_record(
        session,
        bob,
        json.dumps(exported).encode("utf-8"),
        source=SOURCE,
        now=NOW,
        actor=actor_for(bob),
        address="testclient",
    )

    assert result.added["check-ins"] == 4


def test_an_export_goes_only_into_an_empty_account(
    session: Session, exported: Document, bob: User
) -> None:
    # A day the export does not hold: merging would go through, so only the rule stops it.
    first_of_june = dt.date(2026, 6, 1)
    entry = CheckinIn(date=first_of_june, **dict.fromkeys(ITEM_IDS, 3))
    record_checkin(session, bob, entry, today=TODAY, now=NOW)
    session.commit()
    before = row_counts(session)

    with pytest.raises(ImportRefused) as refused:
        service.import_record(
            session,
            bob,
            json.dumps(exported).encode("utf-8"),
            source=SOURCE,
            now=NOW,
            actor=actor_for(bob),
            address="testclient",
        )

    assert refused.value.message == (
        f"{SOURCE}: this account already holds records. A whole-record import goes into a new, "
        "empty account only, so nothing is merged or overwritten"
    )
    assert row_counts(session) == before
    assert len(service.read_record(session, bob).checkins) == 1
