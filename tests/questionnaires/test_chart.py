"""build_trend_chart and its template: where totals land, how bands shade, what a reader is told."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import pytest

from affectrange.questionnaires.chart import TrendChart, build_trend_chart
from affectrange.web.templating import templates

SVG = "{http://www.w3.org/2000/svg}"
# With the chart's 720 x 280 frame and margins 44 (left), 124 (right), 12 (top) and 34 (bottom),
# the plot spans x = 44..596 (552 wide) and y = 12 (the maximum) to y = 246 (a total of 0).
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 44.0, 596.0, 12.0, 246.0
PLOT_HEIGHT = PLOT_BOTTOM - PLOT_TOP

PHQ9_BANDS = (
    (0, "none-minimal"),
    (5, "mild"),
    (10, "moderate"),
    (15, "moderately severe"),
    (20, "severe"),
)
GAD7_BANDS = ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe"))


def day(month: int, day_of_month: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day_of_month)


def phq9(
    points: Sequence[tuple[dt.date, int]],
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> TrendChart:
    return build_trend_chart(
        title="PHQ-9", points=points, maximum=27, bands=PHQ9_BANDS, first=first, last=last
    )


def rendered(*charts: TrendChart) -> ET.Element:
    """The partial once per chart, as a page would include it, parsed as XML."""
    template = templates.env.get_template("questionnaires/_trend_chart.html")
    body = "".join(template.render(trend=chart) for chart in charts)
    return ET.fromstring(f"<main>{body}</main>")  # noqa: S314 (our own template's output)


def text_of(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


# --- Geometry --------------------------------------------------------------------------------


def test_the_maximum_is_the_plot_top_zero_the_bottom_and_ten_in_proportion() -> None:
    # Jan 5, 19 and Feb 2: 28 days, so Jan 19 sits halfway, at 44 + 552 / 2 = 320.
    chart = phq9([(day(1, 5), 27), (day(1, 19), 10), (day(2, 2), 0)])

    coordinates = [(point.x, point.y) for point in chart.points]

    assert (chart.plot_left, chart.plot_right) == (PLOT_LEFT, PLOT_RIGHT)
    assert (chart.plot_top, chart.plot_bottom) == (PLOT_TOP, PLOT_BOTTOM)
    assert coordinates == [(44.0, 12.0), (320.0, 159.3), (596.0, 246.0)]  # 246 - 234 * 10/27
    assert chart.points[1].y == pytest.approx(PLOT_BOTTOM - 10 / 27 * PLOT_HEIGHT, abs=0.05)
    assert chart.path == "M44.0,12.0 L320.0,159.3 L596.0,246.0"


def test_bands_cover_each_range_from_its_minimum_to_the_next_and_together_zero_to_maximum() -> None:
    bands = phq9([]).bands

    assert [(band.low, band.high, band.label) for band in bands] == [
        (0, 5, "none-minimal"),
        (5, 10, "mild"),
        (10, 15, "moderate"),
        (15, 20, "moderately severe"),
        (20, 27, "severe"),
    ]
    # y of 5, 10, 15, 20 and 27: 246 - 234 * n / 27, to one decimal.
    assert [(band.y_bottom, band.y_top) for band in bands] == [
        (246.0, 202.7),
        (202.7, 159.3),
        (159.3, 116.0),
        (116.0, 72.7),
        (72.7, 12.0),
    ]
    assert sum(band.height for band in bands) == pytest.approx(PLOT_HEIGHT)
    assert [band.shade for band in bands] == ["band-0", "band-1", "band-2", "band-3", "band-4"]


def test_each_point_carries_the_band_its_total_falls_in() -> None:
    totals = [4, 5, 9, 10, 19, 20, 27]
    chart = phq9([(day(1, offset + 1), total) for offset, total in enumerate(totals)])

    assert [point.band for point in chart.points] == [
        "none-minimal",
        "mild",
        "mild",
        "moderate",
        "moderately severe",
        "severe",
        "severe",
    ]
    assert chart.points[2].description == "2026-01-03: 9 (mild)"


def test_the_summary_names_the_period_the_latest_total_and_its_band_and_the_range() -> None:
    chart = phq9([(day(1, 5), 4), (day(2, 2), 14), (day(3, 2), 9), (day(6, 1), 11)])

    assert chart.summary == (
        "PHQ-9 totals from 2026-01-05 to 2026-06-01: latest 11 (moderate), lowest 4, highest 14."
    )


def test_a_single_result_is_a_centred_marker_without_a_line() -> None:
    chart = phq9([(day(3, 2), 9)])

    assert chart.empty is False
    assert [(point.x, point.y) for point in chart.points] == [(320.0, 168.0)]  # 246 - 234 * 9/27
    assert chart.path is None
    assert chart.summary == "PHQ-9 total on 2026-03-02: 9 (mild)."


def test_no_results_is_an_empty_chart_that_says_so() -> None:
    windowed = phq9([], first=day(1, 1), last=day(6, 30))
    open_ended = phq9([])

    assert windowed.empty
    assert open_ended.empty
    assert windowed.points == ()
    assert windowed.path is None
    assert windowed.summary == "No PHQ-9 totals from 2026-01-01 to 2026-06-30."
    assert open_ended.summary == "No PHQ-9 totals yet."
    assert open_ended.x_ticks == ()
    assert len(open_ended.bands) == 5  # the bands still give the empty chart its context


def test_results_outside_the_window_are_dropped_and_the_rest_sorted_by_date() -> None:
    chart = phq9(
        [(day(5, 1), 12), (day(12, 31, 2025), 20), (day(3, 1), 8), (day(7, 1), 3)],
        first=day(1, 1),
        last=day(6, 30),
    )

    assert [(point.day, point.total) for point in chart.points] == [
        (day(3, 1), 8),
        (day(5, 1), 12),
    ]
    assert (chart.first, chart.last) == (day(1, 1), day(6, 30))
    assert chart.summary.startswith("PHQ-9 totals from 2026-03-01 to 2026-05-01: latest 12")


def test_without_a_window_the_first_and_last_results_span_the_plot() -> None:
    chart = phq9([(day(3, 1), 8), (day(5, 1), 12)])

    assert [point.x for point in chart.points] == [PLOT_LEFT, PLOT_RIGHT]


def test_a_cut_off_is_a_dashed_line_at_its_score_labelled_with_it() -> None:
    chart = build_trend_chart(
        title="AUDIT-C", points=[(day(1, 5), 2)], maximum=12, bands=(), cutoff=4
    )

    assert chart.cutoff is not None
    assert chart.cutoff.y == 168.0  # 246 - 234 * 4/12
    assert chart.cutoff.label == "screening cut-off 4"
    assert chart.cutoff.dash != ""
    assert chart.bands == ()
    assert [tick.label for tick in chart.y_ticks] == ["0", "4", "12"]
    assert chart.summary == "AUDIT-C total on 2026-01-05: 2; screening cut-off 4."


def test_the_y_axis_labels_zero_each_band_minimum_and_the_maximum() -> None:
    ticks = phq9([]).y_ticks

    assert [(tick.label, tick.position) for tick in ticks] == [
        ("0", 246.0),
        ("5", 202.7),
        ("10", 159.3),
        ("15", 116.0),
        ("20", 72.7),
        ("27", 12.0),
    ]


def test_a_few_weeks_get_a_tick_each_monday() -> None:
    # June 2026: the 1st, 8th, 15th, 22nd and 29th are Mondays.
    ticks = phq9([], first=day(6, 1), last=day(6, 30)).x_ticks

    assert [tick.label for tick in ticks] == ["Jun 1", "Jun 8", "Jun 15", "Jun 22", "Jun 29"]
    assert ticks[0].position == PLOT_LEFT


def test_a_few_days_get_a_tick_each_day() -> None:
    ticks = phq9([], first=day(6, 1), last=day(6, 4)).x_ticks

    assert [tick.label for tick in ticks] == ["Jun 1", "Jun 2", "Jun 3", "Jun 4"]


def test_months_get_a_tick_on_the_first_of_each() -> None:
    ticks = phq9([], first=day(1, 5), last=day(6, 1)).x_ticks

    assert [tick.label for tick in ticks] == [
        "Feb 2026",
        "Mar 2026",
        "Apr 2026",
        "May 2026",
        "Jun 2026",
    ]


def test_two_years_get_a_tick_each_quarter_so_labels_stay_apart() -> None:
    ticks = phq9([], first=day(1, 1), last=day(12, 31, 2027)).x_ticks

    assert [tick.label for tick in ticks] == [
        f"{month} {year}" for year in (2026, 2027) for month in ("Jan", "Apr", "Jul", "Oct")
    ]


def test_gad7_bands_keep_the_same_shades_as_phq9_for_the_same_rank() -> None:
    chart = build_trend_chart(title="GAD-7", points=[], maximum=21, bands=GAD7_BANDS)

    assert [(band.label, band.shade) for band in chart.bands] == [
        ("minimal", "band-0"),
        ("mild", "band-1"),
        ("moderate", "band-2"),
        ("severe", "band-3"),
    ]
    assert (chart.bands[-1].low, chart.bands[-1].high) == (15, 21)


def test_only_an_unvalidated_check_carries_the_caveat() -> None:
    unvalidated = build_trend_chart(
        title="Blunting check", points=[], maximum=30, bands=(), unvalidated=True
    )

    assert unvalidated.caveat == "Project-written check, not a validated instrument"
    assert phq9([]).caveat is None


@pytest.mark.parametrize(
    ("points", "bands", "cutoff", "message"),
    [
        ([(dt.date(2026, 1, 5), 28)], PHQ9_BANDS, None, "total 28 on 2026-01-05 is outside 0..27"),
        ([(dt.date(2026, 1, 5), -1)], PHQ9_BANDS, None, "total -1"),
        ([], ((5, "mild"), (10, "moderate")), None, "bands must start at 0"),  # 0-4 unbanded
        ([], ((0, "a"), (10, "b"), (5, "c")), None, "band minima must ascend"),
        ([], PHQ9_BANDS, 30, "cut-off 30 is outside 1..27"),
    ],
)
def test_impossible_input_is_refused_rather_than_drawn(
    points: list[tuple[dt.date, int]],
    bands: tuple[tuple[int, str], ...],
    cutoff: int | None,
    message: str,
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        build_trend_chart(title="PHQ-9", points=points, maximum=27, bands=bands, cutoff=cutoff)


# --- The template ----------------------------------------------------------------------------


def test_the_svg_is_an_image_named_by_its_title_and_described_by_the_summary() -> None:
    chart = phq9([(day(1, 5), 4), (day(6, 1), 11)])

    svg = rendered(chart).find(f".//{SVG}svg")

    assert svg is not None
    assert svg.attrib["role"] == "img"
    title_id, desc_id = svg.attrib["aria-labelledby"].split()
    assert svg.findtext(f"{SVG}title[@id='{title_id}']") == "PHQ-9 totals over time"
    assert svg.findtext(f"{SVG}desc[@id='{desc_id}']") == chart.summary


def test_the_svg_names_every_band_and_gives_each_point_a_tooltip() -> None:
    chart = phq9([(day(1, 5), 4), (day(2, 2), 14), (day(6, 1), 11)])

    svg = rendered(chart).find(f".//{SVG}svg")

    assert svg is not None
    band_labels = [text_of(t) for t in svg.iter(f"{SVG}text") if "band-label" in t.get("class", "")]
    assert band_labels == ["none-minimal", "mild", "moderate", "moderately severe", "severe"]
    tooltips = [circle.findtext(f"{SVG}title") for circle in svg.iter(f"{SVG}circle")]
    assert tooltips == [
        "2026-01-05: 4 (none-minimal)",
        "2026-02-02: 14 (moderate)",
        "2026-06-01: 11 (moderate)",
    ]
    assert len(svg.findall(f".//{SVG}path[@class='trend-line']")) == 1


def test_the_hidden_table_lists_each_point_with_its_date_total_and_band() -> None:
    chart = phq9([(day(1, 5), 4), (day(6, 1), 11)])

    page = rendered(chart)
    hidden = page.find(".//div[@class='visually-hidden']")
    table = page.find(".//table")

    assert hidden is not None  # read by screen readers, not shown
    assert table is not None
    assert hidden.find("table") is table
    assert [text_of(th) for th in table.iter("th")][:3] == ["Date", "Total", "Band"]
    rows = [[text_of(cell) for cell in row] for row in table.iter("tr")][1:]
    assert rows == [["2026-01-05", "4", "none-minimal"], ["2026-06-01", "11", "moderate"]]


def test_a_single_point_renders_one_marker_and_no_line() -> None:
    svg = rendered(phq9([(day(3, 2), 9)])).find(f".//{SVG}svg")

    assert svg is not None
    assert len(list(svg.iter(f"{SVG}circle"))) == 1
    assert list(svg.iter(f"{SVG}path")) == []


def test_an_empty_chart_says_there_are_no_results_and_has_no_table() -> None:
    page = rendered(phq9([], first=day(1, 1), last=day(6, 30)))

    assert "No PHQ-9 results in this period" in text_of(page)
    assert page.find(".//table") is None
    assert list(page.iter(f"{SVG}circle")) == []


def test_the_cut_off_is_drawn_dashed_and_labelled() -> None:
    chart = build_trend_chart(
        title="PCL-5", points=[(day(1, 5), 40), (day(2, 2), 20)], maximum=80, bands=(), cutoff=33
    )

    page = rendered(chart)
    group = page.find(f".//{SVG}g[@class='trend-cutoff']")

    assert group is not None
    line = group.find(f"{SVG}line")
    assert line is not None
    assert line.attrib["stroke-dasharray"] == "6 4"
    assert float(line.attrib["y1"]) == pytest.approx(PLOT_BOTTOM - 33 / 80 * PLOT_HEIGHT, abs=0.05)
    assert text_of(group) == "screening cut-off 33"
    table = page.find(".//table")
    assert table is not None
    assert "Band" not in text_of(table)  # PCL-5 has no bands


def test_the_caveat_is_visible_in_the_caption() -> None:
    chart = build_trend_chart(
        title="Blunting check", points=[(day(1, 5), 12)], maximum=30, bands=(), unvalidated=True
    )

    caption = rendered(chart).find(".//figcaption")

    assert caption is not None
    assert "Project-written check, not a validated instrument" in text_of(caption)


def test_two_charts_on_one_page_have_distinct_ids() -> None:
    gad7 = build_trend_chart(title="GAD-7", points=[(day(1, 5), 6)], maximum=21, bands=GAD7_BANDS)
    page = rendered(phq9([(day(1, 5), 4)]), gad7)

    ids = [element.attrib["id"] for element in page.iter() if "id" in element.attrib]
    svgs = list(page.iter(f"{SVG}svg"))

    assert len(ids) == len(set(ids))
    assert [svg.attrib["aria-labelledby"] for svg in svgs] == [
        "trend-phq-9-title trend-phq-9-desc",
        "trend-gad-7-title trend-gad-7-desc",
    ]
