"""The NPPES data-dissemination CSV (the monthly `npidata_pfile`, any subset of its rows).

The file is read as a stream, one batch of kept rows at a time, so memory stays flat whatever
its size (the full file is about 9 GB). Kept are individuals (entity type 1) holding at least one
behavioral-health taxonomy (`taxonomy.BEHAVIORAL_HEALTH_CODES`) whose NPI is active. Each becomes
a practitioner, a location at the practice address (placed at its ZIP's centroid; a street-level
`Geocoder` can be passed in) and one role there. An NPI the file marks deactivated is removed.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sqlalchemy.orm import Session

from affectrange.directory.geo import Geocoder, normalize_zip, zip_centroid
from affectrange.directory.importers.common import (
    BATCH_SIZE,
    DirectoryImportError,
    DirectoryWriter,
    ImportSummary,
    Record,
    address_key,
    format_us_phone,
)
from affectrange.directory.taxonomy import is_behavioral_health

TAXONOMY_SLOTS: Final = 15
_REQUIRED: Final = (
    "NPI",
    "Entity Type Code",
    "Provider Last Name (Legal Name)",
    "Provider First Name",
    "Provider Credential Text",
    "Provider First Line Business Practice Location Address",
    "Provider Second Line Business Practice Location Address",
    "Provider Business Practice Location Address City Name",
    "Provider Business Practice Location Address State Name",
    "Provider Business Practice Location Address Postal Code",
    "Provider Business Practice Location Address Telephone Number",
    "NPI Deactivation Date",
    "NPI Reactivation Date",
)
# The 2025 layout renamed the gender column; either is read.
_GENDER_COLUMNS: Final = ("Provider Gender Code", "Provider Sex Code")
_GENDERS: Final = {"F": "female", "M": "male"}
_DATE_FORMATS: Final = ("%m/%d/%Y", "%Y-%m-%d")


@dataclass(frozen=True, slots=True)
class _Columns:
    """Positions of the columns used, found once from the header."""

    npi: int
    entity: int
    last: int
    first: int
    prefix: int | None
    suffix: int | None
    credential: int
    line1: int
    line2: int
    city: int
    state: int
    postal: int
    phone: int
    gender: int | None
    deactivated: int
    reactivated: int
    taxonomy: tuple[int, ...]
    license_state: tuple[int, ...]

    @classmethod
    def from_header(cls, header: list[str], path: Path) -> _Columns:
        position = {name.strip(): index for index, name in enumerate(header)}
        missing = [name for name in _REQUIRED if name not in position]
        taxonomy = [f"Healthcare Provider Taxonomy Code_{slot}" for slot in range(1, 16)]
        states = [f"Provider License Number State Code_{slot}" for slot in range(1, 16)]
        missing += [name for name in (*taxonomy, *states) if name not in position]
        if missing:
            raise DirectoryImportError(
                f"{path.name}, line 1: not an NPPES data file; missing column(s) "
                + ", ".join(repr(name) for name in missing[:5])
                + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            )
        gender = next((position[name] for name in _GENDER_COLUMNS if name in position), None)
        return cls(
            npi=position["NPI"],
            entity=position["Entity Type Code"],
            last=position["Provider Last Name (Legal Name)"],
            first=position["Provider First Name"],
            prefix=position.get("Provider Name Prefix Text"),
            suffix=position.get("Provider Name Suffix Text"),
            credential=position["Provider Credential Text"],
            line1=position["Provider First Line Business Practice Location Address"],
            line2=position["Provider Second Line Business Practice Location Address"],
            city=position["Provider Business Practice Location Address City Name"],
            state=position["Provider Business Practice Location Address State Name"],
            postal=position["Provider Business Practice Location Address Postal Code"],
            phone=position["Provider Business Practice Location Address Telephone Number"],
            gender=gender,
            deactivated=position["NPI Deactivation Date"],
            reactivated=position["NPI Reactivation Date"],
            taxonomy=tuple(position[name] for name in taxonomy),
            license_state=tuple(position[name] for name in states),
        )


def npi_is_valid(npi: str) -> bool:
    """The NPI check digit: Luhn over the number prefixed with 80840 (CMS NPI standard)."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    digits = [int(char) for char in "80840" + npi]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if index % 2 == 1 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0


def import_nppes(
    session: Session, path: Path, *, now: dt.datetime, geocoder: Geocoder | None = None
) -> ImportSummary:
    """Import the file inside the session's transaction; raise DirectoryImportError on a bad row."""
    summary = ImportSummary(source="nppes")
    writer = DirectoryWriter(session, summary, now=now)
    for batch, deactivated in _batches(path, summary):
        _write_batch(writer, batch, summary, geocoder)
        if deactivated:
            writer.remove_practitioners(deactivated)
    writer.finish()
    return summary


@dataclass(frozen=True, slots=True)
class _Kept:
    line: int
    npi: str
    row: list[str]
    codes: tuple[str, ...]
    columns: _Columns


def _batches(path: Path, summary: ImportSummary) -> Iterator[tuple[list[_Kept], list[str]]]:
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as error:
        raise DirectoryImportError(f"{path}: cannot be read ({error.strerror})") from error
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise DirectoryImportError(f"{path.name}, line 1: the file is empty")
            columns = _Columns.from_header(header, path)
            kept: list[_Kept] = []
            deactivated: list[str] = []
            for row in reader:
                summary.rows_read += 1
                found = _keep(
                    row, reader.line_num, len(header), columns, path=path, deactivated=deactivated
                )
                if found is not None:
                    kept.append(found)
                if len(kept) >= BATCH_SIZE or len(deactivated) >= BATCH_SIZE:
                    yield kept, deactivated
                    kept, deactivated = [], []
            if kept or deactivated:
                yield kept, deactivated
        except UnicodeDecodeError as error:
            line = first_line_not_utf8(path)
            raise DirectoryImportError(
                f"{path.name}, line {line}: not UTF-8 text ({error.reason}); the data file is "
                "the unzipped npidata_pfile CSV"
            ) from error
        except csv.Error as error:
            raise DirectoryImportError(f"{path.name}, line {reader.line_num}: {error}") from error


