"""A person's whole record as a zip of CSV files, one per kind, and reading such a zip back.

The layout (`FILES` is the one definition; the README inside the zip and docs/data-export.md are
written from it, so the three cannot drift apart):

- `README.txt`: what every file and column means, in plain words.
- `person.csv` (one row), `checkins.csv`, `questionnaire_responses.csv`,
  `medication_events.csv`, `care_goals.csv`, `care_goal_days_kept.csv`, `impact_ratings.csv`,
  `appointment_questions.csv`, `safety_events.csv`, `contact_requests.csv`: one row per record,
  the column names on the first line. Every file is there even when it holds no rows, so a
  reader (person or program) never has to guess whether a kind was left out or is empty.

Decisions, and why:

- **A questionnaire's answers are one JSON object in one cell** (`{"q1": 2, "q2": 1}`), in the
  instrument's item order. One column per answer would need the union of every instrument's
  items (PHQ-9's q1..q10, PCL-5's q1..q20, AUDIT-C's "sex", ...) with most cells empty and the
  same name meaning different questions in different rows; a JSON cell keeps each row
  self-contained, keeps answer types (AUDIT-C's "F" stays text, 2 stays a number) and reads
  back exactly. The computed `total` beside it is what a spreadsheet user sorts and charts.
- **The days a goal was kept are their own file**, one row per day, linked by `goal_number`.
  A `;`-joined cell grows to hundreds of dates for a year-long goal and cannot be filtered or
  counted in a spreadsheet; a row per day can.
- **Computed columns** (the daily means, a questionnaire's total) are for spreadsheet users.
  An import works them out again, exactly as the FHIR import does for its derived
  Observations, and refuses a file where they disagree: the file was changed or damaged.
- **Formula injection.** A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` (and,
  in some, a tab or carriage return) as a formula, so a note such as "-sad day" or "=1+1" in an
  opened export could compute, or worse. Every text cell that begins with one of those
  characters, after any number of `'`, is written with one more `'` in front; an import
  removes exactly that one. The rule is its own inverse for every text, so a round trip is
  exact: "=1+1" is written "'=1+1", "'=x" is written "''=x", and "'tis" is left alone.
- **Every text cell is in double quotes; numbers are not** (`csv.QUOTE_NONNUMERIC`). With `\\n`
  line ends the csv module quotes a field for a newline but not for a lone carriage return, which
  would then split the row on reading; quoting all text makes any note safe, and leaving
  numbers bare keeps them numbers for every tool.
- **Deterministic bytes**: fixed member order, a fixed member time (1980-01-01, the earliest a
  zip can say), fixed permissions and compression, and floats as Python's shortest exact text,
  so the same record always gives the same zip and a round trip loses nothing.
- **Reading refuses the whole zip** at the first problem, before anything is returned, and says
  where: `{source}: checkins.csv line 7, column sleep_hours: ...`. The values go through the same
  record models as the FHIR import, so both formats keep the same rules. Members are read with a
  size cap whatever their header claims, so a small zip cannot unpack to gigabytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import math
import re
import textwrap
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError

from affectrange.analysis.items import (
    BLUNTING_ITEMS,
    EVENT_MAX,
    EVENT_MIN,
    ITEM_IDS,
    ITEM_MAX,
    ITEM_MIN,
    ITEMS_BY_ID,
    NEGATIVE_ITEMS,
    POSITIVE_ITEMS,
)
from affectrange.careplan.impact import IMPACT_ANSWERS, IMPACT_ITEMS
from affectrange.careplan.models import MAX_TIMES_PER_WEEK, MIN_TIMES_PER_WEEK
from affectrange.checkins.schemas import MAX_DRINKS, MINUTES_PER_DAY
from affectrange.instruments.model import Instrument, InvalidAnswer
from affectrange.instruments.registry import UnknownInstrument, get_instrument
from affectrange.medications.models import MAX_DOSE_MG, MedicationEventKind
from affectrange.portability.fhir_export import SCORE_DECIMALS, daily_mean
from affectrange.portability.fhir_import import ImportRefused
from affectrange.portability.schemas import (
    CheckinRecord,
    ContactRecord,
    GoalRecord,
    ImpactRecord,
    MedicationRecord,
    PersonalData,
    PersonRecord,
    QuestionRecord,
    ResponseRecord,
    SafetyEventRecord,
    SafetySourceKind,
)
from affectrange.preparation.models import MAX_QUESTIONS
from affectrange.questionnaires.models import ResponseStatus
from affectrange.safety_events.models import SafetySignal

MAX_UNCOMPRESSED_BYTES: Final = 64 * 1024 * 1024
"""The most the zip may unpack to, all members together: `service.MAX_IMPORT_BYTES`, the
bound on an uploaded file (not imported from there: the service imports this module)."""

README_NAME: Final = "README.txt"
ZIP_TIMESTAMP: Final = (1980, 1, 1, 0, 0, 0)
"""Every member's time: the earliest a zip can hold. The export's date is in its file name;
a time here would make two exports of the same record differ."""
ZIP_COMPRESSLEVEL: Final = 9
_UNIX: Final = 3
"""`create_system` of the members: fixed, so the bytes do not depend on the exporting OS."""
_FILE_MODE: Final = 0o100644 << 16
"""A regular file, readable by all, writable by its owner, once unpacked."""

FORMULA_STARTS: Final = frozenset("=+-@\t\r")
"""First characters that make a spreadsheet treat a cell as a formula (OWASP's list)."""
TEXT_GUARD: Final = "'"

_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")
"""A zip's first bytes: a member's local header, or the end record of an empty zip."""


class Kind(Enum):
    """What a column holds; the value is how README.txt and the docs name it."""

    TEXT = "text"
    WHOLE = "whole number"
    NUMBER = "number"
    DATE = "date YYYY-MM-DD"
    TIME = "time, ISO 8601 in UTC"
    BOOLEAN = "true or false"
    JSON = "JSON object"
    MEAN = f"number, {SCORE_DECIMALS} decimals"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind
    meaning: str
    optional: bool = False
    """An empty cell means "not given" (None)."""
    computed: bool = False
    """Worked out from other columns: written for reading, checked again on import."""


@dataclass(frozen=True, slots=True)
class CsvFile:
    name: str
    row: str
    """What one row is, in a sentence."""
    columns: tuple[Column, ...]

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


def _item_column(item_id: str) -> Column:
    label = ITEMS_BY_ID[item_id].label.lower()
    return Column(
        item_id,
        Kind.WHOLE,
        f'How much the person felt "{label}" that day, {ITEM_MIN} (not at all) to '
        f"{ITEM_MAX} (extremely).",
    )


def _mean_column(name: str, what: str, items: Iterable[str]) -> Column:
    return Column(
        name,
        Kind.MEAN,
        f"{what}: the mean of {', '.join(items)}, on the same {ITEM_MIN}-{ITEM_MAX} scale.",
        computed=True,
    )


_IMPACT_SCALE: Final = ", ".join(f"{value} {words.lower()}" for value, words in IMPACT_ANSWERS)

PERSON: Final = CsvFile(
    "person.csv",
    "One row: the person whose record this is.",
    (
        Column("display_name", Kind.TEXT, "The name the person goes by in the app."),
        Column("email", Kind.TEXT, "The e-mail address of the account."),
        Column("timezone", Kind.TEXT, "Where the person lives, as a time zone name."),
    ),
)
CHECKINS: Final = CsvFile(
    "checkins.csv",
    "One row per day with a check-in.",
    (
        Column("ref", Kind.TEXT, "The check-in's name within this export (safety events use it)."),
        Column("day", Kind.DATE, "The day the check-in is about, in the person's time zone."),
        *(_item_column(item_id) for item_id in ITEM_IDS),
        Column(
            "event_pleasantness",
            Kind.WHOLE,
            f"How pleasant the day's most important event was, {EVENT_MIN} (very unpleasant) "
            f"to {EVENT_MAX} (very pleasant).",
            optional=True,
        ),
        Column("sleep_hours", Kind.NUMBER, "Hours slept the night before, 0 to 24.", optional=True),
        Column(
            "exercise_minutes",
            Kind.WHOLE,
            f"Minutes of exercise, 0 to {MINUTES_PER_DAY}.",
            optional=True,
        ),
        Column(
            "social_minutes",
            Kind.WHOLE,
            f"Minutes spent with other people, 0 to {MINUTES_PER_DAY}.",
            optional=True,
        ),
        Column(
            "alcohol_drinks", Kind.WHOLE, f"Alcoholic drinks, 0 to {MAX_DRINKS}.", optional=True
        ),
        Column("other_substances", Kind.TEXT, "Other substances, in the person's words.", True),
        Column("note", Kind.TEXT, "The day's note, in the person's words.", optional=True),
        Column(
            "backfilled",
            Kind.BOOLEAN,
            "true when the check-in was entered on a later day than the one it is about.",
        ),
        Column("updated_at", Kind.TIME, "When the check-in was last saved."),
        _mean_column("positive_affect", "Positive feelings", POSITIVE_ITEMS),
        _mean_column("negative_affect", "Negative feelings", NEGATIVE_ITEMS),
        _mean_column("numbness", "Emotional numbness", BLUNTING_ITEMS),
    ),
)
RESPONSES: Final = CsvFile(
    "questionnaire_responses.csv",
    "One row per questionnaire filled in, or begun and not yet finished.",
    (
        Column("ref", Kind.TEXT, "The response's name within this export (safety events use it)."),
        Column("instrument", Kind.TEXT, "Which questionnaire: phq9, gad7, pcl5, ..."),
        Column(
            "instrument_version", Kind.TEXT, "The version of the questionnaire's definition used."
        ),
        Column(
            "status",
            Kind.TEXT,
            f"{ResponseStatus.COMPLETED} (finished and scored) or {ResponseStatus.IN_PROGRESS} "
            "(begun, not finished).",
        ),
        Column("started_at", Kind.TIME, "When the first answer was given."),
        Column("updated_at", Kind.TIME, "When an answer was last given or changed."),
        Column("completed_at", Kind.TIME, "When it was finished; empty if not finished.", True),
        Column(
            "completed_on",
            Kind.DATE,
            "The day it was finished, in the person's time zone; empty if not finished.",
            optional=True,
        ),
        Column(
            "answers",
            Kind.JSON,
            'The answers given, by item: {"q1": 2, "q2": 0, ...}. Items not answered are left '
            "out. The values are the answer codes of the questionnaire (for most, the points).",
        ),
        Column(
            "total",
            Kind.WHOLE,
            "The questionnaire's total score from the answers; empty if not finished.",
            optional=True,
            computed=True,
        ),
    ),
)
MEDICATIONS: Final = CsvFile(
    "medication_events.csv",
    "One row per change on the medication timeline: a start, a dose change or a stop.",
    (
        Column("ref", Kind.TEXT, "The event's name within this export (safety events use it)."),
        Column("medication", Kind.TEXT, "The medication's name, as the person entered it."),
        Column("rxcui", Kind.TEXT, "Its RxNorm code (digits), where the app knows it.", True),
        Column(
            "event",
            Kind.TEXT,
            f"{MedicationEventKind.START}, {MedicationEventKind.DOSE_CHANGE} (a new daily dose) "
            f"or {MedicationEventKind.STOP}.",
        ),
        Column("day", Kind.DATE, "The day of the change."),
        Column(
            "dose_mg",
            Kind.NUMBER,
            f"The daily dose from that day, in mg (above 0, at most {MAX_DOSE_MG}); "
            "empty for a stop.",
            optional=True,
        ),
        Column("note", Kind.TEXT, "A note, in the person's words.", optional=True),
    ),
)
GOALS: Final = CsvFile(
    "care_goals.csv",
    "One row per active period of a care-plan goal (pausing a goal ends its period; taking it "
    "up again later starts a new row).",
    (
        Column(
            "goal_number",
            Kind.WHOLE,
            "The goal's number in this export: care_goal_days_kept.csv refers to it.",
        ),
        Column("strategy_id", Kind.TEXT, "The care-plan strategy the goal comes from."),
        Column("title", Kind.TEXT, "The goal, in the person's words."),
        Column(
            "times_per_week",
            Kind.WHOLE,
            f"How often a week the person means to do it, {MIN_TIMES_PER_WEEK} to "
            f"{MAX_TIMES_PER_WEEK}.",
        ),
        Column("started_on", Kind.DATE, "The first day of the period."),
        Column(
            "ended_on",
            Kind.DATE,
            "The last day of the period, for a paused goal; empty while it is active.",
            optional=True,
        ),
    ),
)
GOAL_DAYS: Final = CsvFile(
    "care_goal_days_kept.csv",
    "One row per day a goal was kept (ticked with that day's check-in).",
    (
        Column("goal_number", Kind.WHOLE, "The goal, by its goal_number in care_goals.csv."),
        Column("day", Kind.DATE, "A day the goal was kept, within the goal's period."),
    ),
)
IMPACT: Final = CsvFile(
    "impact_ratings.csv",
    "One row per month the person rated how feeling numb affected them (our own four "
    f"questions, not a validated scale). Each answer is {_IMPACT_SCALE}.",
    (
        Column("month", Kind.DATE, "The first day of the month rated."),
        *(Column(item.id, Kind.WHOLE, f'"{item.text}"') for item in IMPACT_ITEMS),
    ),
)
QUESTIONS: Final = CsvFile(
    "appointment_questions.csv",
    f"One row per question the person wants to ask at an appointment, in their order "
    f"(at most {MAX_QUESTIONS}).",
    (
        Column("ref", Kind.TEXT, "The question's name within this export (safety events use it)."),
        Column("text", Kind.TEXT, "The question, in the person's words."),
    ),
)
SAFETY: Final = CsvFile(
    "safety_events.csv",
    "One row per time an answer or a note showed the crisis card.",
    (
        Column("occurred_at", Kind.TIME, "When it happened."),
        Column(
            "signal",
            Kind.TEXT,
            f"{SafetySignal.PHQ9_ITEM9} (PHQ-9 item 9 answered 1 or more) or "
            f"{SafetySignal.NOTE_LANGUAGE} (crisis words in a note or question).",
        ),
        Column(
            "item_value",
            Kind.WHOLE,
            "The answer to PHQ-9 item 9, 1 to 3; empty for a note.",
            optional=True,
        ),
        Column(
            "source",
            Kind.TEXT,
            "What raised it: checkin, questionnaire_response, medication_event or "
            "appointment_question.",
        ),
        Column(
            "source_ref",
            Kind.TEXT,
            "The ref of that record in this export; empty when it was deleted before the export.",
            optional=True,
        ),
    ),
)
CONTACTS: Final = CsvFile(
    "contact_requests.csv",
    "One row per message the person sent to a provider through the therapist finder.",
    (
        Column("practitioner_npi", Kind.TEXT, "The provider's NPI (10 digits)."),
        Column("practitioner_name", Kind.TEXT, "The provider's name as listed then."),
        Column("reply_to", Kind.TEXT, "The address the person asked to be answered at."),
        Column("message", Kind.TEXT, "The message, in the person's words."),
        Column("created_at", Kind.TIME, "When it was sent."),
        Column(
            "delivery",
            Kind.TEXT,
            "emailed, no_address (the listing had no e-mail address) or failed.",
        ),
    ),
)

FILES: Final[tuple[CsvFile, ...]] = (
    PERSON,
    CHECKINS,
    RESPONSES,
    MEDICATIONS,
    GOALS,
    GOAL_DAYS,
    IMPACT,
    QUESTIONS,
    SAFETY,
    CONTACTS,
)
"""Every file of the zip, in the order it is written."""

_README_INTRO: Final = """\
AffectRange: your whole record as CSV files

This zip holds one CSV file for each kind of record. Every file is here even when you have no
records of that kind; it then holds only its first line, the column names. The files are UTF-8
text, with commas between cells and the column names on the first line. Dates are written
YYYY-MM-DD. Times are ISO 8601 in UTC, with the offset: 2026-03-04T20:01:02.123456+00:00.
Yes-or-no columns hold true or false. An empty cell means the value was not given.

Columns marked "computed" are worked out from other columns, for reading in a spreadsheet.
When the zip is imported they are worked out again and must agree; if they do not, the file
was changed or damaged and nothing is imported.

Text that begins with =, +, -, @, a tab or a carriage return could run as a formula when a
spreadsheet opens the file. Such text is written with a ' in front of it (text that already
begins with ' before one of these characters gets one more). An import takes exactly that
one ' away again, so your words come back as you wrote them.

An import goes into a new, empty account. If you change the files first, keep the column
names, save them as CSV in UTF-8, and zip them again without a folder around them."""


def readme_text() -> str:
    """README.txt: the introduction, then one paragraph per file naming every column."""
    return "\n\n".join((_README_INTRO, *(_describe(file) for file in FILES))) + "\n"


def _describe(file: CsvFile) -> str:
    # No break inside "e-mail" or "YYYY-MM-DD".
    wrap = functools.partial(textwrap.wrap, width=_README_WIDTH, break_on_hyphens=False)
    lines = wrap(f"{file.name}: {file.row}")
    for column in file.columns:
        notes = [column.kind.value]
        if column.optional:
            notes.append("may be empty")
        if column.computed:
            notes.append("computed")
        entry = f"{column.name} ({', '.join(notes)}): {column.meaning}"
        lines += wrap(entry, initial_indent="  ", subsequent_indent="    ")
    return "\n".join(lines)


_README_WIDTH: Final = 96


# Formula guard ---------------------------------------------------------------------------------


def guard_text(text: str) -> str:
    """The text as a cell a spreadsheet will not run as a formula; `unguard_text` inverts it."""
    # Guarded: a trigger first, or after quotes (so that `unguard_text` can tell a guard it
    # added from a quote the person typed). "" has no first character and is left alone.
    if text.lstrip(TEXT_GUARD)[:1] in FORMULA_STARTS:
        return TEXT_GUARD + text
    return text


def unguard_text(cell: str) -> str:
    # Exactly the cells `guard_text` changed: a guard, any further quotes, then a trigger.
    if cell.startswith(TEXT_GUARD) and cell.lstrip(TEXT_GUARD)[:1] in FORMULA_STARTS:
        return cell[1:]
    return cell


# Writing -----------------------------------------------------------------------------------------

_Cell = str | int | float | Decimal | None
_Row = Mapping[str, Any]


def is_zip(content: bytes) -> bool:
    return content[:4] in _ZIP_MAGIC


def write_zip(data: PersonalData) -> bytes:
    """The record as a zip; the same record always gives the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add_member(archive, README_NAME, readme_text())
        for file, rows in _tables(data):
            _add_member(archive, file.name, _csv_text(file, rows))
    return buffer.getvalue()


def _add_member(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = _UNIX
    info.external_attr = _FILE_MODE
    archive.writestr(info, text.encode("utf-8"), compresslevel=ZIP_COMPRESSLEVEL)


def _csv_text(file: CsvFile, rows: Iterable[_Row]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    # The header is text too; written plainly so it reads as the column names it is.
    buffer.write(",".join(file.header) + "\n")
    for row in rows:
        writer.writerow([_cell(column, row[column.name]) for column in file.columns])
    return buffer.getvalue()


def _cell(column: Column, value: Any) -> _Cell:
    return None if value is None else _WRITERS[column.kind](value)


def _time_text(value: dt.datetime) -> str:
    # Always with microseconds: every time has the same width, so text order is time order.
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


_WRITERS: Final[dict[Kind, Callable[[Any], _Cell]]] = {
    Kind.TEXT: lambda value: guard_text(str(value)),
    Kind.WHOLE: int,
    Kind.NUMBER: float,  # the csv module writes a float's repr(): its shortest exact text
    Kind.MEAN: Decimal,
    Kind.DATE: lambda value: str(value.isoformat()),
    Kind.TIME: _time_text,
    Kind.BOOLEAN: lambda value: "true" if value else "false",
    Kind.JSON: lambda value: json.dumps(value, ensure_ascii=False),
}


def _tables(data: PersonalData) -> Iterator[tuple[CsvFile, Iterable[_Row]]]:
    yield PERSON, [data.person.model_dump()]
    yield CHECKINS, [_checkin_row(record) for record in data.checkins]
    yield RESPONSES, [_response_row(record) for record in data.responses]
    yield MEDICATIONS, [record.model_dump() for record in data.medications]
    yield (
        GOALS,
        [
            {"goal_number": number, **goal.model_dump(exclude={"kept_days"})}
            for number, goal in enumerate(data.goals, start=1)
        ],
    )
    yield (
        GOAL_DAYS,
        [
            {"goal_number": number, "day": day}
            for number, goal in enumerate(data.goals, start=1)
            for day in goal.kept_days
        ],
    )
    yield IMPACT, [{"month": rating.month, **rating.scores} for rating in data.impact]
    yield QUESTIONS, [record.model_dump() for record in data.questions]
    yield SAFETY, [record.model_dump() for record in data.safety_events]
    yield CONTACTS, [record.model_dump() for record in data.contacts]


_MEANS: Final = (
    ("positive_affect", POSITIVE_ITEMS),
    ("negative_affect", NEGATIVE_ITEMS),
    ("numbness", BLUNTING_ITEMS),
)


def _checkin_row(record: CheckinRecord) -> _Row:
    means = {name: daily_mean(record, items) for name, items in _MEANS}
    return {**record.model_dump(exclude={"items"}), **record.items, **means}


def _response_row(record: ResponseRecord) -> _Row:
    instrument = _known_instrument(record.instrument)
    total = None
    if instrument is not None and record.status is ResponseStatus.COMPLETED:
        total = instrument.score(record.answers).total
    return {**record.model_dump(), "answers": _ordered_answers(record, instrument), "total": total}


def _known_instrument(instrument_id: str) -> Instrument | None:
    try:
        return get_instrument(instrument_id)
    except UnknownInstrument:
        return None  # written as it is; an import then refuses it by name


def _ordered_answers(record: ResponseRecord, instrument: Instrument | None) -> dict[str, Any]:
    # The instrument's order reads naturally (q2 before q10) and, unlike the order the database
    # hands back (PostgreSQL's jsonb sorts keys its own way), is the same on every system.
    order = [item.id for item in instrument.items] if instrument is not None else []
    known = [item_id for item_id in order if item_id in record.answers]
    rest = sorted(set(record.answers) - set(known))
    return {item_id: record.answers[item_id] for item_id in (*known, *rest)}


# Reading -----------------------------------------------------------------------------------------

_WHOLE: Final = re.compile(r"-?[0-9]{1,18}")
_NUMBER: Final = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?")
_MEAN: Final = re.compile(r"-?[0-9]{1,6}(\.[0-9]{1,20})?")
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NOT_UTF8: Final = re.compile("[\udc80-\udcff]")
"""What `surrogateescape` decodes a byte that is not UTF-8 to."""
_UNREADABLE_ZIP: Final = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,  # an encrypted member
    NotImplementedError,  # a compression method zipfile lacks
    ValueError,
)

_M = TypeVar("_M", bound=BaseModel)
_V = TypeVar("_V")


class _BadCell(ValueError):
    """A cell that is not a value of its column's kind; the message says what it should be."""


@dataclass(frozen=True, slots=True)
class _ReadRow:
    line: int
    """The line the row starts on (a note with line breaks spans several)."""
    cells: Mapping[str, str]
    values: Mapping[str, Any]
    """The cells as values of their column's kind; None for an empty optional cell."""


@dataclass(frozen=True, slots=True)
class _Table:
    file: CsvFile
    source: str
    rows: tuple[_ReadRow, ...] = ()

    def refuse(self, line: int | None, column: str | None, problem: str) -> ImportRefused:
        place = f"{self.source}: {self.file.name}"
        if line is not None:
            place += f" line {line}"
        if column is not None:
            place += f", column {column}"
        return ImportRefused(f"{place}: {problem}")


def read_zip(content: bytes, *, source: str) -> PersonalData:
    """The record in an AffectRange CSV export; ImportRefused names the file, line and column
    of the first problem, and nothing is returned unless everything is right."""
    members = _unpack(content, source)
    tables = {file.name: _parse_table(file, members[file.name], source) for file in FILES}
    return _RecordReader(tables, source).record()


def _unpack(content: bytes, source: str) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except _UNREADABLE_ZIP as error:
        raise ImportRefused(f"{source}: not a readable zip file ({error})") from None
    with archive:
        infos = archive.infolist()
        _check_member_names([info.filename for info in infos], source)
        members: dict[str, bytes] = {}
        for info in infos:
            if info.filename == README_NAME:
                continue  # documentation for people; an import does not need it
            # What is left of the limit, so all members together never hold more in memory.
            budget = MAX_UNCOMPRESSED_BYTES - sum(len(data) for data in members.values())
            members[info.filename] = _read_member(archive, info, source, budget)
    return members


def _limit_words() -> str:
    return f"{MAX_UNCOMPRESSED_BYTES // 2**20} MB, more than any record holds"


def _check_member_names(names: list[str], source: str) -> None:
    expected = [README_NAME, *(file.name for file in FILES)]
    for name in names:
        if name not in expected:
            raise ImportRefused(
                f"{source}: {name!r} is not part of an AffectRange CSV export, which holds "
                f"only {', '.join(expected)} (zip the files without a folder around them)"
            )
        if names.count(name) > 1:
            raise ImportRefused(f"{source}: {name} is in the zip twice")
    for file in FILES:
        if file.name not in names:
            raise ImportRefused(
                f"{source}: the zip has no {file.name}; an export holds every file, a file "
                "with only its header line when there are no records of that kind"
            )


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, budget: int
) -> bytes:
    # The header's size is checked first (cheap, refuses an honest bomb), and the read is
    # capped anyway, because the header is whatever the zip's maker wrote.
    if info.file_size > budget:
        raise _too_large(info, source)
    try:
        with archive.open(info) as stream:
            data = stream.read(budget + 1)
    except _UNREADABLE_ZIP as error:
        raise ImportRefused(f"{source}: {info.filename} cannot be unpacked ({error})") from None
    if len(data) > budget:
        raise _too_large(info, source)
    return data


