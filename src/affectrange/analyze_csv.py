"""`affectrange analyze`: check-ins and medication events from CSV files in, the contract JSON out.

CONTRACTS.md section 3 fixes the formats. The analysis itself is the pure engine
(`affectrange.analysis`); this module reads, checks and hands it one `DailySeries` per person,
and refuses a bad file whole, naming the file and the line, before anything is written
(`lenient=True` skips the bad rows and cells instead and counts them).

Why it is written with polars and NumPy rather than the csv module: a year of 1,000 people in the
long format is six million rows, and a Python loop over them takes longer than the analysis.
polars reads the values as integers and the other columns as Categorical, so each distinct text
(a few hundred dates, seventeen items, the person ids) is checked once in Python and the rows are
checked with NumPy lookups by category code. Masks over all rows are made only for problems that
some distinct text has, so a good file costs little more than reading it (docs/benchmarks.md,
"Analysis"). The medication file is small and read with the csv module, row by row.

Line numbers: the header is line 1 and data row i (from 0) is line i + 2; a blank line is a row
too (it is skipped). A quoted value holding a line break makes a row span two lines; polars reads
it correctly, and only then, only to name the line of an error, the file is read again with the
csv module to count lines exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import mmap
import multiprocessing
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, NamedTuple, Protocol, TextIO

import numpy as np
import polars as pl
from numpy.typing import NDArray

from affectrange.analysis.engine import analyze
from affectrange.analysis.events import EVENT_KINDS, EventKind, MedicationEvent
from affectrange.analysis.items import (
    EVENT_ITEM,
    EVENT_MAX,
    EVENT_MIN,
    ITEM_IDS,
    ITEM_MAX,
    ITEM_MIN,
)
from affectrange.analysis.serialize import person_json
from affectrange.analysis.series import DailySeries

JsonObject = dict[str, Any]
Layout = Literal["long", "wide"]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

LONG_COLUMNS: Final = ("person_id", "date", "item", "value")
ID_COLUMNS: Final = ("person_id", "date")
MEDICATION_COLUMNS: Final = ("person_id", "date", "medication", "event", "dose_mg")
KNOWN_ITEMS: Final = (*ITEM_IDS, EVENT_ITEM)
EVENT_COLUMN: Final = len(ITEM_IDS)
"""Column of `event_pleasantness` in the per-cell index: items are 0..15 in ITEM_IDS order."""
CELLS_PER_DAY: Final = EVENT_COLUMN + 1
COLUMN_OF: Final[Mapping[str, int]] = {item: index for index, item in enumerate(KNOWN_ITEMS)}

_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE_NUMBER: Final = re.compile(r"[+-]?[0-9]+")
_NO_DAY: Final = -1

# Kinds of problem, as counted by --lenient ("skipped 3 rows: 2 out-of-range values, 1 duplicate").
EMPTY_PERSON: Final = "empty person_id"
BAD_DATE: Final = "bad date"
UNKNOWN_ITEM: Final = "unknown item"
NOT_WHOLE: Final = "non-integer value"
OUT_OF_RANGE: Final = "out-of-range value"
DUPLICATE: Final = "duplicate"
WRONG_WIDTH: Final = "row with a wrong number of values"
EMPTY_MEDICATION: Final = "empty medication"
UNKNOWN_EVENT: Final = "unknown event"
BAD_DOSE: Final = "bad dose"

_PLURALS: Final = {WRONG_WIDTH: "rows with a wrong number of values"}


class InputFileError(ValueError):
    """A problem in an input file, with where it is."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}: line {line}: {message}")
        self.path = path
        self.line = line


# --------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class PersonCheckins:
    person_id: str
    series: DailySeries


@dataclass(slots=True)
class Skipped:
    """What --lenient left out, by kind of problem (cells: bad values in an otherwise good row)."""

    rows: Counter[str] = field(default_factory=Counter)
    cells: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str | None:
        """`skipped 3 rows: 2 out-of-range values, 1 duplicate`, or None when nothing was."""
        n_rows, n_cells = self.rows.total(), self.cells.total()
        if not n_rows and not n_cells:
            return None
        parts = [_count(n, "row") for n in (n_rows,) if n]
        parts += [_count(n, "cell") for n in (n_cells,) if n]
        kinds = Counter(self.rows) + Counter(self.cells)
        details = ", ".join(_count(n, kind) for kind, n in kinds.most_common())
        return f"skipped {' and '.join(parts)}: {details}"


def _count(n: int, noun: str) -> str:
    plural = _PLURALS.get(noun, noun + "s")
    return f"{n} {noun if n == 1 else plural}"


