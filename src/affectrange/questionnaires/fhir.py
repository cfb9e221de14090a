"""Instruments as FHIR R4 Questionnaires, and answers as QuestionnaireResponses.

This is the form a clinic's record system can import. The resources are built with the R4B models
of `fhir.resources` (version 8 defaults to R5, whose Questionnaire differs: R5 has no "choice"
item type, for one). Questionnaire and QuestionnaireResponse did not change from R4 (4.0.1) to
R4B (4.3.0), so what these models produce is R4 content.

Our own identifiers, all under `FHIR_BASE` ("https://affectrange.org/fhir"):

- `QUESTIONNAIRE_BASE`: each instrument's canonical URL is `{QUESTIONNAIRE_BASE}/{resource id}`,
  and `Questionnaire.version` is the instrument's definition version. A response names the
  questionnaire as `url|version`, so answers stay tied to the definition that scored them.
- `ITEM_CODE_SYSTEM`: the code of an item (or total) that has no LOINC code,
  `"{instrument id}.{item id}"`, e.g. `phq9.q3` or `pcl5.total`.
- `ANSWER_CODE_SYSTEM`: answer codes. A code is the answer's stored value as text ("0", "1",
  "F"), the same value `affectrange score` reads from a responses file. It means something only
  together with its item: "0" is "Not at all" on a PHQ-9 item and "No" on PC-PTSD-5. The score of
  each answer travels in the answerOption's `ordinalValue` extension (scored items only: the
  options of an item outside the total, such as PHQ-9 q10, carry none, so a system that sums
  ordinal values cannot count them).

LOINC codes (system "http://loinc.org") are written exactly where the instrument definitions set
them, and nowhere else: `fhir.resources` accepts any code, so none is typed here. Not every code
the definitions hold is verified: `Instrument.loinc_verified` and `Item.loinc_verified` say which
(the AUDIT-C panel and total, and DAST-10's pair, still await confirmation in the current LOINC
release, SCIENCE.md section 8 item 3). Items the definitions leave uncoded (all
of PCL-5 and PC-PTSD-5) get our item code instead of a guessed LOINC one.

Licensed plug-ins (ODQ, SHAPS, WSAS, DAST-10): no item text, stem, preamble or answer label is
ever written, even when the host has loaded its licensed text file. The exported file leaves the
host for other systems, which the host's licence does not cover; the receiver matches items by
linkId and code and shows its own licensed wording.

Routing questions (PC-PTSD-5's trauma question, the blunting check's q1, ODQ's antidepressant
question, WSAS's working question) become `enableWhen` conditions, so a form built from the
Questionnaire does not demand answers the scoring ignores.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.questionnaire import (
    Questionnaire,
    QuestionnaireItem,
    QuestionnaireItemAnswerOption,
    QuestionnaireItemEnableWhen,
)
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)
from fhir.resources.R4B.reference import Reference

from affectrange.instruments.model import Instrument, Item, ResponseOption, Responses, Value
from affectrange.instruments.pcptsd5 import GATE as TRAUMA_GATE
from affectrange.instruments.pcptsd5 import ITEM_IDS as PCPTSD5_ITEM_IDS
from affectrange.instruments.plugins.odq import CAUSE_DOMAIN as ODQ_CAUSE_DOMAIN
from affectrange.instruments.plugins.odq import ROUTING as ODQ_ROUTING
from affectrange.instruments.plugins.wsas import ROUTING as WSAS_ROUTING
from affectrange.instruments.plugins.wsas import WORK_ITEM as WSAS_WORK_ITEM

FHIR_BASE: Final = "https://affectrange.org/fhir"
QUESTIONNAIRE_BASE: Final = f"{FHIR_BASE}/Questionnaire"
ITEM_CODE_SYSTEM: Final = f"{FHIR_BASE}/CodeSystem/item"
ANSWER_CODE_SYSTEM: Final = f"{FHIR_BASE}/CodeSystem/answer-value"
LOINC_SYSTEM: Final = "http://loinc.org"
ORDINAL_VALUE_URL: Final = "http://hl7.org/fhir/StructureDefinition/ordinalValue"

PUBLISHER: Final = "AffectRange"
TOTAL_LINK_ID: Final = "total"
STEM_LINK_ID: Final = "stem"
PREAMBLE_SUFFIX: Final = "-preamble"
TOTAL_TEXT: Final = "Total score"
UNVALIDATED_NOTE: Final = "Written by the AffectRange project; not a validated instrument."
LICENSED_NOTE: Final = (
    "The item wording and answer labels are licensed and are not included; "
    "items are identified by linkId and code."
)

Operator = Literal["=", "!="]


@dataclass(frozen=True, slots=True)
class _Route:
    """A routing question: `items` are asked only when the gate's answer meets the condition.

    FHIR's "!=" is true when the gate is unanswered, which matches ODQ and WSAS, where an
    unanswered routing question means the gated items apply.
    """

    gate: str
    operator: Operator
    value: Value
    items: tuple[str, ...]

    def rules_out(self, responses: Responses) -> bool:
        """True when the gate is answered and excludes the items, so the scoring ignores them."""
        answer = responses.value(self.gate)
        if answer is None:
            return False
        if self.operator == "=":
            return answer != self.value
        return answer == self.value


def _routes(instrument: Instrument) -> tuple[_Route, ...]:
    # The instrument modules state these rules in prose and scoring code, not as data; they are
    # restated here so that each one is visible next to the FHIR condition it becomes.
    match instrument.id:
        case "pcptsd5":
            return (_Route(TRAUMA_GATE, "=", 1, PCPTSD5_ITEM_IDS),)
        case "blunting_check":
            return (_Route("q1", "=", 1, ("q2", "q3")),)
        case "odq":
            cause_items = instrument.subscale(ODQ_CAUSE_DOMAIN).item_ids
            return (_Route(ODQ_ROUTING, "!=", 0, cause_items),)
        case "wsas":
            return (_Route(WSAS_ROUTING, "!=", 0, (WSAS_WORK_ITEM,)),)
        case _:
            return ()


def fhir_id(instrument: Instrument) -> str:
    """The resource id: FHIR ids allow letters, digits, "-" and "." only, not "_"."""
    return instrument.id.replace("_", "-")


def questionnaire_url(instrument: Instrument) -> str:
    """The canonical URL of the instrument's Questionnaire (without the version)."""
    return f"{QUESTIONNAIRE_BASE}/{fhir_id(instrument)}"


