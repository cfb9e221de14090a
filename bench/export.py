"""Whole-record export and import, FHIR and CSV, of 1, 3 and 10 years, beside fhir.resources.

Why this shape: a person presses "Download" on the Your data page (or imports their file into a
new account) and waits for the whole record at once: nothing is streamed or paged, so the wait
grows with every year recorded. So the numbers are taken where the person waits:
`portability.service.export_record` and `import_record` on a SQLite database file, in a session
opened as the route opens it (a reader, which the service turns into a writer for the audit
entry or for the import) and committed, so the reads, the audit entry, the inserts and the synced
commit are all inside. Only HTTP is left out.

Inside the FHIR export each step is also timed alone (`read_record`, `export_bundle` with the
`Bundle.model_validate` it ends with, `bundle_json`), and so is, in the same run and on the same
Bundle, the baseline: fhir.resources' own serialiser (`Bundle.model_validate(bundle)
.model_dump_json(indent=1)`, and `model_dump_json` alone on the validated model), which is what
`bundle_json` replaced (CONVENTIONS.md, "Own your data"). Each import goes into an empty account in
a fresh copy of a migrated database, so every round starts alike; the parse and check alone
(`fhir_import.read_fhir`, `csv_format.read_zip`) are timed apart from the whole. The rows take
turns round by round, so a busier or quieter moment of a shared machine weighs on all of them
alike, and no row holds another's results: every full garbage collection walks all that is
alive, so a validated Bundle kept around (hundreds of thousands of objects for ten years) would
slow whatever runs beside it.

The records are simulated (`affectrange.simulate`: the demo's story, with about one day in ten
missed) and entered through the features' services, as the person would have entered them: a
check-in on most days, a note on about one in six, PHQ-9 and GAD-7 every 14 days, the demo's
sertraline start and dose increase and a dose change every second year after, three care-plan
goals from the first week on, ticked on the days the person's own context says they were kept,
an impact rating for every month, and three questions for an appointment.

Peak memory is measured twice, each in its own run after the timed ones, because neither number
alone is the truth: tracemalloc's peak counts the Python objects allocated during the call (the
dicts, records and text that grow with the record) but not what pydantic-core or SQLite allocate
themselves; the growth of peak RSS (VmHWM, reset through /proc/self/clear_refs, over VmRSS
before) sees everything the process asked of the system, but reuses memory it freed earlier, so
it can read low.

Run:  .venv/bin/python bench/export.py      (or `make bench-export`; flags: --rounds, --years,
      --output)
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import datetime as dt
import gc
import gzip
import os
import platform
import random
import secrets
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib.metadata import version
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from fhir.resources.R4B.bundle import Bundle
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench.report

from affectrange import migrate
from affectrange.accounts import service as accounts
from affectrange.accounts.models import User
from affectrange.accounts.schemas import RegisterForm
from affectrange.analysis.items import BLUNTING_ITEMS
from affectrange.audit.service import actor_for
from affectrange.careplan import service as careplan
from affectrange.careplan.impact import IMPACT_ITEMS
from affectrange.careplan.schemas import GoalIn, ImpactIn
from affectrange.config import Settings
from affectrange.db import Database, create_database, session_scope
from affectrange.demo import checkin_entry
from affectrange.instruments import get_instrument
from affectrange.medications import service as medications
from affectrange.medications.schemas import MedicationEventIn
from affectrange.portability import csv_format, fhir_import, service
from affectrange.portability.fhir_export import bundle_json, export_bundle
from affectrange.portability.schemas import PersonalData, record_counts
from affectrange.portability.service import ExportFile, ExportFormat, ImportResult
from affectrange.preparation import service as preparation
from affectrange.preparation.schemas import QuestionIn
from affectrange.questionnaires import service as questionnaires
from affectrange.simulate import MedicationEvent, SimulatedDay, demo_story, simulate_person
from bench.report import gad7_answers, phq9_answers

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT: Final = REPO_ROOT / "docs" / "benchmarks.md"
SECTION_START: Final = "<!-- bench:export:start -->"
SECTION_END: Final = "<!-- bench:export:end -->"
SECTION_TITLE: Final = "## Whole-record export and import"
END: Final = dt.date(2026, 11, 26)
NOW: Final = dt.datetime.combine(END, dt.time(22), dt.UTC)
DEFAULT_YEARS: Final = (1, 3, 10)
TIMEZONE: Final = "America/New_York"
ZONE: Final = ZoneInfo(TIMEZONE)
EMAIL: Final = "bench-export@example.org"
ADDRESS: Final = "203.0.113.9"
SEED: Final = 20260101
MISSING_DAY_PROBABILITY: Final = 0.10
NOTE_SHARE: Final = 1 / 6
QUESTIONNAIRE_EVERY_DAYS: Final = 14
DOSE_CHANGE_EVERY_DAYS: Final = 730
GOALS_FROM_DAY: Final = 7
SLOW_S: Final = 5.0
"""An end to end of the largest record slower than this is named under the tables: worth
a profile (docs/benchmarks.md keeps the one of the ten-year record)."""

# (strategy, days a week, kept on the days when), as the demo ticks them.
GOALS: Final[tuple[tuple[str, int, Callable[[SimulatedDay], bool]], ...]] = (
    ("movement", 3, lambda day: (day.exercise_minutes or 0) >= 20),
    ("sleep", 5, lambda day: (day.sleep_hours or 0) >= 7),
    ("time_with_people", 2, lambda day: (day.social_minutes or 0) >= 120),
)
NOTES: Final = (
    "Slept badly, long day at work.",
    "Walked to the harbour with Alex after dinner. Quiet evening.",
    "Café with Zoë ☕, then groceries. Felt a bit far away from it all.",
    "Meeting went fine. I expected to be nervous and wasn't, which is new.",
    "Rainy Sunday; read most of the afternoon and called Mum.",
    "Headache in the morning. Better after lunch and a short run.",
    "Watched a film with friends and laughed more than I have in weeks.",
    "Busy, nothing special. Tired but okay.",
)
QUESTIONS: Final = (
    "My feelings have been flat since the last dose change. Could it be a side effect?",
    "Is there a lower dose that would still help with the low mood?",
    "How will we know if it is getting better?",
)

out = Console()


# --- the record ---------------------------------------------------------------------------------


def first_day(years: int) -> dt.date:
    """The first day of a record of `years` whole years ending on END."""
    return END.replace(year=END.year - years) + dt.timedelta(days=1)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A wall-clock time on the person's day, as aware UTC."""
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE).astimezone(dt.UTC)


