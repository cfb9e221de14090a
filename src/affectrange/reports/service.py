"""Building the appointment report: one person's record over a period, as the reader may see it.

One function, `build_report`, for the person's own copy (every scope), a clinician's (the scopes
of the share) and the command line. It reads through the features' services and hands back a
plain `Report`; nothing is written (services never commit, and this one never flushes either).

What is shared decides what is analysed, not only what is shown: without the medication timeline
the analysis runs without medication events (no change is tied to one, no comparison is made
around one, and no medication name appears anywhere); without check-ins there is no chart, no
pattern and no comparison. The analysis ends on the last day of the period, so a report about
last spring reads the same next year; its baseline may lie before the period (it reads up to
`MAX_DAYS` of check-ins), while the charts show the period alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.analysis.comparisons import BLOCK_DAYS, BOOTSTRAP_RESAMPLES
from affectrange.analysis.events import MedicationEvent
from affectrange.analysis.items import ITEM_IDS, NEGATIVE_ITEMS, POSITIVE_ITEMS
from affectrange.analysis.metrics import MIN_DAYS_FOR_LEVEL
from affectrange.analysis.pattern import MIN_DAYS_FOR_PATTERN
from affectrange.analysis.series import DailySeries, FloatArray
from affectrange.emotional_range import service as emotional_range
from affectrange.emotional_range.chart import build_range_chart
from affectrange.emotional_range.service import MAX_DAYS, MIN_CHECKINS, RangeView
from affectrange.emotional_range.wording import (
    DATES_NOT_CAUSE,
    LIMITS,
    ChangeText,
    change_text,
    comparison_text,
    long_day,
    pattern_card,
)
from affectrange.errors import InvalidInput
from affectrange.instruments import get_instrument
from affectrange.medications import service as medications
from affectrange.preparation import service as preparation
from affectrange.questionnaires import service as questionnaires
from affectrange.questionnaires.models import QuestionnaireResponse
from affectrange.reports.model import (
    AffectPart,
    ComparisonsPart,
    GoalKept,
    PatternPart,
    QuestionnairesPart,
    QuestionnaireTrend,
    Report,
    SafetyItem,
    SafetyPart,
)
from affectrange.safety import crisis_resources
from affectrange.safety_events import service as safety_events
from affectrange.safety_events.models import SafetyEvent, SafetySignal
from affectrange.sharing.scopes import Scopes

DEFAULT_DAYS: Final = 90
"""A report covers the 90 days up to its last day unless asked otherwise: about the time between
two appointments."""
FIRST_AFTER_LAST: Final = (
    "The first day comes after the last day. Choose a first day on or before it."
)
LAST_IN_FUTURE: Final = "This day has not happened yet. Choose today or an earlier day."
TOO_LONG: Final = f"A report covers at most {MAX_DAYS} days (two years). Choose a later first day."
NOT_A_DATE: Final = "Use a date like 2026-11-26."
EARLIEST_DAY: Final = dt.date(1900, 1, 1)
"""The forms' `min`; earlier dates are refused as text, before any date arithmetic."""
TOO_EARLY: Final = "Choose a day in 1900 or later."
_ISO_DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The `DEFAULT_DAYS` days ending today."""
    return today - dt.timedelta(days=DEFAULT_DAYS - 1), today


def period_from_text(
    first: str | None, last: str | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The period a form, a query string or the command line asked for, as dates.

    Empty means the default: "to" is today, "from" the `DEFAULT_DAYS` days ending on "to".
    Text that is not a YYYY-MM-DD date is refused naming its field ("from", "to"); the period
    itself is checked by `build_report`.
    """
    errors: dict[str, str] = {}
    start = _day_or_none(first, "from", errors)
    end = _day_or_none(last, "to", errors)
    if errors:
        raise InvalidInput(errors)
    end = end or today
    return start or default_period(end)[0], end


def _day_or_none(text: str | None, field: str, errors: dict[str, str]) -> dt.date | None:
    if text is None or not text.strip():
        return None
    value = text.strip()
    try:
        if _ISO_DAY.fullmatch(value) is None:
            raise ValueError(value)
        day = dt.date.fromisoformat(value)
    except ValueError:
        errors[field] = NOT_A_DATE
        return None
    if day < EARLIEST_DAY:
        errors[field] = TOO_EARLY
        return None
    return day


def check_period(first: dt.date, last: dt.date, today: dt.date) -> None:
    """Refuse a period that is reversed, reaches into the future or is longer than `MAX_DAYS`,
    naming the field to change ("from" or "to", as the forms and the API call them)."""
    if first > last:
        raise InvalidInput({"from": FIRST_AFTER_LAST})
    if last > today:
        raise InvalidInput({"to": LAST_IN_FUTURE})
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput({"from": TOO_LONG})


