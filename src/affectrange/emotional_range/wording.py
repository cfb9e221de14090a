"""The analysis in plain words: the pattern card, what changed and since when, before/after
comparisons and everyday associations, as the "My emotional range" page shows them.

Everything here is the project's own wording (PRODUCT.md 4). The rules it keeps (SCIENCE.md 4.4,
6.2): a pattern is described, never diagnosed; a change that follows a medication event is an
order in time, never a cause, and the sentence saying so comes right after the date; nothing
suggests doing anything about a medication, only talking it over with the prescriber or
therapist. Pure functions of the analysis result, so they are tested without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from affectrange.analysis.associations import Association
from affectrange.analysis.change import EventLink
from affectrange.analysis.comparisons import Difference, EventComparison, PeriodComparison
from affectrange.analysis.engine import BluntingFinding, PersonAnalysis
from affectrange.analysis.pattern import (
    MIN_DAYS_FOR_PATTERN,
    PA_ANHEDONIA,
    Criterion,
    Pattern,
)
from affectrange.analysis.windows import BaselineSource, WindowMetrics
from affectrange.medications.markers import marker_text

NOT_ENOUGH: Final = "not enough data"
LIMITS: Final = (
    "This describes, it does not diagnose. A pattern like this can reflect the condition itself, "
    "the medication, life events, or how the ratings were made."
)
ORDER_NOT_CAUSE: Final = (
    "That is an order in time, not a cause: the change came after this event, which does not "
    "show that the event brought it about."
)
DATES_NOT_CAUSE: Final = "These dates say when the ratings changed, not why."
SAME_DIFFERENCE: Final = 0.05
"""Below this (on the 0..6 scale) a difference is "about the same": it rounds to 0.0."""

PATTERN_TITLES: Final[dict[Pattern, str]] = {
    "blunting_like": "A blunting-like pattern",
    "anhedonia_like": "An anhedonia-like pattern",
    "depressed_affect": "A low-mood pattern (depressed affect)",
    "no_pattern": "None of the patterns described here",
    "insufficient_data": "Not enough check-ins for a pattern yet",
}
_BLUNTING_AGAINST_BEFORE: Final = (
    "In the last 4 weeks your feelings, good and bad, have been quieter and steadier than "
    "before, and you have often felt numb or flat."
)
_BLUNTING_ON_ITS_OWN: Final = (
    "In the last 4 weeks your feelings, good and bad, have stayed quiet and steady, with little "
    "up and down, and you have often felt numb or flat."
)
_PATTERN_WORDS: Final[dict[Pattern, str]] = {
    "anhedonia_like": (
        "In the last 4 weeks good feelings such as joy, interest and closeness have been low, "
        "while bad feelings have not been high and you have not often felt numb. This looks more "
        "like a loss of pleasure and interest than a quieting of all feelings."
    ),
    "depressed_affect": (
        "In the last 4 weeks bad feelings such as sadness, worry and stress have been high and "
        "good feelings low. This looks like low mood more than a quieting of all feelings."
    ),
    "no_pattern": (
        "The last 4 weeks do not match the patterns this page looks for (blunting-like, "
        "anhedonia-like or low mood). This describes the ratings only: if something feels "
        "wrong, it is still worth talking about."
    ),
}
_BASELINE_WORDS: Final[dict[BaselineSource, str]] = {
    "before_first_medication": "the 4 weeks before your first recorded medication event",
    "earliest_stable": "your earliest steady 4 weeks of check-ins",
    "earliest": (
        "your earliest 4 weeks with enough check-ins (they were not steady, so compare with care)"
    ),
}
_OPERATORS: Final[dict[str, str]] = {
    "enough_days": "at least",
    "numbness_endorsed": "at least",
    "negative_not_high": "below",
    "negative_fell": "at most",
    "spread_narrowed": "at most",
    "flat_spread": "at most",
    "negative_high": "at least",
    "numbness_not_endorsed": "below",
    "positive_fell": "at most",
    "positive_below": "below",
}
_METRICS: Final = (
    ("pa_mean", "Positive feelings: average (0-6)"),
    ("pa_sd", "Positive feelings: spread from day to day (SD)"),
    ("pa_rmssd", "Positive feelings: change from one day to the next (RMSSD)"),
    ("na_mean", "Negative feelings: average (0-6)"),
    ("na_sd", "Negative feelings: spread from day to day (SD)"),
    ("na_rmssd", "Negative feelings: change from one day to the next (RMSSD)"),
    ("numbness_mean", "Numb, indifferent or detached: average (0-6)"),
    ("emodiversity", "Variety of feelings felt (emodiversity)"),
    ("pa_reactivity", "Lift in positive feelings with pleasant events (reactivity)"),
    ("na_reactivity", "Rise in negative feelings with unpleasant events (reactivity)"),
)
MEASURE_WORDS: Final = {
    "pa": "positive feelings",
    "na": "negative feelings",
    "numbness": "numbness",
}
PERIOD_WORDS: Final = {"weeks_1_4": "Weeks 1-4 after", "weeks_5_8": "Weeks 5-8 after"}
FACTOR_WORDS: Final = {
    "sleep_hours": "sleep",
    "exercise_minutes": "exercise",
    "social_minutes": "time with people",
    "alcohol_drinks": "drinks",
}
LAG_WORDS: Final = {"same_day": "the same day", "next_day": "the next day"}


@dataclass(frozen=True, slots=True)
class CriterionRow:
    description: str
    value: str
    needed: str
    met: bool


@dataclass(frozen=True, slots=True)
class MetricRow:
    key: str
    label: str
    current: str
    baseline: str


@dataclass(frozen=True, slots=True)
class PatternCard:
    pattern: Pattern
    title: str
    words: str
    criteria_heading: str
    criteria: tuple[CriterionRow, ...]
    current_period: str
    baseline_period: str | None
    baseline_words: str
    metrics: tuple[MetricRow, ...]


@dataclass(frozen=True, slots=True)
class ChangeText:
    """When a blunting-like change began and what came before it; None parts are not shown."""

    when: str
    caveat: str


@dataclass(frozen=True, slots=True)
class DifferenceRow:
    period: str
    measure: str
    before: str
    after: str
    difference: str
    interval: str
    days: str


@dataclass(frozen=True, slots=True)
class ComparisonText:
    heading: str
    day: dt.date
    before_period: str
    sentences: tuple[str, ...]
    rows: tuple[DifferenceRow, ...]


@dataclass(frozen=True, slots=True)
class AssociationRow:
    words: str
    factor: str
    outcome: str
    lag: str
    r: str
    interval: str
    n: int
    clear: bool
    """The 95% interval excludes 0."""


@dataclass(frozen=True, slots=True)
class RangeText:
    card: PatternCard
    change: ChangeText | None
    comparisons: tuple[ComparisonText, ...]
    associations: tuple[AssociationRow, ...]

    @property
    def clear_associations(self) -> tuple[AssociationRow, ...]:
        return tuple(row for row in self.associations if row.clear)

    @property
    def unclear_count(self) -> int:
        return sum(1 for row in self.associations if not row.clear)


def describe(analysis: PersonAnalysis) -> RangeText:
    return RangeText(
        card=pattern_card(analysis),
        change=change_text(analysis.blunting),
        comparisons=tuple(comparison_text(item) for item in analysis.event_comparisons),
        associations=tuple(association_row(item) for item in analysis.associations),
    )


# --- dates and numbers ----------------------------------------------------------------------


def long_day(day: dt.date) -> str:
    """ "7 September 2026"."""
    return f"{day.day} {day:%B %Y}"


def _day_near(day: dt.date, reference: dt.date) -> str:
    """ "9 August", with the year only when it differs from `reference`'s."""
    return long_day(day) if day.year != reference.year else f"{day.day} {day:%B}"