def _mean(window: list[SimulatedDay], items: tuple[str, ...]) -> float:
    return sum(day.items[item] for day in window for item in items) / (len(window) * len(items))


@dataclass(frozen=True)
class Record:
    years: int
    days: int
    checkins: int
    notes: int
    responses: int
    medication_events: int
    goals: int
    kept_days: int
    impact: int
    questions: int
    safety_events: int

    @classmethod
    def of(cls, years: int, data: PersonalData) -> Record:
        return cls(
            years=years,
            days=(END - first_day(years)).days + 1,
            checkins=len(data.checkins),
            notes=sum(checkin.note is not None for checkin in data.checkins),
            responses=len(data.responses),
            medication_events=len(data.medications),
            goals=len(data.goals),
            kept_days=sum(len(goal.kept_days) for goal in data.goals),
            impact=len(data.impact),
            questions=len(data.questions),
            safety_events=len(data.safety_events),
        )

    @property
    def label(self) -> str:
        return f"{self.years} year" + ("" if self.years == 1 else "s")


def load_record(session: Session, person: User, years: int) -> None:
    """`years` of the demo's story, entered through the services as the person would have."""
    first = first_day(years)
    n_days = (END - first).days + 1
    story = demo_story(end=END, n_days=n_days, seed=SEED)
    params = replace(story.params, missing_day_probability=MISSING_DAY_PROBABILITY)
    days = simulate_person(params, start=first, n_days=n_days, seed=SEED, keep_last_day=True).days
    goals_from = first + dt.timedelta(days=GOALS_FROM_DAY)
    goals = []
    for strategy, times, kept_when in GOALS:
        form = GoalIn(strategy_id=strategy, times_per_week=times, started_on=goals_from)
        goal = careplan.add_goal(session, person, form, today=goals_from, now=_at(goals_from, 9))
        goals.append((goal.id, kept_when))
    notes = random.Random(SEED)
    for day in days:
        note = notes.choice(NOTES) if notes.random() < NOTE_SHARE else None
        kept = [goal_id for goal_id, kept_when in goals if kept_when(day)]
        careplan.record_checkin_with_goals(
            session,
            person,
            checkin_entry(day, note),
            goals_kept=kept if day.date >= goals_from else None,
            today=day.date,
            now=_at(day.date, 21, 30),
        )
    _load_questionnaires(session, person, days, first, n_days)
    _load_medications(session, person, story.medication_events, first, n_days)
    _load_impact(session, person, days)
    for text in QUESTIONS:
        preparation.add_question(session, person, QuestionIn(text=text), now=_at(END, 9))


