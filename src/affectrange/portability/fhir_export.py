"""A person's record as one FHIR R4 Bundle (type "collection").

Each resource is built as FHIR JSON and validated with the `fhir.resources` R4B models (R4B
changed none of the resources used here from R4 4.0.1), then the Bundle is validated as a whole
and written by the model, so the file is what the models accept. docs/data-export.md describes
the layout:

- Patient `person`: name, e-mail, and our time-zone extension.
- A check-in is an Observation panel (`daily-checkin`) whose components are the 16 items, the
  day's event and the context fields, with the note as its note. Its `hasMember` are three
  Observations, positive affect, negative affect and numbness: each the mean of its items, on the
  items' 0-6 scale, derived from the panel.
- A questionnaire is a QuestionnaireResponse (as `questionnaires.fhir` builds it) and, once
  scored, an Observation of its total coded with LOINC where the instrument has a total code.
- A medication event is a MedicationStatement coded with RxNorm where the catalogue knows the
  ingredient, the daily dose in mg, and our extension saying start, dose change or stop.
- A care-plan goal is a Goal (the strategy as category, days a week as target, the days it was
  kept as extensions); the monthly impact rating an Observation with four components; a
  question for an appointment a Communication in preparation; a message to a provider a
  Communication to the provider's NPI; a safety event an Observation derived from what raised it.

Resource ids are stable (`checkin-2026-03-04`, `response-3`), and entries follow the record's
order, so the same record always gives the same file (apart from the Bundle's timestamp).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import uuid
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, Final

from fhir.resources.R4B.bundle import Bundle

from affectrange.analysis.items import BLUNTING_ITEMS, NEGATIVE_ITEMS, POSITIVE_ITEMS
from affectrange.careplan.strategies import STRATEGIES_BY_ID
from affectrange.instruments.model import Instrument
from affectrange.instruments.registry import UnknownInstrument, get_instrument
from affectrange.portability import fhir_codes as codes
from affectrange.portability.schemas import (
    CheckinRecord,
    ContactRecord,
    GoalRecord,
    ImpactRecord,
    MedicationRecord,
    PersonalData,
    PersonRecord,
    QuestionRecord,
    ResponseRecord,
    SafetyEventRecord,
)
from affectrange.questionnaires.fhir import (
    questionnaire_resource,
    questionnaire_response_resource,
)
from affectrange.questionnaires.models import ResponseStatus

PATIENT_ID: Final = "person"
SCORE_DECIMALS: Final = 4
"""Daily means are written to 4 decimals: exact for any mean of whole numbers over 7 or 3 items
to well within what a reader can see, and stable as text."""


def export_bundle(data: PersonalData, *, now: dt.datetime) -> dict[str, Any]:
    """The whole record as R4 Bundle JSON, validated with the R4B models."""
    resources = list(_resources(data))
    bundle = {
        "resourceType": "Bundle",
        "meta": {"tag": [{"system": codes.EXPORT_TAG_SYSTEM, "code": codes.EXPORT_TAG_CODE}]},
        "type": "collection",
        "timestamp": _instant(now),
        "entry": [
            {"fullUrl": entry_url(resource["resourceType"], resource["id"]), "resource": resource}
            for resource in resources
        ],
    }
    # Validating the Bundle validates every resource in it, each with its own model.
    Bundle.model_validate(bundle)
    return bundle


def bundle_json(bundle: dict[str, Any]) -> bytes:
    """The validated JSON as written. Written with `json` rather than the models' serialiser
    (measured: 0.6 s of a 1 s export of 144 days); decimals go out as their shortest float
    text, exact for the 4-decimal means and the doses."""
    return json.dumps(bundle, ensure_ascii=False, indent=1, default=float).encode("utf-8")


def entry_url(resource_type: str, resource_id: str) -> str:
    """A stable `urn:uuid:` per resource (FHIR wants absolute, unique fullUrls in a Bundle)."""
    name = f"{codes.FHIR_BASE}/{resource_type}/{resource_id}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def _reference(resource_type: str, resource_id: str) -> dict[str, str]:
    return {"reference": entry_url(resource_type, resource_id)}


def patient_reference() -> dict[str, str]:
    return _reference("Patient", PATIENT_ID)


def _resources(data: PersonalData) -> Iterator[dict[str, Any]]:
    yield _patient(data.person)
    # The Questionnaires travel with the answers: a QuestionnaireResponse item has no code of
    # its own in R4, so its Questionnaire is what maps each linkId to its LOINC code.
    for instrument in _instruments_answered(data):
        yield questionnaire_resource(instrument).model_dump(mode="json")
    for checkin in data.checkins:
        yield from _checkin(checkin)
    for response in data.responses:
        yield from _response(response)
    for medication in data.medications:
        yield _medication(medication)
    for number, goal in enumerate(data.goals, start=1):
        yield _goal(goal, f"goal-{number}")
    for rating in data.impact:
        yield _impact(rating)
    for question in data.questions:
        yield _question(question)
    for number, event in enumerate(data.safety_events, start=1):
        yield _safety_event(event, f"safety-event-{number}", data)
    for number, contact in enumerate(data.contacts, start=1):
        yield _contact(contact, f"contact-{number}")


def _instruments_answered(data: PersonalData) -> list[Instrument]:
    """Each instrument the record has answers to, once, by id."""
    first: dict[str, ResponseRecord] = {}
    for response in data.responses:
        first.setdefault(response.instrument, response)
    return [_instrument(first[instrument_id]) for instrument_id in sorted(first)]


def _coding(code: str, system: str = codes.RECORD_SYSTEM) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _extension(url: str, **value: Any) -> dict[str, Any]:
    return {"url": url, **value}


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def _survey() -> list[dict[str, Any]]:
    return [_coding("survey", codes.OBSERVATION_CATEGORY_SYSTEM)]


def _patient(person: PersonRecord) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": PATIENT_ID,
        "extension": [_extension(codes.TIMEZONE_URL, valueString=person.timezone)],
        "name": [{"text": person.display_name}],
        "telecom": [{"system": "email", "value": person.email}],
    }


def daily_mean(checkin: CheckinRecord, items: Iterable[str]) -> Decimal:
    values = [checkin.items[item] for item in items]
    return round(Decimal(sum(values)) / Decimal(len(values)), SCORE_DECIMALS)


def _checkin(checkin: CheckinRecord) -> Iterator[dict[str, Any]]:
    scores = {
        codes.POSITIVE_AFFECT: daily_mean(checkin, POSITIVE_ITEMS),
        codes.NEGATIVE_AFFECT: daily_mean(checkin, NEGATIVE_ITEMS),
        codes.NUMBNESS: daily_mean(checkin, BLUNTING_ITEMS),
    }
    panel: dict[str, Any] = {
        "resourceType": "Observation",
        "id": checkin.ref,
        "status": "final",
        "category": _survey(),
        "code": _coding(codes.DAILY_CHECKIN),
        "subject": patient_reference(),
        "effectiveDateTime": checkin.day.isoformat(),
        "issued": _instant(checkin.updated_at),
        "hasMember": [_reference("Observation", f"{checkin.ref}-{code}") for code in scores],
        "component": list(_checkin_components(checkin)),
    }
    if checkin.note is not None:
        panel["note"] = [{"text": checkin.note}]
    yield panel
    for code, value in scores.items():
        yield {
            "resourceType": "Observation",
            "id": f"{checkin.ref}-{code}",
            "status": "final",
            "category": _survey(),
            "code": _coding(code),
            "subject": patient_reference(),
            "effectiveDateTime": checkin.day.isoformat(),
            "valueQuantity": {"value": value, "unit": "score (0-6)"},
            "derivedFrom": [_reference("Observation", checkin.ref)],
        }


def _checkin_components(checkin: CheckinRecord) -> Iterator[dict[str, Any]]:
    for item, value in checkin.items.items():
        yield {"code": _coding(item), "valueInteger": value}
    if checkin.event_pleasantness is not None:
        yield {
            "code": _coding(codes.EVENT_PLEASANTNESS),
            "valueInteger": checkin.event_pleasantness,
        }
    if checkin.sleep_hours is not None:
        yield {
            "code": _coding(codes.SLEEP_HOURS),
            "valueQuantity": _quantity(Decimal(str(checkin.sleep_hours)), "h"),
        }
    for code, minutes in (
        (codes.EXERCISE_MINUTES, checkin.exercise_minutes),
        (codes.SOCIAL_MINUTES, checkin.social_minutes),
    ):
        if minutes is not None:
            yield {"code": _coding(code), "valueQuantity": _quantity(Decimal(minutes), "min")}
    if checkin.alcohol_drinks is not None:
        yield {"code": _coding(codes.ALCOHOL_DRINKS), "valueInteger": checkin.alcohol_drinks}
    if checkin.other_substances is not None:
        yield {"code": _coding(codes.OTHER_SUBSTANCES), "valueString": checkin.other_substances}
    yield {"code": _coding(codes.BACKFILLED), "valueBoolean": checkin.backfilled}


def _quantity(value: Decimal, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": codes.UCUM_SYSTEM, "code": unit}


def _response(response: ResponseRecord) -> Iterator[dict[str, Any]]:
    instrument = _instrument(response)
    completed = response.status is ResponseStatus.COMPLETED
    authored = response.completed_at if response.completed_at is not None else response.updated_at
    model = questionnaire_response_resource(
        instrument,
        response.answers,
        response_id=response.ref,
        authored=authored,
        subject_reference=patient_reference()["reference"],
        completed=completed,
    )
    resource: dict[str, Any] = model.model_dump(mode="json")
    extensions = [
        _extension(codes.STARTED_AT_URL, valueDateTime=_instant(response.started_at)),
        _extension(codes.UPDATED_AT_URL, valueDateTime=_instant(response.updated_at)),
    ]
    if response.completed_on is not None:
        extensions.append(
            _extension(codes.COMPLETED_ON_URL, valueDate=response.completed_on.isoformat())
        )
    # The instrument's canonical URL carries our definition version; the record keeps the
    # version the answers were scored with, which may be older.
    resource["questionnaire"] = resource["questionnaire"].rsplit("|", 1)[0] + (
        f"|{response.instrument_version}"
    )
    yield {**resource, "extension": extensions}
    total = instrument.score(response.answers).total if completed else None
    if total is None:
        return
    yield {
        "resourceType": "Observation",
        "id": f"{response.ref}-total",
        "status": "final",
        "category": _survey(),
        "code": _total_code(instrument),
        "subject": patient_reference(),
        "effectiveDateTime": _instant(authored),
        "valueInteger": total,
        "derivedFrom": [_reference("QuestionnaireResponse", response.ref)],
    }


def _instrument(response: ResponseRecord) -> Instrument:
    try:
        return get_instrument(response.instrument)
    except UnknownInstrument as error:  # a plug-in the host no longer registers
        raise ValueError(f"{response.ref}: {error}") from None


def _total_code(instrument: Instrument) -> dict[str, Any]:
    if instrument.loinc_total is not None:
        return _coding(instrument.loinc_total, codes.LOINC_SYSTEM)
    return _coding(f"{instrument.id}.total", codes.ITEM_CODE_SYSTEM)


def _medication(medication: MedicationRecord) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": medication.medication}
    if medication.rxcui is not None:
        concept["coding"] = [
            {
                "system": codes.RXNORM_SYSTEM,
                "code": medication.rxcui,
                "display": medication.medication,
            }
        ]
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "id": medication.ref,
        "extension": [_extension(codes.MEDICATION_EVENT_URL, valueCode=medication.event.value)],
        "status": "stopped" if medication.event.value == "stop" else "active",
        "medicationCodeableConcept": concept,
        "subject": patient_reference(),
        "effectiveDateTime": medication.day.isoformat(),
    }
    if medication.dose_mg is not None:
        resource["dosage"] = [
            {
                "text": "Total daily dose",
                "doseAndRate": [
                    {"doseQuantity": _quantity(Decimal(str(medication.dose_mg)), "mg")}
                ],
            }
        ]
    if medication.note is not None:
        resource["note"] = [{"text": medication.note}]
    return resource


def _goal(goal: GoalRecord, resource_id: str) -> dict[str, Any]:
    strategy = STRATEGIES_BY_ID[goal.strategy_id]
    resource: dict[str, Any] = {
        "resourceType": "Goal",
        "id": resource_id,
        "lifecycleStatus": "active" if goal.ended_on is None else "on-hold",
        "category": [
            {
                "coding": [
                    {
                        "system": codes.STRATEGY_SYSTEM,
                        "code": goal.strategy_id,
                        "display": strategy.title,
                    }
                ]
            }
        ],
        "description": {"text": goal.title},
        "subject": patient_reference(),
        "startDate": goal.started_on.isoformat(),
        "target": [{"measure": _coding(codes.DAYS_PER_WEEK), "detailInteger": goal.times_per_week}],
    }
    if goal.ended_on is not None:
        # Paused: the period ended on this day (a goal taken up again is a new Goal).
        resource["statusDate"] = goal.ended_on.isoformat()
    if goal.kept_days:
        resource["extension"] = [
            _extension(codes.KEPT_DAY_URL, valueDate=day.isoformat()) for day in goal.kept_days
        ]
    return resource


def _impact(rating: ImpactRecord) -> dict[str, Any]:
    last_day = calendar.monthrange(rating.month.year, rating.month.month)[1]
    return {
        "resourceType": "Observation",
        "id": f"impact-{rating.month:%Y-%m}",
        "status": "final",
        "category": _survey(),
        "code": _coding(codes.IMPACT_RATING),
        "subject": patient_reference(),
        "effectivePeriod": {
            "start": rating.month.isoformat(),
            "end": rating.month.replace(day=last_day).isoformat(),
        },
        "component": [
            {"code": _coding(f"impact-{item}"), "valueInteger": value}
            for item, value in rating.scores.items()
        ],
    }


def _question(question: QuestionRecord) -> dict[str, Any]:
    return {
        "resourceType": "Communication",
        "id": question.ref,
        "status": "preparation",
        "category": [_coding(codes.APPOINTMENT_QUESTION)],
        "subject": patient_reference(),
        "sender": patient_reference(),
        "payload": [{"contentString": question.text}],
    }


def _safety_event(event: SafetyEventRecord, resource_id: str, data: PersonalData) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": resource_id,
        "status": "final",
        "code": _coding(codes.SAFETY_EVENT),
        "subject": patient_reference(),
        "effectiveDateTime": _instant(event.occurred_at),
        "component": [
            {
                "code": _coding(codes.SAFETY_SIGNAL),
                "valueCodeableConcept": _coding(event.signal.value),
            },
            {"code": _coding(codes.SAFETY_SOURCE), "valueCodeableConcept": _coding(event.source)},
        ],
    }
    if event.item_value is not None:
        resource["valueInteger"] = event.item_value
    if event.source_ref is not None:
        resource_type = _SOURCE_TYPES[event.source]
        resource["derivedFrom"] = [_reference(resource_type, event.source_ref)]
    return resource


_SOURCE_TYPES: Final = {
    "checkin": "Observation",
    "questionnaire_response": "QuestionnaireResponse",
    "medication_event": "MedicationStatement",
    "appointment_question": "Communication",
}


def _contact(contact: ContactRecord, resource_id: str) -> dict[str, Any]:
    return {
        "resourceType": "Communication",
        "id": resource_id,
        "extension": [
            _extension(codes.DELIVERY_URL, valueCode=contact.delivery),
            _extension(codes.REPLY_TO_URL, valueString=contact.reply_to),
        ],
        "status": "completed" if contact.delivery == "emailed" else "not-done",
        "category": [_coding(codes.CONTACT_REQUEST)],
        "subject": patient_reference(),
        "sender": patient_reference(),
        "recipient": [
            {
                "identifier": {"system": codes.NPI_SYSTEM, "value": contact.practitioner_npi},
                "display": contact.practitioner_name,
            }
        ],
        "sent": _instant(contact.created_at),
        "payload": [{"contentString": contact.message}],
    }
