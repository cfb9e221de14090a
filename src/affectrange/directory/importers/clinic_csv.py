"""A clinic's own CSV: what NPPES and Plan-Net do not carry (plans, modalities, issues, fees).

One row per practitioner per practice location (docs/directory.md lists every column). A row
names its practitioner by NPI; the practitioner is created when new (names and taxonomy are then
required) and otherwise enriched: only the columns a row fills are written, so an empty cell never
wipes what NPPES or an earlier file gave. Practice addresses are keyed exactly as the NPPES
importer keys them, so the two sources share one location for the same address.

Plans become roles the way Plan-Net has them, one network per role: a plan already in the
directory gives one role per network of that plan; a plan it does not know is created with one
network of its own (`clinic-plan:{id}`). A row without plans gives one role without a network.

The file is read as a stream: rows are parsed with precomputed column positions, checked, and
written a batch at a time, so memory stays flat for a file of millions of rows. A batch is
checked whole before anything in it is written, so the error raised is always the first problem
in file order; earlier batches are already written, and the caller rolls the transaction back.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, NoReturn

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from affectrange.directory.geo import normalize_zip, zip_centroid
from affectrange.directory.importers.common import (
    BATCH_SIZE,
    DirectoryImportError,
    DirectoryWriter,
    ImportSummary,
    Record,
    address_key,
    format_us_phone,
)
from affectrange.directory.importers.nppes import npi_is_valid
from affectrange.directory.models import (
    DirectoryLocation,
    DirectoryNetwork,
    DirectoryPlan,
    DirectoryPlanNetwork,
    DirectoryPractitioner,
)
from affectrange.directory.taxonomy import BEHAVIORAL_HEALTH_CODES
from affectrange.directory.vocabulary import (
    AGE_GROUPS,
    GENDERS,
    ISSUES,
    LANGUAGES,
    MODALITIES,
    SESSION_FORMATS,
    US_STATES,
)

COLUMNS: Final = (
    "npi",
    "given_name",
    "family_name",
    "credentials",
    "gender",
    "email",
    "phone",
    "website",
    "address",
    "city",
    "state",
    "zip",
    "latitude",
    "longitude",
    "taxonomy",
    "telehealth",
    "in_person",
    "accepting_new_patients",
    "sliding_scale",
    "licensed_states",
    "languages",
    "issues",
    "modalities",
    "age_groups",
    "session_formats",
    "fee_min_usd",
    "fee_max_usd",
    "next_available",
    "availability_confirmed_on",
    "plans",
    "plan_names",
)
"""Every column the format has; a header naming any other is refused."""

_CODE_COLUMNS: Final[Mapping[str, Mapping[str, str]]] = {
    "languages": LANGUAGES,
    "issues": ISSUES,
    "modalities": MODALITIES,
    "age_groups": AGE_GROUPS,
    "session_formats": SESSION_FORMATS,
}
_ADDRESS_COLUMNS: Final = ("address", "city", "state", "zip")
_PLACE_COLUMNS: Final = (*_ADDRESS_COLUMNS, "latitude", "longitude")
_FLAGS: Final[Mapping[str, bool]] = {
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
}
_MAX_FEE_USD: Final = 10_000
_CLINIC_POSITION: Final = "clinic"
"""`position_source` of a location placed by the file's own latitude and longitude."""
_ONLINE: Final = "online"
"""The location part of the role key of a row without a practice address."""
_MAX_ROLE_KEY: Final = 200  # DirectoryRole.source_key
_MAX_PLAN_KEY: Final = 120  # DirectoryPlan.plan_key
_MAX_NAME: Final = 120
_MAX_PLAN_NAME: Final = 280  # its network is named "{name} network" in 300 characters
_CACHE_LIMIT: Final = 10_000
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_WEBSITE: Final = re.compile(r"https?://[^\s/]+\.[^\s]+", re.IGNORECASE)
_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE_DOLLARS: Final = re.compile(r"\d{1,9}")


