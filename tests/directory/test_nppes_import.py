"""`import_nppes` on the real 2,000-row NPPES sample and on files made bad from it.

What is kept is worked out here from the CSV itself (the csv module and the rule of CONTRACTS.md
section 5 / DIRECTORY.md 2e), never from the importer; the two spot-checked rows are read off the
file by eye and written out as literals.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from affectrange.directory.importers.common import BATCH_SIZE, DirectoryImportError
from affectrange.directory.importers.nppes import import_nppes, npi_is_valid
from affectrange.directory.models import DirectoryLocation, DirectoryPractitioner, DirectoryRole
from affectrange.directory.taxonomy import BEHAVIORAL_HEALTH_CODES
from tests.directory.oracle import (
    DIRECTORY_TABLES,
    SAMPLE,
    dump_directory,
    make_npi,
    revision_row,
    zip_centroid,
)

NOW = dt.datetime(2026, 6, 15, 16, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(days=31)

Row = list[str]


# --- reading the sample independently ---------------------------------------------------------


def read_sample() -> tuple[Row, list[Row]]:
    with SAMPLE.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def column(header: Row, name: str) -> int:
    return header.index(name)


def slots(header: Row, prefix: str) -> list[int]:
    return [header.index(f"{prefix}_{slot}") for slot in range(1, 16)]


def is_active(header: Row, row: Row) -> bool:
    """Active: never deactivated, or reactivated on or after the deactivation."""
    deactivated = row[column(header, "NPI Deactivation Date")]
    if not deactivated:
        return True
    reactivated = row[column(header, "NPI Reactivation Date")]
    if not reactivated:
        return False
    day = dt.datetime.strptime(deactivated, "%m/%d/%Y").date()
    return dt.datetime.strptime(reactivated, "%m/%d/%Y").date() >= day


def expected_kept(header: Row, rows: list[Row]) -> list[Row]:
    """Entity type 1, a behavioral-health code in some taxonomy slot, and not deactivated."""
    taxonomy = slots(header, "Healthcare Provider Taxonomy Code")
    return [
        row
        for row in rows
        if row[column(header, "Entity Type Code")] == "1"
        and any(row[index] in BEHAVIORAL_HEALTH_CODES for index in taxonomy)
        and is_active(header, row)
    ]


def write_nppes(path: Path, header: Row, rows: list[Row]) -> Path:
    """The NPPES layout: every field quoted, CRLF line ends."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows([header, *rows])
    return path


def row_of(rows: list[Row], npi: str) -> Row:
    [found] = [row for row in rows if row[0] == npi]
    return list(found)


def good_rows(header: Row, rows: list[Row], count: int) -> list[Row]:
    """`count` rows that are all kept: the sample's kept rows again under fresh valid NPIs."""
    kept = expected_kept(header, rows)
    made = []
    for serial in range(count):
        row = list(kept[serial % len(kept)])
        row[column(header, "NPI")] = make_npi(serial)
        made.append(row)
    return made


def practitioner(session: Session, npi: str) -> DirectoryPractitioner | None:
    return session.scalars(
        select(DirectoryPractitioner).where(DirectoryPractitioner.npi == npi)
    ).one_or_none()


def count_rows(session: Session, table: str) -> int:
    return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608


# --- the sample -------------------------------------------------------------------------------


def test_the_kept_providers_are_exactly_the_active_individual_behavioral_health_rows(
    session: Session,
) -> None:
    header, rows = read_sample()
    kept = expected_kept(header, rows)
    assert len(rows) == 2000
    assert len(kept) == 123  # counted once by hand from the rule; the line above recomputes it

    summary = import_nppes(session, SAMPLE, now=NOW)

    assert summary.rows_read == 2000
    assert summary.rows_kept == len(kept)
    assert summary.inserted["practitioners"] == len(kept)
    assert summary.inserted["roles"] == len(kept)
    assert summary.without_position == 0
    stored = set(session.scalars(select(DirectoryPractitioner.npi)))
    assert stored == {row[0] for row in kept}