@dataclass(frozen=True, slots=True)
class Checkins:
    layout: Layout
    persons: tuple[PersonCheckins, ...]
    """Sorted by person_id (as strings); people without one answered value are not here."""
    skipped: Skipped


@dataclass(frozen=True, slots=True)
class Medications:
    events: Mapping[str, tuple[MedicationEvent, ...]]
    skipped: Skipped
    n_events: int


# --------------------------------------------------------------------------------------------------
# Header and reading


def read_checkins(path: Path, *, lenient: bool = False) -> Checkins:
    """Every person's series, or InputFileError for the first problem (unless lenient)."""
    header = _read_header(path)
    layout, columns = _layout(path, header)
    value_columns = ["value"] if layout == "long" else columns[len(ID_COLUMNS) :]
    frame = _read_frame(path, columns, value_columns)
    lines = _LineNumbers(path)
    if layout == "long":
        return _long(path, frame, lines, lenient=lenient)
    return _wide(path, frame, columns[len(ID_COLUMNS) :], lines, lenient=lenient)


def _read_header(path: Path) -> list[str]:
    """The first line alone: a text file object would decode (and fail on) a whole buffer."""
    with path.open("rb") as handle:
        first_line = handle.readline()
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(path, 1, "not UTF-8 text") from None
    header = next(csv.reader([text]), [])
    if not header:
        what = "the file is empty" if not first_line else "the line is empty"
        raise InputFileError(path, 1, f"{what}; expected a header line")
    return [name.strip() for name in header]


def _layout(path: Path, columns: list[str]) -> tuple[Layout, list[str]]:
    if tuple(columns) == LONG_COLUMNS:
        return "long", columns
    expected = (
        f"expected the header {','.join(LONG_COLUMNS)} (long) or "
        f"person_id,date,<items> (wide), with items among {', '.join(KNOWN_ITEMS)}"
    )
    if tuple(columns[: len(ID_COLUMNS)]) != ID_COLUMNS:
        raise InputFileError(path, 1, expected)
    items = columns[len(ID_COLUMNS) :]
    unknown = [name for name in items if name not in COLUMN_OF]
    if unknown or not items:
        found = f"unknown column(s) {', '.join(map(repr, unknown))}; " if unknown else ""
        raise InputFileError(path, 1, found + expected)
    repeated = sorted({name for name in items if items.count(name) > 1})
    if repeated:
        raise InputFileError(path, 1, f"repeated column(s) {', '.join(repeated)}")
    return "wide", columns


def _read_frame(path: Path, columns: list[str], value_columns: Sequence[str]) -> pl.DataFrame:
    """Values as Int64 and the rest as Categorical (see `_codes`). polars parses integers faster
    than anything we could do with them as text, but refuses the whole file over one value that
    is not an integer; then the file is read again, as text throughout, so it can be named."""
    fast = {name: pl.Int64 if name in value_columns else _categorical() for name in columns}
    for schema in (fast, dict.fromkeys(columns, pl.String)):
        try:
            return pl.read_csv(path, has_header=True, schema=schema)
        except pl.exceptions.PolarsError as error:
            failure = error
    raise _unreadable(path, len(columns), failure)


def _unreadable(path: Path, width: int, error: Exception) -> InputFileError:
    """polars names no line, so the file is read again here, slowly, to find it."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        return InputFileError(path, data.count(b"\n", 0, bad.start) + 1, "not UTF-8 text")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        start = reader.line_num + 1
        try:
            for cells in reader:
                if cells and len(cells) > width:
                    message = f"{len(cells)} values, but the header has {width} columns"
                    return InputFileError(path, start, message)
                start = reader.line_num + 1
        except csv.Error as bad:
            return InputFileError(path, start, f"not CSV ({bad})")
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return InputFileError(path, 1, f"cannot be read as CSV: {first_line}")


class _CsvReader(Protocol):
    """What `csv.reader` returns; its type is private to the standard library."""

    @property
    def line_num(self) -> int: ...

    def __iter__(self) -> Iterator[list[str]]: ...

    def __next__(self) -> list[str]: ...


class _LineNumbers:
    """Line of a data row: row + 2, unless a quoted value holds a line break (counted only then)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._starts: list[int] | None = None

    def of(self, row: int) -> int:
        if self._starts is None:
            self._starts = self._record_starts() if self._has_quotes() else []
        if not self._starts:
            return row + 2
        return self._starts[row] if row < len(self._starts) else row + 2

    def _has_quotes(self) -> bool:
        with self._path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size == 0:
                return False
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return data.find(b'"') >= 0

    def _record_starts(self) -> list[int]:
        starts: list[int] = []
        with self._path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            start = reader.line_num + 1
            for _ in reader:
                starts.append(start)
                start = reader.line_num + 1
        return starts


