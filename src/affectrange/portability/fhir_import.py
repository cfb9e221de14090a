"""Reading FHIR files: an AffectRange export back into a record, or other systems' answers.

Two kinds of file are accepted, and anything else is refused before anything is written:

- **An AffectRange export** (a Bundle tagged `personal-record-1`, see `fhir_export`): every
  resource becomes its record again. The derived values in the file (daily means, questionnaire
  totals) are recomputed from what they derive from and must agree: a file whose numbers
  disagree with its own answers has been altered or damaged, and is refused.
- **QuestionnaireResponses from another system** (one resource, or a Bundle of them): each must
  name a questionnaire whose LOINC panel code is one of our instruments' (`http://loinc.org/q/
  44249-1`, `.../Questionnaire/44249-1`), its items must be that panel's LOINC item codes (as
  linkIds, the way LOINC's own forms name them) and its answers LOINC answer codes, our answer
  codes, or the answer values themselves. Other resources in such a Bundle (the Patient, the
  Questionnaire) are not imported and are counted in the result.

Every problem is reported with its place: the entry's position in the Bundle (1-based), its
resource type and id, and the field.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, TypeVar

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from affectrange.analysis.items import BLUNTING_ITEMS, ITEM_IDS, NEGATIVE_ITEMS, POSITIVE_ITEMS
from affectrange.careplan.models import IMPACT_COLUMNS
from affectrange.errors import AffectRangeError
from affectrange.instruments.model import Instrument, InvalidAnswer, Item, Value
from affectrange.instruments.registry import get_instrument, instrument_ids
from affectrange.medications.models import MedicationEventKind
from affectrange.portability import fhir_codes as codes
from affectrange.portability.fhir_export import SCORE_DECIMALS, daily_mean
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
    ANSWER_CODE_SYSTEM,
    QUESTIONNAIRE_BASE,
    TOTAL_LINK_ID,
    fhir_id,
)
from affectrange.questionnaires.models import ResponseStatus

_LOINC_CODE: Final = re.compile(r"^[0-9]{1,7}-[0-9]$")
_FINISHED_STATUSES: Final = frozenset({"completed", "amended"})

_T = TypeVar("_T")


class ImportRefused(AffectRangeError):
    """The file cannot be imported; nothing was written. The message names the place."""

    status_code = 422
    code = "import_refused"


@dataclass(frozen=True, slots=True)
class ForeignResponse:
    """One finished QuestionnaireResponse from another system, mapped to our instrument."""

    place: str
    instrument: Instrument
    answers: dict[str, Value]
    authored: dt.datetime


@dataclass(frozen=True, slots=True)
class ForeignResponses:
    responses: tuple[ForeignResponse, ...]
    not_imported: Mapping[str, int] = field(default_factory=dict)
    """Other resources in the file by type ("Patient": 1): listed, never imported."""


def read_fhir(content: bytes, *, source: str) -> PersonalData | ForeignResponses:
    """The file's record, or its foreign responses; ImportRefused names what is wrong."""
    document = _json_object(content, source)
    resource_type = document.get("resourceType")
    if resource_type == "QuestionnaireResponse":
        _validate(QuestionnaireResponse, document, f"{source}: QuestionnaireResponse")
        return ForeignResponses((_foreign_response(document, f"{source}: the response"),))
    if resource_type != "Bundle":
        raise ImportRefused(
            f"{source}: a FHIR {resource_type or 'document without a resourceType'} cannot be "
            "imported; give an AffectRange export (a Bundle) or QuestionnaireResponses"
        )
    _validate(Bundle, document, f"{source}: the Bundle")
    entries = _Entries(document, source)
    if _is_our_export(document):
        return _RecordReader(entries).record()
    return _foreign_responses(entries)