def build_report(
    session: Session,
    person: User,
    *,
    first: dt.date,
    last: dt.date,
    today: dt.date,
    scopes: Scopes,
    prepared_for: str | None = None,
    now: dt.datetime,
    crisis_country: str = "US",
) -> Report:
    """`person`'s record from `first` to `last` (their calendar days), holding only `scopes`.

    `today` is the person's today (the period may not go past it); `now` is when the report is
    made, for its footer. Raises `InvalidInput` naming "from" or "to" for a bad period.
    """
    check_period(first, last, today)
    view = None
    if scopes.checkins:
        view = emotional_range.emotional_range(
            session, person, last, include_medications=scopes.medications
        )
    events: Sequence[MedicationEvent] = ()
    if scopes.medications:
        events = [event for event in medications.timeline(session, person) if event.date <= last]
    return Report(
        person_name=person.display_name,
        first=first,
        last=last,
        generated_at=now,
        timezone=person.timezone,
        prepared_for=prepared_for,
        scopes=scopes,
        affect=None if view is None else _affect(view, first, last),
        questionnaires=(
            _questionnaires(session, person, first, last, events) if scopes.questionnaires else None
        ),
        pattern=None if view is None else _pattern(view, with_medications=scopes.medications),
        comparisons=None
        if view is None or not scopes.medications
        else _comparisons(view, first, last),
        safety=_safety(session, person, first, last) if scopes.safety else None,
        crisis_line=crisis_line(crisis_country),
        methods=methods(scopes),
        # The questions are the person's own words, like notes: shared only with that scope.
        questions=(preparation.question_texts(session, person) or None) if scopes.notes else None,
        goals=_goals(session, person, first, last) if scopes.checkins else None,
    )


# --- section 2: the chart ---------------------------------------------------------------------


def _affect(view: RangeView, first: dt.date, last: dt.date) -> AffectPart | None:
    period = _within(view.series, first, last)
    n_checkins = int(period.answered().sum())
    if n_checkins == 0:
        return None
    return AffectPart(n_checkins, build_range_chart(period, view.analysis, view.events))


def _within(series: DailySeries, first: dt.date, last: dt.date) -> DailySeries:
    """The calendar days `first`..`last` of `series`, unanswered (NaN) where it has none: the
    analysed series may start before the period (the baseline) or after its first day."""
    n_days = (last - first).days + 1
    offset = (first - series.first).days

    def take(values: FloatArray) -> FloatArray:
        kept: FloatArray = np.full((n_days, *values.shape[1:]), np.nan)
        source, target = max(offset, 0), max(-offset, 0)
        length = min(values.shape[0] - source, n_days - target)
        if length > 0:
            kept[target : target + length] = values[source : source + length]
        return kept

    context = None if series.context is None else take(series.context)
    return DailySeries(first, take(series.items), take(series.event), context)


# --- sections 4 and 5: the pattern and the comparisons ----------------------------------------


def _pattern(view: RangeView, *, with_medications: bool) -> PatternPart | None:
    if not view.enough:
        return None
    analysis = view.analysis
    change = change_text(analysis.blunting)
    onset = analysis.blunting.onset_date
    if change is not None and onset is not None and not with_medications:
        # The analysis ran without the timeline; "no medication event is recorded before it"
        # would be untrue to a reader who is not shown the timeline.
        change = ChangeText(f"This began around {long_day(onset)}.", DATES_NOT_CAUSE)
    return PatternPart(analysis=analysis, card=pattern_card(analysis), change=change)


def _comparisons(view: RangeView, first: dt.date, last: dt.date) -> ComparisonsPart | None:
    inside = tuple(
        comparison_text(comparison)
        for comparison in view.analysis.event_comparisons
        if first <= comparison.event.date <= last
    )
    return ComparisonsPart(inside) if inside else None


# --- section 3: questionnaires ------------------------------------------------------------------