def import_clinic_csv(session: Session, path: Path, *, now: dt.datetime) -> ImportSummary:
    """Import the file inside the session's transaction; raise DirectoryImportError on a bad row."""
    summary = ImportSummary(source="clinic-csv")
    writer = _BatchWriter(session, DirectoryWriter(session, summary, now=now), summary, path.name)
    for batch, problem in _batches(path, summary, now):
        writer.write(batch)
        if problem is not None:
            raise problem
    writer.finish()
    return summary


@dataclass(frozen=True, slots=True)
class _Place:
    key: str
    line: str
    city: str
    state: str
    postal_code: str
    position: tuple[float, float] | None
    """The file's own latitude and longitude, when given."""


@dataclass(frozen=True, slots=True)
class _Row:
    """One parsed, checked row: plain values, never ORM objects."""

    line: int
    npi: str
    practitioner: Record
    """The practitioner columns the row fills (`npi` included), ready for the writer."""
    missing_names: tuple[str, ...]
    codes: tuple[str, ...]
    place: _Place | None
    telehealth: bool
    in_person: bool
    accepting: bool | None
    plans: tuple[tuple[str, str | None], ...]
    """(plan id, name for a new plan or None) in the file's order."""


def _batches(
    path: Path, summary: ImportSummary, now: dt.datetime
) -> Iterator[tuple[list[_Row], DirectoryImportError | None]]:
    """Batches of parsed rows; the last carries the first problem met, if any, after the rows
    before it, so they can be checked first and the earliest problem reported.

    A batch that has reached `BATCH_SIZE` still takes the rows that follow for the same NPI: a
    practitioner listed on consecutive rows is written once, whatever the batch boundaries, which
    keeps a second import of such a file from finding anything to change.
    """
    try:
        handle = path.open(newline="", encoding="utf-8-sig")  # "-sig": Excel writes a BOM
    except OSError as error:
        raise DirectoryImportError(f"{path}: cannot be read ({error.strerror})") from error
    with handle:
        reader = csv.reader(handle)
        batch: list[_Row] = []
        try:
            header = next(reader, None)
            if header is None:
                raise DirectoryImportError(f"{path.name}: the file is empty")
            parser = _Parser(header, path.name, now)
            last_line = reader.line_num
            for cells in reader:
                line, last_line = last_line + 1, reader.line_num
                if not any(cell.strip() for cell in cells):
                    continue  # a blank line, or a row of empty cells a spreadsheet left
                summary.rows_read += 1
                row = parser.parse(cells, line)
                if len(batch) >= BATCH_SIZE and row.npi != batch[-1].npi:
                    yield batch, None
                    batch = []
                batch.append(row)
        except DirectoryImportError as error:
            yield batch, error
            return
        except UnicodeDecodeError as error:
            problem = f"{path.name}, after line {reader.line_num}: not UTF-8 text ({error.reason})"
            yield batch, DirectoryImportError(problem)
            return
        except csv.Error as error:
            yield batch, DirectoryImportError(f"{path.name}, line {reader.line_num}: {error}")
            return
    if batch:
        yield batch, None


