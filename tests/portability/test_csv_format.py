"""The CSV zip export (issue 8): a file per kind with documented columns, an exact round trip,
the same bytes for the same record, text that cannot run as a spreadsheet formula, and every
kind of bad input refused whole, naming the file, the line and the column.

Most tests are pure: a record built by hand (`RECORD`), written and read without a database.
The last ones run the real export and import through `portability.service`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final, NamedTuple

import pytest
from sqlalchemy.orm import Session

from affectrange.accounts import service as accounts
from affectrange.accounts.models import User
from affectrange.accounts.schemas import RegisterForm
from affectrange.analysis.items import ITEM_IDS
from affectrange.audit.service import actor_for
from affectrange.db import Database
from affectrange.medications.models import MedicationEventKind
from affectrange.portability import csv_format, service
from affectrange.portability.csv_format import (
    FILES,
    README_NAME,
    ZIP_TIMESTAMP,
    guard_text,
    is_zip,
    read_zip,
    unguard_text,
    write_zip,
)
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
)
from affectrange.questionnaires.models import ResponseStatus
from affectrange.safety_events.models import SafetySignal
from tests.conftest import NOW, PASSWORD, make_settings
from tests.portability.helpers import CHOSEN_DAY, load_everything, row_counts
from tests.support.clock import FrozenClock

SOURCE: Final = "alice.csv.zip"
UTC: Final = dt.UTC


def at(day: int, hour: int, minute: int = 0, micro: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, 1, micro, tzinfo=UTC)


def items(positive: list[int], negative: list[int], blunting: list[int]) -> dict[str, int]:
    return dict(zip(ITEM_IDS, [*positive, *negative, *blunting], strict=True))


# Check-in 1 is chosen for its means, worked by hand:
#   positive (joyful, calm, interested, close, proud, amused, hopeful):
#       (5 + 4 + 3 + 3 + 2 + 4 + 2) / 7 = 23 / 7 = 3.285714... -> 3.2857
#   negative (sad, anxious, irritable, guilty, stressed, lonely):
#       (1 + 2 + 0 + 1 + 3 + 2) / 6 = 9 / 6 = 1.5 -> 1.5000
#   numbness (numb, indifferent, detached): (1 + 0 + 2) / 3 = 1 -> 1.0000
CHOSEN_ITEMS: Final = items([5, 4, 3, 3, 2, 4, 2], [1, 2, 0, 1, 3, 2], [1, 0, 2])
MULTILINE_NOTE: Final = 'Walked, then "rested".\nSlept badly,\r\nthen ok.'  # lines 2 to 4
CARRIAGE_RETURN_NOTE: Final = "Zoë ☕ — a lone\rcarriage return, and “quotes”"

PHQ9_DONE: Final = {
    "q1": 2, "q2": 1, "q3": 3, "q4": 0, "q5": 1, "q6": 2, "q7": 1, "q8": 0, "q9": 1, "q10": 1,
}  # fmt: skip
PHQ9_TOTAL: Final = 2 + 1 + 3 + 0 + 1 + 2 + 1 + 0 + 1  # 11; q10 is not scored
PCL5_DONE: Final = {f"q{n}": n % 5 for n in range(20, 0, -1)}  # given out of order on purpose
PCL5_TOTAL: Final = 4 * (1 + 2 + 3 + 4 + 0)  # n % 5 over 1..20: 1,2,3,4,0 four times = 40

RECORD: Final = PersonalData(
    person=PersonRecord(
        display_name="Alice", email="alice@example.org", timezone="America/New_York"
    ),
    checkins=(
        CheckinRecord(
            ref="checkin-2026-03-02",
            day=dt.date(2026, 3, 2),
            items=CHOSEN_ITEMS,
            event_pleasantness=-2,
            sleep_hours=7.333333333333333,
            exercise_minutes=30,
            social_minutes=0,
            alcohol_drinks=0,
            other_substances="-none",
            note=MULTILINE_NOTE,
            updated_at=at(3, 1, 2, 123456),
        ),
        CheckinRecord(
            ref="checkin-2026-03-03",
            day=dt.date(2026, 3, 3),
            items=dict.fromkeys(ITEM_IDS, 0),
            note="=1+1",
            backfilled=True,
            updated_at=at(4, 9),
        ),
        CheckinRecord(
            ref="checkin-2026-03-04",
            day=dt.date(2026, 3, 4),
            items=dict.fromkeys(ITEM_IDS, 6),
            sleep_hours=0.1,
            other_substances="@home",
            note="'=x",
            updated_at=at(4, 20, 1, 999999),
        ),
        CheckinRecord(
            ref="checkin-2026-03-05",
            day=dt.date(2026, 3, 5),
            items=dict.fromkeys(ITEM_IDS, 3),
            note=CARRIAGE_RETURN_NOTE,
            updated_at=at(5, 23, 59),
        ),
    ),
    responses=(
        ResponseRecord(
            ref="response-1",
            instrument="phq9",
            instrument_version="1",
            status=ResponseStatus.COMPLETED,
            answers=PHQ9_DONE,
            started_at=at(2, 19),
            updated_at=at(2, 19, 5),
            completed_at=at(2, 19, 5),
            completed_on=dt.date(2026, 3, 2),
        ),
        ResponseRecord(
            ref="response-2",
            instrument="pcl5",
            instrument_version="1",
            status=ResponseStatus.COMPLETED,
            answers=PCL5_DONE,
            started_at=at(3, 18),
            updated_at=at(3, 18, 20),
            completed_at=at(3, 18, 20),
            completed_on=dt.date(2026, 3, 3),
        ),
        ResponseRecord(
            ref="response-3",
            instrument="phq9",
            instrument_version="1",
            status=ResponseStatus.IN_PROGRESS,
            answers={"q2": 0, "q1": 1},
            started_at=at(5, 8),
            updated_at=at(5, 8, 1),
        ),
        ResponseRecord(
            ref="response-4",
            instrument="pcl5",
            instrument_version="1",
            status=ResponseStatus.IN_PROGRESS,
            answers={"q1": 3},
            started_at=at(5, 9),
            updated_at=at(5, 9),
        ),
    ),
    medications=(
        MedicationRecord(
            ref="medication-1",
            medication="sertraline",
            rxcui="36437",
            event=MedicationEventKind.START,
            day=dt.date(2026, 1, 10),
            dose_mg=50.0,
            note="@pharmacy: ask about timing",
        ),
        MedicationRecord(
            ref="medication-2",
            medication="Hypericum blend, health shop",
            event=MedicationEventKind.START,
            day=dt.date(2026, 1, 20),
            dose_mg=312.5,
        ),
        MedicationRecord(
            ref="medication-3",
            medication="sertraline",
            rxcui="36437",
            event=MedicationEventKind.DOSE_CHANGE,
            day=dt.date(2026, 2, 7),
            dose_mg=100.0,
        ),
        MedicationRecord(
            ref="medication-4",
            medication="sertraline",
            rxcui="36437",
            event=MedicationEventKind.STOP,
            day=dt.date(2026, 3, 1),
            note="Stopped with Dr Ng's plan,\nsee letter.",
        ),
    ),
    goals=(
        GoalRecord(
            strategy_id="movement",
            title='+20 min walk, "brisk"',
            times_per_week=3,
            started_on=dt.date(2026, 3, 1),
            kept_days=(dt.date(2026, 3, 2), dt.date(2026, 3, 4)),
        ),
        GoalRecord(
            strategy_id="sleep",
            title="Keep a regular sleep time",
            times_per_week=5,
            started_on=dt.date(2026, 3, 1),
            ended_on=dt.date(2026, 3, 3),
            kept_days=(dt.date(2026, 3, 2),),
        ),
        GoalRecord(
            strategy_id="therapy",
            title="Look for a therapist",
            times_per_week=1,
            started_on=dt.date(2026, 3, 4),
        ),
    ),
    impact=(
        ImpactRecord(
            month=dt.date(2026, 2, 1),
            scores={"connect": 1, "misread": 2, "drive": 3, "satisfaction": 0},
        ),
        ImpactRecord(
            month=dt.date(2026, 3, 1),
            scores={"connect": 4, "misread": 0, "drive": 1, "satisfaction": 2},
        ),
    ),
    questions=(
        QuestionRecord(ref="question-1", text='=HYPERLINK("http://example.com")'),
        QuestionRecord(ref="question-2", text="Could the numbness be a side effect?"),
    ),
    safety_events=(
        SafetyEventRecord(
            occurred_at=at(2, 19, 5),
            signal=SafetySignal.PHQ9_ITEM9,
            item_value=1,
            source="questionnaire_response",
            source_ref="response-1",
        ),
        SafetyEventRecord(
            occurred_at=at(5, 23, 59),
            signal=SafetySignal.NOTE_LANGUAGE,
            source="checkin",
            source_ref="checkin-2026-03-05",
        ),
        SafetyEventRecord(
            occurred_at=at(1, 12),
            signal=SafetySignal.NOTE_LANGUAGE,
            source="medication_event",  # that entry was deleted before the export
        ),
    ),
    contacts=(
        ContactRecord(
            practitioner_npi="1234567893",
            practitioner_name="Ben Okafor, MD",
            reply_to="alice@example.org",
            message="Hello Dr Okafor,\n-are you taking new patients?",
            created_at=at(5, 10),
            delivery="emailed",
        ),
    ),
)


# --- helpers -------------------------------------------------------------------------------------


def members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def table(content: bytes, name: str) -> list[list[str]]:
    """A member's rows, header first, as the csv module reads them."""
    text = members(content)[name].decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def with_table(content: bytes, name: str, rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    return rezip({**members(content), name: buffer.getvalue().encode("utf-8")})


def edited(name: str, row: int, column: str, value: str) -> bytes:
    """The export of RECORD with one cell changed (`row` counts data rows from 0)."""
    content = write_zip(RECORD)
    rows = table(content, name)
    rows[row + 1][rows[0].index(column)] = value
    return with_table(content, name, rows)


def refusal(content: bytes) -> str:
    with pytest.raises(ImportRefused) as caught:
        read_zip(content, source=SOURCE)
    assert caught.value.status_code == 422
    return caught.value.message


@pytest.fixture(scope="module")
def exported() -> bytes:
    return write_zip(RECORD)


# --- the round trip and the bytes ----------------------------------------------------------------


def test_a_record_of_every_kind_reads_back_equal(exported: bytes) -> None:
    assert read_zip(exported, source=SOURCE) == RECORD


def test_the_same_record_gives_the_same_bytes(exported: bytes) -> None:
    assert write_zip(RECORD) == exported
    assert write_zip(read_zip(exported, source=SOURCE)) == exported


def test_members_are_in_a_fixed_order_with_fixed_times(exported: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == [README_NAME, *(file.name for file in FILES)]
    assert {info.date_time for info in infos} == {ZIP_TIMESTAMP}
    assert {info.compress_type for info in infos} == {zipfile.ZIP_DEFLATED}


def test_every_kind_has_its_file_even_when_empty() -> None:
    empty = PersonalData(person=RECORD.person)
    content = write_zip(empty)

    for file in FILES:
        rows = table(content, file.name)
        assert rows[0] == list(file.header)
        assert len(rows) == (2 if file.name == "person.csv" else 1)
    assert read_zip(content, source=SOURCE) == empty


def test_is_zip_tells_a_zip_from_a_fhir_file(exported: bytes) -> None:
    assert is_zip(exported)
    assert is_zip(write_zip(PersonalData(person=RECORD.person)))
    assert not is_zip(b'{"resourceType": "Bundle"}')
    assert not is_zip(b"")


def test_floats_are_written_as_their_shortest_exact_text(exported: bytes) -> None:
    rows = table(exported, "checkins.csv")
    sleep = [row[rows[0].index("sleep_hours")] for row in rows[1:]]
    assert sleep == ["7.333333333333333", "", "0.1", ""]
    doses = [row[5] for row in table(exported, "medication_events.csv")[1:]]
    assert doses == ["50.0", "312.5", "100.0", ""]


def test_times_dates_and_booleans_are_iso_and_lowercase(exported: bytes) -> None:
    rows = table(exported, "checkins.csv")
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["day"] == "2026-03-02"
    assert first["updated_at"] == "2026-03-03T01:02:01.123456+00:00"
    assert first["backfilled"] == "false"
    assert dict(zip(rows[0], rows[2], strict=True))["backfilled"] == "true"
    assert dict(zip(rows[0], rows[2], strict=True))["event_pleasantness"] == ""  # not given


def test_text_is_quoted_and_numbers_are_not(exported: bytes) -> None:
    """A lone carriage return in a note would split the row if text went unquoted."""
    text = members(exported)["checkins.csv"].decode("utf-8")
    assert '"checkin-2026-03-02","2026-03-02",5,4,3,3,2,4,2,1,2,0,1,3,2,1,0,2,-2,' in text
    assert "\r" in text
    assert text.count("\n") == 1 + len(RECORD.checkins) + 2  # header, rows, the note's two


# --- the documentation --------------------------------------------------------------------------


def test_readme_names_every_file_and_every_column(exported: bytes) -> None:
    readme = members(exported)[README_NAME].decode("utf-8")
    for file in FILES:
        header = table(exported, file.name)[0]
        assert f"\n{file.name}: " in readme
        section = readme.split(f"\n{file.name}: ", 1)[1].split("\n\n", 1)[0]
        for column in header:
            assert re.search(rf"^  {column} \(", section, re.MULTILINE), (file.name, column)


def test_docs_have_the_table_row_of_every_column() -> None:
    """docs/data-export.md shows each file's columns as the code defines them."""
    docs = (Path(__file__).parents[2] / "docs" / "data-export.md").read_text(encoding="utf-8")
    section = docs.split("\n## CSV zip\n", 1)[1].split("\n## ", 1)[0]
    for file in FILES:
        part = section.split(f"### `{file.name}`\n", 1)[1].split("\n### ", 1)[0]
        assert file.row in part
        for column in file.columns:
            kind = column.kind.value
            kind += "; empty = not given" if column.optional else ""
            kind += "; computed, checked on import" if column.computed else ""
            assert f"| `{column.name}` | {column.meaning} | {kind} |" in part, column.name


# --- derived columns -----------------------------------------------------------------------------


def test_daily_means_in_checkins_csv_are_the_hand_computed_ones(exported: bytes) -> None:
    rows = table(exported, "checkins.csv")
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["positive_affect"], first["negative_affect"], first["numbness"]) == (
        "3.2857",  # 23 / 7
        "1.5000",  # 9 / 6
        "1.0000",  # 3 / 3
    )
    all_six = dict(zip(rows[0], rows[3], strict=True))
    assert (all_six["positive_affect"], all_six["numbness"]) == ("6.0000", "6.0000")


def test_totals_are_written_for_completed_responses_only(exported: bytes) -> None:
    rows = table(exported, "questionnaire_responses.csv")
    column = rows[0].index("total")
    assert [row[column] for row in rows[1:]] == [str(PHQ9_TOTAL), str(PCL5_TOTAL), "", ""]


def test_answers_are_one_json_cell_in_the_instruments_order(exported: bytes) -> None:
    rows = table(exported, "questionnaire_responses.csv")
    column = rows[0].index("answers")
    assert rows[2][column] == "{" + ", ".join(f'"q{n}": {n % 5}' for n in range(1, 21)) + "}"
    assert rows[3][column] == '{"q1": 1, "q2": 0}'


# --- formula injection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("-sad day", "'-sad day"),
        ("+20 min", "'+20 min"),
        ("@home", "'@home"),
        ("\tindented", "'\tindented"),
        ("'=x", "''=x"),  # already starts with the guard: one more, so the round trip is exact
        ("''-x", "'''-x"),
        ("'tis fine", "'tis fine"),  # a quote before ordinary text needs nothing
        ("'", "'"),
        ("", ""),
        ("plain, ordinary words", "plain, ordinary words"),
        ("a = b", "a = b"),
    ],
)
def test_text_is_guarded_and_read_back_exactly(text: str, cell: str) -> None:
    assert guard_text(text) == cell
    assert unguard_text(cell) == text


