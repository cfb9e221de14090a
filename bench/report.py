"""The appointment report of a one-year record to PDF, beside what WeasyPrint costs at its least.

Why this shape: a person presses "Download PDF" and waits; the target is that a year's report
is ready within a second. The report is two things a reader could mistake for one: building it
(the database reads, the analysis, the chart geometry) and drawing it (Jinja to HTML, WeasyPrint
to PDF). So the run measures the whole (`build_report` + `render_pdf`, what the route does) and,
in the same process and the same run, two yardsticks: WeasyPrint rendering a minimal one-page
document (the floor any PDF pays: fonts, layout, the PDF writer) and `render_html` alone (the
report without WeasyPrint). The record is simulated and loaded through the services the pages
use, into a SQLite database file: a year of check-ins, PHQ-9 and GAD-7 every 14 days, and the
medication events of the demo story.

WeasyPrint's import (about 0.9 s, paid once per process, which is why `render_pdf` imports it
lazily) is reported apart, not inside the per-report numbers.

Run:  .venv/bin/python bench/report.py      (or `make bench-report`; flags: --rounds, --output)
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import numpy as np
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from affectrange import migrate
from affectrange.accounts import service as accounts
from affectrange.accounts.models import User
from affectrange.accounts.schemas import RegisterForm
from affectrange.analysis.items import ITEM_IDS
from affectrange.checkins import service as checkins
from affectrange.checkins.schemas import CheckinIn
from affectrange.config import Settings
from affectrange.db import create_database, session_scope
from affectrange.instruments import get_instrument
from affectrange.medications import service as medications
from affectrange.medications.schemas import MedicationEventIn
from affectrange.questionnaires import service as questionnaires
from affectrange.reports import render, service
from affectrange.reports.model import Report
from affectrange.sharing.scopes import Scopes
from affectrange.simulate import SimulatedDay, demo_story

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "docs" / "benchmarks.md"
SECTION_START = "<!-- bench:report:start -->"
SECTION_END = "<!-- bench:report:end -->"
END = dt.date(2026, 11, 26)
DAYS = 365
QUESTIONNAIRE_EVERY_DAYS = 14
TIMEZONE = "America/New_York"
EMAIL = "bench-report@example.org"
TARGET_S = 1.0
MINIMAL_DOCUMENT = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>Minimal</title>"
    "<style>@page { size: Letter }</style></head><body><h1>One page</h1>"
    "<p>A paragraph of text.</p></body></html>"
)

out = Console()
_T = TypeVar("_T")


# --- the record ---------------------------------------------------------------------------------


def _mean(window: list[SimulatedDay], items: tuple[str, ...]) -> float:
    return sum(day.items[item] for day in window for item in items) / (len(window) * len(items))


def _frequency(value: float, scale_max: float) -> int:
    return max(0, min(3, round(value / scale_max * 3)))


def phq9_answers(window: list[SimulatedDay]) -> dict[str, int | str | None]:
    interest = _frequency(6 - _mean(window, ("interested", "joyful")), 6)
    low = _frequency(_mean(window, ("sad", "lonely")), 4)
    strain = _frequency(_mean(window, ("stressed", "anxious", "guilty")), 5)
    answers: dict[str, int | str | None] = {"q1": interest, "q2": low, "q9": 0, "q10": 1}
    answers.update({f"q{n}": strain for n in range(3, 9)})
    return answers


def gad7_answers(window: list[SimulatedDay]) -> dict[str, int | str | None]:
    worry = _frequency(_mean(window, ("anxious", "stressed")), 5)
    return {f"q{n}": worry for n in range(1, 8)}


@dataclass(frozen=True)
class Record:
    checkins: int
    questionnaires: int
    medication_events: int


def load_record(session: Session, person: User, now: dt.datetime) -> Record:
    """A year of the demo story through the services: check-ins, questionnaires, events."""
    story = demo_story(end=END, n_days=DAYS)
    for day in story.days:
        values: dict[str, object] = {item: day.items[item] for item in ITEM_IDS}
        values.update(
            date=day.date,
            event_pleasantness=day.event_pleasantness,
            sleep_hours=day.sleep_hours,
            exercise_minutes=day.exercise_minutes,
            social_minutes=day.social_minutes,
            alcohol_drinks=day.alcohol_drinks,
        )
        entry = CheckinIn.model_validate(values)
        checkins.record_checkin(session, person, entry, today=END, now=now)
    days = list(story.days)
    answered = 0
    for instrument_id, answers_for in (("phq9", phq9_answers), ("gad7", gad7_answers)):
        instrument = get_instrument(instrument_id)
        for index in range(QUESTIONNAIRE_EVERY_DAYS - 1, len(days), QUESTIONNAIRE_EVERY_DAYS):
            window = days[index - QUESTIONNAIRE_EVERY_DAYS + 1 : index + 1]
            evening = dt.datetime.combine(days[index].date, dt.time(20), ZoneInfo(TIMEZONE))
            questionnaires.save_answers(
                session,
                person,
                instrument,
                answers_for(window),
                finish=True,
                now=evening.astimezone(dt.UTC),
                today=days[index].date,
            )
            answered += 1
    for event in story.medication_events:
        form = MedicationEventIn(
            medication=event.medication, event=event.event, date=event.date, dose_mg=event.dose_mg
        )
        medications.record_medication_event(session, person, form, now=now)
    return Record(len(days), answered, len(story.medication_events))


# --- measuring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Samples:
    name: str
    seconds: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    def percentile_ms(self, pct: float) -> float:
        return float(np.percentile(self.seconds, pct, method="inverted_cdf")) * 1000


def timed(rounds: int, work: Callable[[], _T]) -> tuple[list[float], _T]:
    """One unmeasured warm-up, then `rounds` measured runs."""
    result = work()
    seconds = []
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - started)
    return seconds, result


def pages_of(pdf: bytes, folder: Path) -> int | None:
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return None
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    info = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, check=True)
    for line in info.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


@dataclass(frozen=True)
class Results:
    when: dt.datetime
    rounds: int
    record: Record
    import_s: float
    weasyprint_version: str
    samples: list[Samples]
    pages: int | None
    pdf_kib: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    def by_name(self, name: str) -> Samples:
        return next(sample for sample in self.samples if sample.name == name)

    @property
    def whole(self) -> Samples:
        return self.by_name(WHOLE)


WHOLE = "`build_report` + `render_pdf` (a year)"


def measure(rounds: int, folder: Path) -> Results:
    load_before = os.getloadavg()
    settings = Settings(
        database_url=f"sqlite:///{folder / 'report.sqlite3'}",
        secret_key=SecretStr("bench-report-secret"),
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
        _env_file=None,
    )
    database = create_database(settings.database_url)
    now = dt.datetime.combine(END, dt.time(22), dt.UTC)
    try:
        migrate.upgrade(database)
        out.print(f"loading a year of record into {folder} ...")
        with session_scope(database) as session:
            password = secrets.token_urlsafe(18)
            form = RegisterForm(
                email=EMAIL,
                display_name="Bench Person",
                password=password,
                password_repeat=password,
                timezone=TIMEZONE,
            )
            person = accounts.register_user(session, settings, form, now=now)
            record = load_record(session, person, now)
        started = time.perf_counter()
        import weasyprint  # type: ignore[import-untyped]  # noqa: PLC0415  # timed, see above

        import_s = time.perf_counter() - started
        with session_scope(database, write=False) as session:
            person_row = accounts.user_by_email(session, EMAIL)
            assert person_row is not None

            def build() -> Report:
                return service.build_report(
                    session,
                    person_row,
                    first=END - dt.timedelta(days=DAYS - 1),
                    last=END,
                    today=END,
                    scopes=Scopes.everything(),
                    now=now,
                )

            out.print("measuring ...")
            whole_s, pdf = timed(rounds, lambda: render.render_pdf(build()))
            build_s, report = timed(rounds, build)
            html_s, _ = timed(rounds, lambda: render.render_html(report))
            pdf_only_s, _ = timed(rounds, lambda: render.render_pdf(report))
            minimal_s, _ = timed(rounds, weasyprint.HTML(string=MINIMAL_DOCUMENT).write_pdf)
    finally:
        database.dispose()
    return Results(
        when=dt.datetime.now(dt.UTC),
        rounds=rounds,
        record=record,
        import_s=import_s,
        weasyprint_version=str(weasyprint.__version__),
        samples=[
            Samples(WHOLE, whole_s),
            Samples("`build_report` alone (reads, analysis, chart geometry)", build_s),
            Samples("`render_html` alone (the baseline without WeasyPrint)", html_s),
            Samples("`render_pdf` alone (HTML + WeasyPrint)", pdf_only_s),
            Samples("WeasyPrint, minimal one-page document (its floor)", minimal_s),
        ],
        pages=pages_of(pdf, folder),
        pdf_kib=len(pdf) / 1024,
        load_before=load_before,
        load_after=os.getloadavg(),
    )


# --- the report of the benchmark ----------------------------------------------------------------


HEADERS = ["what (in one process, after one warm-up)", "median ms", "p95 ms", "best ms"]


def rows(results: Results) -> list[list[str]]:
    return [
        [
            sample.name,
            f"{sample.median_ms:.0f}",
            f"{sample.percentile_ms(95):.0f}",
            f"{min(sample.seconds) * 1000:.0f}",
        ]
        for sample in results.samples
    ]


def targets(results: Results) -> list[tuple[str, str, bool]]:
    p95_s = results.whole.percentile_ms(95) / 1000
    found = [
        (
            f"a year's report to PDF in at most {TARGET_S:g} s (p95)",
            f"{p95_s:.2f} s",
            p95_s <= TARGET_S,
        )
    ]
    if results.pages is not None:
        found.append(("one to three US Letter pages", str(results.pages), 1 <= results.pages <= 3))
    return found


def target_rows(results: Results, *, rich: bool = False) -> list[list[str]]:
    yes, no = ("[green]yes[/]", "[red]NO[/]") if rich else ("yes", "**no**")
    return [[name, value, yes if met else no] for name, value, met in targets(results)]


def machine_summary(results: Results) -> str:
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"WeasyPrint {results.weasyprint_version}"
    )


def print_results(results: Results) -> None:
    for title, headers, table_rows in (
        ("the report", HEADERS, rows(results)),
        ("targets", ["target", "measured", "met"], target_rows(results, rich=True)),
    ):
        table = Table(title=title)
        for header in headers:
            table.add_column(header)
        for row in table_rows:
            table.add_row(*row)
        out.print(table)
    out.print(f"WeasyPrint import: {results.import_s:.2f} s; PDF {results.pdf_kib:.0f} KiB")


def markdown_table(headers: list[str], table_rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows]
    return lines


def load_text(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.2f}" for value in load)


def markdown_section(results: Results) -> str:
    record = results.record
    pages = "not measured (no pdfinfo)" if results.pages is None else str(results.pages)
    lines = [
        SECTION_START,
        "## Appointment report (`bench/report.py`)",
        "",
        f"- Run: {results.when:%Y-%m-%d %H:%M} UTC, `.venv/bin/python bench/report.py "
        f"--rounds {results.rounds}` (or `make bench-report`)",
        f"- Machine: {machine_summary(results)}",
        f"- Load average (1/5/15 min) before: {load_text(results.load_before)}, "
        f"after: {load_text(results.load_after)}",
        f"- Record: one simulated year in a SQLite file, {record.checkins} check-ins, "
        f"{record.questionnaires} questionnaires (PHQ-9 and GAD-7 every "
        f"{QUESTIONNAIRE_EVERY_DAYS} days), {record.medication_events} medication events; "
        f"the person's own report (every part) for the 365 days",
        f"- The PDF: {pages} US Letter pages, {results.pdf_kib:.0f} KiB",
        "",
        f"Each row {results.rounds} measured runs after one warm-up, in one process; p95 is "
        "nearest-rank:",
        "",
        *markdown_table(HEADERS, rows(results)),
        "",
        *markdown_table(["target", "measured", "met"], target_rows(results)),
        "",
        f"Importing WeasyPrint took {results.import_s:.2f} s in this run (once per process, "
        "and not in the rows above): `render_pdf` imports it when it first renders, so the "
        "web workers and the other commands that never print do not pay it.",
        SECTION_END,
    ]
    return "\n".join(lines) + "\n"


def write_markdown(results: Results, output: Path) -> None:
    """Replace this benchmark's section, keeping everything else in the file."""
    section = markdown_section(results)
    text = output.read_text(encoding="utf-8") if output.exists() else "# Benchmarks\n"
    if SECTION_START in text and SECTION_END in text:
        head, rest = text.split(SECTION_START, 1)
        tail = rest.split(SECTION_END, 1)[1].removeprefix("\n")
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    output.write_text(text, encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=10, help="measured runs of each step")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="Markdown report")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="affectrange-bench-report-") as tmp:
        results = measure(args.rounds, Path(tmp))
    print_results(results)
    write_markdown(results, args.output)
    out.print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
