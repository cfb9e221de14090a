"""`affectrange score`: score a wide CSV of questionnaire responses (CONTRACTS.md section 4).

Input: `respondent_id,date,<item columns in published order>` (an empty cell is unanswered).
Output: one row per input row, `respondent_id,date,instrument,total,band,positive,safety,missing`,
where `missing` lists the unanswered scored items separated by semicolons.

The scoring itself is the pure instrument engine; this module only reads, checks and writes, and
refuses a bad file whole, naming the file and the line, before anything is written.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TextIO

from affectrange.instruments import Instrument, InvalidAnswer, ScoreResult

OUTPUT_COLUMNS: Final = (
    "respondent_id",
    "date",
    "instrument",
    "total",
    "band",
    "positive",
    "safety",
    "missing",
)
ID_COLUMNS: Final = ("respondent_id", "date")


class ResponsesFileError(ValueError):
    """A problem in the responses file, with where it is."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}: line {line}: {message}")
        self.path = path
        self.line = line


@dataclass(frozen=True, slots=True)
class ScoredRow:
    respondent_id: str
    date: dt.date
    result: ScoreResult


def read_and_score(path: Path, instrument: Instrument) -> list[ScoredRow]:
    """Every row scored, or ResponsesFileError for the first bad line (nothing partial)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise ResponsesFileError(path, 1, "the file is empty; expected a header line")
        columns = _check_header(path, header, instrument)
        return [
            _score_line(path, line_number, dict(zip(columns, cells, strict=True)), instrument)
            for line_number, cells in _data_lines(path, reader, len(columns))
        ]


def _check_header(path: Path, header: list[str], instrument: Instrument) -> list[str]:
    columns = [name.strip() for name in header]
    if tuple(columns[:2]) != ID_COLUMNS:
        raise ResponsesFileError(path, 1, "the header must start with respondent_id,date")
    items = columns[2:]
    known = instrument.csv_columns()
    unknown = [name for name in items if name not in known]
    if unknown:
        names, expected = ", ".join(unknown), ",".join(known)
        raise ResponsesFileError(
            path, 1, f"unknown column(s) {names} for {instrument.id}; expected {expected}"
        )
    required = [name for name in known if name not in instrument.optional_columns()]
    absent = [name for name in required if name not in items]
    if absent:
        raise ResponsesFileError(path, 1, f"missing column(s) {', '.join(absent)}")
    in_order = [name for name in known if name in items]
    if items != in_order:
        raise ResponsesFileError(
            path, 1, f"item columns must be in published order: {','.join(in_order)}"
        )
    duplicates = {name for name in columns if columns.count(name) > 1}
    if duplicates:
        raise ResponsesFileError(path, 1, f"repeated column(s) {', '.join(sorted(duplicates))}")
    return columns


def _data_lines(
    path: Path, reader: Iterable[list[str]], width: int
) -> Iterator[tuple[int, list[str]]]:
    for offset, cells in enumerate(reader):
        line_number = offset + 2
        if not any(cell.strip() for cell in cells):
            continue  # a blank line is not a respondent
        if len(cells) != width:
            raise ResponsesFileError(
                path, line_number, f"{len(cells)} values, but the header has {width} columns"
            )
        yield line_number, cells


def _score_line(
    path: Path, line_number: int, row: Mapping[str, str], instrument: Instrument
) -> ScoredRow:
    respondent = row["respondent_id"].strip()
    if not respondent:
        raise ResponsesFileError(path, line_number, "respondent_id is empty")
    try:
        day = dt.date.fromisoformat(row["date"].strip())
    except ValueError:
        raise ResponsesFileError(
            path, line_number, f"date {row['date']!r} is not a date as YYYY-MM-DD"
        ) from None
    answers = {
        name: _answer(path, line_number, instrument, name, value)
        for name, value in row.items()
        if name not in ID_COLUMNS
    }
    try:
        result = instrument.score(answers)
    except InvalidAnswer as error:
        raise ResponsesFileError(path, line_number, f"column {error.item_id}: {error}") from None
    return ScoredRow(respondent, day, result)


def _answer(
    path: Path, line_number: int, instrument: Instrument, item_id: str, cell: str
) -> int | str | None:
    value = cell.strip()
    if not value:
        return None
    item = next(item for item in instrument.items if item.id == item_id)
    if all(isinstance(option.value, int) for option in item.options):
        try:
            return int(value)
        except ValueError:
            raise ResponsesFileError(
                path, line_number, f"column {item_id}: {value!r} is not a whole number"
            ) from None
    return value.upper()


def write_scores(rows: Iterable[ScoredRow], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    for row in rows:
        result = row.result
        writer.writerow(
            (
                row.respondent_id,
                row.date.isoformat(),
                result.instrument,
                "" if result.total is None else result.total,
                result.band or "",
                _flag(result.positive),
                _flag(result.safety),
                ";".join(result.missing),
            )
        )


def _flag(value: bool | None) -> str:
    return "" if value is None else str(value).lower()