def test_a_psychiatrist_licensed_in_two_states_is_read_as_the_file_says(session: Session) -> None:
    import_nppes(session, SAMPLE, now=NOW)

    # Line 1117 of the sample: O'HANLON, DONAL T, MD; 2084P0800X in CT and again in MA.
    person = practitioner(session, "1548267107")
    assert person is not None
    assert (person.family_name, person.given_name) == ("O'Hanlon", "Donal")
    assert person.name_prefix is None
    assert person.credentials == "MD"
    assert person.gender == "male"
    assert person.specialties == ("2084P0800X",)  # two slots with one code: listed once
    assert person.licensed_states == ("CT", "MA")
    assert person.phone == "(413) 794-4326"
    [role] = session.scalars(
        select(DirectoryRole).where(DirectoryRole.practitioner_id == person.id)
    )
    place = session.get(DirectoryLocation, role.location_id)
    assert place is not None
    assert (place.line, place.city, place.state, place.postal_code) == (
        "759 CHESTNUT STREET, S5632",
        "Springfield",
        "MA",
        "01199",
    )
    assert (place.latitude, place.longitude) == zip_centroid("01199") == (42.1199, -72.605)
    assert place.position_source == "zip-centroid"


def test_a_geriatric_psychiatrist_with_five_licences_keeps_them_in_file_order(
    session: Session,
) -> None:
    import_nppes(session, SAMPLE, now=NOW)

    # Line 58: ROSENZWEIG, ANDREW SETH, DR., MD; 2084P0805X licensed in MA, RI, NJ, PA, CT;
    # practice 345 BLACKSTONE BLVD / RM. 232 2ND FLOOR ANNEX BUILDING, PROVIDENCE RI 029064800.
    person = practitioner(session, "1942203690")
    assert person is not None
    assert (person.given_name, person.family_name) == ("Andrew", "Rosenzweig")
    assert person.name_prefix == "DR."
    assert person.credentials == "MD"
    assert person.gender == "male"
    assert person.specialties == ("2084P0805X",)
    assert person.licensed_states == ("MA", "RI", "NJ", "PA", "CT")
    [role] = session.scalars(
        select(DirectoryRole).where(DirectoryRole.practitioner_id == person.id)
    )
    place = session.get(DirectoryLocation, role.location_id)
    assert place is not None
    assert place.line == "345 BLACKSTONE BLVD, RM. 232 2ND FLOOR ANNEX BUILDING"
    assert (place.city, place.state, place.postal_code) == ("Providence", "RI", "02906")
    assert (place.latitude, place.longitude) == zip_centroid("02906")
    assert place.position_source == "zip-centroid"


def test_only_behavioral_health_slots_give_specialties_and_licensed_states(
    session: Session, tmp_path: Path
) -> None:
    header, rows = read_sample()
    # Line 1030: SARDINAS, GISELA; slots 101YA0400X, 1041C0700X, 163W00000X (a registered
    # nurse, not kept), 363LP0808X, all licensed in CT. Move the nurse licence to NY.
    row = row_of(rows, "1861498586")
    assert row[slots(header, "Healthcare Provider Taxonomy Code")[2]] == "163W00000X"
    row[slots(header, "Provider License Number State Code")[2]] = "NY"
    path = write_nppes(tmp_path / "nurse_licence_elsewhere.csv", header, [row])

    import_nppes(session, path, now=NOW)

    person = practitioner(session, "1861498586")
    assert person is not None
    assert (person.given_name, person.family_name) == ("Gisela", "Sardinas")
    assert person.credentials == "APRN, LCSW, LADC"
    assert person.gender == "female"
    assert person.specialties == ("101YA0400X", "1041C0700X", "363LP0808X")
    assert person.licensed_states == ("CT",)


def test_a_reactivated_npi_is_kept(session: Session) -> None:
    import_nppes(session, SAMPLE, now=NOW)

    # Line 20: REED, JESSICA, LICSW; deactivated 03/16/2006, reactivated 03/20/2006.
    person = practitioner(session, "1184627184")
    assert person is not None
    assert (person.given_name, person.family_name, person.gender) == ("Jessica", "Reed", "female")
    assert person.name_prefix == "MS."