class _Parser:
    """Turns one CSV row into a checked `_Row`, using column positions found once."""

    def __init__(self, header: list[str], file_name: str, now: dt.datetime) -> None:
        self._file = file_name
        self._width = len(header)
        self._latest_confirmation = now.date() + dt.timedelta(days=1)  # any time zone's today
        names = [name.strip() for name in header]
        unknown = [name for name in names if name not in COLUMNS]
        if unknown:
            shown = ", ".join(repr(name) for name in unknown)
            raise DirectoryImportError(
                f"{file_name}, line 1: unknown column(s) {shown}; "
                f"the columns are {', '.join(COLUMNS)}"
            )
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise DirectoryImportError(
                f"{file_name}, line 1: column(s) {', '.join(repeated)} appear more than once"
            )
        if "npi" not in names:
            raise DirectoryImportError(f"{file_name}, line 1: the npi column is required")
        self._present: tuple[tuple[str, int], ...] = tuple(
            (name, index) for index, name in enumerate(names)
        )
        # Most rows repeat a few code lists ("en;es", "CT") and plan lists, and a practitioner's
        # rows come one after another at one address: each is checked once, not per row.
        self._lists: dict[tuple[str, str], tuple[str, ...]] = {}
        self._plan_lists: dict[tuple[str, str | None], tuple[tuple[str, str | None], ...]] = {}
        self._last_npi = ""
        self._last_address: tuple[str | None, ...] = ()
        self._last_place: _Place | None = None

    def parse(self, cells: list[str], line: int) -> _Row:
        if len(cells) != self._width:
            raise DirectoryImportError(
                f"{self._file}, line {line}: expected {self._width} fields as in the header, "
                f"found {len(cells)}"
            )
        given = {name: text for name, index in self._present if (text := cells[index].strip())}
        fail = self._failure(line)
        npi = given.get("npi", "")
        if npi != self._last_npi:
            if not npi:
                fail("npi", "required")
            if not npi_is_valid(npi):
                fail("npi", f"{npi!r} is not a valid NPI (10 digits ending in their check digit)")
            self._last_npi = npi
        practitioner: Record = {"npi": npi}
        missing_names = tuple(
            column for column in ("given_name", "family_name") if column not in given
        )
        for column in ("given_name", "family_name", "credentials"):
            if column in given:
                practitioner[column] = _short(given[column], _MAX_NAME, column, fail)
        self._person(given, practitioner, fail)
        place = self._place(given, fail)
        telehealth, in_person = self._delivery(given, place, fail)
        return _Row(
            line=line,
            npi=npi,
            practitioner=practitioner,
            missing_names=missing_names,
            codes=self._codes(given, "taxonomy", fail),
            place=place,
            telehealth=telehealth,
            in_person=in_person,
            accepting=_flag(given, "accepting_new_patients", fail),
            plans=self._plans(given, fail),
        )

    def _failure(self, line: int) -> Callable[[str, str], NoReturn]:
        def fail(column: str, message: str) -> NoReturn:
            raise DirectoryImportError(f"{self._file}, line {line}, column {column}: {message}")

        return fail

    def _person(self, given: dict[str, str], practitioner: Record, fail: _Fail) -> None:
        """The practitioner's own columns, each only when the row fills it."""
        if "gender" in given:
            gender = given["gender"].lower()
            if gender not in GENDERS:
                fail("gender", f"{given['gender']!r} is not one of {', '.join(GENDERS)}")
            practitioner["gender"] = gender
        if "email" in given:
            email = given["email"]
            if len(email) > 320 or not _EMAIL.fullmatch(email):
                fail("email", f"{email!r} is not an e-mail address")
            practitioner["email"] = email
        if "phone" in given:
            practitioner["phone"] = _phone(given["phone"], fail)
        if "website" in given and not _WEBSITE.fullmatch(given["website"]):
            fail("website", f"{given['website']!r} is not an http:// or https:// address")
        self._practice(given, practitioner, fail)

    def _practice(self, given: dict[str, str], practitioner: Record, fail: _Fail) -> None:
        """The local extensions: codes, fees, sliding scale, availability."""
        for column in ("licensed_states", *_CODE_COLUMNS):
            if column in given:
                practitioner[column] = self._codes(given, column, fail)
        sliding_scale = _flag(given, "sliding_scale", fail)
        if sliding_scale is not None:
            practitioner["sliding_scale"] = sliding_scale
        if "fee_min_usd" in given or "fee_max_usd" in given:
            # One range: either end given sets both, so a range is never half old, half new.
            low = _dollars(given, "fee_min_usd", fail)
            high = _dollars(given, "fee_max_usd", fail)
            if low is not None and high is not None and high < low:
                fail("fee_max_usd", f"${high} is below fee_min_usd (${low})")
            practitioner["fee_min_usd"] = low
            practitioner["fee_max_usd"] = high
        for column in ("next_available", "availability_confirmed_on"):
            if column in given:
                practitioner[column] = _date(given[column], column, fail)
        confirmed = practitioner.get("availability_confirmed_on")
        if confirmed is not None and confirmed > self._latest_confirmation:
            fail("availability_confirmed_on", f"{confirmed.isoformat()} is in the future")

    def _codes(self, given: dict[str, str], column: str, fail: _Fail) -> tuple[str, ...]:
        text = given.get(column)
        if text is None:
            return ()
        found = self._lists.get((column, text))
        if found is None:
            found = _code_list(text, column, fail)
            if len(self._lists) >= _CACHE_LIMIT:
                self._lists.clear()
            self._lists[(column, text)] = found
        return found

    def _place(self, given: dict[str, str], fail: _Fail) -> _Place | None:
        address = tuple(map(given.get, _PLACE_COLUMNS))
        if address != self._last_address:
            self._last_place = self._new_place(given, fail)
            self._last_address = address
        return self._last_place

    def _plans(self, given: dict[str, str], fail: _Fail) -> tuple[tuple[str, str | None], ...]:
        texts = (given.get("plans", ""), given.get("plan_names"))
        found = self._plan_lists.get(texts)
        if found is None:
            found = _plans(given, fail)
            if len(self._plan_lists) >= _CACHE_LIMIT:
                self._plan_lists.clear()
            self._plan_lists[texts] = found
        return found

    @staticmethod
    def _new_place(given: dict[str, str], fail: _Fail) -> _Place | None:
        filled = [column for column in _ADDRESS_COLUMNS if column in given]
        position_columns = [column for column in ("latitude", "longitude") if column in given]
        if not filled:
            if position_columns:
                fail(position_columns[0], "a position needs the practice address it places")
            return None
        missing = [column for column in _ADDRESS_COLUMNS if column not in given]
        if missing:
            fail(missing[0], f"required with the rest of the address ({', '.join(filled)} given)")
        line = _short(given["address"], 300, "address", fail)
        city = _short(given["city"], 120, "city", fail)
        state = given["state"].upper()
        if state not in US_STATES:
            fail("state", f"{given['state']!r} is not a USPS state or territory code such as CT")
        postal_code = normalize_zip(given["zip"])
        if postal_code is None:
            fail("zip", f"{given['zip']!r} is not a US ZIP code")
        position = None
        if position_columns:
            if len(position_columns) == 1:
                other = "longitude" if position_columns[0] == "latitude" else "latitude"
                fail(other, f"required with {position_columns[0]}")
            position = (
                _degrees(given, "latitude", 90.0, fail),
                _degrees(given, "longitude", 180.0, fail),
            )
        return _Place(
            key=address_key(line, city, state, postal_code),
            line=line,
            city=city,
            state=state,
            postal_code=postal_code,
            position=position,
        )

    @staticmethod
    def _delivery(given: dict[str, str], place: _Place | None, fail: _Fail) -> tuple[bool, bool]:
        """(telehealth, in_person): unknown means in person at an address, online without one."""
        telehealth = _flag(given, "telehealth", fail)
        in_person = _flag(given, "in_person", fail)
        if place is None:
            if in_person:
                fail("in_person", "yes, but the row has no practice address")
            if telehealth is False:
                fail("telehealth", "no, but a row without a practice address is online care")
            return True, False
        if in_person is False and not telehealth:
            fail("in_person", "no, and telehealth is not yes: the row offers no way to be seen")
        return bool(telehealth), in_person is not False