def _json_object(content: bytes, source: str) -> dict[str, Any]:
    try:
        document = json.loads(content.decode("utf-8"), parse_float=Decimal)
    except UnicodeDecodeError as error:
        raise ImportRefused(f"{source}: not UTF-8 text (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise ImportRefused(
            f"{source}: not JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    if not isinstance(document, dict):
        raise ImportRefused(f"{source}: a FHIR file holds one JSON object")
    return document


def _validate(model: Any, document: Mapping[str, Any], place: str) -> None:
    try:
        model.model_validate(document)
    except ValidationError as error:
        raise ImportRefused(f"{place} is not valid FHIR R4: {_first_problem(error)}") from None


def _first_problem(error: ValidationError) -> str:
    first = error.errors()[0]
    location = list(first["loc"])
    where = _describe_location(location)
    # pydantic prefixes the message of a validator's own ValueError; the reader needs only ours.
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def _describe_location(location: list[int | str]) -> str:
    # ("entry", 3, "resource", "component", 0, ...) -> "entry 4, resource.component[0]"
    parts: list[str] = []
    if len(location) >= 2 and location[0] == "entry" and isinstance(location[1], int):
        parts.append(f"entry {location[1] + 1}")
        location = location[2:]
    path = ""
    for step in location:
        path += f"[{step}]" if isinstance(step, int) else (f".{step}" if path else str(step))
    if path:
        parts.append(path)
    return ", ".join(parts)


def _is_our_export(bundle: Mapping[str, Any]) -> bool:
    tags = bundle.get("meta", {}).get("tag", [])
    return any(
        tag.get("system") == codes.EXPORT_TAG_SYSTEM and tag.get("code") == codes.EXPORT_TAG_CODE
        for tag in tags
    )


@dataclass(frozen=True, slots=True)
class _Entry:
    number: int
    resource: dict[str, Any]
    source: str

    @property
    def type(self) -> str:
        return str(self.resource.get("resourceType"))

    @property
    def id(self) -> str:
        return str(self.resource.get("id", ""))

    @property
    def place(self) -> str:
        name = f"{self.type}/{self.id}" if self.id else self.type
        return f"{self.source}: entry {self.number} ({name})"

    def refuse(self, problem: str) -> ImportRefused:
        return ImportRefused(f"{self.place}: {problem}")


class _Entries:
    def __init__(self, bundle: Mapping[str, Any], source: str) -> None:
        self.source = source
        self.all = [
            _Entry(number, entry.get("resource", {}), source)
            for number, entry in enumerate(bundle.get("entry", []), start=1)
        ]
        self._by_url = {
            entry["fullUrl"]: self.all[index]
            for index, entry in enumerate(bundle.get("entry", []))
            if "fullUrl" in entry
        }

    def target(self, entry: _Entry, reference: Mapping[str, Any], expected_type: str) -> _Entry:
        """The entry a reference points at, which must be of the expected type."""
        url = reference.get("reference")
        target = self._by_url.get(url) if isinstance(url, str) else None
        if target is None or target.type != expected_type:
            raise entry.refuse(f"refers to {url!r}, which is not a {expected_type} in the file")
        return target


# Foreign responses ----------------------------------------------------------------------------


def _foreign_responses(entries: _Entries) -> ForeignResponses:
    responses: list[ForeignResponse] = []
    others: Counter[str] = Counter()
    for entry in entries.all:
        if entry.type == "QuestionnaireResponse":
            responses.append(_foreign_response(entry.resource, entry.place))
        else:
            others[entry.type] += 1
    if not responses:
        raise ImportRefused(
            f"{entries.source}: holds no QuestionnaireResponse and is not an AffectRange export"
        )
    return ForeignResponses(tuple(responses), dict(sorted(others.items())))


def _foreign_response(resource: Mapping[str, Any], place: str) -> ForeignResponse:
    instrument = _instrument_named_by(resource.get("questionnaire"), place)
    status = resource.get("status")
    if status not in _FINISHED_STATUSES:
        raise ImportRefused(f"{place}: status {status!r}; only finished responses are imported")
    authored = resource.get("authored")
    if authored is None:
        raise ImportRefused(f"{place}: has no 'authored' time, so its date is unknown")
    moment = _datetime(authored, place, "authored")
    answers, stated_total = _answers(instrument, resource, place, by_loinc=True)
    _check_answers(instrument, answers, stated_total, place, by_loinc=True)
    return ForeignResponse(place, instrument, answers, moment)


def _instrument_named_by(canonical: object, place: str) -> Instrument:
    if not isinstance(canonical, str) or not canonical:
        raise ImportRefused(f"{place}: does not say which questionnaire it answers")
    url = canonical.split("|", 1)[0]
    ours = _our_instrument(url)
    if ours is not None:
        return ours
    last_segment = url.rstrip("/").rsplit("/", 1)[-1]
    panels = _instruments_by_panel()
    if _LOINC_CODE.match(last_segment) and last_segment in panels:
        return panels[last_segment]
    known = ", ".join(f"{code} ({instrument.name})" for code, instrument in panels.items())
    raise ImportRefused(
        f"{place}: questionnaire {canonical!r} is not one of the instruments this installation "
        f"scores; responses are imported when they name one of these LOINC panels: {known}"
    )


def _our_instrument(url: str) -> Instrument | None:
    prefix = f"{QUESTIONNAIRE_BASE}/"
    if not url.startswith(prefix):
        return None
    wanted = url.removeprefix(prefix)
    for instrument_id in instrument_ids():
        instrument = get_instrument(instrument_id)
        if fhir_id(instrument) == wanted:
            return instrument
    return None


def _instruments_by_panel() -> dict[str, Instrument]:
    instruments = (get_instrument(instrument_id) for instrument_id in instrument_ids())
    return {
        instrument.loinc_panel: instrument
        for instrument in instruments
        if instrument.loinc_panel is not None
    }


def _flat_items(items: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    # LOINC's forms may nest the questions in a group item; answers can nest too.
    for item in items:
        if "answer" in item:
            yield item
        yield from _flat_items(item.get("item", []))
        for answer in item.get("answer", []):
            yield from _flat_items(answer.get("item", []))


def _answers(
    instrument: Instrument, resource: Mapping[str, Any], place: str, *, by_loinc: bool
) -> tuple[dict[str, Value], int | None]:
    """The answers by our item id, and the total the file states (None when it states none)."""
    by_link = {item.id: item for item in instrument.items}
    if by_loinc:
        by_link.update({item.loinc: item for item in instrument.items if item.loinc})
    total_links = {TOTAL_LINK_ID, instrument.loinc_total}
    answers: dict[str, Value] = {}
    stated_total: int | None = None
    for response_item in _flat_items(resource.get("item", [])):
        link_id = str(response_item.get("linkId", "")).lstrip("/")
        answer = _single_answer(response_item, place, link_id)
        if link_id in total_links:
            stated_total = _total_value(answer, place, link_id)
            continue
        item = by_link.get(link_id)
        if item is None:
            raise ImportRefused(f"{place}: item {link_id!r} is not an item of {instrument.name}")
        if item.id in answers:
            raise ImportRefused(f"{place}: item {link_id!r} is answered twice")
        answers[item.id] = _answer_value(instrument, item, answer, place, link_id)
    return answers, stated_total


def _single_answer(response_item: Mapping[str, Any], place: str, link_id: str) -> Mapping[str, Any]:
    answers = response_item.get("answer", [])
    if len(answers) != 1:
        raise ImportRefused(f"{place}: item {link_id!r} needs exactly one answer")
    answer: Mapping[str, Any] = answers[0]
    return answer


def _total_value(answer: Mapping[str, Any], place: str, link_id: str) -> int:
    value = answer.get("valueInteger", answer.get("valueDecimal"))
    if value is None or int(value) != value:
        raise ImportRefused(f"{place}: the total ({link_id!r}) is not a whole number")
    return int(value)


def _answer_value(
    instrument: Instrument, item: Item, answer: Mapping[str, Any], place: str, link_id: str
) -> Value:
    coding = answer.get("valueCoding")
    candidates: list[Value] = []
    if coding is not None:
        system, code = coding.get("system"), coding.get("code")
        for option in item.options:
            ours = system == ANSWER_CODE_SYSTEM and code == str(option.value)
            loinc = (
                system == codes.LOINC_SYSTEM and option.loinc is not None and code == option.loinc
            )
            if ours or loinc:
                candidates.append(option.value)
        shown = f"{system}|{code}"
    elif "valueInteger" in answer:
        shown = str(answer["valueInteger"])
        candidates = [
            option.value for option in item.options if option.value == answer["valueInteger"]
        ]
    elif "valueString" in answer:
        shown = repr(answer["valueString"])
        candidates = [
            option.value for option in item.options if str(option.value) == answer["valueString"]
        ]
    else:
        shown = "an answer of another type"
    if len(candidates) != 1:
        raise ImportRefused(
            f"{place}: item {link_id!r}: {shown} is not one of the answers {instrument.name} allows"
        )
    return candidates[0]


def _check_answers(
    instrument: Instrument,
    answers: Mapping[str, Value],
    stated_total: int | None,
    place: str,
    *,
    by_loinc: bool,
) -> None:
    try:
        result = instrument.score(answers)
    except InvalidAnswer as error:
        raise ImportRefused(f"{place}: {error}") from None
    if result.missing:
        # Named as the file names them: by LOINC code where the items have one.
        names = [
            (instrument.item(item_id).loinc or item_id) if by_loinc else item_id
            for item_id in result.missing
        ]
        raise ImportRefused(
            f"{place}: {instrument.name} is not complete; unanswered: {', '.join(names)}"
        )
    if stated_total is not None and stated_total != result.total:
        raise ImportRefused(
            f"{place}: the file gives a total of {stated_total}, but its answers score "
            f"{result.total} on {instrument.name}"
        )


def _datetime(value: object, place: str, name: str) -> dt.datetime:
    if not isinstance(value, str):
        raise ImportRefused(f"{place}: {name} is not a date and time")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ImportRefused(f"{place}: {name} {value!r} needs a date, a time and a time zone")
    return moment.astimezone(dt.UTC)


def _date(value: object, place: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ImportRefused(f"{place}: {name} {value!r} is not a date") from None


# Our own export -------------------------------------------------------------------------------


def _record(entry: _Entry, build: Callable[[], _T]) -> _T:
    """Build one record; its validation problems are reported at the entry."""
    try:
        return build()
    except ValidationError as error:
        raise entry.refuse(_first_problem(error)) from None
    except (KeyError, TypeError, ValueError) as error:
        raise entry.refuse(f"unexpected content ({error})") from None


def _code(concept: Mapping[str, Any] | None, system: str) -> str | None:
    for coding in (concept or {}).get("coding", []):
        if coding.get("system") == system:
            return str(coding.get("code"))
    return None


def _extensions(resource: Mapping[str, Any], url: str) -> list[Mapping[str, Any]]:
    return [extension for extension in resource.get("extension", []) if extension["url"] == url]


def _extension_value(resource: Mapping[str, Any], url: str, key: str) -> Any:
    found = _extensions(resource, url)
    return found[0].get(key) if found else None


def _text_of(resource: Mapping[str, Any], field_name: str) -> str | None:
    notes = resource.get(field_name) or []
    return str(notes[0]["text"]) if notes else None


_CHECKIN_NUMBERS: Final = frozenset(
    {codes.EVENT_PLEASANTNESS, codes.ALCOHOL_DRINKS, codes.EXERCISE_MINUTES, codes.SOCIAL_MINUTES}
)


class _RecordReader:
    """Turns the entries of one of our exports back into a `PersonalData`."""

    def __init__(self, entries: _Entries) -> None:
        self._entries = entries
        self._person: PersonRecord | None = None
        self._checkins: list[CheckinRecord] = []
        self._responses: list[ResponseRecord] = []
        self._medications: list[MedicationRecord] = []
        self._goals: list[GoalRecord] = []
        self._impact: list[ImpactRecord] = []
        self._questions: list[QuestionRecord] = []
        self._safety: list[SafetyEventRecord] = []
        self._contacts: list[ContactRecord] = []
        self._derived: list[_Entry] = []

    def record(self) -> PersonalData:
        for entry in self._entries.all:
            self._read(entry)
        if self._person is None:
            raise ImportRefused(f"{self._entries.source}: the export has no Patient")
        by_ref = {record.ref: record for record in self._checkins}
        responses = {record.ref: record for record in self._responses}
        for entry in self._derived:
            self._check_derived(entry, by_ref, responses)
        try:
            return PersonalData(
                person=self._person,
                checkins=tuple(self._checkins),
                responses=tuple(self._responses),
                medications=tuple(self._medications),
                goals=tuple(self._goals),
                impact=tuple(self._impact),
                questions=tuple(self._questions),
                safety_events=tuple(self._safety),
                contacts=tuple(self._contacts),
            )
        except ValidationError as error:
            raise ImportRefused(f"{self._entries.source}: {_first_problem(error)}") from None

    def _read(self, entry: _Entry) -> None:
        match entry.type:
            case "Patient":
                if self._person is not None:
                    raise entry.refuse("a second Patient; an export is one person's record")
                self._person = _record(entry, lambda: _person(entry.resource))
            case "Observation":
                self._observation(entry)
            case "QuestionnaireResponse":
                self._responses.append(_record(entry, lambda: _response(entry)))
            case "MedicationStatement":
                self._medications.append(_record(entry, lambda: _medication(entry.resource)))
            case "Goal":
                self._goals.append(_record(entry, lambda: _goal(entry.resource)))
            case "Communication":
                self._communication(entry)
            case "Questionnaire":
                pass  # the definitions the answers refer to: reference, not the person's data
            case other:
                raise entry.refuse(f"a {other} is not part of an AffectRange export")

    def _observation(self, entry: _Entry) -> None:
        code = _code(entry.resource.get("code"), codes.RECORD_SYSTEM)
        match code:
            case codes.DAILY_CHECKIN:
                self._checkins.append(_record(entry, lambda: _checkin(entry.resource)))
            case codes.IMPACT_RATING:
                self._impact.append(_record(entry, lambda: _impact(entry.resource)))
            case codes.SAFETY_EVENT:
                self._safety.append(_record(entry, lambda: self._safety_event(entry)))
            case _ if code in codes.DAILY_SCORES or "derivedFrom" in entry.resource:
                self._derived.append(entry)  # checked once everything is read
            case _:
                raise entry.refuse("an Observation this export layout does not have")

    def _communication(self, entry: _Entry) -> None:
        category = _code((entry.resource.get("category") or [{}])[0], codes.RECORD_SYSTEM)
        if category == codes.APPOINTMENT_QUESTION:
            self._questions.append(_record(entry, lambda: _question(entry.resource)))
        elif category == codes.CONTACT_REQUEST:
            self._contacts.append(_record(entry, lambda: _contact(entry.resource)))
        else:
            raise entry.refuse("a Communication this export layout does not have")

    def _safety_event(self, entry: _Entry) -> SafetyEventRecord:
        resource = entry.resource
        components = {
            _code(component["code"], codes.RECORD_SYSTEM): _code(
                component.get("valueCodeableConcept"), codes.RECORD_SYSTEM
            )
            for component in resource.get("component", [])
        }
        derived = resource.get("derivedFrom") or []
        source_ref = None
        if derived:
            source_type = _SOURCE_TYPES.get(str(components.get(codes.SAFETY_SOURCE)), "")
            source_ref = self._entries.target(entry, derived[0], source_type).id
        return SafetyEventRecord(
            occurred_at=_datetime(resource.get("effectiveDateTime"), entry.place, "time"),
            signal=components.get(codes.SAFETY_SIGNAL),
            item_value=resource.get("valueInteger"),
            source=components.get(codes.SAFETY_SOURCE),
            source_ref=source_ref,
        )

    def _check_derived(
        self,
        entry: _Entry,
        checkins: Mapping[str, CheckinRecord],
        responses: Mapping[str, ResponseRecord],
    ) -> None:
        derived = entry.resource.get("derivedFrom") or []
        if len(derived) != 1:
            raise entry.refuse("a derived value must name the one record it comes from")
        code = _code(entry.resource.get("code"), codes.RECORD_SYSTEM)
        if code in codes.DAILY_SCORES:
            source = self._entries.target(entry, derived[0], "Observation")
            checkin = checkins.get(source.id)
            if checkin is None:
                raise entry.refuse(f"derives from {source.id!r}, which is not a check-in")
            expected = daily_mean(checkin, _SCORE_ITEMS[code])
            stated = Decimal(str(entry.resource.get("valueQuantity", {}).get("value")))
            if round(stated, SCORE_DECIMALS) != expected:
                raise entry.refuse(
                    f"gives {stated} but the check-in's items give {expected}: "
                    "the file was changed or damaged"
                )
            return
        source = self._entries.target(entry, derived[0], "QuestionnaireResponse")
        response = responses[source.id]
        instrument = get_instrument(response.instrument)
        total = instrument.score(response.answers).total
        if entry.resource.get("valueInteger") != total:
            raise entry.refuse(
                f"gives a total of {entry.resource.get('valueInteger')} but the answers of "
                f"{source.id!r} score {total} on {instrument.name}"
            )


_SCORE_ITEMS: Final = {
    codes.POSITIVE_AFFECT: POSITIVE_ITEMS,
    codes.NEGATIVE_AFFECT: NEGATIVE_ITEMS,
    codes.NUMBNESS: BLUNTING_ITEMS,
}
_SOURCE_TYPES: Final = {
    "checkin": "Observation",
    "questionnaire_response": "QuestionnaireResponse",
    "medication_event": "MedicationStatement",
    "appointment_question": "Communication",
}


def _person(resource: Mapping[str, Any]) -> PersonRecord:
    emails = [t["value"] for t in resource.get("telecom", []) if t.get("system") == "email"]
    return PersonRecord(
        display_name=resource["name"][0]["text"],
        email=emails[0],
        timezone=_extension_value(resource, codes.TIMEZONE_URL, "valueString"),
    )


def _checkin(resource: Mapping[str, Any]) -> CheckinRecord:
    values: dict[str, Any] = {}
    for component in resource.get("component", []):
        code = _code(component["code"], codes.RECORD_SYSTEM)
        if code is None or code in values:
            raise ValueError(f"component {code!r} missing or repeated")
        values[code] = _component_value(code, component)
    items = {item: values.pop(item) for item in ITEM_IDS if item in values}
    fields = {
        "event_pleasantness": values.pop(codes.EVENT_PLEASANTNESS, None),
        "sleep_hours": values.pop(codes.SLEEP_HOURS, None),
        "exercise_minutes": values.pop(codes.EXERCISE_MINUTES, None),
        "social_minutes": values.pop(codes.SOCIAL_MINUTES, None),
        "alcohol_drinks": values.pop(codes.ALCOHOL_DRINKS, None),
        "other_substances": values.pop(codes.OTHER_SUBSTANCES, None),
        "backfilled": values.pop(codes.BACKFILLED, False),
    }
    if values:
        raise ValueError(f"unknown components: {', '.join(sorted(values))}")
    return CheckinRecord(
        ref=resource["id"],
        day=dt.date.fromisoformat(resource["effectiveDateTime"]),
        items=items,
        note=_text_of(resource, "note"),
        updated_at=resource["issued"],
        **fields,
    )


def _component_value(code: str, component: Mapping[str, Any]) -> Any:
    if code == codes.SLEEP_HOURS:
        return float(component["valueQuantity"]["value"])
    if code in (codes.EXERCISE_MINUTES, codes.SOCIAL_MINUTES):
        return _whole(component["valueQuantity"]["value"])
    if code == codes.OTHER_SUBSTANCES:
        return component["valueString"]
    if code == codes.BACKFILLED:
        return component["valueBoolean"]
    if code in ITEM_IDS or code in _CHECKIN_NUMBERS:
        return component["valueInteger"]
    raise ValueError(f"unknown component {code!r}")


def _whole(value: Any) -> int:
    if int(value) != value:
        raise ValueError(f"{value} is not a whole number")
    return int(value)


def _response(entry: _Entry) -> ResponseRecord:
    resource = entry.resource
    canonical = str(resource.get("questionnaire", ""))
    instrument = _our_instrument(canonical.split("|", 1)[0])
    if instrument is None:
        raise entry.refuse(f"questionnaire {canonical!r} is not an AffectRange instrument")
    answers, _ = _answers(instrument, resource, entry.place, by_loinc=False)
    completed = resource.get("status") == "completed"
    authored = _datetime(resource.get("authored"), entry.place, "authored")
    completed_on = _extension_value(resource, codes.COMPLETED_ON_URL, "valueDate")
    return ResponseRecord(
        ref=resource["id"],
        instrument=instrument.id,
        instrument_version=canonical.split("|", 1)[1] if "|" in canonical else instrument.version,
        status=ResponseStatus.COMPLETED if completed else ResponseStatus.IN_PROGRESS,
        answers=dict(answers),
        started_at=_extension_value(resource, codes.STARTED_AT_URL, "valueDateTime"),
        updated_at=_extension_value(resource, codes.UPDATED_AT_URL, "valueDateTime"),
        completed_at=authored if completed else None,
        completed_on=None if completed_on is None else dt.date.fromisoformat(completed_on),
    )


def _medication(resource: Mapping[str, Any]) -> MedicationRecord:
    concept = resource["medicationCodeableConcept"]
    dosage = resource.get("dosage") or []
    dose = dosage[0]["doseAndRate"][0]["doseQuantity"] if dosage else None
    if dose is not None and dose.get("code", dose.get("unit")) != "mg":
        raise ValueError("the dose must be in mg")
    return MedicationRecord(
        ref=resource["id"],
        medication=concept["text"],
        rxcui=_code(concept, codes.RXNORM_SYSTEM),
        event=MedicationEventKind(
            _extension_value(resource, codes.MEDICATION_EVENT_URL, "valueCode")
        ),
        day=dt.date.fromisoformat(resource["effectiveDateTime"]),
        dose_mg=None if dose is None else float(dose["value"]),
        note=_text_of(resource, "note"),
    )


def _goal(resource: Mapping[str, Any]) -> GoalRecord:
    strategy = _code(resource["category"][0], codes.STRATEGY_SYSTEM)
    status = resource["lifecycleStatus"]
    if status not in ("active", "on-hold"):
        raise ValueError(f"lifecycleStatus {status!r}")
    ended = resource.get("statusDate") if status == "on-hold" else None
    return GoalRecord(
        strategy_id=str(strategy),
        title=resource["description"]["text"],
        times_per_week=resource["target"][0]["detailInteger"],
        started_on=dt.date.fromisoformat(resource["startDate"]),
        ended_on=None if ended is None else dt.date.fromisoformat(ended),
        kept_days=tuple(
            dt.date.fromisoformat(extension["valueDate"])
            for extension in _extensions(resource, codes.KEPT_DAY_URL)
        ),
    )


def _impact(resource: Mapping[str, Any]) -> ImpactRecord:
    scores = {
        str(_code(component["code"], codes.RECORD_SYSTEM)).removeprefix("impact-"): component[
            "valueInteger"
        ]
        for component in resource.get("component", [])
    }
    if set(scores) != set(IMPACT_COLUMNS):
        raise ValueError(f"impact items {sorted(scores)}")
    return ImpactRecord(
        month=dt.date.fromisoformat(resource["effectivePeriod"]["start"]), scores=scores
    )


def _question(resource: Mapping[str, Any]) -> QuestionRecord:
    return QuestionRecord(ref=resource["id"], text=resource["payload"][0]["contentString"])


def _contact(resource: Mapping[str, Any]) -> ContactRecord:
    recipient = resource["recipient"][0]
    if recipient["identifier"]["system"] != codes.NPI_SYSTEM:
        raise ValueError("the recipient must be named by NPI")
    return ContactRecord(
        practitioner_npi=recipient["identifier"]["value"],
        practitioner_name=recipient["display"],
        reply_to=_extension_value(resource, codes.REPLY_TO_URL, "valueString"),
        message=resource["payload"][0]["contentString"],
        created_at=resource["sent"],
        delivery=_extension_value(resource, codes.DELIVERY_URL, "valueCode"),
    )