def _load_questionnaires(
    session: Session, person: User, days: tuple[SimulatedDay, ...], first: dt.date, n_days: int
) -> None:
    """PHQ-9 and GAD-7 on every 14th calendar day, answered as the fortnight's check-ins say."""
    by_date = {day.date: day for day in days}
    for instrument_id, answers_for in (("phq9", phq9_answers), ("gad7", gad7_answers)):
        instrument = get_instrument(instrument_id)
        for index in range(QUESTIONNAIRE_EVERY_DAYS - 1, n_days, QUESTIONNAIRE_EVERY_DAYS):
            date = first + dt.timedelta(days=index)
            span = (date - dt.timedelta(days=back) for back in range(QUESTIONNAIRE_EVERY_DAYS))
            window = [by_date[when] for when in sorted(span) if when in by_date]
            if window:
                questionnaires.save_answers(
                    session,
                    person,
                    instrument,
                    answers_for(window),
                    finish=True,
                    now=_at(date, 20),
                    today=date,
                )


def _load_medications(
    session: Session,
    person: User,
    story_events: tuple[MedicationEvent, ...],
    first: dt.date,
    n_days: int,
) -> None:
    """The demo's start and increase, then a dose change every second year (150 mg, 100 mg, ...)."""
    forms = [
        MedicationEventIn(
            medication=event.medication, event=event.event, date=event.date, dose_mg=event.dose_mg
        )
        for event in story_events
    ]
    after = first + dt.timedelta(days=n_days)
    doses = (150.0, 100.0)
    for step in range(1, n_days // DOSE_CHANGE_EVERY_DAYS + 1):
        when = forms[1].date + dt.timedelta(days=DOSE_CHANGE_EVERY_DAYS * step)
        if when < after:
            forms.append(
                MedicationEventIn(
                    medication="sertraline",
                    event="dose_change",
                    date=when,
                    dose_mg=doses[(step - 1) % len(doses)],
                    note="Reviewed with Dr Ng.",
                )
            )
    for form in forms:
        medications.record_medication_event(session, person, form, now=_at(form.date, 18))


def _load_impact(session: Session, person: User, days: tuple[SimulatedDay, ...]) -> None:
    """Every whole month before END's, rated on its last day from the month's numbness."""
    months: dict[dt.date, list[SimulatedDay]] = {}
    for day in days:
        months.setdefault(day.date.replace(day=1), []).append(day)
    shifts = (0.5, 0.0, 0.0, -0.5)
    for month, window in months.items():
        if month == END.replace(day=1):
            continue
        numb = _mean(window, BLUNTING_ITEMS) * 4 / 6
        scores = {
            item.id: max(0, min(4, round(numb + shift)))
            for item, shift in zip(IMPACT_ITEMS, shifts, strict=True)
        }
        last = window[-1].date
        careplan.save_impact(
            session, person, ImpactIn.model_validate(scores), today=last, now=_at(last, 21, 45)
        )


# --- databases ----------------------------------------------------------------------------------


def settings_for(path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{path}",
        secret_key=SecretStr("bench-export-secret"),
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        argon2_parallelism=1,
        _env_file=None,
    )


def new_database(path: Path) -> tuple[Database, Settings]:
    """A migrated database holding the one person's account (no records yet)."""
    settings = settings_for(path)
    database = create_database(settings.database_url)
    migrate.upgrade(database)
    password = secrets.token_urlsafe(18)
    form = RegisterForm(
        email=EMAIL,
        display_name="Bench Person",
        password=password,
        password_repeat=password,
        timezone=TIMEZONE,
    )
    with session_scope(database) as session:
        accounts.register_user(session, settings, form, now=NOW)
    return database, settings


def _person(session: Session) -> User:
    person = accounts.user_by_email(session, EMAIL)
    assert person is not None
    return person


def _files_of(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm")]


@contextmanager
def fresh_account(template: Path, folder: Path) -> Iterator[Database]:
    """A copy of the empty installation, its pool connection already open, as a running
    server's is; removed afterwards."""
    path = folder / "import.sqlite3"
    for source, target in zip(_files_of(template), _files_of(path), strict=True):
        if source.exists():
            shutil.copyfile(source, target)
    database = create_database(f"sqlite:///{path}")
    try:
        with database.engine.connect():
            pass
        yield database
    finally:
        database.dispose()
        for file in _files_of(path):
            file.unlink(missing_ok=True)


# --- the work measured --------------------------------------------------------------------------


def export_once(database: Database, file_format: ExportFormat) -> ExportFile:
    """What the download route does, without HTTP: read, write the file, audit, commit."""
    with session_scope(database, write=False) as session:
        person = _person(session)
        return service.export_record(
            session,
            person,
            file_format=file_format,
            now=NOW,
            actor=actor_for(person),
            address=ADDRESS,
        )


def read_once(database: Database) -> PersonalData:
    with session_scope(database, write=False) as session:
        return service.read_record(session, _person(session))


def import_once(database: Database, content: bytes) -> ImportResult:
    """What the import route does (`read_first`), without HTTP: parse, check, write, commit."""
    with session_scope(database, write=False) as session:
        person = _person(session)
        return service.import_record(
            session,
            person,
            content,
            source="bench file",
            now=NOW,
            actor=actor_for(person),
            address=ADDRESS,
        )


# --- measuring ----------------------------------------------------------------------------------


Step = Callable[[], dict[str, float]]
"""One measured run of a step: the seconds of each row it times (setup that is not the person's
wait left out)."""


def _seconds(work: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def clocked(key: str, work: Callable[[], object]) -> Step:
    return lambda: {key: _seconds(work)}


def interleaved(rounds: int, steps: list[Step]) -> dict[str, list[float]]:
    """One unmeasured warm-up of every step, then `rounds` rounds that run each step once, in
    turn: a machine that gets busier or quieter during the run (a CI job on the same cores)
    then weighs on every row alike, rather than on whichever rows ran at that moment."""
    for step in steps:
        step()
    seconds: dict[str, list[float]] = {}
    for _ in range(rounds):
        for step in steps:
            for key, value in step().items():
                seconds.setdefault(key, []).append(value)
    return seconds


def import_step(
    key: str, template: Path, folder: Path, content: bytes, expected: dict[str, int]
) -> Step:
    """An import into a fresh empty account; the copy of the database is not timed."""

    def run() -> dict[str, float]:
        with fresh_account(template, folder) as database:
            gc.collect()
            started = time.perf_counter()
            result = import_once(database, content)
            elapsed = time.perf_counter() - started
        if result.added != expected:
            raise RuntimeError(f"the import added {result.added}, not {expected}")
        return {key: elapsed}

    return run


def _dump_seconds(bundle: dict[str, Any]) -> float:
    """fhir.resources' serialiser alone, on the Bundle validated (not timed) for it."""
    model = Bundle.model_validate(bundle)
    return _seconds(lambda: model.model_dump_json(indent=1))


def _baseline_bytes(data: PersonalData) -> int:
    model = Bundle.model_validate(export_bundle(data, now=NOW))
    return len(model.model_dump_json(indent=1).encode("utf-8"))


def fhir_parts_step(data: PersonalData) -> Step:
    """The steps of the FHIR export after the reads, one after the other as the export runs
    them, and the baseline serialiser on the same Bundle.

    Each holds only what the export holds at that point (the Bundle's dicts; the validated
    model only while the baseline writes it, as the old export did): every full collection of
    the garbage collector walks all that is alive, so a Bundle kept for the next row would
    slow this one, which is not the export's cost."""

    def run() -> dict[str, float]:
        seconds: dict[str, float] = {}
        gc.collect()
        started = time.perf_counter()
        bundle = export_bundle(data, now=NOW)
        seconds[BUNDLE] = time.perf_counter() - started
        seconds[VALIDATE] = _seconds(lambda: Bundle.model_validate(bundle))
        seconds[JSON] = _seconds(lambda: bundle_json(bundle))
        seconds[BASELINE_DUMP] = _dump_seconds(bundle)
        seconds[BASELINE] = _seconds(
            lambda: Bundle.model_validate(bundle).model_dump_json(indent=1)
        )
        return seconds

    return run


_CLEAR_REFS: Final = Path("/proc/self/clear_refs")
_STATUS: Final = Path("/proc/self/status")


def _status_kib(field: str) -> int:
    for line in _STATUS.read_text(encoding="ascii").splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def _give_back_freed_memory() -> None:
    """Collect, and hand free heap pages back (glibc), so RSS before is what is in use."""
    gc.collect()
    name = ctypes.util.find_library("c")
    if name is not None:
        libc = ctypes.CDLL(name)
        if hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)


def rss_growth(work: Callable[[], object]) -> int | None:
    """Peak RSS during `work` over RSS before it, in bytes; None where Linux's reset is missing."""
    _give_back_freed_memory()
    try:
        _CLEAR_REFS.write_text("5", encoding="ascii")  # VmHWM := VmRSS
        before = _status_kib("VmRSS")
    except (OSError, LookupError):
        return None
    work()
    return (_status_kib("VmHWM") - before) * 1024


def traced_peak(work: Callable[[], object]) -> int:
    """tracemalloc's peak of what `work` allocated, in bytes."""
    _give_back_freed_memory()
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@dataclass(frozen=True)
class Memory:
    traced: int
    rss: int | None


def memory_of(work: Callable[[], object]) -> Memory:
    rss = rss_growth(work)
    return Memory(traced_peak(work), rss)


def import_memory(template: Path, folder: Path, content: bytes) -> Memory:
    with fresh_account(template, folder) as database:
        rss = rss_growth(lambda: import_once(database, content))
    with fresh_account(template, folder) as database:
        traced = traced_peak(lambda: import_once(database, content))
    return Memory(traced, rss)


# Row keys, in the order of the table.
FHIR_EXPORT = "fhir_export"
READ = "read"
BUNDLE = "bundle"
VALIDATE = "validate"
JSON = "json"
BASELINE = "baseline"
BASELINE_DUMP = "baseline_dump"
CSV_EXPORT = "csv_export"
CSV_WRITE = "csv_write"
FHIR_IMPORT = "fhir_import"
FHIR_PARSE = "fhir_parse"
CSV_IMPORT = "csv_import"
CSV_PARSE = "csv_parse"
WRITE = "write"

ROW_NAMES: Final = {
    FHIR_EXPORT: "**FHIR export, end to end** (`export_record`: read, Bundle, JSON, audit, commit)",
    READ: "↳ reading the record (`read_record`)",
    BUNDLE: "↳ building + validating the Bundle (`export_bundle`)",
    VALIDATE: "↳↳ of which `Bundle.model_validate`",
    JSON: "↳ writing the JSON (`bundle_json`)",
    BASELINE_DUMP: "↳ *baseline*: `model_dump_json(indent=1)` of the validated Bundle",
    BASELINE: "↳ *baseline*: `Bundle.model_validate(bundle).model_dump_json(indent=1)`",
    CSV_EXPORT: "**CSV export, end to end** (`export_record`)",
    CSV_WRITE: "↳ writing the zip (`csv_format.write_zip`)",
    FHIR_IMPORT: "**FHIR import, end to end** (`import_record` into an empty account)",
    FHIR_PARSE: "↳ parse + check alone (`fhir_import.read_fhir`)",
    CSV_IMPORT: "**CSV import, end to end** (`import_record` into an empty account)",
    CSV_PARSE: "↳ parse + check alone (`csv_format.read_zip`)",
    WRITE: "↳ writing the records (end to end - parse, round by round; the same code for FHIR)",
}
SHORT_NAMES: Final = {
    FHIR_EXPORT: "the FHIR export",
    CSV_EXPORT: "the CSV export",
    FHIR_IMPORT: "the FHIR import",
    CSV_IMPORT: "the CSV import",
}
MEMORY_NAMES: Final = {
    FHIR_EXPORT: "FHIR export (`export_record`)",
    CSV_EXPORT: "CSV export (`export_record`)",
    FHIR_IMPORT: "FHIR import (`import_record`)",
    CSV_IMPORT: "CSV import (`import_record`)",
}


@dataclass(frozen=True)
class SizeResults:
    record: Record
    seconds: dict[str, list[float]]
    fhir_bytes: int
    fhir_gzip_bytes: int
    """What the FHIR file would take on the wire if served with `Content-Encoding: gzip`."""
    baseline_bytes: int
    csv_bytes: int
    memory: dict[str, Memory]

    def median_s(self, key: str) -> float:
        return statistics.median(self.seconds[key])

    def spread(self, key: str) -> float:
        """(slowest - fastest) / median of a row's rounds."""
        samples = self.seconds[key]
        return (max(samples) - min(samples)) / statistics.median(samples)

    @property
    def old_export_s(self) -> float:
        """The FHIR export as it was with fhir.resources' serialiser in place of `bundle_json`."""
        return self.median_s(FHIR_EXPORT) - self.median_s(JSON) + self.median_s(BASELINE_DUMP)


def measure_size(rounds: int, years: int, folder: Path, template: Path) -> SizeResults:
    path = folder / f"record-{years}y.sqlite3"
    database, _ = new_database(path)
    try:
        out.print(f"loading {years} year(s) of record through the services into {path.name} ...")
        started = time.perf_counter()
        with session_scope(database) as session:
            load_record(session, _person(session), years)
        data = read_once(database)
        record = Record.of(years, data)
        out.print(f"  {record.checkins} check-ins loaded in {time.perf_counter() - started:.1f} s")
        fhir_content = export_once(database, ExportFormat.FHIR).content
        csv_content = export_once(database, ExportFormat.CSV).content
        if fhir_import.read_fhir(fhir_content, source="bench file") != data:
            raise RuntimeError("the FHIR file does not read back as the record it was made from")
        if csv_format.read_zip(csv_content, source="bench file") != data:
            raise RuntimeError("the CSV zip does not read back as the record it was made from")
        expected = record_counts(data)
        baseline_bytes = _baseline_bytes(data)
        out.print(f"  measuring, {rounds} rounds ...")
        seconds = interleaved(
            rounds,
            [
                clocked(FHIR_EXPORT, lambda: export_once(database, ExportFormat.FHIR)),
                clocked(READ, lambda: read_once(database)),
                fhir_parts_step(data),
                clocked(CSV_EXPORT, lambda: export_once(database, ExportFormat.CSV)),
                clocked(CSV_WRITE, lambda: csv_format.write_zip(data)),
                import_step(FHIR_IMPORT, template, folder, fhir_content, expected),
                clocked(FHIR_PARSE, lambda: fhir_import.read_fhir(fhir_content, source="file")),
                import_step(CSV_IMPORT, template, folder, csv_content, expected),
                clocked(CSV_PARSE, lambda: csv_format.read_zip(csv_content, source="file")),
            ],
        )
        # The writing is the same for both formats; CSV's parse is short enough that the
        # difference is not lost in the noise of a shared machine, unlike FHIR's.
        csv_rounds = zip(seconds[CSV_IMPORT], seconds[CSV_PARSE], strict=True)
        seconds[WRITE] = [whole - parse for whole, parse in csv_rounds]
        out.print("  measuring peak memory ...")
        memory = {
            FHIR_EXPORT: memory_of(lambda: export_once(database, ExportFormat.FHIR)),
            CSV_EXPORT: memory_of(lambda: export_once(database, ExportFormat.CSV)),
            FHIR_IMPORT: import_memory(template, folder, fhir_content),
            CSV_IMPORT: import_memory(template, folder, csv_content),
        }
    finally:
        database.dispose()
    for file in _files_of(path):
        file.unlink(missing_ok=True)
    return SizeResults(
        record=record,
        seconds=seconds,
        fhir_bytes=len(fhir_content),
        fhir_gzip_bytes=len(gzip.compress(fhir_content, compresslevel=6)),
        baseline_bytes=baseline_bytes,
        csv_bytes=len(csv_content),
        memory=memory,
    )


@dataclass(frozen=True)
class Results:
    when: dt.datetime
    rounds: int
    sizes: list[SizeResults]
    tmp_filesystem: str
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    @property
    def largest(self) -> SizeResults:
        return self.sizes[-1]


def filesystem_of(folder: Path) -> str:
    """The file system the databases live on (commits are synced: it matters)."""
    best = ("", "unknown")
    for line in Path("/proc/mounts").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) >= 3 and str(folder).startswith(fields[1]) and len(fields[1]) > len(best[0]):
            best = (fields[1], fields[2])
    return best[1]


def measure(rounds: int, years: list[int], folder: Path) -> Results:
    load_before = os.getloadavg()
    template = folder / "empty.sqlite3"
    database, _ = new_database(template)
    database.dispose()  # checkpoints the WAL into the file: the copies start from it
    sizes = [measure_size(rounds, size, folder, template) for size in years]
    return Results(
        when=dt.datetime.now(dt.UTC),
        rounds=rounds,
        sizes=sizes,
        tmp_filesystem=filesystem_of(folder),
        load_before=load_before,
        load_after=os.getloadavg(),
    )


# --- the report of the benchmark ----------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def _size(count: int) -> str:
    if count >= 2**20:
        return f"{count / 2**20:.1f} MiB"
    return f"{count / 2**10:.0f} KiB"


def time_headers(results: Results) -> list[str]:
    labels = [f"{size.record.label}, median ms" for size in results.sizes]
    largest = results.largest.record.label
    return ["what (one process, after one warm-up)", *labels, f"{largest}, best ms", "spread"]


def time_rows(results: Results) -> list[list[str]]:
    rows = []
    for key, name in ROW_NAMES.items():
        medians = [_ms(size.median_s(key)) for size in results.sizes]
        best = _ms(min(results.largest.seconds[key]))
        rows.append([name, *medians, best, f"{results.largest.spread(key):.0%}"])
    return rows


def baseline_rows(results: Results) -> list[list[str]]:
    rows: list[list[str]] = []
    for size in results.sizes:
        dump, ours = size.median_s(BASELINE_DUMP), size.median_s(JSON)
        rows.append(
            [
                size.record.label,
                _ms(ours),
                _ms(dump),
                f"{dump / ours:.1f}x",
                f"{size.old_export_s:.2f} s",
                f"{dump / size.old_export_s:.0%}",
                f"{size.median_s(FHIR_EXPORT):.2f} s",
            ]
        )
    return rows


BASELINE_HEADERS: Final = [
    "record",
    "`bundle_json` ms",
    "`model_dump_json` ms",
    "serialiser / ours",
    "export with the serialiser",
    "serialiser's share of it",
    "export now",
]


def size_headers(results: Results) -> list[str]:
    return ["", *(size.record.label for size in results.sizes)]


def size_rows(results: Results) -> list[list[str]]:
    def per(value: Callable[[SizeResults], str]) -> list[str]:
        return [value(size) for size in results.sizes]

    rows = [
        ["check-ins (notes)", *per(lambda s: f"{s.record.checkins:,} ({s.record.notes:,})")],
        ["FHIR JSON file", *per(lambda s: _size(s.fhir_bytes))],
        [
            "FHIR JSON gzipped (level 6; not served so today)",
            *per(lambda s: _size(s.fhir_gzip_bytes)),
        ],
        ["same Bundle by `model_dump_json(indent=1)`", *per(lambda s: _size(s.baseline_bytes))],
        ["CSV zip", *per(lambda s: _size(s.csv_bytes))],
    ]
    for key, name in MEMORY_NAMES.items():
        memory = [size.memory[key] for size in results.sizes]
        rows.append([f"{name}: tracemalloc peak", *(_size(used.traced) for used in memory)])
        rows.append([f"{name}: peak RSS growth", *(_rss_text(used.rss) for used in memory)])
    return rows


def _rss_text(rss: int | None) -> str:
    return "n/a" if rss is None else _size(rss)


def machine_summary() -> str:
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, fhir.resources {version('fhir.resources')}, "
        f"pydantic {version('pydantic')}"
    )