_Fail = Callable[[str, str], NoReturn]


def _short(text: str, limit: int, column: str, fail: _Fail) -> str:
    if len(text) > limit:
        fail(column, f"longer than {limit} characters")
    return text


def _flag(given: dict[str, str], column: str, fail: _Fail) -> bool | None:
    text = given.get(column)
    if text is None:
        return None
    value = _FLAGS.get(text.lower())
    if value is None:
        fail(column, f"{text!r} is not yes or no (true/false and 1/0 also do; empty is unknown)")
    return value


def _code_list(text: str, column: str, fail: _Fail) -> tuple[str, ...]:
    items = text.replace(";", " ").split()  # codes never hold a space: either separates
    if column == "taxonomy":
        codes = tuple(dict.fromkeys(item.upper() for item in items))
        for code in codes:
            if code not in BEHAVIORAL_HEALTH_CODES:
                fail(
                    column,
                    f"{code!r} is not one of the behavioral-health NUCC taxonomy codes "
                    "the directory keeps",
                )
        return codes
    if column == "licensed_states":
        codes = tuple(dict.fromkeys(item.upper() for item in items))
        for code in codes:
            if code not in US_STATES:
                fail(column, f"{code!r} is not a USPS state or territory code such as CT")
        return codes
    vocabulary = _CODE_COLUMNS[column]
    codes = tuple(dict.fromkeys(item.lower() for item in items))
    for code in codes:
        if code not in vocabulary:
            fail(column, f"unknown code {code!r}; the codes are {', '.join(vocabulary)}")
    return codes


