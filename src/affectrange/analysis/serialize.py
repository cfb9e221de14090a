"""A `PersonAnalysis` as plain JSON-ready data, in the shape CONTRACTS.md section 3 fixes.

`person_json` is the contract object (with a few documented extra fields); the command line, the
API and the reports all write it, so they cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from affectrange.analysis.associations import Association
from affectrange.analysis.change import EventLink
from affectrange.analysis.comparisons import EventComparison
from affectrange.analysis.engine import PersonAnalysis
from affectrange.analysis.events import MedicationEvent
from affectrange.analysis.pattern import Criterion
from affectrange.analysis.windows import WindowMetrics

OUTPUT_VERSION: Final = 1
DECIMALS: Final = 4
"""Ratings are whole numbers 0..6; four decimals is more than any metric of them can carry."""

CONTRACT_METRICS: Final = (
    "n_days",
    "pa_mean",
    "na_mean",
    "pa_sd",
    "na_sd",
    "pa_rmssd",
    "na_rmssd",
    "emodiversity",
    "numbness_mean",
    "pa_reactivity",
    "na_reactivity",
)
"""The keys CONTRACTS.md requires in `metrics.current` and `metrics.baseline`, listed first."""

JsonObject = dict[str, Any]


def _number(value: float | int | None) -> float | int | None:
    if value is None or isinstance(value, int):
        return value
    return round(value, DECIMALS)


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def metrics_json(window: WindowMetrics | None) -> JsonObject | None:
    if window is None:
        return None
    values = window.as_dict()
    ordered: JsonObject = {key: _number(values[key]) for key in CONTRACT_METRICS}  # type: ignore[arg-type]
    for key, value in values.items():
        if key not in ordered:
            ordered[key] = value if isinstance(value, str) else _number(value)
    return ordered


def event_json(event: MedicationEvent) -> JsonObject:
    return {
        "medication": event.medication,
        "event": event.event,
        "date": event.date.isoformat(),
        "dose_mg": event.dose_mg,
    }


def _link_json(link: EventLink | None) -> JsonObject | None:
    if link is None:
        return None
    return {
        "medication": link.event.medication,
        "event": link.event.event,
        "date": link.event.date.isoformat(),
        "lag_days": link.lag_days,
    }


def _criterion_json(criterion: Criterion) -> JsonObject:
    return {
        "name": criterion.name,
        "description": criterion.description,
        "value": _number(criterion.value),
        "threshold": criterion.threshold,
        "met": criterion.met,
    }


def _comparison_json(comparison: EventComparison) -> JsonObject:
    return {
        "event": event_json(comparison.event),
        "before": {"first": _date(comparison.before_first), "last": _date(comparison.before_last)},
        "periods": [
            {
                "period": period.period,
                "first": _date(period.first),
                "last": _date(period.last),
                "differences": [
                    {
                        "measure": difference.measure,
                        "before_mean": _number(difference.before_mean),
                        "after_mean": _number(difference.after_mean),
                        "difference": _number(difference.difference),
                        "hedges_g": _number(difference.hedges_g),
                        "ci95": [_number(difference.ci_low), _number(difference.ci_high)],
                        "n_before": difference.n_before,
                        "n_after": difference.n_after,
                    }
                    for difference in period.differences
                ],
            }
            for period in comparison.periods
        ],
    }


def _association_json(association: Association) -> JsonObject:
    return {
        "factor": association.factor,
        "outcome": association.outcome,
        "lag": association.lag,
        "n": association.n,
        "r": _number(association.r),
        "ci95": [_number(association.ci_low), _number(association.ci_high)],
        "slope": _number(association.slope),
        "unit": association.unit,
    }


def person_json(person_id: str, analysis: PersonAnalysis) -> JsonObject:
    """The contract's person object; extra keys follow the required ones."""
    return {
        "person_id": person_id,
        "n_days": analysis.n_days,
        "first_date": analysis.first_date.isoformat(),
        "last_date": analysis.last_date.isoformat(),
        "pattern": analysis.pattern,
        "blunting": {
            "detected": analysis.blunting.detected,
            "onset_date": _date(analysis.blunting.onset_date),
            "after_event": _link_json(analysis.blunting.after_event),
        },
        "metrics": {
            "current": metrics_json(analysis.current),
            "baseline": metrics_json(analysis.baseline),
        },
        "baseline_source": analysis.baseline_source,
        "criteria": [_criterion_json(criterion) for criterion in analysis.criteria],
        "event_comparisons": [_comparison_json(item) for item in analysis.event_comparisons],
        "associations": [_association_json(item) for item in analysis.associations],
    }


def output_json(persons: list[JsonObject]) -> JsonObject:
    return {"version": OUTPUT_VERSION, "persons": persons}