def test_each_kept_npi_has_one_in_person_role_keyed_by_its_npi(session: Session) -> None:
    header, rows = read_sample()
    kept = {row[0] for row in expected_kept(header, rows)}
    import_nppes(session, SAMPLE, now=NOW)

    roles = session.execute(
        select(
            DirectoryPractitioner.npi,
            DirectoryPractitioner.specialties,
            DirectoryRole.source_key,
            DirectoryRole.specialties,
            DirectoryRole.location_id,
            DirectoryRole.network_id,
            DirectoryRole.accepting_new_patients,
            DirectoryRole.telehealth,
            DirectoryRole.in_person,
        ).join(DirectoryRole, DirectoryRole.practitioner_id == DirectoryPractitioner.id)
    ).all()

    assert sorted(npi for npi, *_ in roles) == sorted(kept)  # one each, none twice
    for npi, codes, key, role_codes, location, network, accepting, online, in_person in roles:
        assert key == f"nppes:{npi}"
        assert role_codes == codes
        assert location is not None
        assert network is None
        assert accepting is None  # NPPES never says
        assert (online, in_person) == (False, True)


def test_providers_at_one_address_share_one_location_placed_at_its_zip_centroid(
    session: Session,
) -> None:
    header, rows = read_sample()
    fields = [
        column(header, f"Provider {name}")
        for name in (
            "First Line Business Practice Location Address",
            "Second Line Business Practice Location Address",
            "Business Practice Location Address City Name",
            "Business Practice Location Address State Name",
            "Business Practice Location Address Postal Code",
        )
    ]
    addresses: defaultdict[tuple[str, ...], set[str]] = defaultdict(set)
    for row in expected_kept(header, rows):
        line1, line2, city, state, postal = (row[index].strip().upper() for index in fields)
        addresses[(line1, line2, city, state, postal[:5])].add(row[0])
    shared = [npis for npis in addresses.values() if len(npis) > 1]
    assert max(len(npis) for npis in shared) == 8  # 10 TALCOTT NOTCH, FARMINGTON CT 06030

    import_nppes(session, SAMPLE, now=NOW)

    location_of: dict[str, int | None] = {}
    for npi, location in session.execute(
        select(DirectoryPractitioner.npi, DirectoryRole.location_id).join(
            DirectoryRole, DirectoryRole.practitioner_id == DirectoryPractitioner.id
        )
    ):
        location_of[npi] = location
    assert count_rows(session, "directory_locations") == len(addresses)
    for npis in addresses.values():
        assert len({location_of[npi] for npi in npis}) == 1
    assert len({location_of[next(iter(npis))] for npis in addresses.values()}) == len(addresses)
    for place in session.scalars(select(DirectoryLocation)):
        assert (place.latitude, place.longitude) == zip_centroid(place.postal_code)
        assert place.position_source == "zip-centroid"


def test_the_first_import_counts_one_revision(session: Session) -> None:
    assert revision_row(session) == (0, None)

    import_nppes(session, SAMPLE, now=NOW)

    revision, token = revision_row(session)
    assert revision == 1
    assert isinstance(token, str)
    assert len(token) == 32


def test_importing_the_same_file_again_changes_nothing(session: Session) -> None:
    import_nppes(session, SAMPLE, now=NOW)
    before = dump_directory(session)

    again = import_nppes(session, SAMPLE, now=LATER)

    assert again.changed is False
    assert again.inserted == {}
    assert again.updated == {}
    assert again.removed == {}
    assert again.unchanged["practitioners"] == 123
    assert again.unchanged["roles"] == 123
    assert dump_directory(session) == before  # updated_at, the revision and its token included


