"""Questionnaire input and output for the JSON API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from affectrange.checkins.schemas import CrisisSupportRead


class ResponseIn(BaseModel):
    """A whole questionnaire at once: item id to answer (the option's value, e.g. 0-3)."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[str, int | str | None] = Field(
        description="Item ids as in GET /api/v1/questionnaires/{instrument}/fhir (linkId)",
        examples=[{"q1": 1, "q2": 0, "q9": 0}],
    )


class ResponseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    instrument: str
    instrument_version: str
    status: str
    answers: dict[str, Any]
    started_at: dt.datetime
    completed_at: dt.datetime | None
    completed_on: dt.date | None
    total: int | None
    band: str | None
    positive: bool | None
    safety: bool = Field(description="A critical item was endorsed (PHQ-9 item 9 at 1 or more)")
    details: dict[str, Any]


class ResponseList(BaseModel):
    responses: list[ResponseRead]


class ResponseSaved(ResponseRead):
    crisis_support: CrisisSupportRead | None = Field(
        default=None,
        description="Present when a critical item was endorsed: show these resources first",
    )


class DueRead(BaseModel):
    instrument: str
    name: str
    due_on: dt.date
    overdue: bool
    reasons: list[str]


class DueList(BaseModel):
    due: list[DueRead]