def first_line_not_utf8(path: Path) -> int:
    """The line of the first byte that is not UTF-8 (the text decoder reads ahead in chunks,
    so its position says nothing about the line); read again, in binary, only on that error."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1


def _keep(
    row: list[str],
    line: int,
    width: int,
    columns: _Columns,
    *,
    path: Path,
    deactivated: list[str],
) -> _Kept | None:
    if len(row) != width:
        raise DirectoryImportError(
            f"{path.name}, line {line}: expected {width} fields as in the header, found {len(row)}"
        )
    npi = row[columns.npi].strip()
    if not npi_is_valid(npi):
        raise DirectoryImportError(f"{path.name}, line {line}: NPI {npi!r} is not a valid NPI")
    entity = row[columns.entity].strip()
    if entity not in {"1", "2", ""}:
        raise DirectoryImportError(
            f"{path.name}, line {line}: Entity Type Code {entity!r} is not 1 or 2"
        )
    # A deactivated NPI comes with its deactivation date and (in the monthly file) nothing else:
    # no entity type, no taxonomy. It leaves the directory whatever it was.
    if _is_deactivated(row, columns, line, path):
        deactivated.append(npi)
        return None
    if entity != "1":
        return None  # an organization
    codes = tuple(
        dict.fromkeys(
            code for index in columns.taxonomy if is_behavioral_health(code := row[index])
        )
    )
    if not codes:
        return None
    return _Kept(line, npi, row, codes, columns)


def _is_deactivated(row: list[str], columns: _Columns, line: int, path: Path) -> bool:
    deactivated = _date(row[columns.deactivated], "NPI Deactivation Date", line, path)
    if deactivated is None:
        return False
    reactivated = _date(row[columns.reactivated], "NPI Reactivation Date", line, path)
    return reactivated is None or reactivated < deactivated


def _date(text: str, column: str, line: int, path: Path) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    for layout in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise DirectoryImportError(f"{path.name}, line {line}: {column} {text!r} is not a date")


def _write_batch(
    writer: DirectoryWriter,
    batch: Sequence[_Kept],
    summary: ImportSummary,
    geocoder: Geocoder | None,
) -> None:
    if not batch:
        return
    summary.rows_kept += len(batch)
    practitioners: list[Record] = []
    locations: list[Record] = []
    role_stubs: list[tuple[str, str, tuple[str, ...]]] = []
    for kept in batch:
        practitioners.append(_practitioner(kept))
        location = _location(kept, geocoder)
        if location["latitude"] is None:
            summary.without_position += 1
        locations.append(location)
        role_stubs.append((kept.npi, location["source_key"], kept.codes))
    practitioner_ids = writer.upsert("practitioners", practitioners)
    location_ids = writer.upsert("locations", locations)
    writer.upsert(
        "roles",
        [
            {
                "source_key": f"nppes:{npi}",
                "practitioner_id": practitioner_ids[npi],
                "location_id": location_ids[location_key],
                "specialties": codes,
                "telehealth": False,
                "in_person": True,
            }
            for npi, location_key, codes in role_stubs
        ],
    )


def _practitioner(kept: _Kept) -> Record:
    row, columns = kept.row, kept.columns
    gender = row[columns.gender].strip().upper() if columns.gender is not None else ""
    states = tuple(
        dict.fromkeys(
            state
            for slot, index in enumerate(columns.license_state)
            if (state := row[index].strip().upper())
            and is_behavioral_health(row[columns.taxonomy[slot]])
        )
    )
    return {
        "npi": kept.npi,
        "family_name": _title(row[columns.last]),
        "given_name": _title(row[columns.first]),
        "name_prefix": _optional(row, columns.prefix),
        "name_suffix": _optional(row, columns.suffix),
        "credentials": row[columns.credential].strip() or None,
        "gender": _GENDERS.get(gender),
        "specialties": kept.codes,
        "licensed_states": states,
        "phone": _phone(row[columns.phone]),
    }


def _location(kept: _Kept, geocoder: Geocoder | None) -> Record:
    row, columns = kept.row, kept.columns
    line = ", ".join(
        part for part in (row[columns.line1].strip(), row[columns.line2].strip()) if part
    )
    city = _title(row[columns.city])
    state = row[columns.state].strip().upper()[:2]
    postal = normalize_zip(row[columns.postal]) or row[columns.postal].strip()[:10]
    address = f"{line}, {city}, {state} {postal}"
    placed = geocoder.geocode(address) if geocoder is not None else None
    if placed is None:
        placed = zip_centroid(postal)
    return {
        "source_key": address_key(line, city, state, postal),
        "line": line,
        "city": city,
        "state": state,
        "postal_code": postal,
        "latitude": placed.point.latitude if placed else None,
        "longitude": placed.point.longitude if placed else None,
        "position_source": placed.source if placed else None,
    }


def _optional(row: list[str], index: int | None) -> str | None:
    return (row[index].strip() or None) if index is not None else None


def _title(text: str) -> str:
    """NPPES names are upper case; "O'BRIEN-SMITH" reads better as "O'Brien-Smith"."""
    text = text.strip()
    return text.title() if text.isupper() else text


def _phone(text: str) -> str | None:
    return format_us_phone(text) or (text.strip() or None)
