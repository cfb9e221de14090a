"""build_range_chart: rolling mean and spread by hand, bands, windows, onset and event markers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pytest

from affectrange.analysis.engine import BluntingFinding, PersonAnalysis, analyze
from affectrange.analysis.events import MedicationEvent
from affectrange.analysis.items import ITEM_IDS
from affectrange.analysis.series import DailySeries, DayRow, series_from_rows
from affectrange.emotional_range.chart import (
    PLOT_BOTTOM,
    PLOT_LEFT,
    PLOT_RIGHT,
    PLOT_TOP,
    RangeChart,
    build_range_chart,
    rolling_mean_sd,
)
from tests.conftest import TODAY
from tests.emotional_range.helpers import demo, found_onset, story_series, windows_of

JUNE_1 = dt.date(2026, 6, 1)
NAN = math.nan


def rows(values: list[int | None], first: dt.date = JUNE_1) -> list[DayRow]:
    """One check-in per given value (every item at it); None is a missed day."""
    return [
        (first + dt.timedelta(days=offset), dict.fromkeys(ITEM_IDS, value), None)
        for offset, value in enumerate(values)
        if value is not None
    ]


def series_of(values: list[int | None], first: dt.date = JUNE_1) -> DailySeries:
    return series_from_rows(first, first + dt.timedelta(days=len(values) - 1), rows(values, first))


def chart_of(series: DailySeries, events: tuple[MedicationEvent, ...] = ()) -> RangeChart:
    return build_range_chart(series, analyze(series, events), events)


def test_the_rolling_window_is_centred_and_needs_four_of_seven_days() -> None:
    values = np.array([1, 2, 3, 4, 5, 6, 7, NAN, NAN, NAN, NAN, 1.0])

    mean, sd = rolling_mean_sd(values)

    # Day 3: days 0-6, mean 4, SD sqrt(28 / 6). Day 0: days 0-3 only, mean 2.5, SD sqrt(5 / 3).
    assert mean[3] == pytest.approx(4.0)
    assert sd[3] == pytest.approx(math.sqrt(28 / 6))
    assert mean[0] == pytest.approx(2.5)
    assert sd[0] == pytest.approx(math.sqrt(5 / 3))
    # Day 7 (missed): of days 4-10 only 4, 5 and 6 are answered, three of seven: no value.
    assert math.isnan(mean[7])
    # Day 6: of days 3-9, days 3-6 are answered (4, 5, 6, 7): four, so a value.
    assert mean[6] == pytest.approx(5.5)
    assert np.isnan(mean[8:]).all()
    assert np.isnan(sd[8:]).all()


def test_a_steady_series_has_a_band_of_no_width_on_its_line() -> None:
    result = chart_of(series_of([3] * 14))

    pa = result.affect[0]
    assert pa.key == "pa"
    assert len(pa.dots) == 14
    assert {dot.y for dot in pa.dots} == {(PLOT_TOP + PLOT_BOTTOM) / 2}
    assert pa.mean_paths == ("M" + " L".join(f"{dot.x},{dot.y}" for dot in pa.dots),)
    (band,) = pa.band_paths
    upper = " L".join(f"{dot.x},{dot.y}" for dot in pa.dots)
    lower = " L".join(f"{dot.x},{dot.y}" for dot in reversed(pa.dots))
    assert band == f"M{upper} L{lower} Z"
    assert pa.dots[0].x == PLOT_LEFT
    assert pa.dots[-1].x == PLOT_RIGHT


def test_a_band_above_the_scale_is_clipped_to_the_plot() -> None:
    result = chart_of(series_of([6, 0, 6, 0, 6, 0, 6]))

    (band,) = result.affect[0].band_paths
    ys = [
        float(point.split(",")[1])
        for point in band.removeprefix("M").removesuffix(" Z").split(" L")
    ]
    assert min(ys) >= PLOT_TOP
    assert max(ys) <= PLOT_BOTTOM


def test_a_long_gap_breaks_lines_and_bands() -> None:
    result = chart_of(series_of([3] * 7 + [None] * 10 + [3] * 7))

    assert len(result.affect[1].mean_paths) == 2
    assert len(result.affect[1].band_paths) == 2
    assert len(result.numbness_paths) == 2


def test_a_marker_per_event_inside_the_range_only() -> None:
    series = series_of([3] * 60)
    inside = MedicationEvent(JUNE_1 + dt.timedelta(days=30), "sertraline", "start", 50.0)
    before = MedicationEvent(JUNE_1 - dt.timedelta(days=5), "bupropion", "start", 150.0)

    result = chart_of(series, (before, inside))

    assert [marker.day for marker in result.markers] == [inside.date]
    assert result.markers[0].text == "sertraline 50 mg start"
    assert result.markers[0].x == pytest.approx(
        PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * 30 / 59, abs=0.1
    )
    assert "Medication events marked: 2026-07-01: sertraline 50 mg start." in result.summary


def test_the_demo_story_marks_its_baseline_current_window_and_onset() -> None:
    story = demo()
    series = story_series(story)
    analysis = analyze(series, story.medication_events)
    onset, _ = found_onset(story, analysis)

    result = build_range_chart(series, analysis, story.medication_events)

    spans = {span.kind: (span.first, span.last) for span in result.windows}
    assert spans == windows_of(story)
    assert spans["current"][1] == TODAY
    assert result.onset is not None
    assert result.onset.day == onset
    assert result.onset.label == f"change began {onset.day} {onset:%b}"
    assert [marker.day for marker in result.markers] == [
        event.date for event in story.medication_events
    ]
    assert f"A change began around {onset.isoformat()}." in result.summary
    assert len(result.rows) == len(story.days)


def test_an_onset_outside_the_range_is_not_drawn() -> None:
    series = series_of([3] * 30)
    analysis = analyze(series)
    moved: PersonAnalysis = dataclasses.replace(
        analysis, blunting=BluntingFinding(True, JUNE_1 - dt.timedelta(days=1), None)
    )

    assert build_range_chart(series, moved).onset is None


def test_two_years_get_a_few_month_ticks() -> None:
    first = TODAY - dt.timedelta(days=729)
    result = chart_of(series_of([3] * 730, first))

    labels = [tick.label for tick in result.x_ticks]
    assert 4 <= len(labels) <= 8
    assert labels[0].endswith(("2024", "2025"))
    assert all(month.split()[0] in {"Jan", "Apr", "Jul", "Oct"} for month in labels)


def test_a_short_range_ticks_on_mondays() -> None:
    result = chart_of(series_of([3] * 21))  # 1-21 June 2026; June 1 is a Monday

    assert [tick.label for tick in result.x_ticks] == ["Jun 1", "Jun 8", "Jun 15"]