def print_results(results: Results) -> None:
    for title, headers, table_rows in (
        ("time (median of each row's rounds)", time_headers(results), time_rows(results)),
        (
            "bundle_json against fhir.resources' serialiser",
            BASELINE_HEADERS,
            baseline_rows(results),
        ),
        ("files and peak memory", size_headers(results), size_rows(results)),
    ):
        table = Table(title=title)
        for header in headers:
            table.add_column(header)
        for row in table_rows:
            table.add_row(*row)
        out.print(table)


def markdown_table(headers: list[str], table_rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows]
    return lines


def load_text(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.2f}" for value in load)


def record_lines(results: Results) -> list[str]:
    lines = []
    for size in results.sizes:
        record = size.record
        lines.append(
            f"- {record.label} ({record.days:,} days): {record.checkins:,} check-ins "
            f"({record.notes:,} with a note), {record.responses} questionnaires, "
            f"{record.medication_events} medication events, {record.goals} goals kept on "
            f"{record.kept_days:,} days, {record.impact} impact ratings, {record.questions} "
            f"questions, {record.safety_events} safety events"
        )
    return lines


def meaning_lines(results: Results) -> list[str]:
    """What the numbers mean for a person pressing "Download", from the numbers themselves."""
    small, large = results.sizes[0], results.largest
    lines = [
        "What a person waits for (the server's share; HTTP and the download itself come on top):",
        "",
    ]
    for size in results.sizes:
        lines.append(
            f"- {size.record.label}: the FHIR file ({_size(size.fhir_bytes)}) is ready in "
            f"{size.median_s(FHIR_EXPORT):.2f} s, the CSV zip ({_size(size.csv_bytes)}) in "
            f"{size.median_s(CSV_EXPORT):.2f} s; moving it into a new account takes "
            f"{size.median_s(FHIR_IMPORT):.2f} s from FHIR, {size.median_s(CSV_IMPORT):.2f} s "
            "from CSV."
        )
    extra = large.record.checkins - small.record.checkins
    if extra > 0:
        per_checkin = (
            (large.median_s(FHIR_EXPORT) - small.median_s(FHIR_EXPORT)) / extra * 1e3,
            (large.median_s(FHIR_IMPORT) - small.median_s(FHIR_IMPORT)) / extra * 1e3,
        )
        lines += [
            "",
            f"Both grow in proportion to the record: each further check-in (with its share of "
            f"questionnaires, ticks and ratings) adds about {per_checkin[0]:.2f} ms to the FHIR "
            f"export and {per_checkin[1]:.2f} ms to the FHIR import, between "
            f"{small.record.label} and {large.record.label}.",
        ]
    slow = [name for key, name in SHORT_NAMES.items() if large.median_s(key) > SLOW_S]
    if slow:
        lines += ["", f"Over {SLOW_S:g} s for {large.record.label}: {', '.join(slow)}."]
    return lines