def _period(first: dt.date, last: dt.date) -> str:
    return f"{_day_near(first, last)} to {long_day(last)}"


def number(value: float | None, decimals: int = 2) -> str:
    return NOT_ENOUGH if value is None else f"{value:.{decimals}f}"


def _points(value: float) -> str:
    return "point" if f"{abs(value):.1f}" == "1.0" else "points"


# --- the pattern card -----------------------------------------------------------------------


def pattern_card(analysis: PersonAnalysis) -> PatternCard:
    baseline = analysis.baseline
    source = analysis.baseline_source
    return PatternCard(
        pattern=analysis.pattern,
        title=PATTERN_TITLES[analysis.pattern],
        words=pattern_words(analysis),
        criteria_heading=(
            "Why this is not called blunting-like"
            if analysis.pattern == "no_pattern"
            else "What this is based on"
        ),
        criteria=tuple(criterion_row(item) for item in analysis.criteria),
        current_period=_period(analysis.current.first, analysis.current.last),
        baseline_period=None if baseline is None else _period(baseline.first, baseline.last),
        baseline_words=_baseline_words(source),
        metrics=metric_rows(analysis.current, baseline),
    )


def pattern_words(analysis: PersonAnalysis) -> str:
    if analysis.pattern == "blunting_like":
        against_before = any(item.name == "spread_narrowed" for item in analysis.criteria)
        return _BLUNTING_AGAINST_BEFORE if against_before else _BLUNTING_ON_ITS_OWN
    if analysis.pattern == "insufficient_data":
        return (
            "There are not enough check-ins in the last 4 weeks to describe a pattern: at least "
            f"{MIN_DAYS_FOR_PATTERN} of the 28 days are needed, and there are "
            f"{analysis.current.n_days}."
        )
    return _PATTERN_WORDS[analysis.pattern]