def _too_large(info: zipfile.ZipInfo, source: str) -> ImportRefused:
    # Name the member when it alone is too large; else it is the members together.
    what = info.filename if info.file_size > MAX_UNCOMPRESSED_BYTES else "the zip"
    return ImportRefused(f"{source}: {what} unpacks to more than {_limit_words()}")


def _parse_table(file: CsvFile, content: bytes, source: str) -> _Table:
    table = _Table(file, source)
    # Bytes that are not UTF-8 become lone surrogates here, so the message can name their line
    # and column; a byte-order mark (spreadsheets write one) is allowed and dropped.
    text = content.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        header = _read_header(table, next(reader, None))
        rows: list[_ReadRow] = []
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if any(cells):  # a blank line, or a spreadsheet's row of empty cells, is no row
                rows.append(_read_row(table, header, cells, start))
    except csv.Error as error:
        raise table.refuse(line, None, f"not readable as CSV ({error})") from None
    return _Table(file, source, tuple(rows))


def _read_header(table: _Table, header: list[str] | None) -> tuple[str, ...]:
    expected = table.file.header
    if not header:
        raise table.refuse(
            1, None, f"empty; the first line must name the columns: {','.join(expected)}"
        )
    for position, name in enumerate(header, start=1):
        if _NOT_UTF8.search(name):
            raise table.refuse(1, str(position), "not UTF-8 text; save the file as UTF-8")
        if name not in expected:
            raise table.refuse(
                1, name, f"not a column of {table.file.name}; its columns are {', '.join(expected)}"
            )
        if header.count(name) > 1:
            raise table.refuse(1, name, "named twice")
    missing = [name for name in expected if name not in header]
    if missing:
        raise table.refuse(1, None, f"missing column {', '.join(missing)}")
    return tuple(header)