def test_no_text_cell_in_the_export_starts_a_formula(exported: bytes) -> None:
    triggers = tuple(csv_format.FORMULA_STARTS)
    for file in FILES:
        rows = table(exported, file.name)
        for row in rows[1:]:
            for column, cell in zip(file.columns, row, strict=True):
                if column.kind is csv_format.Kind.TEXT:
                    assert not cell.startswith(triggers), (file.name, column.name, cell)
    notes = [row[-6] for row in table(exported, "checkins.csv")[1:]]
    assert notes[1:3] == ["'=1+1", "''=x"]


# --- what a spreadsheet does to a file on saving is accepted -------------------------------------


def test_a_spreadsheets_resave_reads_back_the_same(exported: bytes) -> None:
    """A byte-order mark, CRLF line ends, every cell quoted, TRUE/FALSE and trailing empty rows."""
    rows = table(exported, "checkins.csv")
    column = rows[0].index("backfilled")
    for row in rows[1:]:
        row[column] = row[column].upper()
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerows([*rows, [""] * len(rows[0]), []])
    resaved = rezip(
        {**members(exported), "checkins.csv": ("\ufeff" + buffer.getvalue()).encode("utf-8")}
    )

    assert read_zip(resaved, source=SOURCE) == RECORD


# --- refusals: the zip ---------------------------------------------------------------------------


