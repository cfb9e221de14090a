"""QuestionnaireResponses as another health system sends them, written by hand: LOINC's own form
layout (`questionnaire` "http://loinc.org/q/<panel>", linkIds "/<item code>", the questions in a
group item) with LOINC answer codes, and `authored` with a UTC offset."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

LOINC: Final = "http://loinc.org"
PHQ9_PANEL: Final = "44249-1"
PHQ9_ITEMS: Final = (
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
)
PHQ9_DIFFICULTY: Final = "69722-7"
PHQ9_TOTAL: Final = "44261-6"
GAD7_PANEL: Final = "69737-5"
GAD7_ITEMS: Final = (
    "69725-0",
    "68509-9",
    "69733-4",
    "69734-2",
    "69735-9",
    "69689-8",
    "69736-7",
)
GAD7_TOTAL: Final = "70274-6"
FREQUENCY: Final = {0: "LA6568-5", 1: "LA6569-3", 2: "LA6570-1", 3: "LA6571-9"}
"""LOINC's answers "Not at all", "Several days", "More than half the days", "Nearly every day"."""
AUTHORED: Final = "2026-05-02T09:30:00-04:00"  # 13:30 UTC, a Saturday morning in New York


def answer(value: int) -> dict[str, Any]:
    return {"valueCoding": {"system": LOINC, "code": FREQUENCY[value]}}


def loinc_response(
    panel: str,
    item_codes: Sequence[str],
    values: Sequence[int],
    *,
    resource_id: str = "clinic-1",
    total: tuple[str, int] | None = None,
    authored: str | None = AUTHORED,
    status: str = "completed",
    extra_items: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    questions = [
        {"linkId": f"/{code}", "answer": [answer(value)]}
        for code, value in zip(item_codes, values, strict=True)
    ]
    questions.extend(extra_items)
    if total is not None:
        questions.append({"linkId": f"/{total[0]}", "answer": [{"valueInteger": total[1]}]})
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": resource_id,
        "questionnaire": f"{LOINC}/q/{panel}",
        "status": status,
        "item": [{"linkId": f"/{panel}", "text": "Panel", "item": questions}],
    }
    if authored is not None:
        resource["authored"] = authored
    return resource


def phq9(values: Sequence[int], **options: Any) -> dict[str, Any]:
    return loinc_response(PHQ9_PANEL, PHQ9_ITEMS, values, **options)


def gad7(values: Sequence[int], **options: Any) -> dict[str, Any]:
    return loinc_response(GAD7_PANEL, GAD7_ITEMS, values, **options)


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"urn:uuid:00000000-0000-4000-8000-{number:012d}", "resource": resource}
            for number, resource in enumerate(resources, start=1)
        ],
    }


def patient() -> dict[str, Any]:
    return {"resourceType": "Patient", "id": "p1", "name": [{"family": "Doe", "given": ["A"]}]}


def as_file(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=2).encode("utf-8")