def questionnaire_canonical(instrument: Instrument) -> str:
    """`url|version`: how a response names the exact definition it answers."""
    return f"{questionnaire_url(instrument)}|{instrument.version}"


def questionnaire_resource(instrument: Instrument) -> Questionnaire:
    """The instrument as an R4 Questionnaire: items, answer codes, scores, LOINC codes, total."""
    _check_link_ids(instrument)
    return Questionnaire(
        id=fhir_id(instrument),
        url=questionnaire_url(instrument),
        version=instrument.version,
        name=_computable_name(instrument),
        title=instrument.name,
        status="active",
        publisher=PUBLISHER,
        subjectType=["Patient"],
        description=_description(instrument),
        code=_loinc_codings(instrument.loinc_panel),
        item=_questionnaire_items(instrument),
    )


def questionnaire_response_resource(
    instrument: Instrument,
    answers: Mapping[str, int | str | None],
    *,
    response_id: str,
    authored: dt.datetime,
    subject_reference: str | None = None,
    completed: bool = True,
) -> QuestionnaireResponse:
    """One set of answers as an R4 QuestionnaireResponse, with the total when it can be scored.

    Raises InvalidAnswer for an answer the instrument does not allow, and ValueError for a naive
    `authored` (a time without its offset is ambiguous once it leaves the person's time zone).
    Unanswered items are left out, and so are answers a routing question rules out (the scoring
    ignores them, and a form built from the Questionnaire would not have asked them).
    """
    if authored.tzinfo is None or authored.utcoffset() is None:
        raise ValueError("authored must be timezone-aware")
    responses = instrument.check(answers)
    total = instrument.score(answers).total
    ruled_out = _ruled_out_items(instrument, responses)
    items = [
        _response_item(instrument, item, value)
        for item in instrument.items
        if (value := responses.value(item.id)) is not None and item.id not in ruled_out
    ]
    if total is not None:
        items.append(
            QuestionnaireResponseItem(
                linkId=TOTAL_LINK_ID,
                answer=[QuestionnaireResponseItemAnswer(valueInteger=total)],
            )
        )
    return QuestionnaireResponse(
        id=response_id,
        questionnaire=questionnaire_canonical(instrument),
        status="completed" if completed else "in-progress",
        authored=authored,
        subject=None if subject_reference is None else Reference(reference=subject_reference),
        item=items or None,
    )


def to_json(resource: Questionnaire | QuestionnaireResponse, *, indent: int | None = 2) -> str:
    """FHIR JSON (resourceType first, empty elements left out)."""
    return resource.model_dump_json(indent=indent)


def _check_link_ids(instrument: Instrument) -> None:
    # The stem, preamble and total items need linkIds of their own; an item named like one of
    # them would make two items share a linkId, which FHIR forbids.
    ours = {TOTAL_LINK_ID, STEM_LINK_ID}
    clashes = [
        item.id for item in instrument.items if item.id in ours or item.id.endswith(PREAMBLE_SUFFIX)
    ]
    if clashes:
        raise ValueError(f"{instrument.id}: item ids {clashes} clash with the FHIR export's own")


