"""Check-in input (shared by the HTML form and the JSON API) and output."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    computed_field,
    field_validator,
)

from affectrange.analysis.items import (
    BLUNTING_ITEMS,
    EVENT_MAX,
    EVENT_MIN,
    ITEM_MAX,
    ITEM_MIN,
    NEGATIVE_ITEMS,
    POSITIVE_ITEMS,
)
from affectrange.safety import CrisisResources
from affectrange.text import Day, MultiLineText, RowId, SingleLineText

Rating = Annotated[
    int, Field(ge=ITEM_MIN, le=ITEM_MAX, description="0 = not at all, 6 = extremely")
]
OptionalLine = Annotated[SingleLineText | None, StringConstraints(strip_whitespace=True)]
OptionalNote = Annotated[MultiLineText | None, StringConstraints(strip_whitespace=True)]

MAX_NOTE_LENGTH = 4000
MAX_SUBSTANCES_LENGTH = 200
MINUTES_PER_DAY = 24 * 60
MAX_DRINKS = 50
"""More drinks than this in a day is a typing slip."""
MAX_GOALS_KEPT = 50


class CheckinIn(BaseModel):
    """One day's entry. Posting a day that already has one replaces its values."""

    model_config = ConfigDict(extra="forbid")

    date: Day
    joyful: Rating
    calm: Rating
    interested: Rating
    close: Rating
    proud: Rating
    amused: Rating
    hopeful: Rating
    sad: Rating
    anxious: Rating
    irritable: Rating
    guilty: Rating
    stressed: Rating
    lonely: Rating
    numb: Rating
    indifferent: Rating
    detached: Rating
    event_pleasantness: Annotated[
        int | None,
        Field(ge=EVENT_MIN, le=EVENT_MAX, description="The day's most important event, -3..+3"),
    ] = None
    sleep_hours: Annotated[float | None, Field(ge=0, le=24)] = None
    exercise_minutes: Annotated[int | None, Field(ge=0, le=MINUTES_PER_DAY)] = None
    social_minutes: Annotated[
        int | None, Field(ge=0, le=MINUTES_PER_DAY, description="Minutes spent with people")
    ] = None
    alcohol_drinks: Annotated[int | None, Field(ge=0, le=MAX_DRINKS)] = None
    other_substances: Annotated[OptionalLine, Field(max_length=MAX_SUBSTANCES_LENGTH)] = None
    note: Annotated[OptionalNote, Field(max_length=MAX_NOTE_LENGTH)] = None
    goals_kept: Annotated[
        list[RowId] | None,
        Field(
            max_length=MAX_GOALS_KEPT,
            description="Ids of your care-plan goals kept that day. Given, it replaces the day's "
            "ticks ([] removes them); left out, the ticks stay as they are",
        ),
    ] = None

    @field_validator("other_substances", "note")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class CheckinRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    date: dt.date = Field(validation_alias="day")
    joyful: int
    calm: int
    interested: int
    close: int
    proud: int
    amused: int
    hopeful: int
    sad: int
    anxious: int
    irritable: int
    guilty: int
    stressed: int
    lonely: int
    numb: int
    indifferent: int
    detached: int
    event_pleasantness: int | None
    sleep_hours: float | None
    exercise_minutes: int | None
    social_minutes: int | None
    alcohol_drinks: int | None
    other_substances: str | None
    note: str | None
    backfilled: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @computed_field(description="Positive affect: mean of the seven positive items")  # type: ignore[prop-decorator]
    @property
    def pa(self) -> float:
        return self._mean(POSITIVE_ITEMS)

    @computed_field(description="Negative affect: mean of the six negative items")  # type: ignore[prop-decorator]
    @property
    def na(self) -> float:
        return self._mean(NEGATIVE_ITEMS)

    @computed_field(description="Mean of the three blunting items")  # type: ignore[prop-decorator]
    @property
    def numbness(self) -> float:
        return self._mean(BLUNTING_ITEMS)

    def _mean(self, items: tuple[str, ...]) -> float:
        return round(sum(int(getattr(self, item)) for item in items) / len(items), 3)


class CheckinList(BaseModel):
    checkins: list[CheckinRead]


class CrisisResourceRead(BaseModel):
    label: str
    detail: str
    href: str | None


class CrisisSupportRead(BaseModel):
    """Shown to the person at once, before anything else (SCIENCE.md 6.1)."""

    country: str
    emergency_number: str
    resources: list[CrisisResourceRead]

    @classmethod
    def from_resources(cls, support: CrisisResources) -> dict[str, object]:
        resources = [
            CrisisResourceRead(label=r.label, detail=r.detail, href=r.href)
            for r in support.resources
        ]
        model = cls(
            country=support.country,
            emergency_number=support.emergency_number,
            resources=resources,
        )
        return model.model_dump(mode="json")


class CheckinSaved(CheckinRead):
    crisis_support: CrisisSupportRead | None = Field(
        default=None,
        description="Present when the note contains crisis language: show these resources at once",
    )
    talk_to_prescriber: bool = Field(
        default=False,
        description="The note says the person wants to stop, or stopped, a medication: show the "
        "'talk to your prescriber first' card",
    )