def _phone(text: str, fail: _Fail) -> str:
    formatted = format_us_phone(text)
    if formatted is None or any(char.isalpha() for char in text):
        fail("phone", f"{text!r} is not a 10-digit US phone number")
    return formatted


def _dollars(given: dict[str, str], column: str, fail: _Fail) -> int | None:
    text = given.get(column)
    if text is None:
        return None
    if not _WHOLE_DOLLARS.fullmatch(text):
        fail(column, f"{text!r} is not a whole number of dollars")
    amount = int(text)
    if amount > _MAX_FEE_USD:
        fail(column, f"${amount} is more than ${_MAX_FEE_USD:,} a session")
    return amount


def _date(text: str, column: str, fail: _Fail) -> dt.date:
    if not _ISO_DATE.fullmatch(text):
        fail(column, f"{text!r} is not a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(column, f"{text!r} is not a real date")


def _degrees(given: dict[str, str], column: str, limit: float, fail: _Fail) -> float:
    text = given[column]
    try:
        value = float(text)
    except ValueError:
        fail(column, f"{text!r} is not a number of degrees")
    if not math.isfinite(value) or not -limit <= value <= limit:
        fail(column, f"{text!r} is not between -{limit:g} and {limit:g}")
    return value


def _plans(given: dict[str, str], fail: _Fail) -> tuple[tuple[str, str | None], ...]:
    ids = [item.strip() for item in given.get("plans", "").split(";") if item.strip()]
    names_text = given.get("plan_names")
    if names_text is not None and not ids:
        fail("plan_names", "given without plans")
    names: list[str | None] = (
        [name.strip() or None for name in names_text.split(";")]
        if names_text is not None
        else [None] * len(ids)
    )
    if len(names) != len(ids):
        fail(
            "plan_names",
            f"{len(names)} name(s) for {len(ids)} plan(s): give one per plan, in the same "
            "order (an empty name uses the plan id)",
        )
    plans: dict[str, tuple[str, str | None]] = {}
    for plan_id, name in zip(ids, names, strict=True):
        if len(plan_id) > _MAX_PLAN_KEY or not (plan_id.isascii() and plan_id.isprintable()):
            fail("plans", f"{plan_id!r} is not a plan id (printable ASCII, at most 120 characters)")
        if name is not None and len(name) > _MAX_PLAN_NAME:
            fail("plan_names", f"longer than {_MAX_PLAN_NAME} characters")
        plans.setdefault(plan_id.lower(), (plan_id, name))
    return tuple(plans.values())


_Network = tuple[str, int]
"""A network's source key and row id."""


class _BatchWriter:
    """Checks a batch against the directory, then writes it: practitioners, locations, plans and
    their networks, roles. Keeps only the plans' networks between batches (a few hundred)."""

    def __init__(
        self, session: Session, writer: DirectoryWriter, summary: ImportSummary, file_name: str
    ) -> None:
        self._session = session
        self._writer = writer
        self._summary = summary
        self._file = file_name
        self._networks_of_plan: dict[str, tuple[_Network, ...]] = {}

    def write(self, rows: Sequence[_Row]) -> None:
        if not rows:
            return
        practitioners = self._practitioners(rows)  # checks every row before the first write
        practitioner_ids = self._writer.upsert("practitioners", practitioners)
        location_ids = self._locations(rows)
        self._plans(rows)
        roles: list[Record] = []
        for row in rows:
            place_key = row.place.key if row.place is not None else _ONLINE
            networks: tuple[tuple[str | None, int | None], ...] = tuple(
                dict.fromkeys(
                    network
                    for plan_id, _name in row.plans
                    for network in self._networks_of_plan[plan_id.lower()]
                )
            )
            for network_key, network_id in networks or ((None, None),):
                roles.append(
                    {
                        "source_key": _role_key(row.npi, place_key, network_key),
                        "practitioner_id": practitioner_ids[row.npi],
                        "location_id": location_ids[place_key] if row.place is not None else None,
                        "network_id": network_id,
                        "specialties": row.codes,
                        "accepting_new_patients": row.accepting,
                        "telehealth": row.telehealth,
                        "in_person": row.in_person,
                    }
                )
        self._writer.upsert("roles", roles)
        self._summary.rows_kept += len(rows)

    def finish(self) -> None:
        self._writer.finish()

    def _fail(self, row: _Row, column: str, message: str) -> NoReturn:
        raise DirectoryImportError(f"{self._file}, line {row.line}, column {column}: {message}")

    def _practitioners(self, rows: Sequence[_Row]) -> list[Record]:
        """The practitioner records, after checking that a new NPI's first row names it.

        Taxonomy codes add to the practitioner's specialties (NPPES's stay): a practitioner holds
        every code any source lists, while each role keeps the codes of its own row.
        """
        known = self._known_specialties([row.npi for row in rows])
        records: list[Record] = []
        for row in rows:
            specialties = known.get(row.npi)
            if specialties is None:  # new, and no earlier row introduced it (that sets `known`)
                for column in (*row.missing_names, *(() if row.codes else ("taxonomy",))):
                    self._fail(row, column, "required for an NPI new to the directory")
            record = row.practitioner
            if row.codes:
                merged = tuple(dict.fromkeys((*(specialties or ()), *row.codes)))
                known[row.npi] = merged
                record["specialties"] = merged
            records.append(record)
        return records

    def _known_specialties(self, npis: list[str]) -> dict[str, tuple[str, ...]]:
        found: dict[str, tuple[str, ...]] = {}
        unique = list(dict.fromkeys(npis))
        for start in range(0, len(unique), 900):
            rows = self._session.execute(
                select(DirectoryPractitioner.npi, DirectoryPractitioner.specialties).where(
                    DirectoryPractitioner.npi.in_(unique[start : start + 900])
                )
            )
            for npi, specialties in rows:
                found[npi] = specialties
        return found

    def _locations(self, rows: Sequence[_Row]) -> dict[str, int]:
        """Upsert the batch's practice locations. A location already in the directory keeps its
        text and position unless the file gives a position; a new one without a position is
        placed at its ZIP's centroid."""
        places = [row.place for row in rows if row.place is not None]
        if not places:
            return {}
        keys = list(dict.fromkeys(place.key for place in places))
        existing: set[str] = set()
        for start in range(0, len(keys), 900):
            existing.update(
                self._session.scalars(
                    select(DirectoryLocation.source_key).where(
                        DirectoryLocation.source_key.in_(keys[start : start + 900])
                    )
                )
            )
        records: dict[str, Record] = {}
        for place in places:
            record = records.get(place.key)
            if record is None:
                record = {"source_key": place.key}
                if place.key not in existing:
                    record.update(
                        line=place.line,
                        city=place.city,
                        state=place.state,
                        postal_code=place.postal_code,
                    )
                records[place.key] = record
            if place.position is not None:
                latitude, longitude = place.position
                record.update(
                    latitude=latitude, longitude=longitude, position_source=_CLINIC_POSITION
                )
        for key, record in records.items():
            if key in existing or "latitude" in record:
                continue
            centroid = zip_centroid(record["postal_code"])
            if centroid is None:
                self._summary.without_position += 1
                continue
            record.update(
                latitude=centroid.point.latitude,
                longitude=centroid.point.longitude,
                position_source=centroid.source,
            )
        return self._writer.upsert("locations", list(records.values()))

    def _plans(self, rows: Sequence[_Row]) -> None:
        """Learn the networks of every plan the batch names, creating the plans the directory
        does not have, each with a network of its own."""
        wanted: dict[str, tuple[str, str | None]] = {}
        for row in rows:
            for plan_id, name in row.plans:
                folded = plan_id.lower()
                if folded not in self._networks_of_plan:
                    wanted.setdefault(folded, (plan_id, name))
        if not wanted:
            return
        found = self._existing_plans(list(wanted))
        new_plans = [
            {"plan_key": plan_id, "name": name or plan_id}
            for folded, (plan_id, name) in wanted.items()
            if folded not in found
        ]
        plan_ids = self._writer.upsert("plans", new_plans)
        # Plans without a network (new ones, or a listed plan that has none) get their own.
        own: dict[str, tuple[int, str, str]] = {}
        for folded, (plan_id, name) in wanted.items():
            if folded in found:
                row_id, plan_key, plan_name, networks = found[folded]
                if networks:
                    self._networks_of_plan[folded] = networks
                    continue
                own[folded] = (row_id, plan_key, plan_name)
            else:
                own[folded] = (plan_ids[plan_id], plan_id, name or plan_id)
        if not own:
            return
        network_ids = self._writer.upsert(
            "networks",
            [
                {"source_key": f"clinic-plan:{plan_key}", "name": f"{plan_name} network"}
                for _row_id, plan_key, plan_name in own.values()
            ],
        )
        links: list[tuple[int, int]] = []
        for folded, (row_id, plan_key, _plan_name) in own.items():
            network_key = f"clinic-plan:{plan_key}"
            links.append((row_id, network_ids[network_key]))
            self._networks_of_plan[folded] = ((network_key, network_ids[network_key]),)
        self._writer.link_plan_networks(links)

    def _existing_plans(
        self, folded_ids: list[str]
    ) -> dict[str, tuple[int, str, str, tuple[_Network, ...]]]:
        """Plans the directory has, matched without regard to case as search matches them:
        folded id -> (row id, plan key, name, networks in key order)."""
        found: dict[str, tuple[int, str, str, list[_Network]]] = {}
        for start in range(0, len(folded_ids), 900):
            rows = self._session.execute(
                select(
                    DirectoryPlan.id,
                    DirectoryPlan.plan_key,
                    DirectoryPlan.name,
                    DirectoryNetwork.source_key,
                    DirectoryNetwork.id,
                )
                .outerjoin(DirectoryPlanNetwork, DirectoryPlanNetwork.plan_id == DirectoryPlan.id)
                .outerjoin(DirectoryNetwork, DirectoryNetwork.id == DirectoryPlanNetwork.network_id)
                .where(func.lower(DirectoryPlan.plan_key).in_(folded_ids[start : start + 900]))
            )
            for plan_row_id, plan_key, name, network_key, network_id in rows:
                entry = found.setdefault(plan_key.lower(), (plan_row_id, plan_key, name, []))
                if network_key is not None and network_id is not None:
                    entry[3].append((network_key, network_id))
        return {
            folded: (plan_row_id, plan_key, name, tuple(sorted(networks)))
            for folded, (plan_row_id, plan_key, name, networks) in found.items()
        }


def _role_key(npi: str, place_key: str, network_key: str | None) -> str:
    key = f"clinic:{npi}:{place_key}:{network_key or '-'}"
    if len(key) > _MAX_ROLE_KEY and network_key is not None:
        # A Plan-Net network id can be long; its digest keeps the key unique and within bounds.
        digest = hashlib.sha256(network_key.encode()).hexdigest()[:32]
        key = f"clinic:{npi}:{place_key}:sha256:{digest}"
    return key
