"""A year of one person's record for the report tests: the demo story (sertraline, then a
blunting-like change) over 365 days, PHQ-9 every 14 days and GAD-7 every 28, one PHQ-9 with
item 9 answered, and one check-in note with crisis language. Recorded through the same services
the pages use; what was recorded is kept beside it, so the tests check the report against the
story's truth, not against numbers typed by hand."""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.analysis.engine import PersonAnalysis, analyze
from affectrange.checkins import service as checkins
from affectrange.instruments import get_instrument
from affectrange.questionnaires import service as questionnaires
from affectrange.simulate import SimulatedDay, SimulatedPerson, demo_story
from tests.conftest import TODAY
from tests.emotional_range.helpers import entry, record_days, record_events, story_series
from tests.support.environment import unavailable

YEAR_DAYS = 365
PHQ9_EVERY = 14
GAD7_EVERY = 28
ITEM9_ANSWER = 2
"""The one PHQ-9 with item 9 answered ("more than half the days"): a safety event."""
CRISIS_NOTE = "Everything is grey. I keep thinking about suicide."
TIMEZONE = ZoneInfo("America/New_York")
SECTION_HEADINGS = (
    "About this report",
    "Emotional range over time",
    "Questionnaire trends",
    "The pattern and its evidence",
    "Before and after medication events",
    "Safety events",
    "Methods and limits",
)


@functools.cache
def year_story() -> SimulatedPerson:
    return demo_story(end=TODAY, n_days=YEAR_DAYS)


@dataclass(frozen=True)
class Recorded:
    """What `load_year` put in the database, as the story's truth for the assertions."""

    story: SimulatedPerson
    phq9: tuple[tuple[dt.date, int], ...]
    gad7: tuple[tuple[dt.date, int], ...]
    item9_day: dt.date
    note_day: dt.date


def evening(day: dt.date) -> dt.datetime:
    """8 pm on `day` where the person lives (already the next day in UTC)."""
    return dt.datetime.combine(day, dt.time(20, 0), TIMEZONE).astimezone(dt.UTC)


def _mean(window: list[SimulatedDay], items: tuple[str, ...]) -> float:
    return sum(day.items[item] for day in window for item in items) / (len(window) * len(items))


def _frequency(value: float, scale_max: float) -> int:
    return max(0, min(3, round(value / scale_max * 3)))


def phq9_answers(window: list[SimulatedDay], item9: int = 0) -> dict[str, int | str | None]:
    interest = _frequency(6 - _mean(window, ("interested", "joyful")), 6)
    low = _frequency(_mean(window, ("sad", "lonely")), 4)
    strain = _frequency(_mean(window, ("stressed", "anxious", "guilty")), 5)
    answers: dict[str, int | str | None] = {"q1": interest, "q2": low}
    answers.update({f"q{n}": strain for n in range(3, 9)})
    answers["q9"] = item9
    answers["q10"] = 1
    return answers


def gad7_answers(window: list[SimulatedDay]) -> dict[str, int | str | None]:
    worry = _frequency(_mean(window, ("anxious", "stressed")), 5)
    answers: dict[str, int | str | None] = {f"q{n}": worry for n in range(1, 8)}
    return answers


def _answer(
    session: Session,
    person: User,
    instrument_id: str,
    *,
    every: int,
    days: list[SimulatedDay],
    item9_index: int | None = None,
) -> list[tuple[dt.date, int]]:
    instrument = get_instrument(instrument_id)
    totals = []
    for index in range(every - 1, len(days), every):
        day = days[index].date
        window = days[index - every + 1 : index + 1]
        if instrument_id == "phq9":
            answers = phq9_answers(window, ITEM9_ANSWER if index == item9_index else 0)
        else:
            answers = gad7_answers(window)
        saved = questionnaires.save_answers(
            session, person, instrument, answers, finish=True, now=evening(day), today=day
        )
        assert saved.completed
        assert saved.response.total is not None
        totals.append((day, saved.response.total))
    return totals


def load_year(session: Session, person: User, *, commit: bool = True) -> Recorded:
    story = year_story()
    days = list(story.days)
    record_days(session, person, days)
    record_events(session, person, story.medication_events)
    item9_index = len(days) - 5 * PHQ9_EVERY - 1  # the fifth PHQ-9 from the end
    item9_index -= (item9_index + 1) % PHQ9_EVERY
    phq9 = _answer(session, person, "phq9", every=PHQ9_EVERY, days=days, item9_index=item9_index)
    gad7 = _answer(session, person, "gad7", every=GAD7_EVERY, days=days)
    note_day = days[-40]
    with_note = entry(note_day).model_copy(update={"note": CRISIS_NOTE})
    checkins.record_checkin(session, person, with_note, today=TODAY, now=evening(note_day.date))
    if commit:
        session.commit()
    return Recorded(story, tuple(phq9), tuple(gad7), days[item9_index].date, note_day.date)


def pure_analysis(story: SimulatedPerson, last: dt.date = TODAY) -> PersonAnalysis:
    """The engine on the story itself, without a database: the independent expectation."""
    series = story_series(story)
    n_days = (last - series.first).days + 1
    cut = type(series)(
        series.first,
        series.items[:n_days],
        series.event[:n_days],
        None if series.context is None else series.context[:n_days],
    )
    return analyze(cut, [event for event in story.medication_events if event.date <= last])


def long_day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def text_of(document: str) -> str:
    """The visible words of an HTML document on one line (scripts and styles dropped)."""
    body = re.sub(r"<style\b.*?</style>", " ", document, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html.unescape(body).split())


def _poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        unavailable(f"{tool} (poppler-utils) is not installed")
    return found


def pdf_text(pdf: bytes, folder: Path) -> str:
    """What pdftotext reads from the PDF, whitespace collapsed."""
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [_poppler("pdftotext"), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return " ".join(result.stdout.split())


def pdf_info(pdf: bytes, folder: Path) -> dict[str, str]:
    """What pdfinfo says about the PDF: "Pages", "Page size", ..."""
    path = folder / "info.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [_poppler("pdfinfo"), str(path)], capture_output=True, text=True, check=True
    )
    fields = (line.partition(":") for line in result.stdout.splitlines())
    return {name.strip(): value.strip() for name, _, value in fields}


def pdf_pages(pdf: bytes, folder: Path) -> int:
    return int(pdf_info(pdf, folder)["Pages"])