# --------------------------------------------------------------------------------------------------
# Columns as category codes, and masks of rows


Mask = BoolArray | None
"""Rows with some property; None when no row has it, which is known from the distinct texts
alone and is the common case, so a good file never pays for a mask over millions of rows."""


class _Codes(NamedTuple):
    """A Categorical column as one code per row, and its distinct texts with their codes."""

    rows: NDArray[np.uint32]
    codes: NDArray[np.uint32]
    texts: list[str | None]
    size: int
    """Tables indexed by code need this many entries."""

    def table(self, meaning: Callable[[str | None], Any], dtype: Any, default: Any) -> Any:
        """`meaning` of every distinct text, computed once each, indexed by code."""
        table = np.full(self.size, default, dtype=dtype)
        table[self.codes] = [meaning(text) for text in self.texts]
        return table

    def per_row(self, table: Any) -> Any:
        return table[self.rows]

    def blank_at(self, rows: IntArray) -> BoolArray:
        blank: BoolArray = self.table(_is_blank, bool, True)[self.rows[rows]]
        return blank

    def rows_where(self, marked: BoolArray) -> Mask:
        """Rows whose text is marked; None, without looking at the rows, when no text is."""
        if not marked[self.codes].any():
            return None
        rows: BoolArray = marked[self.rows]
        return rows


def _categorical() -> pl.Categorical:
    """A Categorical with categories of its own: its codes are then dense (0..k-1, in order of
    appearance) and its categories list the column's distinct texts by code, so no `unique`
    pass over the rows is needed. (`Categories` is marked unstable in polars 2.)"""
    return pl.Categorical(pl.Categories.random())


def _codes(column: pl.Series) -> _Codes:
    if not isinstance(column.dtype, pl.Categorical):
        column = column.cast(_categorical())
    dtype = column.dtype
    assert isinstance(dtype, pl.Categorical)
    texts: list[str | None] = dtype.categories.to_series().to_list()
    physical = column.to_physical()
    if column.null_count():  # an empty cell: one code more, for None
        physical = physical.fill_null(len(texts))
        texts.append(None)
    return _Codes(
        rows=physical.to_numpy(),
        codes=np.arange(len(texts), dtype=np.uint32),
        texts=texts,
        size=len(texts),
    )


def _either(*masks: Mask) -> Mask:
    present = [mask for mask in masks if mask is not None]
    if not present:
        return None
    return np.logical_or.reduce(present) if len(present) > 1 else present[0]


def _without(mask: Mask, *others: Mask) -> Mask:
    excluded = _either(*others)
    if mask is None or excluded is None:
        return mask
    return mask & ~excluded


def _mask_of(size: int, rows: IntArray) -> Mask:
    if rows.size == 0:
        return None
    mask = np.zeros(size, dtype=bool)
    mask[rows] = True
    return mask


def _text(value: str | None) -> str:
    return "" if value is None else value.strip()


def _is_blank(value: str | None) -> bool:
    return not _text(value)


def _day_number(value: str | None) -> int:
    """Proleptic ordinal of an ISO date, or -1 (the wording of the error is `_date_problem`)."""
    text = _text(value)
    if not _ISO_DATE.fullmatch(text):
        return _NO_DAY
    try:
        return dt.date.fromisoformat(text).toordinal()
    except ValueError:
        return _NO_DAY


def _date_problem(value: str | None) -> str:
    text = _text(value)
    if not text:
        return "the date is empty"
    if _ISO_DATE.fullmatch(text):
        return f"date {text!r} is not a real date"
    return f"date {text!r} is not a date as YYYY-MM-DD"


def _column_number(value: str | None) -> int:
    return COLUMN_OF.get(_text(value), -1)


_LOW: Final = np.array([ITEM_MIN] * len(ITEM_IDS) + [EVENT_MIN, ITEM_MIN])
_HIGH: Final = np.array([ITEM_MAX] * len(ITEM_IDS) + [EVENT_MAX, ITEM_MAX])
"""Allowed values by column; the extra last entry is what column -1 (unknown item) indexes."""
_VALID_FOR_ALL: Final = (max(ITEM_MIN, EVENT_MIN), min(ITEM_MAX, EVENT_MAX))
assert _VALID_FOR_ALL[0] <= 0 <= _VALID_FOR_ALL[1]  # see `_Numbers.number`


