"""build_report(...): the period, the numbers (the pure engine's), and what each scope lets in."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.analysis.engine import analyze
from affectrange.emotional_range.service import MAX_DAYS
from affectrange.emotional_range.wording import DATES_NOT_CAUSE, comparison_text, pattern_card
from affectrange.errors import InvalidInput
from affectrange.medications.markers import marker_text
from affectrange.reports import render
from affectrange.reports.model import Report
from affectrange.reports.service import (
    DEFAULT_DAYS,
    FIRST_AFTER_LAST,
    LAST_IN_FUTURE,
    NOT_A_DATE,
    TOO_EARLY,
    TOO_LONG,
    build_report,
    period_from_text,
)
from affectrange.safety import crisis_resources
from affectrange.sharing.scopes import Scopes
from tests.conftest import NOW, TODAY
from tests.emotional_range.helpers import story_series
from tests.reports.helpers import (
    CRISIS_NOTE,
    ITEM9_ANSWER,
    YEAR_DAYS,
    Recorded,
    load_year,
    pure_analysis,
    text_of,
)

YEAR_START = TODAY - dt.timedelta(days=YEAR_DAYS - 1)


def report_of(
    session: Session,
    person: User,
    *,
    first: dt.date = YEAR_START,
    last: dt.date = TODAY,
    scopes: Scopes | None = None,
    prepared_for: str | None = None,
) -> Report:
    return build_report(
        session,
        person,
        first=first,
        last=last,
        today=TODAY,
        scopes=scopes or Scopes.everything(),
        prepared_for=prepared_for,
        now=NOW,
    )


@pytest.fixture
def year(session: Session, alice: User) -> Recorded:
    return load_year(session, alice)


# --- the period -------------------------------------------------------------------------------


BAD_PERIODS = {
    "reversed": (TODAY, TODAY - dt.timedelta(days=1), {"from": FIRST_AFTER_LAST}),
    "future": (TODAY - dt.timedelta(days=3), TODAY + dt.timedelta(days=1), {"to": LAST_IN_FUTURE}),
    "longer-than-two-years": (TODAY - dt.timedelta(days=MAX_DAYS), TODAY, {"from": TOO_LONG}),
}


@pytest.mark.parametrize("name", BAD_PERIODS)
def test_a_bad_period_names_its_field(session: Session, alice: User, name: str) -> None:
    first, last, fields = BAD_PERIODS[name]

    with pytest.raises(InvalidInput) as raised:
        report_of(session, alice, first=first, last=last)

    assert raised.value.fields == fields


def test_two_years_to_the_day_and_a_single_day_are_fine(session: Session, alice: User) -> None:
    longest = report_of(session, alice, first=TODAY - dt.timedelta(days=MAX_DAYS - 1))
    single = report_of(session, alice, first=TODAY, last=TODAY)

    assert longest.n_days == MAX_DAYS
    assert single.n_days == 1


def test_the_period_from_text_defaults_to_the_90_days_ending_today() -> None:
    assert period_from_text(None, "", TODAY) == (TODAY - dt.timedelta(days=89), TODAY)
    assert DEFAULT_DAYS == 90
    end = TODAY - dt.timedelta(days=10)
    assert period_from_text(None, end.isoformat(), TODAY) == (end - dt.timedelta(days=89), end)
    assert period_from_text(" 2026-01-05 ", None, TODAY) == (dt.date(2026, 1, 5), TODAY)


@pytest.mark.parametrize(
    ("first", "last", "fields"),
    [
        ("2026-13-01", None, {"from"}),
        (None, "yesterday", {"to"}),
        ("20260105", "2026-02-30", {"from", "to"}),
    ],
)
def test_text_that_is_not_a_date_names_its_field(
    first: str | None, last: str | None, fields: set[str]
) -> None:
    with pytest.raises(InvalidInput) as raised:
        period_from_text(first, last, TODAY)

    assert raised.value.fields == dict.fromkeys(fields, NOT_A_DATE)


def test_a_day_before_1900_is_refused_before_any_arithmetic() -> None:
    # "to" 0001-01-05 with the default "from" would be 90 days before the first day there is.
    with pytest.raises(InvalidInput) as raised:
        period_from_text(None, "0001-01-05", TODAY)

    assert raised.value.fields == {"to": TOO_EARLY}


# --- the numbers are the engine's ------------------------------------------------------------


def test_the_pattern_and_comparisons_are_the_pure_engines(
    session: Session, alice: User, year: Recorded
) -> None:
    expected = pure_analysis(year.story)

    report = report_of(session, alice)

    assert report.pattern is not None
    assert report.pattern.analysis == expected
    assert report.pattern.card == pattern_card(expected)
    assert report.pattern.analysis.pattern == year.story.truth.expected_pattern
    assert report.comparisons is not None
    assert report.comparisons.comparisons == tuple(
        comparison_text(comparison) for comparison in expected.event_comparisons
    )
    assert [c.day for c in report.comparisons.comparisons] == [
        event.date for event in year.story.medication_events
    ]


def test_the_chart_holds_the_periods_check_ins(
    session: Session, alice: User, year: Recorded
) -> None:
    first = TODAY - dt.timedelta(days=119)
    in_period = [day for day in year.story.days if first <= day.date <= TODAY]

    report = report_of(session, alice, first=first)

    assert report.affect is not None
    chart = report.affect.chart
    assert report.affect.n_checkins == len(in_period) == len(chart.rows)
    assert (chart.first, chart.last) == (first, TODAY)
    assert [row.day for row in chart.rows] == [day.date for day in in_period]
    assert f": {len(in_period)} check-ins" in chart.summary
    # The baseline (before the sertraline start, months earlier) is named, not drawn.
    assert [span.kind for span in chart.windows] == ["current"]
    assert chart.markers == ()  # both medication events lie before this period


def test_an_earlier_period_is_analysed_up_to_its_last_day(
    session: Session, alice: User, year: Recorded
) -> None:
    last = TODAY - dt.timedelta(days=150)
    first = last - dt.timedelta(days=179)

    report = report_of(session, alice, first=first, last=last)

    assert report.pattern is not None
    assert report.pattern.analysis == pure_analysis(year.story, last)
    assert report.pattern.analysis.last_date == last
    assert report.affect is not None
    assert report.affect.chart.last == last


def test_questionnaires_completed_in_the_period_against_their_bands(
    session: Session, alice: User, year: Recorded
) -> None:
    first = TODAY - dt.timedelta(days=179)
    phq9 = [(day, total) for day, total in year.phq9 if day >= first]
    gad7 = [(day, total) for day, total in year.gad7 if day >= first]

    report = report_of(session, alice, first=first)

    assert report.questionnaires is not None
    trends = {trend.instrument_id: trend for trend in report.questionnaires.trends}
    assert set(trends) == {"phq9", "gad7"}
    for trend, recorded in ((trends["phq9"], phq9), (trends["gad7"], gad7)):
        assert [(point.day, point.total) for point in trend.chart.points] == recorded
        assert trend.n_responses == len(recorded)
        assert (trend.latest_on, trend.latest_total) == recorded[-1]
        assert (trend.chart.first, trend.chart.last) == (first, TODAY)
    assert trends["phq9"].maximum == 27
    assert trends["phq9"].latest_band == trends["phq9"].chart.points[-1].band


def test_safety_events_say_what_triggered_never_the_note(
    session: Session, alice: User, year: Recorded
) -> None:
    report = report_of(session, alice)

    assert report.safety is not None
    assert [item.day for item in report.safety.events] == sorted((year.item9_day, year.note_day))
    triggers = {item.day: item.trigger for item in report.safety.events}
    assert f"answered {ITEM9_ANSWER} of 3 (more than half the days)" in triggers[year.item9_day]
    assert triggers[year.note_day].startswith("Crisis language in a note")
    html = render.render_html(report)
    assert CRISIS_NOTE not in html
    assert "suicide" not in html.lower()
    assert report.crisis_line.endswith(
        "; ".join(resource.label for resource in crisis_resources("US").resources) + "."
    )


def test_a_period_without_data_says_so(session: Session, alice: User, year: Recorded) -> None:
    before_the_story = year.story.days[0].date - dt.timedelta(days=1)

    report = report_of(
        session, alice, first=before_the_story - dt.timedelta(days=30), last=before_the_story
    )
    words = text_of(render.render_html(report))

    assert (report.affect, report.pattern, report.questionnaires) == (None, None, None)
    assert (report.comparisons, report.safety) == (None, None)
    assert "No check-ins in this period." in words
    assert "No questionnaires in this period." in words
    assert "Not enough check-ins for a pattern" in words
    assert "No medication events in this period." in words
    assert "No safety events in this period." in words


# --- what each scope lets in -----------------------------------------------------------------


def test_without_medications_nothing_names_one_and_the_analysis_has_no_events(
    session: Session, alice: User, year: Recorded
) -> None:
    scopes = Scopes(medications=False)
    without_events = analyze(story_series(year.story))

    report = report_of(session, alice, scopes=scopes, prepared_for="Dr Carol Reyes")
    html = render.render_html(report)

    assert report.pattern is not None
    assert report.pattern.analysis == without_events
    assert report.pattern.analysis.event_comparisons == ()
    assert report.comparisons is None
    assert report.affect is not None
    assert report.affect.chart.markers == ()
    assert report.questionnaires is not None
    assert all(trend.chart.markers == () for trend in report.questionnaires.trends)
    assert report.pattern.change is not None
    assert report.pattern.change.caveat == DATES_NOT_CAUSE
    for event in year.story.medication_events:
        assert event.medication not in html.lower()
        assert marker_text(event) not in html
    assert "Before and after medication events" not in html
    assert "The medication timeline is not shared with you" in text_of(html)


def test_without_questionnaires_there_is_no_questionnaire_section(
    session: Session, alice: User, year: Recorded
) -> None:
    report = report_of(session, alice, scopes=Scopes(questionnaires=False), prepared_for="Carol")
    html = render.render_html(report)

    assert report.questionnaires is None
    assert 'data-section="questionnaires"' not in html
    assert "Questionnaire trends" not in html
    assert 'class="chart trend"' not in html
    assert "Patient Health Questionnaire" not in html
    assert "Questionnaires are not shared with you." in text_of(html)


def test_without_safety_events_there_are_none(
    session: Session, alice: User, year: Recorded
) -> None:
    report = report_of(session, alice, scopes=Scopes(safety=False), prepared_for="Carol")
    html = render.render_html(report)

    assert report.safety is None
    assert 'data-section="safety"' not in html
    assert "Crisis language" not in html
    assert "item 9" not in html
    assert "Safety events are not shared with you." in text_of(html)


def test_without_check_ins_there_is_no_chart_and_no_pattern(
    session: Session, alice: User, year: Recorded
) -> None:
    report = report_of(session, alice, scopes=Scopes(checkins=False), prepared_for="Carol")
    html = render.render_html(report)

    assert (report.affect, report.pattern, report.comparisons) == (None, None, None)
    assert report.questionnaires is not None  # what is shared is still there
    for absent in ("Emotional range over time", "The pattern and its evidence", "range-chart"):
        assert absent not in html
    assert "Before and after medication events" not in html
    assert "Check-ins are not shared with you" in text_of(html)


def test_the_persons_own_copy_is_not_called_shared(session: Session, alice: User) -> None:
    words = text_of(render.render_html(report_of(session, alice, scopes=Scopes(notes=True))))

    assert "Prepared for Alice, to bring to an appointment" in words
    assert "not shared" not in words


def test_only_the_persons_own_record(
    session: Session, alice: User, bob: User, year: Recorded
) -> None:
    report = report_of(session, bob)

    assert report.person_name == "Bob"
    assert (report.affect, report.pattern, report.questionnaires) == (None, None, None)
    assert (report.comparisons, report.safety) == (None, None)
    assert "sertraline" not in render.render_html(report)