def _computable_name(instrument: Instrument) -> str:
    """Questionnaire.name should be a machine name starting with a capital (FHIR rule qst-0)."""
    return "".join(part[:1].upper() + part[1:] for part in instrument.id.split("_"))


def _description(instrument: Instrument) -> str | None:
    notes = []
    if not instrument.validated:
        notes.append(UNVALIDATED_NOTE)
    if instrument.licensed_text:
        notes.append(LICENSED_NOTE)
    return " ".join(notes) or None


def _loinc_codings(code: str | None) -> list[Coding] | None:
    return None if code is None else [Coding(system=LOINC_SYSTEM, code=code)]


def _shareable(instrument: Instrument, text: str | None) -> str | None:
    """The text when it may leave the host: never for a licensed plug-in, never empty."""
    if instrument.licensed_text or not text:
        return None
    return text


def _questionnaire_items(instrument: Instrument) -> list[QuestionnaireItem]:
    routes = _routes(instrument)
    conditions = {item_id: route for route in routes for item_id in route.items}
    required_gates = {route.gate for route in routes if route.gate not in instrument.optional}
    items: list[QuestionnaireItem] = []
    stem = _shareable(instrument, instrument.stem)
    if stem is not None:
        items.append(_display_item(STEM_LINK_ID, stem, None))
    for item in instrument.items:
        route = conditions.get(item.id)
        preamble = _shareable(instrument, item.preamble)
        if preamble is not None:
            items.append(_display_item(f"{item.id}{PREAMBLE_SUFFIX}", preamble, route))
        required = item.scored or item.id in required_gates
        items.append(_question_item(instrument, item, route, required=required))
    items.append(_total_item(instrument))
    return items


def _display_item(link_id: str, text: str, route: _Route | None) -> QuestionnaireItem:
    return QuestionnaireItem(
        linkId=link_id, type="display", text=text, enableWhen=_enable_when(route)
    )


def _question_item(
    instrument: Instrument, item: Item, route: _Route | None, *, required: bool
) -> QuestionnaireItem:
    return QuestionnaireItem(
        linkId=item.id,
        text=_shareable(instrument, item.text),
        code=[_item_coding(instrument, item)],
        type="choice",
        required=required,
        enableWhen=_enable_when(route),
        answerOption=[_answer_option(instrument, item, option) for option in item.options],
    )


def _item_coding(instrument: Instrument, item: Item) -> Coding:
    if item.loinc is not None:
        return Coding(system=LOINC_SYSTEM, code=item.loinc)
    return Coding(system=ITEM_CODE_SYSTEM, code=f"{instrument.id}.{item.id}")


def _answer_coding(instrument: Instrument, option: ResponseOption) -> Coding:
    return Coding(
        system=ANSWER_CODE_SYSTEM,
        code=str(option.value),
        display=_shareable(instrument, option.label),
    )


def _answer_option(
    instrument: Instrument, item: Item, option: ResponseOption
) -> QuestionnaireItemAnswerOption:
    ordinal = (
        [Extension(url=ORDINAL_VALUE_URL, valueDecimal=Decimal(option.score))]
        if item.scored
        else None
    )
    return QuestionnaireItemAnswerOption(
        valueCoding=_answer_coding(instrument, option), extension=ordinal
    )


def _enable_when(route: _Route | None) -> list[QuestionnaireItemEnableWhen] | None:
    if route is None:
        return None
    # Codings match on system and code; the display is not needed (and may be licensed).
    answer = Coding(system=ANSWER_CODE_SYSTEM, code=str(route.value))
    return [
        QuestionnaireItemEnableWhen(
            question=route.gate, operator=route.operator, answerCoding=answer
        )
    ]


def _total_item(instrument: Instrument) -> QuestionnaireItem:
    code = (
        Coding(system=LOINC_SYSTEM, code=instrument.loinc_total)
        if instrument.loinc_total is not None
        else Coding(system=ITEM_CODE_SYSTEM, code=f"{instrument.id}.{TOTAL_LINK_ID}")
    )
    return QuestionnaireItem(
        linkId=TOTAL_LINK_ID, text=TOTAL_TEXT, code=[code], type="integer", readOnly=True
    )


def _ruled_out_items(instrument: Instrument, responses: Responses) -> frozenset[str]:
    return frozenset(
        item_id
        for route in _routes(instrument)
        if route.rules_out(responses)
        for item_id in route.items
    )


def _response_item(instrument: Instrument, item: Item, value: Value) -> QuestionnaireResponseItem:
    option = item.option_for(value)
    # check() accepted the value, so the item has an option for it.
    assert option is not None
    return QuestionnaireResponseItem(
        linkId=item.id,
        answer=[QuestionnaireResponseItemAnswer(valueCoding=_answer_coding(instrument, option))],
    )