def _baseline_words(source: BaselineSource | None) -> str:
    if source is None:
        return (
            "There is no earlier period to compare with yet, so the last 4 weeks are described "
            "on their own terms."
        )
    return (
        "The baseline, the period the last 4 weeks are compared with, is "
        f"{_BASELINE_WORDS[source]}."
    )


def criterion_row(criterion: Criterion) -> CriterionRow:
    whole = criterion.name == "enough_days"
    operator = _OPERATORS.get(criterion.name, "at most")
    if criterion.name == "positive_low":
        # The same test name serves two rules: anhedonia-like asks for PA at most 2.0, low mood
        # for PA below 2.5.
        operator = "at most" if criterion.threshold == PA_ANHEDONIA else "below"
    return CriterionRow(
        description=criterion.description,
        value=number(criterion.value, 0 if whole else 2),
        needed=f"{operator} {criterion.threshold:g}",
        met=criterion.met,
    )


def metric_rows(current: WindowMetrics, baseline: WindowMetrics | None) -> tuple[MetricRow, ...]:
    now, before = current.as_dict(), None if baseline is None else baseline.as_dict()
    rows = []
    for key, label in _METRICS:
        value = now[key]
        then = None if before is None else before[key]
        rows.append(
            MetricRow(
                key=key,
                label=label,
                current=number(value if isinstance(value, float) else None),
                baseline="no baseline"
                if before is None
                else number(then if isinstance(then, float) else None),
            )
        )
    return tuple(rows)


# --- what changed and since when -------------------------------------------------------------


def change_text(blunting: BluntingFinding) -> ChangeText | None:
    if not blunting.detected:
        return None
    onset = blunting.onset_date
    if onset is None:
        return ChangeText(
            "As far as your check-ins show, this pattern has been present since your check-ins "
            "began, so there is no start date to name.",
            DATES_NOT_CAUSE,
        )
    if blunting.after_event is None:
        return ChangeText(
            f"This began around {long_day(onset)}. No medication start or dose change is "
            "recorded in the 90 days before it.",
            DATES_NOT_CAUSE,
        )
    return ChangeText(
        f"This began around {long_day(onset)}, {_after(blunting.after_event, onset)}.",
        ORDER_NOT_CAUSE,
    )


def _after(link: EventLink, onset: dt.date) -> str:
    event = link.event
    if event.event == "start":
        what = f"you started {event.medication}"
    else:
        dose = f" to {event.dose_mg:g} mg" if event.dose_mg is not None else ""
        what = f"your {event.medication} dose changed{dose}"
    if link.lag_days == 0:
        return f"the same day {what}"
    days = f"{link.lag_days} day{'s' if link.lag_days != 1 else ''}"
    return f"{days} after {what} on {_day_near(event.date, onset)}"


