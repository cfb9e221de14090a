"""The FHIR R4 export of questionnaires and answers, read back as a clinic's system would read it.

Every resource is serialised and parsed again with the R4B models before it is checked, so the
assertions are about the file that leaves AffectRange, not about objects in memory.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire, QuestionnaireItem
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
)

from affectrange.instruments import Instrument, InvalidAnswer, load_licensed_text
from affectrange.instruments.registry import PLUGINS, SHIPPED, built_in
from affectrange.questionnaires.fhir import (
    ANSWER_CODE_SYSTEM,
    ITEM_CODE_SYSTEM,
    LOINC_SYSTEM,
    ORDINAL_VALUE_URL,
    questionnaire_resource,
    questionnaire_response_resource,
    to_json,
)
from tests.instruments.helpers import placeholder_document

ALL = (*SHIPPED, *PLUGINS)
LICENSED = ("odq", "shaps", "wsas", "dast10")
AUTHORED = dt.datetime(2026, 6, 15, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
# FHIR R4 (and R4B) QuestionnaireItemType codes. R5 dropped "choice" and "open-choice" in favour
# of "coding", so an item typed "choice" is what an R4 system expects and an R5 one refuses.
R4_ITEM_TYPES = frozenset(
    {
        "group",
        "display",
        "boolean",
        "decimal",
        "integer",
        "date",
        "dateTime",
        "time",
        "string",
        "text",
        "url",
        "choice",
        "open-choice",
        "attachment",
        "reference",
        "quantity",
    }
)
PHQ9_ANSWERS: dict[str, int | str | None] = {
    f"q{n}": score for n, score in enumerate([1, 2, 0, 3, 1, 0, 2, 1, 1], start=1)
}


def exported(instrument: Instrument) -> tuple[str, Questionnaire]:
    """The Questionnaire's JSON, and what the R4B models read back from it."""
    text = to_json(questionnaire_resource(instrument))
    return text, Questionnaire.model_validate_json(text)


def read_back(instrument: Instrument) -> Questionnaire:
    return exported(instrument)[1]


def respond(
    instrument: Instrument, answers: dict[str, int | str | None], **options: Any
) -> QuestionnaireResponse:
    resource = questionnaire_response_resource(
        instrument, answers, response_id="r-1", authored=AUTHORED, **options
    )
    return QuestionnaireResponse.model_validate_json(to_json(resource))


def items_of(questionnaire: Questionnaire) -> list[QuestionnaireItem]:
    assert questionnaire.item is not None
    return questionnaire.item


def item(questionnaire: Questionnaire, link_id: str) -> QuestionnaireItem:
    (found,) = [entry for entry in items_of(questionnaire) if entry.linkId == link_id]
    return found


def codes(entry: QuestionnaireItem) -> list[tuple[str | None, str | None]]:
    return [(coding.system, coding.code) for coding in entry.code or []]


def codes_of_panel(questionnaire: Questionnaire) -> list[tuple[str | None, str | None]]:
    return [(coding.system, coding.code) for coding in questionnaire.code or []]


def options(entry: QuestionnaireItem) -> list[tuple[str | None, str | None, Decimal | None]]:
    """(answer code, display, ordinalValue) of each answerOption, in order."""
    found = []
    for option in entry.answerOption or []:
        assert option.valueCoding is not None
        assert option.valueCoding.system == ANSWER_CODE_SYSTEM
        ordinals = [
            extension.valueDecimal
            for extension in option.extension or []
            if extension.url == ORDINAL_VALUE_URL
        ]
        assert len(ordinals) <= 1
        found.append(
            (option.valueCoding.code, option.valueCoding.display, ordinals[0] if ordinals else None)
        )
    return found


def response_items(response: QuestionnaireResponse) -> dict[str, QuestionnaireResponseItem]:
    return {entry.linkId or "": entry for entry in response.item or []}