class _Numbers(NamedTuple):
    """A column of values, per row."""

    number: IntArray
    """The value; 0 where there is none. 0 is allowed for every item and the event, so a missing
    or bad value is never also out of range."""
    empty: Mask
    """Not answered."""
    not_whole: Mask
    """Not a whole number."""

    def outside(self, low: int, high: int) -> Mask:
        rows = (self.number < low) | (self.number > high)
        return rows if rows.any() else None

    def blank_at(self, rows: IntArray) -> BoolArray:
        if self.empty is None:
            return np.zeros(rows.size, dtype=bool)
        blank: BoolArray = self.empty[rows]
        return blank


def _numbers(frame: pl.DataFrame, name: str) -> _Numbers:
    column = frame[name]
    if column.dtype == pl.Int64:
        empty = column.is_null().to_numpy() if column.null_count() else None
        return _Numbers(column.fill_null(0).to_numpy(), empty, None)
    codes = _codes(column)
    status = codes.table(_value_status, np.int8, _EMPTY)
    return _Numbers(
        number=codes.per_row(codes.table(_value_number, np.int64, 0)),
        empty=codes.rows_where(status == _EMPTY),
        not_whole=codes.rows_where(status == _NOT_WHOLE),
    )


_ANSWERED, _EMPTY, _NOT_WHOLE = 0, 1, 2


def _value_status(value: str | None) -> int:
    text = _text(value)
    if not text:
        return _EMPTY
    return _ANSWERED if _WHOLE_NUMBER.fullmatch(text) else _NOT_WHOLE


_MAX_DIGITS: Final = 18
"""Longer numbers are out of range anyway, and are not converted (Python refuses huge ones)."""


def _value_number(value: str | None) -> int:
    text = _text(value)
    if not _WHOLE_NUMBER.fullmatch(text):
        return 0
    if len(text.lstrip("+-")) > _MAX_DIGITS:
        return -(10**_MAX_DIGITS) if text.startswith("-") else 10**_MAX_DIGITS
    return int(text)


def _range_of(column: int) -> tuple[int, int]:
    return int(_LOW[column]), int(_HIGH[column])


class _People(NamedTuple):
    table: NDArray[np.int32]
    """By code: index into `ids`, or -1 where person_id is empty."""
    ids: list[str]
    """Distinct person ids, stripped and sorted as strings (the order of the output)."""


def _people(codes: _Codes) -> _People:
    ids = sorted({text for text in map(_text, codes.texts) if text})
    position = {person: index for index, person in enumerate(ids)}
    table = codes.table(lambda text: position.get(_text(text), -1), np.int32, -1)
    return _People(table, ids)


def _blank_rows(person: _Codes, people: _People, others: Sequence[_Codes | _Numbers]) -> Mask:
    """Rows with no text at all (blank lines): skipped silently, as a spreadsheet would."""
    no_person = person.rows_where(people.table < 0)
    if no_person is None:
        return None
    candidates = np.flatnonzero(no_person)
    empty = np.ones(candidates.size, dtype=bool)
    for column in others:
        empty &= column.blank_at(candidates)
    return _mask_of(person.rows.size, candidates[empty])


# --------------------------------------------------------------------------------------------------
# Problems: collected as masks, then reported (the first in file order) or counted (lenient)


@dataclass(frozen=True, slots=True)
class _Problem:
    kind: str
    rows: Mask
    """Rows with this problem (and no problem listed before it)."""
    describe: Callable[[int], str]
    """The message for a row with the problem."""
    cell: bool = False


def _report_or_count(
    path: Path, problems: Sequence[_Problem], lines: _LineNumbers, *, lenient: bool
) -> Skipped:
    found = [
        (problem, int(np.count_nonzero(problem.rows)))
        for problem in problems
        if problem.rows is not None
    ]
    total = sum(n for _, n in found)
    if not lenient and total:
        row, first = min(
            (int(np.argmax(problem.rows)), order)
            for order, (problem, n) in enumerate(found)
            if n and problem.rows is not None
        )
        message = found[first][0].describe(row)
        if total > 1:
            message += f" (and {_count(total - 1, 'more problem')}; --lenient skips them)"
        raise InputFileError(path, lines.of(row), message)
    skipped = Skipped()
    for problem, n in found:
        if n:
            (skipped.cells if problem.cell else skipped.rows)[problem.kind] += n
    return skipped


def _row_texts(frame: pl.DataFrame, row: int) -> dict[str, str]:
    return {
        name: _text(None if value is None else str(value))
        for name, value in frame.row(row, named=True).items()
    }


def _range_problem(texts: Mapping[str, str], item: str) -> str:
    low, high = _range_of(COLUMN_OF[item])
    return f"value {texts[item]} for {item!r} is outside {low}..{high}"


# --------------------------------------------------------------------------------------------------
# From rows to day-indexed arrays


