"""build_chart: where each day's PA, NA and numbness land, and how gaps break the lines."""

from __future__ import annotations

import datetime as dt

import pytest

from affectrange.analysis.items import ITEM_IDS, NEGATIVE_ITEMS, POSITIVE_ITEMS
from affectrange.analysis.series import DailySeries, DayRow, series_from_rows
from affectrange.checkins.chart import AffectChart, ChartLine, build_chart

JUNE_1 = dt.date(2026, 6, 1)


def day_row(offset: int, value: int, **items: int) -> DayRow:
    values: dict[str, int | None] = dict.fromkeys(ITEM_IDS, value)
    values.update(items)
    return (JUNE_1 + dt.timedelta(days=offset), values, None)


def chart(n_days: int, rows: list[DayRow]) -> AffectChart:
    series: DailySeries = series_from_rows(JUNE_1, JUNE_1 + dt.timedelta(days=n_days - 1), rows)
    return build_chart(series)


def line(affect_chart: AffectChart, key: str) -> ChartLine:
    return next(line for line in affect_chart.lines if line.key == key)


def test_value_six_is_the_plot_top_and_zero_the_bottom() -> None:
    result = chart(2, [day_row(0, 6), day_row(1, 0)])

    points = line(result, "pa").points

    assert (result.plot_top, result.plot_bottom) == (12, 246)
    assert [point.y for point in points] == [result.plot_top, result.plot_bottom]
    assert [point.x for point in points] == [result.plot_left, result.plot_right] == [44, 708]


def test_middle_of_the_scale_is_the_middle_of_the_plot() -> None:
    points = line(chart(1, [day_row(0, 3)]), "na").points

    assert [(point.x, point.y) for point in points] == [(376.0, 129.0)]  # (44+708)/2, (12+246)/2


def test_a_missing_day_splits_the_line_into_runs() -> None:
    # Six days, June 4 missing; x steps by 664 / 5 = 132.8; PA 3 sits at y = 129, PA 6 at 12.
    rows = [day_row(0, 3), day_row(1, 3), day_row(2, 6), day_row(4, 3), day_row(5, 3)]

    paths = line(chart(6, rows), "pa").paths

    assert paths == (
        "M44.0,129.0 L176.8,129.0 L309.6,12.0",
        "M575.2,129.0 L708.0,129.0",
    )


def test_a_day_with_no_answered_neighbours_is_a_point_without_a_path() -> None:
    result = chart(5, [day_row(0, 2), day_row(2, 2), day_row(4, 2)])

    for key in ("pa", "na", "numbness"):
        assert line(result, key).paths == ()
        assert [point.day.day for point in line(result, key).points] == [1, 3, 5]


def test_each_line_is_its_valence_mean() -> None:
    positive = dict(zip(POSITIVE_ITEMS, [6, 5, 4, 3, 2, 1, 0], strict=True))  # PA 21/7 = 3
    negative = dict(zip(NEGATIVE_ITEMS, [0, 0, 0, 1, 1, 1], strict=True))  # NA 3/6 = 0.5
    numbness = {"numb": 5, "indifferent": 4, "detached": 0}  # 9/3 = 3
    result = chart(1, [day_row(0, 0, **positive, **negative, **numbness)])

    values = {ln.key: [point.value for point in ln.points] for ln in result.lines}

    assert values == {"pa": [3.0], "na": [0.5], "numbness": [3.0]}
    assert line(result, "na").points[0].y == pytest.approx(12 + 234 * 5.5 / 6, abs=0.05)


def test_means_and_summary_count_only_answered_days() -> None:
    # PA: days at 2 and 5 -> mean 3.5; NA the same; three of four days missing one.
    result = chart(4, [day_row(0, 2), day_row(3, 5)])

    assert result.n_answered == 2
    assert [line.mean for line in result.lines] == [3.5, 3.5, 3.5]
    assert result.summary == (
        "Check-ins on 2 of 4 days from June 1, 2026 to June 4, 2026, on a scale of "
        "0 (not at all) to 6 (extremely). Positive feelings (PA) averaged 3.5, "
        "Negative feelings (NA) averaged 3.5, Numbness items averaged 3.5."
    )


def test_an_empty_period_has_no_points_and_says_so() -> None:
    result = chart(30, [])

    assert result.n_answered == 0
    assert all(line.points == () and line.mean is None for line in result.lines)
    assert result.summary == "No check-ins from June 1, 2026 to June 30, 2026."


def test_y_ticks_label_the_scale_at_0_2_4_6() -> None:
    ticks = chart(3, []).y_ticks

    assert [(tick.label, tick.position) for tick in ticks] == [
        ("0", 246.0),
        ("2", 168.0),
        ("4", 90.0),
        ("6", 12.0),
    ]


def test_short_ranges_get_weekly_ticks_on_mondays() -> None:
    # June 2026: the 1st, 8th, 15th, 22nd and 29th are Mondays.
    ticks = chart(30, []).x_ticks

    assert [tick.label for tick in ticks] == ["Jun 1", "Jun 8", "Jun 15", "Jun 22", "Jun 29"]