def _read_row(table: _Table, header: tuple[str, ...], cells: list[str], line: int) -> _ReadRow:
    if len(cells) != len(header):
        raise table.refuse(
            line, None, f"{len(cells)} cells, but the header names {len(header)} columns"
        )
    by_name = dict(zip(header, cells, strict=True))
    values: dict[str, Any] = {}
    for column in table.file.columns:
        cell = by_name[column.name]
        if _NOT_UTF8.search(cell):
            raise table.refuse(line, column.name, "not UTF-8 text; save the file as UTF-8")
        try:
            values[column.name] = _value(column, cell)
        except _BadCell as error:
            raise table.refuse(line, column.name, str(error)) from None
    return _ReadRow(line, by_name, values)


def _value(column: Column, cell: str) -> Any:
    if cell == "":
        if column.optional:
            return None
        if column.kind is Kind.TEXT:
            return ""  # a required text may still be empty; the record's rules decide
        raise _BadCell("empty, and this column needs a value")
    return _READERS[column.kind](cell)


def _matching(pattern: re.Pattern[str], cell: str, what: str, convert: Callable[[str], _V]) -> _V:
    if not pattern.fullmatch(cell):
        raise _BadCell(f"{_shown(cell)} is not {what}")
    try:
        return convert(cell)
    except ValueError:
        raise _BadCell(f"{_shown(cell)} is not {what}") from None


