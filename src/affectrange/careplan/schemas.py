"""Care-plan input (the HTML forms and the JSON API) and output."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from affectrange.careplan.models import (
    IMPACT_ITEM_MAX,
    IMPACT_ITEM_MIN,
    MAX_TIMES_PER_WEEK,
    MIN_TIMES_PER_WEEK,
)
from affectrange.careplan.strategies import STRATEGIES_BY_ID
from affectrange.errors import InvalidInput
from affectrange.text import MAX_ROW_ID, Day, SingleLineText

MAX_TITLE_LENGTH = 120
GOALS_KEPT_FIELD = "goals_kept"
GOALS_SHOWN_FIELD = "goals_shown"
UNKNOWN_STRATEGY_MESSAGE = "Choose one of the strategies listed."
TIMES_PER_WEEK_MESSAGE = (
    f"Choose how many days a week: {MIN_TIMES_PER_WEEK} to {MAX_TIMES_PER_WEEK}."
)
IMPACT_ANSWER_MESSAGE = "Choose an answer from 0 (not at all) to 4 (nearly always)."
GOAL_CHOICE_MESSAGE = "Choose goals from the list shown."

OptionalTitle = Annotated[
    SingleLineText | None, StringConstraints(strip_whitespace=True, max_length=MAX_TITLE_LENGTH)
]
TimesPerWeek = Annotated[
    int,
    Field(
        ge=MIN_TIMES_PER_WEEK,
        le=MAX_TIMES_PER_WEEK,
        description="How many days a week the person means to keep it, 1..7",
    ),
]
ImpactScore = Annotated[
    int,
    Field(ge=IMPACT_ITEM_MIN, le=IMPACT_ITEM_MAX, description="0 not at all .. 4 nearly always"),
]


class GoalIn(BaseModel):
    """A new goal made from a strategy."""

    model_config = ConfigDict(extra="forbid")

    strategy_id: str = Field(description="One of the strategy ids")
    times_per_week: TimesPerWeek
    title: Annotated[
        OptionalTitle, Field(description="Your own words for it; the strategy's title if left out")
    ] = None
    started_on: Annotated[
        Day | None, Field(description="The first day of the goal; today if left out")
    ] = None

    @field_validator("strategy_id")
    @classmethod
    def _known_strategy(cls, value: str) -> str:
        if value not in STRATEGIES_BY_ID:
            raise ValueError(UNKNOWN_STRATEGY_MESSAGE)
        return value

    @field_validator("title")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class GoalEdit(BaseModel):
    """What can change in a goal: its words and how often."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[
        SingleLineText,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE_LENGTH),
    ]
    times_per_week: TimesPerWeek


class ImpactIn(BaseModel):
    """This month's impact rating: one score per item."""

    model_config = ConfigDict(extra="forbid")

    connect: ImpactScore
    misread: ImpactScore
    drive: ImpactScore
    satisfaction: ImpactScore


class GoalRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    strategy_id: str
    title: str
    times_per_week: int
    started_on: dt.date
    ended_on: dt.date | None


class GoalList(BaseModel):
    goals: list[GoalRead] = Field(description="Oldest first; `ended_on` is null while active")


def goal_ids(values: Iterable[Any]) -> list[int]:
    """Goal ids as a form sends them (text); anything else names the field and changes nothing."""
    ids: list[int] = []
    for value in values:
        text = str(value).strip()
        if not text.isdigit() or not 1 <= int(text) <= MAX_ROW_ID:
            raise InvalidInput({GOALS_KEPT_FIELD: GOAL_CHOICE_MESSAGE})
        ids.append(int(text))
    return ids