def test_a_deactivated_npi_is_removed_with_its_role(session: Session, tmp_path: Path) -> None:
    header, rows = read_sample()
    import_nppes(session, SAMPLE, now=NOW)
    assert practitioner(session, "1548267107") is not None
    revision_before, token_before = revision_row(session)
    row = row_of(rows, "1548267107")
    row[column(header, "NPI Deactivation Date")] = "01/15/2019"
    row[column(header, "NPI Reactivation Date")] = ""
    path = write_nppes(tmp_path / "deactivated.csv", header, [row])

    summary = import_nppes(session, path, now=LATER)

    assert summary.removed == {"practitioners": 1}
    assert summary.changed is True
    assert practitioner(session, "1548267107") is None
    assert count_rows(session, "directory_practitioners") == 122
    assert count_rows(session, "directory_roles") == 122
    assert (
        session.scalar(select(func.count()).where(DirectoryRole.source_key == "nppes:1548267107"))
        == 0
    )
    revision, token = revision_row(session)
    assert revision == revision_before + 1
    assert token != token_before


def test_a_deactivated_npi_as_the_monthly_file_lists_it_is_removed(
    session: Session, tmp_path: Path
) -> None:
    """The monthly file lists a deactivated NPI with only its NPI and deactivation date: no
    entity type, no name, no taxonomy (the importer's own comment says so)."""
    header, _rows = read_sample()
    import_nppes(session, SAMPLE, now=NOW)
    row = [""] * len(header)
    row[column(header, "NPI")] = "1548267107"
    row[column(header, "NPI Deactivation Date")] = "01/15/2019"
    path = write_nppes(tmp_path / "npidata_pfile_deactivated.csv", header, [row])

    summary = import_nppes(session, path, now=LATER)

    assert practitioner(session, "1548267107") is None
    assert summary.removed == {"practitioners": 1}


# --- the NPI check digit ----------------------------------------------------------------------


def test_npi_check_digit_accepts_the_documented_example_and_every_sample_npi() -> None:
    # CMS, "Requirements for NPI check digit": 123456789 with prefix 80840 gives check digit 3.
    assert npi_is_valid("1234567893")
    _header, rows = read_sample()
    assert all(npi_is_valid(row[0]) for row in rows)


@pytest.mark.parametrize(
    "npi",
    [
        "1234567890",  # the example with the wrong check digit
        "1234567894",
        "1548267108",  # O'Hanlon's NPI, last digit off by one
        "1548267017",  # ... two adjacent digits swapped
        "2548267107",  # ... first digit changed
        "123456789",  # nine digits
        "12345678933",  # eleven
        "12345678a3",
        "",
    ],
)
def test_npi_check_digit_refuses_hand_made_invalid_numbers(npi: str) -> None:
    assert not npi_is_valid(npi)


def test_every_single_digit_change_of_a_real_npi_is_caught() -> None:
    for npi in ("1548267107", "1942203690", "1861498586"):
        for position in range(10):
            for digit in "0123456789":
                if digit != npi[position]:
                    changed = npi[:position] + digit + npi[position + 1 :]
                    assert not npi_is_valid(changed), changed


# --- bad files are refused whole --------------------------------------------------------------

GOOD_ROWS = 2_500
"""More kept rows than one batch, so a batch is already written when the bad row is read."""
BAD_LINE = GOOD_ROWS + 2  # the header is line 1


def after_good_rows(tmp_path: Path, name: str, spoil: Callable[[Row, Row], None]) -> Path:
    header, rows = read_sample()
    made = good_rows(header, rows, GOOD_ROWS)
    bad = row_of(rows, "1548267107")
    spoil(header, bad)
    return write_nppes(tmp_path / name, header, [*made, bad])


def wrong_field_count(tmp_path: Path) -> tuple[Path, int]:
    def spoil(_header: Row, row: Row) -> None:
        row.pop()  # 328 fields under a 329-column header

    return after_good_rows(tmp_path, "short_row.csv", spoil), BAD_LINE


def invalid_npi(tmp_path: Path) -> tuple[Path, int]:
    def spoil(header: Row, row: Row) -> None:
        row[column(header, "NPI")] = "1548267108"

    return after_good_rows(tmp_path, "bad_npi.csv", spoil), BAD_LINE


