"""Question input (shared by the HTML forms and the JSON API) and output."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from affectrange.preparation.models import MAX_QUESTION_LENGTH, MAX_QUESTIONS
from affectrange.text import SingleLineText

_SPACES = re.compile(r"[ \t\r\n]+")


def _one_line(value: Any) -> Any:
    # A question is one paragraph on the printed sheet: line breaks typed in the box become
    # spaces, and runs of spaces one. Other control characters stay, and are refused by name.
    return _SPACES.sub(" ", value).strip() if isinstance(value, str) else value


QuestionText = Annotated[
    SingleLineText,
    BeforeValidator(_one_line),
    StringConstraints(min_length=1, max_length=MAX_QUESTION_LENGTH),
]


class QuestionIn(BaseModel):
    """One question in the person's own words."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[
        QuestionText,
        Field(description=f"The question, 1 to {MAX_QUESTION_LENGTH} characters"),
    ]


class QuestionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: int = Field(description="Its place on the sheet, from 1")
    text: str
    created_at: dt.datetime
    updated_at: dt.datetime


class QuestionList(BaseModel):
    questions: list[QuestionRead] = Field(
        description=f"In the sheet's order; at most {MAX_QUESTIONS}"
    )