def markdown_section(results: Results) -> str:
    rounds = results.rounds
    years = " ".join(str(size.record.years) for size in results.sizes)
    lines = [
        SECTION_START,
        f"{SECTION_TITLE} (`bench/export.py`)",
        "",
        f"- Run: {results.when:%Y-%m-%d %H:%M} UTC, `.venv/bin/python bench/export.py "
        f"--rounds {rounds} --years {years}` (or `make bench-export`)",
        f"- Machine: {machine_summary()}; the databases on {results.tmp_filesystem} "
        "(commits are synced)",
        f"- Load average (1/5/15 min) before: {load_text(results.load_before)}, "
        f"after: {load_text(results.load_after)}",
        "- Records: simulated (the demo's story, about one day in ten missed), entered through "
        "the services into a SQLite file, ending "
        f"{END.isoformat()}:",
        *record_lines(results),
        "",
        f"Each row: the median of {rounds} measured runs after one unmeasured warm-up, in one "
        "process; the rows take turns round by round, so a CI job on the same cores weighs on "
        "all of them alike, and each holds only what it needs (a Bundle kept alive would slow "
        "every full garbage collection of the next). *Best* and *spread* ((slowest - fastest) / "
        "median) are the largest record's. Each *end to end* runs in a "
        "session opened as the route opens it and includes the commit (an import goes into a "
        "fresh copy of an empty installation each round); the ↳ rows are its parts, each timed "
        "alone.",
        "",
        *markdown_table(time_headers(results), time_rows(results)),
        "",
        "`bundle_json` (`json.dumps`) against what it replaced, fhir.resources' serialiser on the "
        "same validated Bundle (*export with the serialiser*: end to end - `bundle_json` + "
        "`model_dump_json`):",
        "",
        *markdown_table(BASELINE_HEADERS, baseline_rows(results)),
        "",
        "Files, and peak memory of one call (each from its own run: *tracemalloc peak* is the "
        "Python objects the call allocated, not pydantic-core's or SQLite's own memory; *peak "
        "RSS growth* is VmHWM, reset through /proc/self/clear_refs, over VmRSS before, after "
        "`malloc_trim`: everything the process took from the system, less what it could reuse):",
        "",
        *markdown_table(size_headers(results), size_rows(results)),
        "",
        *meaning_lines(results),
        SECTION_END,
    ]
    return "\n".join(lines) + "\n"


def write_markdown(results: Results, output: Path) -> None:
    """Replace this benchmark's section (or an unmarked one of the same title), keeping
    everything else in the file."""
    section = markdown_section(results)
    text = output.read_text(encoding="utf-8") if output.exists() else "# Benchmarks\n"
    if SECTION_START in text and SECTION_END in text:
        head, rest = text.split(SECTION_START, 1)
        tail = rest.split(SECTION_END, 1)[1].removeprefix("\n")
        text = head + section + tail
    elif f"\n{SECTION_TITLE}" in text:
        head, rest = text.split(f"\n{SECTION_TITLE}", 1)
        after = rest.find("\n## ")
        tail = "" if after < 0 else rest[after + 1 :]
        text = head + "\n" + section + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    output.write_text(text, encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5, help="measured runs of each step")
    parser.add_argument(
        "--years",
        type=int,
        nargs="+",
        default=list(DEFAULT_YEARS),
        help="record lengths in years, smallest first",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="Markdown report")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="affectrange-bench-export-") as tmp:
        results = measure(args.rounds, sorted(args.years), Path(tmp))
    print_results(results)
    write_markdown(results, args.output)
    out.print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
