"""The shape of `GET /api/v1/range`, for the OpenAPI document.

The body itself is built by `range_json` from `analysis.serialize.person_json`, the same object
`affectrange analyze` writes (CONTRACTS.md section 3), so the two can never drift apart; these
models describe it, and a test validates real bodies against them (`extra="forbid"`), so the
description cannot drift either.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from affectrange.analysis.events import EventKind
from affectrange.analysis.pattern import Pattern
from affectrange.analysis.serialize import DECIMALS, event_json, person_json
from affectrange.analysis.windows import BaselineSource
from affectrange.emotional_range.service import DayAffect, RangeView

MetricValue = float | int | str | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventLinkRead(_Strict):
    medication: str
    event: EventKind
    date: dt.date
    lag_days: int = Field(description="Days from the event to the onset of the change")


class BluntingRead(_Strict):
    detected: bool = Field(description="The last 28 days show a blunting-like pattern")
    onset_date: dt.date | None = Field(
        description="First day of a change from an earlier, not blunted period"
    )
    after_event: EventLinkRead | None = Field(
        description="The latest start or dose change at most 90 days before the onset: an order "
        "in time, never a cause"
    )


class MetricsRead(_Strict):
    current: dict[str, MetricValue]
    baseline: dict[str, MetricValue] | None


class CriterionRead(_Strict):
    name: str
    description: str
    value: float | None
    threshold: float
    met: bool


class MedicationEventRead(_Strict):
    medication: str
    event: EventKind
    date: dt.date
    dose_mg: float | None


class DatesRead(_Strict):
    first: dt.date
    last: dt.date


class DifferenceRead(_Strict):
    measure: Literal["pa", "na", "numbness"]
    before_mean: float
    after_mean: float
    difference: float = Field(description="After minus before, on the 0-6 scale")
    hedges_g: float | None
    ci95: tuple[float, float] = Field(description="95% moving-block bootstrap interval")
    n_before: int
    n_after: int


class PeriodRead(_Strict):
    period: Literal["weeks_1_4", "weeks_5_8"]
    first: dt.date
    last: dt.date
    differences: list[DifferenceRead]


class EventComparisonRead(_Strict):
    event: MedicationEventRead
    before: DatesRead
    periods: list[PeriodRead]


class AssociationRead(_Strict):
    factor: Literal["sleep_hours", "exercise_minutes", "social_minutes", "alcohol_drinks"]
    outcome: Literal["pa", "na"]
    lag: Literal["same_day", "next_day"]
    n: int
    r: float
    ci95: tuple[float, float]
    slope: float
    unit: str


class DayRead(_Strict):
    date: dt.date
    pa: float | None = Field(description="Mean of the positive items, 0-6")
    na: float | None = Field(description="Mean of the negative items, 0-6")
    numbness: float | None = Field(description="Mean of numb, indifferent and detached, 0-6")


class RangeRead(_Strict):
    """The caller's analysis (the person object of CONTRACTS.md section 3), their answered days
    and their medication timeline."""

    person_id: str = Field(description="The caller's user id")
    n_days: int = Field(description="Answered days")
    first_date: dt.date
    last_date: dt.date
    pattern: Pattern
    blunting: BluntingRead
    metrics: MetricsRead
    baseline_source: BaselineSource | None
    criteria: list[CriterionRead]
    event_comparisons: list[EventComparisonRead]
    associations: list[AssociationRead]
    days: list[DayRead] = Field(description="Days with a check-in, oldest first")
    medication_events: list[MedicationEventRead] = Field(description="Oldest first")


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def _day_json(day: DayAffect) -> dict[str, Any]:
    return {
        "date": day.date.isoformat(),
        "pa": _rounded(day.pa),
        "na": _rounded(day.na),
        "numbness": _rounded(day.numbness),
    }


def range_json(person_id: str, view: RangeView) -> dict[str, Any]:
    """The API body: the contract's person object first, then the days and the timeline."""
    body = person_json(person_id, view.analysis)
    body["days"] = [_day_json(day) for day in view.days]
    body["medication_events"] = [event_json(event) for event in view.events]
    return body