class _Days(NamedTuple):
    """Every person's calendar: person p's days are rows start[p]..start[p+1] of the arrays."""

    first: IntArray
    """Per person, the ordinal of the first day with an answered value."""
    start: IntArray
    """Per person (and one more), the offset of their first day in the day-indexed arrays."""
    runs: IntArray | None
    """Where each run of rows of one person begins, when the rows are grouped by person."""

    @property
    def total(self) -> int:
        return int(self.start[-1])

    def day_index(self, person: NDArray[np.int32], day: NDArray[np.int32]) -> IntArray:
        """Row of each (person, day) in the day-indexed arrays."""
        offset = self.start[:-1] - self.first
        if self.runs is None:
            by_row: IntArray = offset[person]
        else:  # a person's offset repeated over their run: no gather over millions of rows
            lengths = np.diff(np.append(self.runs, person.size))
            by_row = np.repeat(offset[person[self.runs]], lengths)
        by_row += day
        return by_row


def _calendar(n_persons: int, person: NDArray[np.int32], day: NDArray[np.int32]) -> _Days:
    """Each person is analysed from their first to their last day with an answered value."""
    first = np.zeros(n_persons, dtype=np.int64)
    last = np.full(n_persons, -1, dtype=np.int64)
    steps = np.diff(person)
    runs = None
    if person.size and not np.any(steps < 0):
        # Files are usually grouped by person: one reduction per run of rows, no scattering.
        runs = np.concatenate(([0], np.flatnonzero(steps) + 1))
        who = person[runs]
        first[who] = np.minimum.reduceat(day, runs)
        last[who] = np.maximum.reduceat(day, runs)
    elif person.size:
        first[:] = np.iinfo(np.int64).max
        np.minimum.at(first, person, day)
        np.maximum.at(last, person, day)
    span = np.where(last >= first, last - first + 1, 0)
    start = np.zeros(n_persons + 1, dtype=np.int64)
    np.cumsum(span, out=start[1:])
    return _Days(np.where(span > 0, first, 0), start, runs)


def _scatter(keys: IntArray, values: IntArray, size: int) -> tuple[FloatArray, IntArray]:
    """Values at their keys in a NaN-filled array of `size`, the first of repeated keys winning,
    and the positions of the repeats. Repeats are rare, so they are looked for only when the
    array holds fewer values than were put in."""
    grid = np.full(size, np.nan)
    grid[keys] = values
    if np.count_nonzero(~np.isnan(grid)) == keys.size:
        return grid, np.empty(0, dtype=np.int64)
    repeated = _repeats(keys, size)
    keep = np.ones(keys.size, dtype=bool)
    keep[repeated] = False
    grid[:] = np.nan
    grid[keys[keep]] = values[keep]
    return grid, repeated


def _repeats(keys: IntArray, size: int) -> IntArray:
    """Positions (ascending) of keys seen at an earlier position: the first one is kept."""
    counts = np.bincount(keys, minlength=size)
    if counts.size == 0 or counts.max() <= 1:
        return np.empty(0, dtype=np.int64)
    candidates = np.flatnonzero(counts[keys] > 1)
    _, first = np.unique(keys[candidates], return_index=True)
    repeated = np.ones(candidates.size, dtype=bool)
    repeated[first] = False
    return candidates[repeated]


def _persons(ids: Sequence[str], days: _Days, grid: FloatArray) -> tuple[PersonCheckins, ...]:
    """Cut the grid of all days (CELLS_PER_DAY columns) into one series per person."""
    persons = []
    for index, person_id in enumerate(ids):
        start, stop = int(days.start[index]), int(days.start[index + 1])
        if stop > start:
            block = grid[start:stop]
            series = DailySeries(
                first=dt.date.fromordinal(int(days.first[index])),
                items=np.ascontiguousarray(block[:, :EVENT_COLUMN]),
                event=np.ascontiguousarray(block[:, EVENT_COLUMN]),
            )
            persons.append(PersonCheckins(person_id, series))
    return tuple(persons)


# --------------------------------------------------------------------------------------------------
# Long format: one row per answered item


