"""The "My check-ins" page: an accessible SVG chart of PA, NA and numbness, and a table below."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from affectrange.accounts.models import User
from affectrange.analysis.items import BLUNTING_ITEMS, NEGATIVE_ITEMS, POSITIVE_ITEMS
from tests.checkins.helpers import ALICE, record
from tests.conftest import TODAY, api_token, checkin_payload, sign_in

SVG = "{http://www.w3.org/2000/svg}"
# With the chart's 280-pixel height and margins 12 (top) and 34 (bottom), the plot spans y = 12
# (value 6) to y = 246 (value 0): 39 pixels per scale point.
Y_OF_PA_4 = 12 + 39 * 2
Y_OF_NA_2 = 12 + 39 * 4
Y_OF_NUMBNESS_1 = 12 + 39 * 5


def split_payload(day: dt.date, pa: int, na: int, numbness: int) -> dict[str, object]:
    """Every positive item at `pa`, every negative at `na`, every numbness item at `numbness`."""
    values = dict.fromkeys(POSITIVE_ITEMS, pa)
    values.update(dict.fromkeys(NEGATIVE_ITEMS, na))
    values.update(dict.fromkeys(BLUNTING_ITEMS, numbness))
    return checkin_payload(day, **values)


def chart_of(html: str) -> ET.Element:
    match = re.search(r'<svg viewBox="0 0 720 280".*?</svg>', html, flags=re.DOTALL)
    assert match, "the page has no chart"
    return ET.fromstring(match.group(0))  # noqa: S314 (our own rendered page, not untrusted)


def series(chart: ET.Element, key: str) -> ET.Element:
    found = chart.find(f"{SVG}g[@data-series='{key}']")
    assert found is not None, f"no {key} series"
    return found


def path_points(group: ET.Element) -> list[list[tuple[float, float]]]:
    """Each <path> of a series as its list of (x, y) vertices."""
    runs = []
    for path in group.findall(f"{SVG}path"):
        pairs = re.findall(r"[ML]([\d.]+),([\d.]+)", path.attrib["d"])
        runs.append([(float(x), float(y)) for x, y in pairs])
    return runs


def marker_dates(group: ET.Element) -> list[str]:
    return [use.attrib["data-date"] for use in group.findall(f"{SVG}use")]


@pytest.fixture
def headers(client: TestClient, alice: User) -> dict[str, str]:
    return api_token(client, ALICE)


@pytest.fixture
def gappy_history(client: TestClient, headers: dict[str, str]) -> None:
    """June 1 alone, then June 10, 11, 12, a gap on the 13th, then June 14 and 15."""
    for day in (1, 10, 11, 12, 14, 15):
        record(client, headers, split_payload(dt.date(2026, 6, day), pa=4, na=2, numbness=1))
    sign_in(client, ALICE)


def test_chart_is_an_accessible_image_with_a_summary(
    client: TestClient, gappy_history: None
) -> None:
    chart = chart_of(client.get("/checkins").text)

    assert chart.attrib["role"] == "img"
    assert chart.findtext(f"{SVG}title") == "Feelings from March 18 to June 15, 2026"
    assert chart.findtext(f"{SVG}desc") == (
        "Check-ins on 6 of 90 days from March 18, 2026 to June 15, 2026, on a scale of "
        "0 (not at all) to 6 (extremely). Positive feelings (PA) averaged 4.0, "
        "Negative feelings (NA) averaged 2.0, Numbness items averaged 1.0."
    )


def test_chart_draws_pa_na_and_numbness_at_their_heights(
    client: TestClient, gappy_history: None
) -> None:
    chart = chart_of(client.get("/checkins").text)

    heights = {
        key: {y for run in path_points(series(chart, key)) for _, y in run}
        for key in ("pa", "na", "numbness")
    }

    assert heights == {"pa": {Y_OF_PA_4}, "na": {Y_OF_NA_2}, "numbness": {Y_OF_NUMBNESS_1}}


@pytest.mark.parametrize("key", ["pa", "na", "numbness"])
def test_a_missing_day_splits_the_line_and_a_lone_day_is_only_a_dot(
    client: TestClient, gappy_history: None, key: str
) -> None:
    group = series(chart_of(client.get("/checkins").text), key)

    runs = path_points(group)
    dates = marker_dates(group)

    assert [len(run) for run in runs] == [3, 2]  # June 10-12, then June 14-15
    assert dates == [f"2026-06-{day:02d}" for day in (1, 10, 11, 12, 14, 15)]
    lone = group.findall(f"{SVG}use")[0]
    lone_x = float(lone.attrib["x"]) + 4  # markers are 8 wide, centred on their point
    assert all(x != lone_x for run in runs for x, _ in run)
    assert runs[1][-1][0] == 708.0  # today sits at the right edge of the plot


def test_empty_period_says_so(client: TestClient, alice: User) -> None:
    sign_in(client, ALICE)

    html = client.get("/checkins").text

    chart = chart_of(html)
    assert chart.findtext(f"{SVG}desc") == ("No check-ins from March 18, 2026 to June 15, 2026.")
    assert chart.findall(f".//{SVG}path[@stroke-width]") == []
    assert "No check-ins in this period yet." in html
    assert 'href="/checkins/new">Check in for today' in html


def table_rows(html: str) -> list[tuple[str, str, str, str]]:
    """(day, PA, NA, numbness) per table row, top to bottom."""
    pattern = (
        r'<th scope="row">([^<]*)(?:<span[^>]*>later</span>)?</th>\s*'
        r"<td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>"
    )
    return [(day.strip(), pa, na, numb) for day, pa, na, numb in re.findall(pattern, html)]


def test_table_lists_entries_newest_first_with_hand_computed_means(
    client: TestClient, headers: dict[str, str]
) -> None:
    positive = dict(zip(POSITIVE_ITEMS, [6, 6, 5, 4, 3, 2, 1], strict=True))  # 27/7 = 3.857
    negative = dict(zip(NEGATIVE_ITEMS, [1, 1, 2, 2, 3, 4], strict=True))  # 13/6 = 2.167
    blunting = dict(zip(BLUNTING_ITEMS, [0, 1, 6], strict=True))  # 7/3 = 2.333
    mixed = record(
        client,
        headers,
        checkin_payload(dt.date(2026, 6, 13), **positive, **negative, **blunting),
    )
    record(client, headers, split_payload(dt.date(2026, 6, 14), pa=0, na=6, numbness=3))
    record(client, headers, split_payload(TODAY, pa=5, na=1, numbness=0))
    sign_in(client, ALICE)

    html = client.get("/checkins").text

    assert table_rows(html) == [
        ("Mon Jun 15", "5.0", "1.0", "0.0"),
        ("Sun Jun 14", "0.0", "6.0", "3.0"),
        ("Sat Jun 13", "3.9", "2.2", "2.3"),
    ]
    assert (mixed["pa"], mixed["na"], mixed["numbness"]) == (3.857, 2.167, 2.333)
    assert html.count('<span class="tag" title="Filled in after the day">later</span>') == 2
    assert "Check in for today" not in html


def test_shorter_period_leaves_older_entries_out(
    client: TestClient, headers: dict[str, str]
) -> None:
    record(client, headers, checkin_payload(TODAY - dt.timedelta(days=40), value=1))
    record(client, headers, checkin_payload(TODAY, value=2))
    sign_in(client, ALICE)

    last_30 = client.get("/checkins?days=30").text
    last_90 = client.get("/checkins?days=90").text

    assert [row[0] for row in table_rows(last_30)] == ["Mon Jun 15"]
    assert [row[0] for row in table_rows(last_90)] == ["Mon Jun 15", "Wed May 6"]
    assert chart_of(last_30).findtext(f"{SVG}title") == "Feelings from May 17 to June 15, 2026"


def test_list_page_needs_sign_in(client: TestClient) -> None:
    response = client.get("/checkins", follow_redirects=False)

    location = urlsplit(response.headers["location"])
    assert response.status_code == 303
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == ["/checkins"]