def json_keys(value: object) -> Iterator[str]:
    """Every object key anywhere in a parsed JSON document."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield key
            yield from json_keys(child)
    elif isinstance(value, list):
        for child in value:
            yield from json_keys(child)


# Every instrument --------------------------------------------------------------------------------


@pytest.mark.parametrize("instrument", ALL, ids=lambda instrument: instrument.id)
def test_every_questionnaire_reads_back_as_r4_with_its_items_in_order(
    instrument: Instrument,
) -> None:
    built = questionnaire_resource(instrument)
    text, questionnaire = exported(instrument)

    # The R4B class, not fhir.resources' default R5 one of the same name.
    assert type(built).__module__ == "fhir.resources.R4B.questionnaire"
    assert json.loads(text)["resourceType"] == "Questionnaire"
    questions = [entry.linkId for entry in items_of(questionnaire) if entry.type == "choice"]
    assert questions == [entry.id for entry in instrument.items]
    assert items_of(questionnaire)[-1].linkId == "total"
    types = {entry.type for entry in items_of(questionnaire)}
    assert "choice" in types
    assert types <= R4_ITEM_TYPES
    link_ids = [entry.linkId for entry in items_of(questionnaire)]
    assert len(set(link_ids)) == len(link_ids)


@pytest.mark.parametrize("instrument", ALL, ids=lambda instrument: instrument.id)
def test_every_questionnaire_names_its_version_and_a_fhir_safe_id(instrument: Instrument) -> None:
    questionnaire = read_back(instrument)

    assert questionnaire.status == "active"
    assert questionnaire.version == instrument.version
    assert questionnaire.title == instrument.name
    assert questionnaire.id is not None
    assert "_" not in questionnaire.id
    assert questionnaire.url == f"https://affectrange.org/fhir/Questionnaire/{questionnaire.id}"


@pytest.mark.parametrize("instrument", ALL, ids=lambda instrument: instrument.id)
def test_every_item_without_loinc_carries_our_item_code(instrument: Instrument) -> None:
    questionnaire = read_back(instrument)

    for definition in instrument.items:
        expected = (
            (LOINC_SYSTEM, definition.loinc)
            if definition.loinc
            else (ITEM_CODE_SYSTEM, f"{instrument.id}.{definition.id}")
        )
        assert codes(item(questionnaire, definition.id)) == [expected]


# PHQ-9, GAD-7, AUDIT-C: LOINC codes --------------------------------------------------------------


def test_phq9_carries_its_loinc_panel_item_and_total_codes() -> None:
    questionnaire = read_back(built_in("phq9"))

    assert codes_of_panel(questionnaire) == [(LOINC_SYSTEM, "44249-1")]
    assert codes(item(questionnaire, "q1")) == [(LOINC_SYSTEM, "44250-9")]
    assert codes(item(questionnaire, "q9")) == [(LOINC_SYSTEM, "44260-8")]
    total = item(questionnaire, "total")
    assert codes(total) == [(LOINC_SYSTEM, "44261-6")]
    assert total.type == "integer"
    assert total.readOnly is True


def test_phq9_shows_its_stem_first_and_every_item_in_published_order() -> None:
    questionnaire = read_back(built_in("phq9"))

    link_ids = [entry.linkId for entry in items_of(questionnaire)]
    assert link_ids == ["stem", *(f"q{n}" for n in range(1, 11)), "total"]
    stem = item(questionnaire, "stem")
    assert stem.type == "display"
    assert stem.text is not None
    assert stem.text.startswith("Over the last 2 weeks")


def test_phq9_answers_carry_their_words_and_scores() -> None:
    questionnaire = read_back(built_in("phq9"))

    assert options(item(questionnaire, "q1")) == [
        ("0", "Not at all", Decimal(0)),
        ("1", "Several days", Decimal(1)),
        ("2", "More than half the days", Decimal(2)),
        ("3", "Nearly every day", Decimal(3)),
    ]
    assert item(questionnaire, "q1").required is True


def test_phq9_difficulty_item_has_no_score_so_summing_ordinals_gives_the_total() -> None:
    difficulty = item(read_back(built_in("phq9")), "q10")

    assert [ordinal for _, _, ordinal in options(difficulty)] == [None] * 4
    assert options(difficulty)[0][1] == "Not difficult at all"
    assert difficulty.required is False


def test_gad7_carries_its_loinc_panel_and_total_codes() -> None:
    questionnaire = read_back(built_in("gad7"))

    assert codes_of_panel(questionnaire) == [(LOINC_SYSTEM, "69737-5")]
    assert codes(item(questionnaire, "total")) == [(LOINC_SYSTEM, "70274-6")]
    assert codes(item(questionnaire, "q2")) == [(LOINC_SYSTEM, "68509-9")]


def test_auditc_carries_its_loinc_codes_and_our_code_for_the_sex_question() -> None:
    questionnaire = read_back(built_in("auditc"))

    assert codes_of_panel(questionnaire) == [(LOINC_SYSTEM, "72109-2")]
    assert codes(item(questionnaire, "total")) == [(LOINC_SYSTEM, "75626-2")]
    assert [codes(item(questionnaire, f"q{n}")) for n in (1, 2, 3)] == [
        [(LOINC_SYSTEM, "68518-0")],
        [(LOINC_SYSTEM, "68519-8")],
        [(LOINC_SYSTEM, "68520-6")],
    ]
    assert codes(item(questionnaire, "sex")) == [(ITEM_CODE_SYSTEM, "auditc.sex")]
    assert [code for code, _, _ in options(item(questionnaire, "sex"))] == ["F", "M"]


@pytest.mark.parametrize("instrument_id", ["pcptsd5", "pcl5"])
def test_instruments_without_loinc_codes_claim_none(instrument_id: str) -> None:
    text, questionnaire = exported(built_in(instrument_id))

    assert "loinc.org" not in text
    assert questionnaire.code is None
    assert codes(item(questionnaire, "total")) == [(ITEM_CODE_SYSTEM, f"{instrument_id}.total")]


# Routing and display items -----------------------------------------------------------------------


def test_pcptsd5_shows_the_trauma_examples_before_the_trauma_question() -> None:
    questionnaire = read_back(built_in("pcptsd5"))

    link_ids = [entry.linkId for entry in items_of(questionnaire)]
    assert link_ids == [
        "trauma-preamble",
        "trauma",
        "q1-preamble",
        "q1",
        "q2",
        "q3",
        "q4",
        "q5",
        "total",
    ]
    assert item(questionnaire, "q1-preamble").text == "In the past month, have you\u2026"
    preamble = item(questionnaire, "trauma-preamble")
    assert preamble.type == "display"
    assert preamble.text is not None
    assert "a serious accident or fire" in preamble.text


def test_pcptsd5_asks_the_five_items_only_after_yes_to_trauma() -> None:
    questionnaire = read_back(built_in("pcptsd5"))

    assert item(questionnaire, "trauma").required is True
    for link_id in ("q1", "q2", "q3", "q4", "q5"):
        (condition,) = item(questionnaire, link_id).enableWhen or []
        assert condition.question == "trauma"
        assert condition.operator == "="
        assert condition.answerCoding is not None
        assert condition.answerCoding.code == "1"


def test_wsas_asks_about_work_unless_the_person_is_not_working() -> None:
    questionnaire = read_back(built_in("wsas"))

    (condition,) = item(questionnaire, "q1").enableWhen or []
    # "!=" holds while `working` is unanswered: the work item applies by default.
    assert (condition.question, condition.operator) == ("working", "!=")
    assert condition.answerCoding is not None
    assert condition.answerCoding.code == "0"
    assert item(questionnaire, "q2").enableWhen is None
    assert item(questionnaire, "working").required is False


def test_dast10_item3_is_reverse_scored_in_the_ordinal_values() -> None:
    questionnaire = read_back(built_in("dast10"))

    assert options(item(questionnaire, "q3")) == [("0", None, Decimal(1)), ("1", None, Decimal(0))]
    assert options(item(questionnaire, "q1")) == [("0", None, Decimal(0)), ("1", None, Decimal(1))]


# Licensed text and the unvalidated check ---------------------------------------------------------


@pytest.mark.parametrize("instrument_id", LICENSED)
def test_licensed_plug_ins_export_no_words_only_link_ids_and_codes(instrument_id: str) -> None:
    instrument = built_in(instrument_id)
    text, questionnaire = exported(instrument)

    assert "display" not in set(json_keys(json.loads(text)))
    questions = [entry for entry in items_of(questionnaire) if entry.type == "choice"]
    assert [entry.linkId for entry in questions] == [entry.id for entry in instrument.items]
    assert all(entry.text is None and entry.code for entry in questions)
    assert questionnaire.description is not None
    assert "licensed" in questionnaire.description


@pytest.mark.parametrize("instrument_id", LICENSED)
def test_licensed_text_a_host_loaded_never_reaches_the_export(
    tmp_path: Path, instrument_id: str
) -> None:
    document = placeholder_document(built_in(instrument_id))
    document["stem"] = "Placeholder stem"
    path = tmp_path / f"{instrument_id}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    loaded = load_licensed_text(instrument_id, path)
    answers: dict[str, int | str | None] = {
        entry.id: entry.options[0].value for entry in loaded.items
    }

    questionnaire_json = to_json(questionnaire_resource(loaded))
    response_json = to_json(
        questionnaire_response_resource(loaded, answers, response_id="r-1", authored=AUTHORED)
    )

    assert "Placeholder" not in questionnaire_json
    assert "Placeholder" not in response_json
    assert "display" not in set(json_keys(json.loads(response_json)))


def test_blunting_check_says_it_is_not_validated() -> None:
    questionnaire = read_back(built_in("blunting_check"))

    assert questionnaire.description is not None
    assert "not a validated instrument" in questionnaire.description
    assert questionnaire.id == "blunting-check"


def test_validated_public_domain_instruments_claim_nothing_in_their_description() -> None:
    assert read_back(built_in("phq9")).description is None


# QuestionnaireResponse ---------------------------------------------------------------------------


def test_phq9_response_carries_each_answer_and_the_hand_computed_total() -> None:
    response = respond(built_in("phq9"), PHQ9_ANSWERS, subject_reference="Patient/alice")

    assert response.status == "completed"
    assert response.questionnaire == "https://affectrange.org/fhir/Questionnaire/phq9|1"
    assert response.subject is not None
    assert response.subject.reference == "Patient/alice"
    assert response.authored == AUTHORED
    entries = response_items(response)
    assert list(entries) == [*(f"q{n}" for n in range(1, 10)), "total"]
    (total,) = entries["total"].answer or []
    assert total.valueInteger == 1 + 2 + 0 + 3 + 1 + 0 + 2 + 1 + 1 == 11


def test_response_answers_match_the_questionnaires_answer_options() -> None:
    instrument = built_in("phq9")
    questionnaire = read_back(instrument)
    response = respond(instrument, PHQ9_ANSWERS)

    (answer,) = response_items(response)["q4"].answer or []
    assert answer.valueCoding is not None
    coding = (answer.valueCoding.system, answer.valueCoding.code, answer.valueCoding.display)
    assert coding == (ANSWER_CODE_SYSTEM, "3", "Nearly every day")
    offered = [
        (ANSWER_CODE_SYSTEM, code, display)
        for code, display, _ in options(item(questionnaire, "q4"))
    ]
    assert coding in offered


def test_phq9_without_item9_has_no_total_and_can_be_in_progress() -> None:
    answers = {**PHQ9_ANSWERS, "q9": None}

    response = respond(built_in("phq9"), answers, completed=False)

    assert response.status == "in-progress"
    entries = response_items(response)
    assert "total" not in entries
    assert "q9" not in entries
    assert len(entries) == 8


def test_an_answer_the_item_does_not_offer_is_refused() -> None:
    with pytest.raises(InvalidAnswer) as raised:
        questionnaire_response_resource(
            built_in("phq9"), {**PHQ9_ANSWERS, "q1": 7}, response_id="r-1", authored=AUTHORED
        )

    assert raised.value.item_id == "q1"


def test_a_time_without_its_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        questionnaire_response_resource(
            built_in("phq9"),
            PHQ9_ANSWERS,
            response_id="r-1",
            authored=dt.datetime(2026, 6, 15, 9, 30),  # naive: the point of the test
        )


def test_a_response_round_trips_through_json_unchanged() -> None:
    resource = questionnaire_response_resource(
        built_in("gad7"), {"q1": 2, "q2": 3}, response_id="r-2", authored=AUTHORED, completed=False
    )

    text = to_json(resource)

    assert json.loads(text)["resourceType"] == "QuestionnaireResponse"
    assert to_json(QuestionnaireResponse.model_validate_json(text)) == text
    assert '"authored": "2026-06-15T09:30:00-04:00"' in text


def test_pcptsd5_without_trauma_scores_zero_and_drops_the_answers_it_ignores() -> None:
    response = respond(built_in("pcptsd5"), {"trauma": 0, "q1": 1, "q2": 1, "q3": 1})

    entries = response_items(response)
    assert list(entries) == ["trauma", "total"]
    (total,) = entries["total"].answer or []
    assert total.valueInteger == 0


def test_auditc_sex_answer_is_exported_as_its_code() -> None:
    response = respond(built_in("auditc"), {"q1": 2, "q2": 1, "q3": 0, "sex": "F"})

    entries = response_items(response)
    (sex,) = entries["sex"].answer or []
    assert sex.valueCoding is not None
    assert (sex.valueCoding.code, sex.valueCoding.display) == ("F", "Female")
    (total,) = entries["total"].answer or []
    assert total.valueInteger == 3