def _long(path: Path, frame: pl.DataFrame, lines: _LineNumbers, *, lenient: bool) -> Checkins:
    person_codes, date_codes, item_codes = (_codes(frame[name]) for name in LONG_COLUMNS[:3])
    values = _numbers(frame, "value")
    people = _people(person_codes)
    day_table = date_codes.table(_day_number, np.int32, _NO_DAY)
    column_table = item_codes.table(_column_number, np.int8, -1)
    column = item_codes.per_row(column_table)

    blank = _blank_rows(person_codes, people, (date_codes, item_codes, values))
    no_person = _without(person_codes.rows_where(people.table < 0), blank)
    bad_date = _without(date_codes.rows_where(day_table < 0), blank, no_person)
    unknown_item = _without(item_codes.rows_where(column_table < 0), blank, no_person, bad_date)
    bad_row = _either(blank, no_person, bad_date, unknown_item)
    not_whole = _without(values.not_whole, bad_row)
    out_of_range = _without(_out_of_range(values, column), bad_row)
    unused = _either(bad_row, values.not_whole, values.empty, out_of_range)

    person = person_codes.per_row(people.table)
    day = date_codes.per_row(day_table)
    number = values.number
    used = None if unused is None else np.flatnonzero(~unused)
    if used is not None:
        person, day, column, number = person[used], day[used], column[used], number[used]
    days = _calendar(len(people.ids), person, day)
    cell = days.day_index(person, day)
    cell *= CELLS_PER_DAY
    cell += column
    flat_grid, repeated = _scatter(cell, number, days.total * CELLS_PER_DAY)
    duplicate = _mask_of(frame.height, repeated if used is None else used[repeated])

    def text(row: int) -> dict[str, str]:
        return _row_texts(frame, row)

    def describe_out_of_range(row: int) -> str:
        t = text(row)
        return _range_problem({t["item"]: t["value"]}, t["item"])

    def describe_duplicate(row: int) -> str:
        position = row if used is None else int(np.searchsorted(used, row))
        first = int(np.flatnonzero(cell == cell[position])[0])
        t = text(row)
        return (
            f"a second row for person {t['person_id']}, {t['date']}, {t['item']!r} "
            f"(the first is on line {lines.of(first if used is None else int(used[first]))})"
        )

    problems = (
        _Problem(EMPTY_PERSON, no_person, lambda row: "person_id is empty"),
        _Problem(BAD_DATE, bad_date, lambda row: _date_problem(text(row)["date"])),
        _Problem(
            UNKNOWN_ITEM,
            unknown_item,
            lambda row: f"unknown item {text(row)['item']!r}; items are {', '.join(KNOWN_ITEMS)}",
        ),
        _Problem(
            NOT_WHOLE,
            not_whole,
            lambda row: (
                f"value {text(row)['value']!r} for {text(row)['item']!r} is not a whole number"
            ),
        ),
        _Problem(OUT_OF_RANGE, out_of_range, describe_out_of_range),
        _Problem(DUPLICATE, duplicate, describe_duplicate),
    )
    skipped = _report_or_count(path, problems, lines, lenient=lenient)

    grid = flat_grid.reshape(days.total, CELLS_PER_DAY)
    return Checkins("long", _persons(people.ids, days, grid), skipped)


def _out_of_range(values: _Numbers, column: NDArray[np.int8]) -> Mask:
    """Only a value outside 0..3 can be out of range (for an item or for the event), so only the
    rows holding one are compared with their item's range."""
    suspect = values.outside(*_VALID_FOR_ALL)
    if suspect is None:
        return None
    rows = np.flatnonzero(suspect)
    of_item, value = column[rows], values.number[rows]
    return _mask_of(suspect.size, rows[(value < _LOW[of_item]) | (value > _HIGH[of_item])])


# --------------------------------------------------------------------------------------------------
# Wide format: one row per day, one column per item


class _Cells(NamedTuple):
    """One item column of the wide format, checked."""

    name: str
    column: int
    number: IntArray
    not_whole: Mask
    out_of_range: Mask
    unused: Mask
    """Cells not answered or bad (or in a bad row)."""