def _questionnaires(
    session: Session,
    person: User,
    first: dt.date,
    last: dt.date,
    events: Sequence[MedicationEvent],
) -> QuestionnairesPart | None:
    by_instrument: defaultdict[str, list[QuestionnaireResponse]] = defaultdict(list)
    for response in questionnaires.completed_responses(session, person):
        day = response.completed_on
        if day is not None and first <= day <= last and response.total is not None:
            by_instrument[response.instrument].append(response)
    trends = []
    for instrument in questionnaires.answerable_instruments():
        responses = by_instrument.get(instrument.id)
        if not responses:
            continue
        latest = responses[-1]
        chart = questionnaires.trend_chart(instrument, responses, events, first=first, last=last)
        assert latest.completed_on is not None  # kept above
        assert latest.total is not None
        trends.append(
            QuestionnaireTrend(
                instrument_id=instrument.id,
                name=instrument.name,
                n_responses=len(responses),
                latest_on=latest.completed_on,
                latest_total=latest.total,
                latest_band=latest.band,
                maximum=chart.maximum,
                chart=chart,
            )
        )
    return QuestionnairesPart(tuple(trends)) if trends else None


# --- section 6: safety events -------------------------------------------------------------------


def _safety(session: Session, person: User, first: dt.date, last: dt.date) -> SafetyPart | None:
    zone = ZoneInfo(person.timezone)
    since = dt.datetime.combine(first, dt.time(0), zone).astimezone(dt.UTC)
    items = []
    # Newest first from the service; the report lists them oldest first, like every table here.
    for event in reversed(safety_events.list_safety_events(session, person, since=since)):
        day = event.occurred_at.astimezone(zone).date()
        if first <= day <= last:
            items.append(SafetyItem(day, safety_trigger(event)))
    return SafetyPart(tuple(items)) if items else None


def safety_trigger(event: SafetyEvent) -> str:
    """What showed the crisis card, in words: the answer to PHQ-9 item 9, or that a note held
    crisis language. Never the note's words (they are not stored here), never a score of risk."""
    if event.signal is SafetySignal.NOTE_LANGUAGE:
        return "Crisis language in a note (the note's words are not part of this report)"
    value = event.item_value
    if value is None:
        return "PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered above 0"
    option = get_instrument("phq9").item("q9").option_for(value)
    words = f" ({option.label.lower()})" if option is not None and option.label else ""
    return (
        "PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered "
        f"{value} of 3{words}"
    )


def crisis_line(country: str) -> str:
    resources = crisis_resources(country)
    ways = "; ".join(resource.label for resource in resources.resources)
    return f"If you are in danger or thinking about harming yourself, help is there now: {ways}."


# --- section 7: the person's questions and the goals kept ---------------------------------------


def _goals(
    session: Session, person: User, first: dt.date, last: dt.date
) -> tuple[GoalKept, ...] | None:
    lines = preparation.goal_lines(session, person, first=first, last=last)
    return tuple(GoalKept(line.title, line.kept) for line in lines) or None


# --- section 8: methods and limits --------------------------------------------------------------


def methods(scopes: Scopes) -> tuple[str, ...]:
    """How the report's numbers are made and what they cannot say, in the project's words."""
    paragraphs = [
        f"This report describes what was recorded in AffectRange: daily check-ins rating "
        f"{len(ITEM_IDS)} feelings from 0 (not at all) to 6 (extremely), questionnaires scored "
        "as published, and the medication timeline as entered. Positive feelings (PA) average "
        f"the {len(POSITIVE_ITEMS)} positive items, negative feelings (NA) the "
        f"{len(NEGATIVE_ITEMS)} negative ones, numbness the items numb, indifferent and "
        "detached. Patterns are descriptions of the ratings, not diagnoses, and questionnaire "
        "bands are the published ranges.",
        "The pattern describes the last 4 weeks of the period against a baseline: the 4 weeks "
        "before the first recorded medication event, or else the earliest steady 4 weeks (it "
        "can lie before the period; the analysis reads up to two years of check-ins). It needs "
        f"at least {MIN_DAYS_FOR_PATTERN} check-ins in those 4 weeks and {MIN_CHECKINS} in "
        "all; below a minimum a number reads “not enough data”, never a guess. "
        "Comparisons set weeks 1-4 and 5-8 after a medication event against the 28 days "
        f"before it, with at least {MIN_DAYS_FOR_LEVEL} check-ins on each side; their 95% "
        f"intervals come from {BOOTSTRAP_RESAMPLES:,} resamples of {BLOCK_DAYS}-day blocks "
        "with a fixed seed, so the same record always gives the same numbers.",
        "A change that began after a medication event is a temporal association, not a cause: "
        "the order in time does not show what brought it about. " + LIMITS,
    ]
    if scopes.checkins and not scopes.medications:
        paragraphs.append(
            "The medication timeline is not part of this report, so the analysis ran without "
            "it: no change is placed after a medication event, and the baseline is chosen from "
            "the check-ins alone."
        )
    return tuple(paragraphs)