def _number(cell: str) -> float:
    value = _matching(_NUMBER, cell, "a number", float)
    if not math.isfinite(value):
        raise _BadCell(f"{_shown(cell)} is too large")
    return value


def _time(cell: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(cell)
    except ValueError:
        raise _BadCell(f"{_shown(cell)} is not a time (ISO 8601)") from None
    if moment.utcoffset() is None:
        raise _BadCell(f"{_shown(cell)} needs its UTC offset, as in 2026-03-04T20:01:02+00:00")
    return moment


def _boolean(cell: str) -> bool:
    # Spreadsheets write TRUE and FALSE when they save; the meaning is the same.
    match cell.lower():
        case "true":
            return True
        case "false":
            return False
        case _:
            raise _BadCell(f"{_shown(cell)} is not true or false")


def _answers(cell: str) -> dict[str, int | str]:
    try:
        answers = json.loads(cell)
    except json.JSONDecodeError as error:
        raise _BadCell(f"not JSON ({error.msg} at character {error.pos + 1})") from None
    except RecursionError:  # "[[[[..." deeper than the parser goes
        raise _BadCell('not a JSON object of answers, as in {"q1": 2}') from None
    if not isinstance(answers, dict):
        raise _BadCell('not a JSON object of answers, as in {"q1": 2}')
    for item_id, value in answers.items():
        # bool is an int in Python; an answer never is one.
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise _BadCell(f"the answer to {item_id!r} is {json.dumps(value)}, not a code")
    return answers


_READERS: Final[dict[Kind, Callable[[str], Any]]] = {
    Kind.TEXT: unguard_text,
    Kind.WHOLE: lambda cell: _matching(_WHOLE, cell, "a whole number", int),
    Kind.NUMBER: _number,
    Kind.MEAN: lambda cell: _matching(_MEAN, cell, "a number", Decimal),
    Kind.DATE: lambda cell: _matching(_DATE, cell, "a date (YYYY-MM-DD)", dt.date.fromisoformat),
    Kind.TIME: _time,
    Kind.BOOLEAN: _boolean,
    Kind.JSON: _answers,
}
"""How a non-empty cell of each kind is read; each raises _BadCell saying what it should be."""


def _error_column(location: tuple[int | str, ...], file: CsvFile) -> str | None:
    """The column a record's validation error is about; None for a rule about the whole row."""
    if not location:
        return None
    name = location[1] if location[0] in ("items", "scores") and len(location) > 1 else location[0]
    return name if isinstance(name, str) and name in file.header else None


def _shown(cell: str) -> str:
    """A cell as a message quotes it: cut short, because a note can be 4000 characters."""
    return repr(cell if len(cell) <= _SHOWN_CHARACTERS else cell[:_SHOWN_CHARACTERS] + "...")


_SHOWN_CHARACTERS: Final = 40


def _model_fields(model: type[BaseModel], values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: values[name] for name in model.model_fields if name in values}


class _RecordReader:
    """Turns the parsed tables into a `PersonalData`, checking what spans rows and files."""

    def __init__(self, tables: Mapping[str, _Table], source: str) -> None:
        self._tables = tables
        self._source = source
        self._refs: dict[str, tuple[SafetySourceKind, str, int]] = {}
        """Every ref seen: what it names, and the file and line that gave it."""

    def record(self) -> PersonalData:
        person = self._person()
        checkins = self._checkins()
        responses = self._responses()
        medications = self._with_refs(MEDICATIONS, MedicationRecord, "medication_event")
        questions = self._questions()
        goals = self._goals()
        impact = self._impact()
        safety = self._safety_events()
        contacts = tuple(
            self._build(self._table(CONTACTS), row, ContactRecord, row.values)
            for row in self._table(CONTACTS).rows
        )
        try:
            return PersonalData(
                person=person,
                checkins=checkins,
                responses=responses,
                medications=medications,
                goals=goals,
                impact=impact,
                questions=questions,
                safety_events=safety,
                contacts=contacts,
            )
        except ValidationError as error:
            # Each rule across rows is checked above, naming the line; this is the safety net.
            first = error.errors()[0]
            raise ImportRefused(f"{self._source}: {first['msg']}") from None

    def _table(self, file: CsvFile) -> _Table:
        return self._tables[file.name]

    def _build(
        self, table: _Table, row: _ReadRow, model: type[_M], values: Mapping[str, Any]
    ) -> _M:
        try:
            return model.model_validate(_model_fields(model, values))
        except ValidationError as error:
            first = error.errors()[0]
            column = _error_column(tuple(first["loc"]), table.file)
            problem = str(first["msg"]).removeprefix("Value error, ")
            if column is not None:
                problem = f"{_shown(row.cells[column])}: {problem}"
            raise table.refuse(row.line, column, problem) from None

    def _claim_ref(self, table: _Table, row: _ReadRow, ref: str, kind: SafetySourceKind) -> None:
        if ref in self._refs:
            _, name, line = self._refs[ref]
            raise table.refuse(row.line, "ref", f"{ref!r} is already the ref of {name} line {line}")
        self._refs[ref] = (kind, table.file.name, row.line)

    def _with_refs(self, file: CsvFile, model: type[_M], kind: SafetySourceKind) -> tuple[_M, ...]:
        table = self._table(file)
        records: list[_M] = []
        for row in table.rows:
            records.append(self._build(table, row, model, row.values))
            self._claim_ref(table, row, row.values["ref"], kind)
        return tuple(records)

    def _person(self) -> PersonRecord:
        table = self._table(PERSON)
        if not table.rows:
            raise table.refuse(2, None, "no row; this file holds one row, the person")
        if len(table.rows) > 1:
            raise table.refuse(
                table.rows[1].line, None, "a second person; an export is one person's record"
            )
        return self._build(table, table.rows[0], PersonRecord, table.rows[0].values)

    def _checkins(self) -> tuple[CheckinRecord, ...]:
        table = self._table(CHECKINS)
        days: dict[dt.date, int] = {}
        records: list[CheckinRecord] = []
        for row in table.rows:
            items = {item_id: row.values[item_id] for item_id in ITEM_IDS}
            record = self._build(table, row, CheckinRecord, {**row.values, "items": items})
            if record.day in days:
                raise table.refuse(
                    row.line,
                    "day",
                    f"{record.day} already has a check-in, at line {days[record.day]}",
                )
            days[record.day] = row.line
            self._claim_ref(table, row, record.ref, "checkin")
            self._check_means(table, row, record)
            records.append(record)
        return tuple(records)

    def _check_means(self, table: _Table, row: _ReadRow, record: CheckinRecord) -> None:
        for name, items in _MEANS:
            expected = daily_mean(record, items)
            stated: Decimal = row.values[name]
            if round(stated, SCORE_DECIMALS) != expected:
                raise table.refuse(
                    row.line,
                    name,
                    f"gives {row.cells[name]} but the row's items give {expected}: "
                    "the file was changed or damaged",
                )

    def _responses(self) -> tuple[ResponseRecord, ...]:
        table = self._table(RESPONSES)
        records: list[ResponseRecord] = []
        for row in table.rows:
            record = self._build(table, row, ResponseRecord, row.values)
            self._claim_ref(table, row, record.ref, "questionnaire_response")
            self._check_total(table, row, record)
            records.append(record)
        return tuple(records)

    def _check_total(self, table: _Table, row: _ReadRow, record: ResponseRecord) -> None:
        try:
            instrument = get_instrument(record.instrument)
        except UnknownInstrument as error:
            raise table.refuse(row.line, "instrument", str(error)) from None
        try:
            result = instrument.score(record.answers)
        except InvalidAnswer as error:
            raise table.refuse(row.line, "answers", str(error)) from None
        stated = row.values["total"]
        if record.status is not ResponseStatus.COMPLETED:
            if stated is not None:
                raise table.refuse(
                    row.line, "total", "an unfinished response has no total; leave it empty"
                )
            return
        if stated != result.total:
            given = "is empty" if stated is None else f"gives {stated}"
            raise table.refuse(
                row.line,
                "total",
                f"{given} but the answers score {result.total} on {instrument.name}: "
                "the file was changed or damaged",
            )

    def _questions(self) -> tuple[QuestionRecord, ...]:
        table = self._table(QUESTIONS)
        if len(table.rows) > MAX_QUESTIONS:
            raise table.refuse(
                table.rows[MAX_QUESTIONS].line,
                None,
                f"question {MAX_QUESTIONS + 1}; the list holds at most {MAX_QUESTIONS}",
            )
        return self._with_refs(QUESTIONS, QuestionRecord, "appointment_question")

    def _goals(self) -> tuple[GoalRecord, ...]:
        table = self._table(GOALS)
        goals: dict[int, tuple[_ReadRow, GoalRecord]] = {}
        for row in table.rows:
            number = row.values["goal_number"]
            if number in goals:
                line = goals[number][0].line
                raise table.refuse(row.line, "goal_number", f"{number} is already line {line}'s")
            goals[number] = (row, self._build(table, row, GoalRecord, row.values))
        kept = self._days_kept(goals)
        # Built again with the days: the record's own rules then hold for the goal as a whole.
        return tuple(
            self._build(table, row, GoalRecord, {**row.values, "kept_days": tuple(kept[number])})
            for number, (row, _) in goals.items()
        )

    def _days_kept(
        self, goals: Mapping[int, tuple[_ReadRow, GoalRecord]]
    ) -> dict[int, list[dt.date]]:
        table = self._table(GOAL_DAYS)
        kept: dict[int, list[dt.date]] = {number: [] for number in goals}
        for row in table.rows:
            number, day = row.values["goal_number"], row.values["day"]
            if number not in goals:
                raise table.refuse(
                    row.line, "goal_number", f"{number} is not a goal_number in {GOALS.name}"
                )
            goal = goals[number][1]
            if not goal.started_on <= day <= (goal.ended_on or dt.date.max):
                period = f"from {goal.started_on}" + (
                    f" to {goal.ended_on}" if goal.ended_on else ", still active"
                )
                raise table.refuse(
                    row.line, "day", f"{day} is outside goal {number}'s period ({period})"
                )
            if day in kept[number]:
                raise table.refuse(row.line, "day", f"{day} is listed twice for goal {number}")
            kept[number].append(day)
        return kept

    def _impact(self) -> tuple[ImpactRecord, ...]:
        table = self._table(IMPACT)
        months: dict[dt.date, int] = {}
        records: list[ImpactRecord] = []
        for row in table.rows:
            scores = {item.id: row.values[item.id] for item in IMPACT_ITEMS}
            record = self._build(table, row, ImpactRecord, {**row.values, "scores": scores})
            if record.month in months:
                raise table.refuse(
                    row.line,
                    "month",
                    f"{record.month} is already rated, at line {months[record.month]}",
                )
            months[record.month] = row.line
            records.append(record)
        return tuple(records)

    def _safety_events(self) -> tuple[SafetyEventRecord, ...]:
        table = self._table(SAFETY)
        records: list[SafetyEventRecord] = []
        for row in table.rows:
            record = self._build(table, row, SafetyEventRecord, row.values)
            ref = record.source_ref
            if ref is not None:
                if ref not in self._refs:
                    raise table.refuse(
                        row.line, "source_ref", f"{ref!r} is not a ref in this export"
                    )
                kind, name, line = self._refs[ref]
                if kind != record.source:
                    raise table.refuse(
                        row.line,
                        "source_ref",
                        f"{ref!r} is in {name} (line {line}), but the source is {record.source}",
                    )
            records.append(record)
        return tuple(records)