# --- before and after medication events ------------------------------------------------------


def comparison_text(comparison: EventComparison) -> ComparisonText:
    event = comparison.event
    return ComparisonText(
        heading=f"{marker_text(event)}, {long_day(event.date)}",
        day=event.date,
        before_period=_period(comparison.before_first, comparison.before_last),
        sentences=tuple(_period_sentence(period) for period in comparison.periods),
        rows=tuple(
            _difference_row(period, difference)
            for period in comparison.periods
            for difference in period.differences
        ),
    )


def _period_sentence(period: PeriodComparison) -> str:
    name = PERIOD_WORDS.get(period.period, period.period)
    span = _period(period.first, period.last)
    if not period.differences:
        return (
            f"{name} ({span}): not enough check-ins to compare (at least 7 days on each side are "
            "needed)."
        )
    parts = "; ".join(
        f"{MEASURE_WORDS[item.measure]} {difference_words(item)}" for item in period.differences
    )
    return f"{name} ({span}), compared with the 28 days before: {parts}."


def difference_words(difference: Difference) -> str:
    """ "about 1.2 points lower (0.9 to 1.5)": the change after minus before, with its 95%
    interval in the same direction where the interval does not cross zero."""
    value, low, high = difference.difference, difference.ci_low, difference.ci_high
    if abs(value) < SAME_DIFFERENCE:
        return f"about the same {interval_words(low, high, None)}"
    direction = "higher" if value > 0 else "lower"
    size = f"{abs(value):.1f}"
    return f"about {size} {_points(value)} {direction} {interval_words(low, high, direction)}"


def interval_words(low: float, high: float, direction: str | None) -> str:
    if low >= 0:
        inner = f"{low:.1f} to {high:.1f}"
        return f"({inner})" if direction == "higher" else f"({inner} higher)"
    if high <= 0:
        inner = f"{abs(high):.1f} to {abs(low):.1f}"
        return f"({inner})" if direction == "lower" else f"({inner} lower)"
    return f"(from {abs(low):.1f} lower to {high:.1f} higher)"


def _difference_row(period: PeriodComparison, difference: Difference) -> DifferenceRow:
    return DifferenceRow(
        period=PERIOD_WORDS.get(period.period, period.period),
        measure=MEASURE_WORDS[difference.measure].capitalize(),
        before=f"{difference.before_mean:.2f}",
        after=f"{difference.after_mean:.2f}",
        difference=f"{difference.difference:+.2f}",
        interval=f"{difference.ci_low:+.2f} to {difference.ci_high:+.2f}",
        days=f"{difference.n_before} / {difference.n_after}",
    )


# --- everyday associations --------------------------------------------------------------------


def association_row(association: Association) -> AssociationRow:
    factor = FACTOR_WORDS.get(association.factor, association.factor)
    outcome = MEASURE_WORDS[association.outcome]
    lag = LAG_WORDS[association.lag]
    clear = association.ci_low > 0 or association.ci_high < 0
    direction = "higher" if association.r > 0 else "lower"
    interval = f"{association.ci_low:.2f} to {association.ci_high:.2f}"
    words = (
        f"Days with more {factor} went with {direction} {outcome} {lag}: about "
        f"{abs(association.slope):.2f} points per {association.unit} "
        f"(r = {association.r:.2f}, 95% interval {interval}, {association.n} days)."
    )
    return AssociationRow(
        words=words,
        factor=factor.capitalize(),
        outcome=outcome.capitalize(),
        lag=lag,
        r=f"{association.r:.2f}",
        interval=interval,
        n=association.n,
        clear=clear,
    )


def clear_first(rows: Sequence[AssociationRow]) -> tuple[AssociationRow, ...]:
    """The table order: clear associations first, each group as the analysis listed it."""
    return tuple(sorted(rows, key=lambda row: not row.clear))