def _wide(
    path: Path,
    frame: pl.DataFrame,
    item_names: Sequence[str],
    lines: _LineNumbers,
    *,
    lenient: bool,
) -> Checkins:
    person_codes, date_codes = (_codes(frame[name]) for name in ID_COLUMNS)
    item_values = [_numbers(frame, name) for name in item_names]
    people = _people(person_codes)
    day_table = date_codes.table(_day_number, np.int32, _NO_DAY)
    blank = _blank_rows(person_codes, people, (date_codes, *item_values))
    no_person = _without(person_codes.rows_where(people.table < 0), blank)
    bad_date = _without(date_codes.rows_where(day_table < 0), blank, no_person)
    bad_row = _either(blank, no_person, bad_date)
    cells = [
        _check_cells(name, values, bad_row)
        for name, values in zip(item_names, item_values, strict=True)
    ]

    # A row is a check-in when at least one of its cells is answered and good.
    unanswered = np.ones(frame.height, dtype=bool)
    for checked in cells:
        if checked.unused is None:
            unanswered[:] = False
            break
        unanswered &= checked.unused
    used = np.flatnonzero(~unanswered)
    person = person_codes.per_row(people.table)[used]
    day = date_codes.per_row(day_table)[used]
    days = _calendar(len(people.ids), person, day)
    day_index = days.day_index(person, day)
    repeated = _repeats(day_index, days.total)
    duplicate = _mask_of(frame.height, used[repeated])

    def text(row: int) -> dict[str, str]:
        return _row_texts(frame, row)

    def describe_duplicate(row: int) -> str:
        position = int(np.searchsorted(used, row))
        first = int(used[np.flatnonzero(day_index == day_index[position])[0]])
        t = text(row)
        return (
            f"a second row for person {t['person_id']} on {t['date']} "
            f"(the first is on line {lines.of(first)})"
        )

    problems = [
        _Problem(EMPTY_PERSON, no_person, lambda row: "person_id is empty"),
        _Problem(BAD_DATE, bad_date, lambda row: _date_problem(text(row)["date"])),
        _Problem(DUPLICATE, duplicate, describe_duplicate),
    ]
    for checked in cells:
        problems += _cell_problems(checked, duplicate, text)
    skipped = _report_or_count(path, problems, lines, lenient=lenient)

    if repeated.size:
        used, day_index = np.delete(used, repeated), np.delete(day_index, repeated)
    grid = np.full((days.total, CELLS_PER_DAY), np.nan)
    for checked in cells:
        answered = slice(None) if checked.unused is None else ~checked.unused[used]
        number = checked.number[used]
        grid[day_index[answered], checked.column] = number[answered]
    return Checkins("wide", _persons(people.ids, days, grid), skipped)


def _check_cells(name: str, values: _Numbers, bad_row: Mask) -> _Cells:
    column = COLUMN_OF[name]
    out_of_range = _without(values.outside(*_range_of(column)), bad_row)
    not_whole = _without(values.not_whole, bad_row)
    return _Cells(
        name=name,
        column=column,
        number=values.number,
        not_whole=not_whole,
        out_of_range=out_of_range,
        unused=_either(bad_row, values.empty, not_whole, out_of_range),
    )


def _cell_problems(
    cells: _Cells, duplicate: Mask, text: Callable[[int], dict[str, str]]
) -> list[_Problem]:
    """A duplicate row is skipped whole, so its cells are not counted again."""
    name = cells.name

    def not_whole(row: int) -> str:
        return f"value {text(row)[name]!r} for {name!r} is not a whole number"

    def out_of_range(row: int) -> str:
        return _range_problem(text(row), name)

    return [
        _Problem(NOT_WHOLE, _without(cells.not_whole, duplicate), not_whole, cell=True),
        _Problem(OUT_OF_RANGE, _without(cells.out_of_range, duplicate), out_of_range, cell=True),
    ]


# --------------------------------------------------------------------------------------------------
# Medication events (small: the csv module, row by row)


def read_medications(path: Path, *, lenient: bool = False) -> Medications:
    """Events by person, or InputFileError for the first bad line (unless lenient)."""
    events: dict[str, list[MedicationEvent]] = {}
    problems: list[tuple[int, str, str]] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = [name.strip() for name in next(reader, [])]
            if tuple(header) != MEDICATION_COLUMNS:
                expected = ",".join(MEDICATION_COLUMNS)
                raise InputFileError(path, 1, f"expected the header {expected}")
            for line, cells in _lines(reader):
                parsed = _medication_row(cells)
                if isinstance(parsed, _RowProblem):
                    problems.append((line, parsed.kind, parsed.message))
                else:
                    events.setdefault(parsed[0], []).append(parsed[1])
    except UnicodeDecodeError:
        raise InputFileError(path, 1, "not UTF-8 text") from None
    except csv.Error as error:
        raise InputFileError(path, 1, f"not CSV ({error})") from None
    if problems and not lenient:
        line, _, message = problems[0]
        if len(problems) > 1:
            message += f" (and {_count(len(problems) - 1, 'more problem')}; --lenient skips them)"
        raise InputFileError(path, line, message)
    skipped = Skipped(rows=Counter(kind for _, kind, _ in problems))
    n_events = sum(len(person_events) for person_events in events.values())
    return Medications({p: tuple(e) for p, e in events.items()}, skipped, n_events)