def entity_type_seven(tmp_path: Path) -> tuple[Path, int]:
    def spoil(header: Row, row: Row) -> None:
        row[column(header, "Entity Type Code")] = "7"

    return after_good_rows(tmp_path, "entity_7.csv", spoil), BAD_LINE


def date_that_is_not_a_date(tmp_path: Path) -> tuple[Path, int]:
    def spoil(header: Row, row: Row) -> None:
        row[column(header, "NPI Deactivation Date")] = "12/32/2018"

    return after_good_rows(tmp_path, "bad_date.csv", spoil), BAD_LINE


def missing_header_column(tmp_path: Path) -> tuple[Path, int]:
    """The whole "Provider Credential Text" column left out: every row still fits the header."""
    header, rows = read_sample()
    gone = column(header, "Provider Credential Text")
    trimmed = [[value for index, value in enumerate(row) if index != gone] for row in rows]
    kept_header = [name for index, name in enumerate(header) if index != gone]
    return write_nppes(tmp_path / "no_credentials.csv", kept_header, trimmed), 1


def empty_file(tmp_path: Path) -> tuple[Path, int]:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    return path, 1


def not_utf8(tmp_path: Path) -> tuple[Path, int]:
    """Line 1500 carries a Latin-1 "Ñ" (MUÑOZ), as a file saved from a spreadsheet might."""
    lines = SAMPLE.read_bytes().split(b"\r\n")
    fields = lines[1499].split(b",")
    fields[5] = '"MUÑOZ"'.encode("latin-1")
    lines[1499] = b",".join(fields)
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"\r\n".join(lines))
    return path, 1500


def json_bundle(tmp_path: Path) -> tuple[Path, int]:
    path = tmp_path / "bundle.json"
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": []}
    path.write_text(json.dumps(bundle, indent=2), encoding="utf-8")
    return path, 1


def zip_archive(tmp_path: Path) -> tuple[Path, int]:
    """The monthly file as CMS ships it: zipped. Handed over without unzipping."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("npidata_pfile_20181203-20181209.csv", SAMPLE.read_bytes())
    path = tmp_path / "NPPES_Data_Dissemination_December_2018.zip"
    path.write_bytes(buffer.getvalue())
    return path, 1


BAD_FILES: dict[str, Callable[[Path], tuple[Path, int]]] = {
    "wrong field count": wrong_field_count,
    "invalid NPI": invalid_npi,
    "entity type 7": entity_type_seven,
    "a date that is not a date": date_that_is_not_a_date,
    "missing header column": missing_header_column,
    "empty file": empty_file,
    "not UTF-8": not_utf8,
    "not CSV (a JSON bundle)": json_bundle,
    "not CSV (the zip archive)": zip_archive,
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_refused_naming_the_file_and_the_line(
    case: str, session: Session, tmp_path: Path
) -> None:
    path, line = BAD_FILES[case](tmp_path)

    with pytest.raises(DirectoryImportError) as raised:
        import_nppes(session, path, now=NOW)

    message = str(raised.value)
    assert path.name in message
    assert re.search(rf"\bline {line}\b", message), message


def test_a_bad_row_after_a_written_batch_leaves_nothing_once_rolled_back(
    session: Session, tmp_path: Path
) -> None:
    assert BATCH_SIZE < GOOD_ROWS
    path, _line = wrong_field_count(tmp_path)
    before = dump_directory(session)

    with pytest.raises(DirectoryImportError, match=f"line {BAD_LINE}"):
        import_nppes(session, path, now=NOW)
    # The importer writes in batches inside the caller's transaction: one batch is there ...
    assert count_rows(session, "directory_practitioners") == BATCH_SIZE
    session.rollback()

    # ... and the caller's rollback takes it away with everything else.
    assert dump_directory(session) == before
    assert all(count_rows(session, table) == 0 for table in DIRECTORY_TABLES)
