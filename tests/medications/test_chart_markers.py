"""Medication events on the time charts: a dashed vertical line with a label, inside the range only.

The check-ins chart spans x = 44..708 over its days; the trend chart x = 44..596 over its dates.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from affectrange.accounts.models import User
from affectrange.analysis.events import MedicationEvent
from affectrange.analysis.items import ITEM_IDS
from affectrange.analysis.series import DayRow, series_from_rows
from affectrange.checkins.chart import AffectChart, build_chart
from affectrange.medications.markers import marker_text, place_markers
from affectrange.questionnaires.chart import TrendChart, build_trend_chart
from affectrange.web.templating import templates
from tests.conftest import TODAY, api_token, checkin_payload, sign_in

SVG = "{http://www.w3.org/2000/svg}"
JUNE_1 = dt.date(2026, 6, 1)
START = MedicationEvent(dt.date(2026, 6, 6), "sertraline", "start", 50.0)
INCREASE = MedicationEvent(dt.date(2026, 6, 20), "sertraline", "dose_change", 100.0)
BEFORE = MedicationEvent(dt.date(2026, 5, 31), "sertraline", "start", 25.0)
AFTER = MedicationEvent(dt.date(2026, 7, 1), "sertraline", "stop", None)


def affect_chart(events: list[MedicationEvent]) -> AffectChart:
    """June 1-30 with a check-in on the 1st and the 30th."""
    rows: list[DayRow] = [
        (JUNE_1, dict.fromkeys(ITEM_IDS, 3), None),
        (dt.date(2026, 6, 30), dict.fromkeys(ITEM_IDS, 4), None),
    ]
    return build_chart(series_from_rows(JUNE_1, dt.date(2026, 6, 30), rows), events)


def trend_chart(events: list[MedicationEvent]) -> TrendChart:
    points = [(JUNE_1, 12), (dt.date(2026, 6, 30), 6)]
    bands = ((0, "none-minimal"), (5, "mild"), (10, "moderate"), (15, "moderately severe"))
    return build_trend_chart(
        title="PHQ-9", points=points, maximum=27, bands=bands, medication_events=events
    )


def svg_markers(html: str) -> list[ET.Element]:
    svg = ET.fromstring(html[html.index("<svg") : html.index("</svg>") + 6])  # noqa: S314
    return [group for group in svg.iter(f"{SVG}g") if group.get("class") == "medication-marker"]


def render_affect(chart: AffectChart) -> str:
    return templates.env.get_template("checkins/_chart.html").render(chart=chart)


def render_trend(chart: TrendChart) -> str:
    return templates.env.get_template("questionnaires/_trend_chart.html").render(trend=chart)


# --- geometry ---------------------------------------------------------------------------------


def test_labels_say_medication_dose_and_kind() -> None:
    assert marker_text(START) == "sertraline 50 mg start"
    assert marker_text(INCREASE) == "sertraline 100 mg dose change"
    assert marker_text(AFTER) == "sertraline stop"
    assert marker_text(MedicationEvent(JUNE_1, "lithium", "start", 562.5)) == (
        "lithium 562.5 mg start"
    )


def test_the_checkins_chart_places_events_in_range_on_their_day() -> None:
    chart = affect_chart([AFTER, INCREASE, BEFORE, START])

    # 30 days: x steps by 664 / 29; June 6 is offset 5, June 20 offset 19.
    assert [(m.day, m.x) for m in chart.markers] == [
        (START.date, round(44 + 664 * 5 / 29, 1)),
        (INCREASE.date, round(44 + 664 * 19 / 29, 1)),
    ]
    assert [m.label for m in chart.markers] == [
        "sertraline 50 mg start",
        "sertraline 100 mg dose change",
    ]
    assert "Medication events marked: 2026-06-06: sertraline 50 mg start; " in chart.summary


def test_the_trend_chart_places_events_in_range_on_their_day() -> None:
    chart = trend_chart([BEFORE, START, AFTER])

    # 29 days between the first and the last total: June 6 is 5 of them along 552 px.
    assert [(m.day, m.x) for m in chart.markers] == [(START.date, round(44 + 552 * 5 / 29, 1))]
    assert chart.summary.endswith("Medication events marked: 2026-06-06: sertraline 50 mg start.")


def test_an_empty_trend_chart_without_a_range_has_no_markers() -> None:
    chart = build_trend_chart(
        title="PHQ-9", points=[], maximum=27, bands=((0, "x"),), medication_events=[START]
    )

    assert chart.markers == ()


def test_close_events_get_labels_on_different_rows() -> None:
    near = MedicationEvent(dt.date(2026, 6, 8), "bupropion", "start", 150.0)
    far = MedicationEvent(dt.date(2026, 6, 25), "lithium", "start", 300.0)

    markers = place_markers(
        [START, near, far],
        first=JUNE_1,
        last=dt.date(2026, 6, 30),
        x_of=lambda day: 44 + 20.0 * (day - JUNE_1).days,
        plot_top=12,
        plot_right=708,
    )

    # 40 px apart: the second label would overprint the first, so it goes a row lower; the
    # third, 340 px further on, fits on the top row again.
    assert [m.row for m in markers] == [0, 1, 0]
    assert [m.label_y for m in markers] == [22.0, 34.0, 22.0]


def test_a_label_near_the_right_edge_is_written_to_the_left_of_its_line() -> None:
    (marker,) = place_markers(
        [INCREASE],
        first=JUNE_1,
        last=dt.date(2026, 6, 20),
        x_of=lambda day: 44 + 30.0 * (day - JUNE_1).days,
        plot_top=12,
        plot_right=614,
    )

    assert (marker.x, marker.anchor, marker.label_x) == (614.0, "end", 611.0)


def test_a_long_name_is_shortened_on_the_chart_but_complete_for_readers() -> None:
    long_name = MedicationEvent(JUNE_1, "an extended-release combination tablet", "start", 10.0)

    (marker,) = place_markers(
        [long_name], first=JUNE_1, last=JUNE_1, x_of=lambda _: 100.0, plot_top=12, plot_right=700
    )

    assert len(marker.label) == 32
    assert marker.label.endswith("\u2026")
    assert marker.description == ("2026-06-01: an extended-release combination tablet 10 mg start")


# --- SVG --------------------------------------------------------------------------------------


@pytest.mark.parametrize("render", ["affect", "trend"])
def test_the_svg_has_a_dashed_line_for_an_event_in_range_and_none_outside(render: str) -> None:
    html = (
        render_affect(affect_chart([BEFORE, START, AFTER]))
        if render == "affect"
        else render_trend(trend_chart([BEFORE, START, AFTER]))
    )

    markers = svg_markers(html)

    assert [group.get("data-date") for group in markers] == ["2026-06-06"]
    line = markers[0].find(f"{SVG}line")
    assert line is not None
    assert line.get("x1") == line.get("x2")  # vertical
    assert line.get("stroke-dasharray")  # dashed: readable in grey print
    label = markers[0].find(f"{SVG}text")
    assert label is not None
    assert label.text == "sertraline 50 mg start"
    assert "2026-05-31" not in html
    assert "2026-07-01" not in html


def test_no_events_no_marker_group() -> None:
    assert 'data-testid="medication-markers"' not in render_affect(affect_chart([]))
    assert 'data-testid="medication-markers"' not in render_trend(trend_chart([]))


def test_the_trend_chart_lists_its_events_in_the_hidden_table() -> None:
    html = render_trend(trend_chart([START, INCREASE]))

    table = html[html.index('id="trend-phq-9-medications"') :]
    assert '<th scope="row">2026-06-06</th><td>sertraline 50 mg start</td>' in table
    assert '<th scope="row">2026-06-20</th><td>sertraline 100 mg dose change</td>' in table
    assert "dashed vertical lines mark medication events" in html


def test_the_checkins_chart_names_its_events_in_the_legend_and_description() -> None:
    html = render_affect(affect_chart([START]))

    desc = html[html.index('<desc id="chart-desc">') : html.index("</desc>")]
    assert "2026-06-06: sertraline 50 mg start" in desc
    assert "Medication events: 2026-06-06: sertraline 50 mg start" in html


# --- pages ------------------------------------------------------------------------------------


def test_the_checkins_page_marks_the_persons_own_events(
    client: TestClient, alice: User, bob: User
) -> None:
    headers = api_token(client, alice.email)
    client.post("/api/v1/checkins", json=checkin_payload(), headers=headers)
    client.post(
        "/api/v1/medications",
        json={"medication": "sertraline", "event": "start", "date": "2026-06-01", "dose_mg": 50},
        headers=headers,
    )
    client.post(  # outside the 90 days shown
        "/api/v1/medications",
        json={"medication": "sertraline", "event": "start", "date": "2026-01-02", "dose_mg": 25},
        headers=headers,
    )
    sign_in(client, alice.email)

    alices = svg_markers(client.get("/checkins").text)
    sign_in(client, bob.email)
    bobs = svg_markers(client.get("/checkins").text)

    assert [group.get("data-date") for group in alices] == ["2026-06-01"]
    assert bobs == []


def test_the_questionnaire_results_mark_the_persons_events(client: TestClient, alice: User) -> None:
    headers = api_token(client, alice.email)
    for day in ("2026-06-01", TODAY.isoformat()):
        client.post(
            "/api/v1/medications",
            json={"medication": "bupropion", "event": "start", "date": day, "dose_mg": 150},
            headers=headers,
        )
    answers = {f"q{n}": 1 for n in range(1, 10)}
    saved = client.post(
        "/api/v1/questionnaires/phq9/responses", json={"answers": answers}, headers=headers
    )
    assert saved.status_code == 201, saved.text
    sign_in(client, alice.email)

    results = client.get("/questionnaires/results").text
    result = client.get(f"/questionnaires/responses/{saved.json()['id']}").text

    # One total, on TODAY: the chart's range is that one day, and only TODAY's event is in it.
    for page in (results, result):
        assert [group.get("data-date") for group in svg_markers(page)] == [TODAY.isoformat()]