def _lines(reader: _CsvReader) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, cells) for every non-blank record after the header."""
    start = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield start, cells
        start = reader.line_num + 1


@dataclass(frozen=True, slots=True)
class _RowProblem:
    kind: str
    message: str


def _medication_row(cells: list[str]) -> tuple[str, MedicationEvent] | _RowProblem:
    """(person, event), or the first problem of the row."""
    width = len(MEDICATION_COLUMNS)
    if len(cells) != width:
        return _RowProblem(WRONG_WIDTH, f"{len(cells)} values, but the header has {width} columns")
    person, date_text, medication, event, dose_text = (cell.strip() for cell in cells)
    dose = _dose(dose_text)
    checks = (
        (not person, EMPTY_PERSON, "person_id is empty"),
        (_day_number(date_text) == _NO_DAY, BAD_DATE, _date_problem(date_text)),
        (not medication, EMPTY_MEDICATION, "medication is empty"),
        (
            event not in EVENT_KINDS,
            UNKNOWN_EVENT,
            f"event {event!r} is not one of {', '.join(EVENT_KINDS)}",
        ),
        (isinstance(dose, str), BAD_DOSE, f"dose_mg {dose_text!r} {dose}"),
        (dose is None and event != "stop", BAD_DOSE, f"a {event} needs dose_mg"),
    )
    for failed, kind, message in checks:
        if failed:
            return _RowProblem(kind, message)
    assert not isinstance(dose, str)  # checked above
    kind_of_event: EventKind = event  # type: ignore[assignment]  # in EVENT_KINDS, checked above
    return person, MedicationEvent(
        dt.date.fromisoformat(date_text), medication, kind_of_event, dose
    )


def _dose(text: str) -> float | str | None:
    """The dose in mg, None when empty, or why it is not one."""
    if not text:
        return None
    try:
        dose = float(text)
    except ValueError:
        return "is not a number"
    if not math.isfinite(dose) or dose <= 0:
        return "is not a positive number"
    return dose


# --------------------------------------------------------------------------------------------------
# Analysis, in worker processes when there is enough of it

MIN_DAYS_PER_WORKER: Final = 20_000
"""About 0.1 s of analysis (1.5-2.5 ms per person-year): less does not pay for a process."""

_shared: tuple[tuple[PersonCheckins, ...], Mapping[str, tuple[MedicationEvent, ...]]] = ((), {})
"""What forked workers analyse: inherited with the process, so no series is pickled."""


def worker_count(persons: Sequence[PersonCheckins], requested: int | None) -> int:
    if requested is not None:
        return max(1, min(requested, len(persons)))
    if sys.platform != "linux":
        return 1  # forking a process that holds threads is only dependable on Linux
    cores = len(os.sched_getaffinity(0))
    days = sum(person.series.n_days for person in persons)
    return max(1, min(cores, days // MIN_DAYS_PER_WORKER, len(persons)))


def analyze_persons(
    persons: Sequence[PersonCheckins],
    events: Mapping[str, tuple[MedicationEvent, ...]],
    *,
    workers: int = 1,
    advance: Callable[[int], None] = lambda n: None,
) -> list[JsonObject]:
    """The contract object of every person, in the order given."""
    global _shared  # noqa: PLW0603  # handed to forked workers by inheritance, see above
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [_analyze_one(person, events, advance) for person in persons]
    _shared = (tuple(persons), events)
    chunks = _chunks(len(persons), workers)
    results: dict[int, list[JsonObject]] = {}
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(_analyze_chunk, start, stop): start for start, stop in chunks}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                advance(len(results[futures[future]]))
    finally:
        _shared = ((), {})
    return [person for start, _ in chunks for person in results[start]]


def _chunks(n: int, workers: int) -> list[tuple[int, int]]:
    """Several chunks per worker, so the progress bar moves and the workers finish together."""
    size = max(1, math.ceil(n / (workers * 8)))
    return [(start, min(start + size, n)) for start in range(0, n, size)]


def _analyze_chunk(start: int, stop: int) -> list[JsonObject]:
    persons, events = _shared
    return [_analyze_one(person, events) for person in persons[start:stop]]


def _analyze_one(
    person: PersonCheckins,
    events: Mapping[str, tuple[MedicationEvent, ...]],
    advance: Callable[[int], None] = lambda n: None,
) -> JsonObject:
    result = person_json(person.person_id, analyze(person.series, events.get(person.person_id, ())))
    advance(1)
    return result


# --------------------------------------------------------------------------------------------------
# Output


def json_text(document: JsonObject) -> str:
    """Compact JSON on one line (`json` writes that in C; indented output is several times
    slower). NaN is refused rather than written: it is not JSON, and no reader would take it."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"


def write_json(document: JsonObject, output: Path | None, stdout: TextIO) -> None:
    text = json_text(document)
    if output is None:
        stdout.write(text)
        stdout.flush()
        return
    write_atomically(output, text)


def write_atomically(path: Path, text: str) -> None:
    """A temporary file beside the target, renamed over it: readers never see half a file."""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115  # closed before the rename below
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    temporary = Path(handle.name)
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
