"""One person's analysis: pattern of the last 28 days, the onset of a blunting-like change and its
order relative to medication events, before/after comparisons and everyday associations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from affectrange.analysis.associations import Association, context_associations
from affectrange.analysis.change import EventLink, detect_onset, link_to_event
from affectrange.analysis.comparisons import EventComparison, compare_around_events
from affectrange.analysis.events import MedicationEvent
from affectrange.analysis.pattern import Criterion, Pattern, classify, is_flat_and_numb
from affectrange.analysis.series import DailySeries
from affectrange.analysis.windows import (
    BaselineSource,
    Valences,
    WindowMetrics,
    choose_baseline,
    current_window,
)


@dataclass(frozen=True, slots=True)
class BluntingFinding:
    """CONTRACTS.md section 3 `blunting`."""

    detected: bool
    onset_date: dt.date | None
    """First day of a change from an earlier, not blunted period; None when the pattern is there
    from the start of the data, or not detected."""
    after_event: EventLink | None


@dataclass(frozen=True, slots=True)
class PersonAnalysis:
    first_date: dt.date
    last_date: dt.date
    n_days: int
    """Answered days."""
    pattern: Pattern
    criteria: tuple[Criterion, ...]
    """The tests behind `pattern`: for "no_pattern", why the blunting-like rule did not hold."""
    blunting: BluntingFinding
    current: WindowMetrics
    baseline: WindowMetrics | None
    baseline_source: BaselineSource | None
    event_comparisons: tuple[EventComparison, ...]
    associations: tuple[Association, ...]


def analyze(series: DailySeries, events: Sequence[MedicationEvent] = ()) -> PersonAnalysis:
    """Analyse one person's daily series (calendar days, NaN = unanswered) and medication events."""
    ordered = sorted(events, key=lambda event: event.date)
    valences = Valences.of(series)
    current = current_window(series, valences)
    first_event = ordered[0].date if ordered else None
    baseline = choose_baseline(series, valences, first_event)
    baseline_metrics = None if baseline is None else baseline.metrics
    result = classify(current, baseline_metrics)
    detected = result.pattern == "blunting_like"
    onset = _onset(series, valences, baseline_metrics) if detected else None
    blunting = BluntingFinding(
        detected=detected,
        onset_date=onset,
        after_event=None if onset is None else link_to_event(onset, ordered),
    )
    return PersonAnalysis(
        first_date=series.first,
        last_date=series.first + dt.timedelta(days=series.n_days - 1),
        n_days=int(series.answered().sum()),
        pattern=result.pattern,
        criteria=result.criteria,
        blunting=blunting,
        current=current,
        baseline=baseline_metrics,
        baseline_source=None if baseline is None else baseline.source,
        event_comparisons=compare_around_events(series, valences, ordered),
        associations=context_associations(series, valences),
    )


def _onset(
    series: DailySeries, valences: Valences, baseline: WindowMetrics | None
) -> dt.date | None:
    """A change needs an earlier period that was not blunted: none when the baseline already is."""
    if baseline is None or is_flat_and_numb(baseline):
        return None
    search_from = (baseline.first - series.first).days
    day = detect_onset(valences.numbness, search_from)
    if day is None:
        return None
    return series.first + dt.timedelta(days=day)