def test_refuses_what_is_not_a_zip() -> None:
    message = refusal(b"PK\x03\x04 not really a zip at all")
    assert message.startswith(f"{SOURCE}: not a readable zip file")


def test_refuses_a_damaged_member(exported: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        info = archive.getinfo("checkins.csv")
    start = info.header_offset + 30 + len(info.filename)  # the member's compressed bytes
    damaged = bytearray(exported)
    for offset in range(start + 10, start + 20):
        damaged[offset] ^= 0xFF

    assert refusal(bytes(damaged)).startswith(f"{SOURCE}: checkins.csv cannot be unpacked")


def test_refuses_a_missing_member(exported: bytes) -> None:
    files = members(exported)
    del files["safety_events.csv"]

    message = refusal(rezip(files))
    assert message.startswith(f"{SOURCE}: the zip has no safety_events.csv")


def test_a_missing_readme_is_no_problem(exported: bytes) -> None:
    files = members(exported)
    del files[README_NAME]
    assert read_zip(rezip(files), source=SOURCE) == RECORD


@pytest.mark.parametrize("extra", ["notes.txt", "export/person.csv", "__MACOSX/._person.csv"])
def test_refuses_an_unknown_member_naming_it(exported: bytes, extra: str) -> None:
    message = refusal(rezip({**members(exported), extra: b"x"}))
    assert message.startswith(f"{SOURCE}: {extra!r} is not part of an AffectRange CSV export")


def test_refuses_a_member_given_twice(exported: bytes) -> None:
    buffer = io.BytesIO(exported)
    with (
        pytest.warns(UserWarning, match="Duplicate name"),
        zipfile.ZipFile(buffer, "a") as archive,
    ):
        archive.writestr("person.csv", members(exported)["person.csv"])
    assert refusal(buffer.getvalue()) == f"{SOURCE}: person.csv is in the zip twice"


def test_refuses_a_member_that_unpacks_beyond_the_limit(exported: bytes) -> None:
    """A real bomb: 65 MB of zeros packed to a few kilobytes. Its header tells the truth, and
    it is refused before anything is unpacked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members(exported).items():
            if name != "checkins.csv":
                archive.writestr(name, data)
        with archive.open("checkins.csv", "w", force_zip64=True) as stream:
            for _ in range(65):
                stream.write(bytes(2**20))
    assert len(buffer.getvalue()) < 2**20

    message = refusal(buffer.getvalue())
    assert (
        message == f"{SOURCE}: checkins.csv unpacks to more than 64 MB, more than any record holds"
    )


def test_a_member_is_never_unpacked_beyond_what_its_header_claims(exported: bytes) -> None:
    """The header says 100 bytes; the data holds 300 kB. The read stops at 100 and the
    checksum then fails: refused, and never more than the header's size in memory."""
    files = members(exported)
    files["checkins.csv"] += b"\n" * 300_000
    content = bytearray(rezip(files))
    entry = content.index(b"PK\x01\x02")  # the central directory, one entry per member
    while True:
        name_length, extra, comment = struct.unpack_from("<HHH", content, entry + 28)
        if content[entry + 46 : entry + 46 + name_length] == b"checkins.csv":
            struct.pack_into("<I", content, entry + 24, 100)  # its uncompressed size
            break
        entry += 46 + name_length + extra + comment

    message = refusal(bytes(content))
    assert message.startswith(f"{SOURCE}: checkins.csv cannot be unpacked")


def test_refuses_a_zip_whose_members_together_exceed_the_limit(
    exported: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes = [len(data) for name, data in members(exported).items() if name != README_NAME]
    largest = max(sizes)  # each member alone is within the limit; together they are not
    monkeypatch.setattr(csv_format, "MAX_UNCOMPRESSED_BYTES", largest + 1)
    assert refusal(exported).startswith(f"{SOURCE}: the zip unpacks to more than")


def test_the_limit_is_the_services_upload_limit() -> None:
    assert csv_format.MAX_UNCOMPRESSED_BYTES == service.MAX_IMPORT_BYTES


# --- refusals: headers, encoding and the shape of a file -----------------------------------------


def header_changed(name: str, rename: dict[str, str], drop: str | None = None) -> bytes:
    content = write_zip(RECORD)
    rows = table(content, name)
    keep = [index for index, column in enumerate(rows[0]) if column != drop]
    rows[0] = [rename.get(column, column) for column in rows[0]]
    return with_table(content, name, [[row[index] for index in keep] for row in rows])


def test_refuses_a_wrong_column_name() -> None:
    message = refusal(header_changed("checkins.csv", {"sleep_hours": "sleep"}))
    assert message.startswith(
        f"{SOURCE}: checkins.csv line 1, column sleep: not a column of checkins.csv"
    )


def test_refuses_a_missing_column() -> None:
    message = refusal(header_changed("medication_events.csv", {}, drop="rxcui"))
    assert message == f"{SOURCE}: medication_events.csv line 1: missing column rxcui"


def test_refuses_an_extra_column(exported: bytes) -> None:
    rows = table(exported, "impact_ratings.csv")
    rows = [[*row, "x"] for row in rows]
    rows[0][-1] = "total"
    message = refusal(with_table(exported, "impact_ratings.csv", rows))
    assert message.startswith(
        f"{SOURCE}: impact_ratings.csv line 1, column total: not a column of impact_ratings.csv"
    )


def test_refuses_a_column_named_twice(exported: bytes) -> None:
    rows = [[*row, row[1]] for row in table(exported, "appointment_questions.csv")]
    message = refusal(with_table(exported, "appointment_questions.csv", rows))
    assert message == f"{SOURCE}: appointment_questions.csv line 1, column text: named twice"


def test_refuses_an_empty_member(exported: bytes) -> None:
    message = refusal(rezip({**members(exported), "care_goals.csv": b""}))
    assert message.startswith(
        f"{SOURCE}: care_goals.csv line 1: empty; the first line must name the columns"
    )


def test_reordered_columns_are_read_by_their_names(exported: bytes) -> None:
    rows = [list(reversed(row)) for row in table(exported, "contact_requests.csv")]
    assert read_zip(with_table(exported, "contact_requests.csv", rows), source=SOURCE) == RECORD


def test_refuses_text_that_is_not_utf8_naming_line_and_column(exported: bytes) -> None:
    """The second check-in starts on line 5: the first one's note spans lines 2 to 4."""
    data = members(exported)["checkins.csv"]
    damaged = data.replace(b"=1+1", "caf\xe9 =1+1".encode("latin-1"))
    message = refusal(rezip({**members(exported), "checkins.csv": damaged}))
    assert message == (
        f"{SOURCE}: checkins.csv line 5, column note: not UTF-8 text; save the file as UTF-8"
    )


def test_refuses_a_row_with_too_few_cells(exported: bytes) -> None:
    rows = table(exported, "care_goals.csv")
    rows[2] = rows[2][:-1]
    message = refusal(with_table(exported, "care_goals.csv", rows))
    assert message == f"{SOURCE}: care_goals.csv line 3: 5 cells, but the header names 6 columns"


def test_refuses_broken_quoting(exported: bytes) -> None:
    text = members(exported)["appointment_questions.csv"] + b'"question-3","unclosed"text\n'
    message = refusal(rezip({**members(exported), "appointment_questions.csv": text}))
    assert message.startswith(f"{SOURCE}: appointment_questions.csv line 4: not readable as CSV")


def test_refuses_a_second_person(exported: bytes) -> None:
    rows = table(exported, "person.csv")
    message = refusal(with_table(exported, "person.csv", [*rows, rows[1]]))
    assert message.startswith(f"{SOURCE}: person.csv line 3: a second person")


def test_refuses_a_person_file_without_its_row(exported: bytes) -> None:
    rows = table(exported, "person.csv")
    message = refusal(with_table(exported, "person.csv", rows[:1]))
    assert message.startswith(f"{SOURCE}: person.csv line 2: no row")


# --- refusals: values ----------------------------------------------------------------------------


class BadValue(NamedTuple):
    file: str
    row: int
    """Counted from 0 among the data rows."""
    column: str
    cell: str
    line: int
    """Where the row starts in the file: the first check-in's note spans lines 2 to 4."""
    problem: str


BAD_VALUES: Final = [
    BadValue("checkins.csv", 1, "sleep_hours", "seven", 5, "'seven' is not a number"),
    BadValue(
        "checkins.csv", 1, "sleep_hours", "25", 5, "'25': Input should be less than or equal to 24"
    ),
    BadValue("checkins.csv", 1, "sleep_hours", "1e999", 5, "'1e999' is too large"),
    BadValue("checkins.csv", 0, "joyful", "7", 2, "'7': Input should be less than or equal to 6"),
    BadValue("checkins.csv", 2, "joyful", "", 6, "empty, and this column needs a value"),
    BadValue("checkins.csv", 2, "joyful", "3.5", 6, "'3.5' is not a whole number"),
    BadValue("checkins.csv", 2, "event_pleasantness", "-4", 6, "greater than or equal to -3"),
    BadValue("checkins.csv", 2, "day", "2026-02-30", 6, "'2026-02-30' is not a date (YYYY-MM-DD)"),
    BadValue("checkins.csv", 2, "day", "03/04/2026", 6, "'03/04/2026' is not a date (YYYY-MM-DD)"),
    BadValue("checkins.csv", 2, "updated_at", "2026-03-04T20:01:02", 6, "needs its UTC offset"),
    BadValue(
        "checkins.csv", 2, "updated_at", "yesterday", 6, "'yesterday' is not a time (ISO 8601)"
    ),
    BadValue("checkins.csv", 2, "backfilled", "yes", 6, "'yes' is not true or false"),
    BadValue(
        "checkins.csv", 2, "note", "x" * 4001, 6, "String should have at most 4000 characters"
    ),
    BadValue("questionnaire_responses.csv", 0, "answers", "{q1: 2}", 2, "not JSON"),
    BadValue(
        "questionnaire_responses.csv", 0, "answers", "[2, 1]", 2, "not a JSON object of answers"
    ),
    BadValue("questionnaire_responses.csv", 0, "answers", "[" * 100_000, 2, "not a JSON object"),
    BadValue(
        "questionnaire_responses.csv", 2, "answers", '{"q1": true}', 4, "'q1' is true, not a code"
    ),
    BadValue(
        "questionnaire_responses.csv", 2, "answers", '{"q1": 4}', 4, "4 is not an allowed answer"
    ),
    BadValue(
        "questionnaire_responses.csv", 2, "answers", '{"q11": 1}', 4, "'q11' is not an item of"
    ),
    BadValue("questionnaire_responses.csv", 2, "instrument", "bdi", 4, "unknown instrument 'bdi'"),
    BadValue(
        "questionnaire_responses.csv", 2, "status", "done", 4, "Input should be 'in_progress'"
    ),
    BadValue("medication_events.csv", 0, "rxcui", "36437a", 2, "String should match pattern"),
    BadValue("medication_events.csv", 0, "event", "pause", 2, "Input should be 'start'"),
    BadValue("medication_events.csv", 0, "dose_mg", "0", 2, "Input should be greater than 0"),
    BadValue("care_goals.csv", 0, "times_per_week", "8", 2, "less than or equal to 7"),
    BadValue(
        "impact_ratings.csv", 1, "drive", "5", 3, "'5': Input should be less than or equal to 4"
    ),
    BadValue(
        "appointment_questions.csv", 1, "text", "", 3, "String should have at least 1 character"
    ),
    BadValue("safety_events.csv", 0, "signal", "risk_score", 2, "Input should be 'phq9_item9'"),
    BadValue("safety_events.csv", 0, "item_value", "4", 2, "less than or equal to 3"),
    BadValue(
        "contact_requests.csv", 0, "practitioner_npi", "123", 2, "String should match pattern"
    ),
    BadValue("contact_requests.csv", 0, "delivery", "posted", 2, "Input should be 'emailed'"),
    BadValue("contact_requests.csv", 0, "created_at", "2026-03-05", 2, "needs its UTC offset"),
    BadValue("person.csv", 0, "display_name", "", 2, "String should have at least 1 character"),
]


@pytest.mark.parametrize(
    "bad", BAD_VALUES, ids=[f"{bad.file}:{bad.column}={bad.cell[:12]!r}" for bad in BAD_VALUES]
)
def test_refuses_a_bad_value_naming_file_line_and_column(bad: BadValue) -> None:
    message = refusal(edited(bad.file, bad.row, bad.column, bad.cell))
    assert message.startswith(f"{SOURCE}: {bad.file} line {bad.line}, column {bad.column}: ")
    assert bad.problem in message


def test_a_rule_about_the_whole_row_names_the_line() -> None:
    """The record's own rules that are not about one field (a model validator)."""
    message = refusal(edited("medication_events.csv", 0, "dose_mg", ""))
    assert message == (
        f"{SOURCE}: medication_events.csv line 2: a start or dose change needs its dose in mg"
    )
    message = refusal(edited("care_goals.csv", 0, "strategy_id", "yoga"))
    assert message == f"{SOURCE}: care_goals.csv line 2: unknown strategy 'yoga'"


# --- refusals: what spans rows and files ---------------------------------------------------------


def test_refuses_a_second_checkin_for_a_day() -> None:
    message = refusal(edited("checkins.csv", 2, "day", "2026-03-03"))
    assert message == (
        f"{SOURCE}: checkins.csv line 6, column day: 2026-03-03 already has a check-in, at line 5"
    )


def test_refuses_a_ref_used_twice() -> None:
    message = refusal(edited("medication_events.csv", 1, "ref", "response-2"))
    assert message == (
        f"{SOURCE}: medication_events.csv line 3, column ref: 'response-2' is already the ref "
        "of questionnaire_responses.csv line 3"
    )


def test_refuses_a_safety_event_pointing_at_a_ref_not_in_the_file() -> None:
    message = refusal(edited("safety_events.csv", 1, "source_ref", "checkin-2026-01-01"))
    assert message == (
        f"{SOURCE}: safety_events.csv line 3, column source_ref: 'checkin-2026-01-01' is not a "
        "ref in this export"
    )


def test_refuses_a_safety_event_pointing_at_the_wrong_kind() -> None:
    message = refusal(edited("safety_events.csv", 1, "source_ref", "question-1"))
    assert message == (
        f"{SOURCE}: safety_events.csv line 3, column source_ref: 'question-1' is in "
        "appointment_questions.csv (line 2), but the source is checkin"
    )


def test_refuses_a_daily_mean_that_disagrees_with_the_items() -> None:
    message = refusal(edited("checkins.csv", 0, "positive_affect", "3.3"))
    assert message == (
        f"{SOURCE}: checkins.csv line 2, column positive_affect: gives 3.3 but the row's items "
        "give 3.2857: the file was changed or damaged"
    )


def test_a_daily_mean_with_more_decimals_still_agrees() -> None:
    """A spreadsheet that recomputes 23 / 7 writes more decimals; it rounds to the same."""
    content = edited("checkins.csv", 0, "positive_affect", "3.285714285714286")
    assert read_zip(content, source=SOURCE) == RECORD


def test_refuses_an_item_changed_without_its_mean() -> None:
    message = refusal(edited("checkins.csv", 0, "joyful", "6"))
    assert message.startswith(f"{SOURCE}: checkins.csv line 2, column positive_affect: gives")


def test_refuses_a_total_that_disagrees_with_the_answers() -> None:
    message = refusal(edited("questionnaire_responses.csv", 0, "total", "12"))
    assert message == (
        f"{SOURCE}: questionnaire_responses.csv line 2, column total: gives 12 but the answers "
        "score 11 on Patient Health Questionnaire (PHQ-9): the file was changed or damaged"
    )


def test_refuses_a_total_on_an_unfinished_response() -> None:
    message = refusal(edited("questionnaire_responses.csv", 2, "total", "1"))
    assert message.startswith(f"{SOURCE}: questionnaire_responses.csv line 4, column total: ")


def test_refuses_a_completed_response_without_its_total() -> None:
    message = refusal(edited("questionnaire_responses.csv", 1, "total", ""))
    assert message.startswith(
        f"{SOURCE}: questionnaire_responses.csv line 3, column total: is empty but the answers "
        "score 40"
    )


def test_refuses_a_day_kept_for_a_goal_not_in_the_file() -> None:
    message = refusal(edited("care_goal_days_kept.csv", 2, "goal_number", "9"))
    assert message == (
        f"{SOURCE}: care_goal_days_kept.csv line 4, column goal_number: 9 is not a goal_number "
        "in care_goals.csv"
    )


def test_refuses_a_day_kept_outside_its_goals_period() -> None:
    message = refusal(edited("care_goal_days_kept.csv", 2, "day", "2026-03-04"))
    assert message == (
        f"{SOURCE}: care_goal_days_kept.csv line 4, column day: 2026-03-04 is outside goal 2's "
        "period (from 2026-03-01 to 2026-03-03)"
    )


def test_refuses_a_day_kept_listed_twice() -> None:
    message = refusal(edited("care_goal_days_kept.csv", 1, "day", "2026-03-02"))
    assert message == (
        f"{SOURCE}: care_goal_days_kept.csv line 3, column day: 2026-03-02 is listed twice "
        "for goal 1"
    )


def test_refuses_a_goal_number_used_twice() -> None:
    message = refusal(edited("care_goals.csv", 1, "goal_number", "1"))
    assert message == f"{SOURCE}: care_goals.csv line 3, column goal_number: 1 is already line 2's"


def test_refuses_a_second_rating_for_a_month() -> None:
    message = refusal(edited("impact_ratings.csv", 1, "month", "2026-02-01"))
    assert message == (
        f"{SOURCE}: impact_ratings.csv line 3, column month: 2026-02-01 is already rated, at line 2"
    )


def test_refuses_more_questions_than_a_list_holds(exported: bytes) -> None:
    rows = table(exported, "appointment_questions.csv")
    rows += [[f"question-{n}", f"Question {n}?"] for n in range(3, 12)]
    message = refusal(with_table(exported, "appointment_questions.csv", rows))
    assert message == (
        f"{SOURCE}: appointment_questions.csv line 12: question 11; the list holds at most 10"
    )


# --- the real export and import (database) -------------------------------------------------------


@pytest.fixture
def loaded(session: Session, alice: User, tmp_path: Path) -> User:
    load_everything(session, alice, tmp_path / "outbox")
    return alice


@pytest.fixture
def elsewhere(committing_database: Database) -> Iterator[Session]:
    """A second, empty installation, so the new account can carry alice's own e-mail."""
    with committing_database.session_factory() as session:
        yield session


def export_csv(session: Session, person: User, clock: FrozenClock) -> bytes:
    exported = service.export_record(
        session,
        person,
        file_format=service.ExportFormat.CSV,
        now=clock.now(),
        actor=actor_for(person),
        address="203.0.113.7",
    )
    session.commit()
    assert exported.filename == "affectrange-record-2026-06-15.csv.zip"
    assert exported.media_type == "application/zip"
    return exported.content


def import_csv(session: Session, person: User, content: bytes, clock: FrozenClock) -> None:
    service.import_record(
        session,
        person,
        content,
        source=SOURCE,
        now=clock.now(),
        actor=actor_for(person),
        address="203.0.113.7",
    )
    session.commit()


def test_export_import_export_through_the_service_gives_the_same_zip(
    session: Session, loaded: User, clock: FrozenClock, elsewhere: Session
) -> None:
    first = export_csv(session, loaded, clock)
    rows = table(first, "checkins.csv")
    chosen = next(row for row in rows[1:] if row[1] == CHOSEN_DAY.isoformat())
    # 20 / 7, 15 / 6 and 11 / 3, worked by hand in tests/portability/helpers.py
    assert chosen[-3:] == ["2.8571", "2.5000", "3.6667"]
    form = RegisterForm(
        email=loaded.email,
        display_name=loaded.display_name,
        password=PASSWORD,
        password_repeat=PASSWORD,
        timezone=loaded.timezone,
    )
    newcomer = accounts.register_user(elsewhere, make_settings(), form, now=NOW)
    elsewhere.commit()

    import_csv(elsewhere, newcomer, first, clock)

    assert export_csv(elsewhere, newcomer, clock) == first


def test_a_refused_csv_import_writes_nothing(
    session: Session, loaded: User, bob: User, clock: FrozenClock
) -> None:
    content = export_csv(session, loaded, clock)
    rows = table(content, "safety_events.csv")
    rows[-1][-1] = "checkin-1999-01-01"
    damaged = with_table(content, "safety_events.csv", rows)
    before = row_counts(session)

    with pytest.raises(ImportRefused, match=r"safety_events\.csv line 4, column source_ref"):
        import_csv(session, bob, damaged, clock)
    session.rollback()

    assert row_counts(session) == before
    assert service.read_record(session, bob).is_empty()
