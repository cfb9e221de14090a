"""`affectrange directory import FILE --format csv`: a clinic's own CSV enriches the directory.

What a user notices: the NPPES facts about a provider survive, the clinic's plans, fees and
modalities appear and can be searched, a second import changes nothing, and a bad file is refused
whole with the file, line and column named.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from affectrange.cli import app
from affectrange.config import get_settings
from affectrange.db import Database
from affectrange.directory.importers.clinic_csv import COLUMNS, import_clinic_csv
from affectrange.directory.importers.common import (
    BATCH_SIZE,
    DirectoryImportError,
    DirectoryWriter,
    ImportSummary,
    address_key,
)
from affectrange.directory.importers.nppes import import_nppes, npi_is_valid
from affectrange.directory.models import (
    DIRECTORY_DATA_TABLES,
    DirectoryLocation,
    DirectoryNetwork,
    DirectoryPractitioner,
    DirectoryRole,
)
from affectrange.directory.schemas import DirectoryQuery
from affectrange.directory.service import search_directory
from tests.conftest import NOW
from tests.support.environment import unavailable
from tests.support.shared_data import NPPES_SAMPLE

DATA = Path(__file__).parent / "data" / "clinic"
CLINIC = DATA / "hartford-clinic.csv"
REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLE = REPOSITORY / "docs" / "examples" / "clinic-directory.csv"

COVAULT = "1619972395"
"""A psychiatrist in the NPPES sample, at 263 Farmington Ave, Farmington CT 06030; the clinic
file names him by NPI only, without names or taxonomy."""
THACKERAY = "9800000017"  # new in the clinic file, in person in Hartford
QUENNEVILLE = "9800000025"  # new in the clinic file, online only, no plans

TABLES = (*DIRECTORY_DATA_TABLES, "directory_revision")


def fictional_npi(serial: int, prefix: str = "98") -> str:
    """A valid NPI beginning with 9, a first digit no issued NPI has."""
    stem = f"{prefix}{serial:0{9 - len(prefix)}d}"
    return next(stem + digit for digit in "0123456789" if npi_is_valid(stem + digit))


def dump(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every directory table, in a stable order."""
    return {
        table: [tuple(row) for row in session.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))]  # noqa: S608
        for table in TABLES
    }


def practitioner(session: Session, npi: str) -> dict[str, Any]:
    row = session.execute(
        select(DirectoryPractitioner.__table__).where(DirectoryPractitioner.npi == npi)
    ).one()
    return dict(row._mapping)


def roles_of(session: Session, npi: str) -> dict[str, dict[str, Any]]:
    """The practitioner's roles by key, with the network's key and the location's key."""
    rows = session.execute(
        select(
            DirectoryRole.source_key,
            DirectoryRole.location_id,
            DirectoryRole.accepting_new_patients,
            DirectoryRole.telehealth,
            DirectoryRole.in_person,
            DirectoryNetwork.source_key.label("network"),
            DirectoryLocation.source_key.label("location"),
        )
        .join(DirectoryPractitioner, DirectoryPractitioner.id == DirectoryRole.practitioner_id)
        .outerjoin(DirectoryNetwork, DirectoryNetwork.id == DirectoryRole.network_id)
        .outerjoin(DirectoryLocation, DirectoryLocation.id == DirectoryRole.location_id)
        .where(DirectoryPractitioner.npi == npi)
    )
    return {row.source_key: dict(row._mapping) for row in rows}


def write_clinic_file(
    path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS
) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def refused(session: Session, path: Path) -> str:
    """Import as the command does (one transaction, rolled back on error); return the message."""
    with pytest.raises(DirectoryImportError) as caught, session.begin_nested():
        import_clinic_csv(session, path, now=NOW)
    return str(caught.value)


@pytest.fixture
def nppes(session: Session) -> ImportSummary:
    if not NPPES_SAMPLE.is_file():
        unavailable(f"{NPPES_SAMPLE} is missing (the shared NPPES sample)")
    return import_nppes(session, NPPES_SAMPLE, now=NOW)


def test_a_clinic_row_enriches_an_nppes_practitioner_and_keeps_what_nppes_gave(
    session: Session, nppes: ImportSummary
) -> None:
    before = practitioner(session, COVAULT)
    [nppes_role] = roles_of(session, COVAULT).values()

    summary = import_clinic_csv(session, CLINIC, now=NOW + dt.timedelta(hours=1))

    after = practitioner(session, COVAULT)
    nppes_kept = (
        "given_name", "family_name", "credentials", "gender", "phone", "specialties",
        "licensed_states", "name_prefix", "email",
    )  # fmt: skip
    assert {name: after[name] for name in nppes_kept} == {name: before[name] for name in nppes_kept}
    assert (after["given_name"], after["family_name"], after["credentials"]) == (
        "Jonathan",
        "Covault",
        "MD",
    )
    assert after["specialties"] == ("2084P0800X",)
    assert after["licensed_states"] == ("CT",)
    assert after["phone"] == "(860) 679-6703"
    assert after["languages"] == ("en", "es")
    assert after["issues"] == ("depression", "emotional-numbness", "medication-management")
    assert after["modalities"] == ("cbt", "ipt")
    assert (after["fee_min_usd"], after["fee_max_usd"], after["sliding_scale"]) == (150, 250, False)
    assert after["next_available"] == dt.date(2026, 6, 22)
    assert after["availability_confirmed_on"] == dt.date(2026, 6, 10)
    assert after["updated_at"] == NOW + dt.timedelta(hours=1)
    roles = roles_of(session, COVAULT)
    clinic_roles = {key: role for key, role in roles.items() if key.startswith("clinic:")}
    assert len(clinic_roles) == 2  # one per plan's network
    # NPPES and the clinic name the same office: one location, shared by every role there.
    assert {role["location_id"] for role in roles.values()} == {nppes_role["location_id"]}
    assert nppes_role["location"] == address_key("263 FARMINGTON AVE", "Farmington", "CT", "06030")
    assert summary.updated == {"practitioners": 1}
    assert summary.unchanged["locations"] == 1


def test_a_new_practitioner_is_created_with_every_column_the_row_gives(
    session: Session, nppes: ImportSummary
) -> None:
    import_clinic_csv(session, CLINIC, now=NOW)

    created = practitioner(session, THACKERAY)
    assert {
        name: created[name]
        for name in (
            "given_name", "family_name", "credentials", "gender", "email", "phone",
            "specialties", "licensed_states", "languages", "issues", "modalities", "age_groups",
            "session_formats", "fee_min_usd", "fee_max_usd", "sliding_scale", "next_available",
        )
    } == {
        "given_name": "Imogen",
        "family_name": "Thackeray",
        "credentials": "LCSW",
        "gender": "female",
        "email": "imogen.thackeray@clinic.example.org",
        "phone": "(860) 555-0142",
        "specialties": ("1041C0700X",),
        "licensed_states": ("CT", "MA"),
        "languages": ("en",),
        "issues": ("trauma-ptsd", "emotional-numbness"),
        "modalities": ("cpt", "pe", "emdr"),
        "age_groups": ("adults", "older-adults"),
        "session_formats": ("individual", "group"),
        "fee_min_usd": 90,
        "fee_max_usd": 140,
        "sliding_scale": True,
        "next_available": None,
    }  # fmt: skip
    place = session.execute(
        text(
            "SELECT l.line, l.city, l.state, l.postal_code, l.latitude, l.longitude, "
            "l.position_source FROM directory_locations AS l "
            "JOIN directory_roles AS r ON r.location_id = l.id "
            "JOIN directory_practitioners AS p ON p.id = r.practitioner_id WHERE p.npi = :npi"
        ),
        {"npi": THACKERAY},
    ).one()
    assert tuple(place) == (
        "48 Wethersfield Ave",
        "Hartford",
        "CT",
        "06114",
        41.7512,
        -72.6755,
        "clinic",
    )


def test_an_online_only_row_without_plans_is_one_role_without_place_or_network(
    session: Session, nppes: ImportSummary
) -> None:
    import_clinic_csv(session, CLINIC, now=NOW)

    assert roles_of(session, QUENNEVILLE) == {
        f"clinic:{QUENNEVILLE}:online:-": {
            "source_key": f"clinic:{QUENNEVILLE}:online:-",
            "location_id": None,
            "accepting_new_patients": False,
            "telehealth": True,
            "in_person": False,
            "network": None,
            "location": None,
        }
    }
    online = search_directory(session, DirectoryQuery(state="CT", telehealth=True))
    found = {match.npi: match for match in online.matches}
    assert found[QUENNEVILLE].distance_miles is None
    assert found[QUENNEVILLE].address is None
    assert "Offers online sessions and is licensed in CT" in found[QUENNEVILLE].why


def test_plans_give_one_role_per_network_and_an_unknown_plan_gets_a_network_of_its_own(
    session: Session, tmp_path: Path
) -> None:
    # A plan as the Plan-Net import leaves it: two networks, written through the same writer.
    writer = DirectoryWriter(session, ImportSummary(source="plannet"), now=NOW)
    plan_ids = writer.upsert("plans", [{"plan_key": "ct-silver", "name": "Connecticut Silver"}])
    network_ids = writer.upsert(
        "networks",
        [
            {"source_key": "Organization/net-north", "name": "North network"},
            {"source_key": "Organization/net-south", "name": "South network"},
        ],
    )
    writer.link_plan_networks(
        [(plan_ids["ct-silver"], network_id) for network_id in network_ids.values()]
    )
    npi = fictional_npi(101)
    place = address_key("19 Gristmill Lane", "Hartford", "CT", "06106")
    path = write_clinic_file(
        tmp_path / "plans.csv",
        [
            {
                "npi": npi,
                "given_name": "Ottoline",
                "family_name": "Pemberton",
                "taxonomy": "101YP2500X",
                "address": "19 Gristmill Lane",
                "city": "Hartford",
                "state": "CT",
                "zip": "06106",
                "accepting_new_patients": "yes",
                "plans": "CT-Silver;own-plan;ct-silver",
                "plan_names": "Ignored for a known plan;Own Plan;",
            }
        ],
    )

    import_clinic_csv(session, path, now=NOW)

    roles = roles_of(session, npi)
    assert sorted(roles) == [
        f"clinic:{npi}:{place}:Organization/net-north",
        f"clinic:{npi}:{place}:Organization/net-south",
        f"clinic:{npi}:{place}:clinic-plan:own-plan",
    ]
    assert all(role["accepting_new_patients"] is True for role in roles.values())
    plans = session.execute(
        text(
            "SELECT p.plan_key, p.name, n.source_key, n.name FROM directory_plans AS p "
            "JOIN directory_plan_networks AS pn ON pn.plan_id = p.id "
            "JOIN directory_networks AS n ON n.id = pn.network_id ORDER BY 1, 3"
        )
    ).all()
    assert [tuple(row) for row in plans] == [
        ("ct-silver", "Connecticut Silver", "Organization/net-north", "North network"),
        ("ct-silver", "Connecticut Silver", "Organization/net-south", "South network"),
        ("own-plan", "Own Plan", "clinic-plan:own-plan", "Own Plan network"),
    ]
    searched = search_directory(session, DirectoryQuery(zip="06105", plan="own-plan"))
    assert [match.npi for match in searched.matches] == [npi]
    assert "In network for Own Plan (Own Plan network)" in searched.matches[0].why


def test_a_second_import_changes_nothing(session: Session, nppes: ImportSummary) -> None:
    first = import_clinic_csv(session, CLINIC, now=NOW)
    before = dump(session)

    again = import_clinic_csv(session, CLINIC, now=NOW + dt.timedelta(days=1))

    assert first.changed
    assert again.changed is False
    assert (again.rows_read, again.rows_kept) == (3, 3)
    assert dump(session) == before


def test_search_finds_the_enriched_provider_with_the_plans_network_and_accepting(
    session: Session, nppes: ImportSummary
) -> None:
    import_clinic_csv(session, CLINIC, now=NOW)

    outcome = search_directory(
        session,
        DirectoryQuery(zip="06105", plan="nutmeg-ppo", accepting=True, modalities=("cbt",)),
    )

    first = outcome.matches[0]
    assert (first.npi, first.name) == (COVAULT, "Jonathan Covault, MD")
    assert outcome.plan_name == "Nutmeg Mutual PPO"
    assert "In network for Nutmeg Mutual PPO (Nutmeg Mutual PPO network)" in first.why
    assert "Accepting new patients" in first.why
    assert "Offers Cognitive behavioral therapy (CBT)" in first.why
    assert first.accepting_new_patients is True
    assert first.address == "263 FARMINGTON AVE, Farmington, CT 06030"  # NPPES's text kept
    # Nobody else near Hartford is in that plan and accepting except the clinic's new therapist.
    assert {match.npi for match in outcome.matches} == {COVAULT, THACKERAY}


def test_the_documented_example_file_imports(session: Session) -> None:
    summary = import_clinic_csv(session, EXAMPLE, now=NOW)

    assert summary.rows_read == summary.rows_kept == 5
    assert summary.inserted["practitioners"] == 4
    assert import_clinic_csv(session, EXAMPLE, now=NOW).changed is False


# --- refusals --------------------------------------------------------------------------------

GOOD_ROW = {
    "npi": fictional_npi(201),
    "given_name": "Ottoline",
    "family_name": "Pemberton",
    "credentials": "LPC",
    "taxonomy": "101YP2500X",
    "address": "19 Gristmill Lane",
    "city": "Hartford",
    "state": "CT",
    "zip": "06106",
    "telehealth": "yes",
    "accepting_new_patients": "yes",
    "licensed_states": "CT",
    "modalities": "cbt",
    "fee_min_usd": "100",
    "fee_max_usd": "150",
    "plans": "nutmeg-ppo",
    "plan_names": "Nutmeg Mutual PPO",
}
NO_ADDRESS = {"address": "", "city": "", "state": "", "zip": ""}

BAD_ROWS = [
    ("npi", {"npi": "9800002011"}, "'9800002011' is not a valid NPI"),
    ("npi", {"npi": ""}, "required"),
    ("fee_min_usd", {"fee_min_usd": "abc"}, "'abc' is not a whole number of dollars"),
    ("fee_max_usd", {"fee_max_usd": "$150"}, "'$150' is not a whole number of dollars"),
    ("fee_max_usd", {"fee_min_usd": "150", "fee_max_usd": "100"}, "$100 is below fee_min_usd"),
    ("fee_min_usd", {"fee_min_usd": "25000"}, "$25000 is more than $10,000 a session"),
    ("modalities", {"modalities": "cbt;hypnosis"}, "code 'hypnosis'; the codes are cbt, dbt,"),
    ("issues", {"issues": "sadness"}, "unknown code 'sadness'; the codes are emotional-numbness"),
    ("languages", {"languages": "english"}, "unknown code 'english'; the codes are en, es"),
    ("age_groups", {"age_groups": "teens"}, "unknown code 'teens'; the codes are children"),
    ("session_formats", {"session_formats": "online"}, "code 'online'; the codes are individual"),
    ("licensed_states", {"licensed_states": "CT;ZZ"}, "'ZZ' is not a USPS state or territory code"),
    ("taxonomy", {"taxonomy": "207Q00000X"}, "'207Q00000X' is not one of the behavioral-health"),
    ("telehealth", {"telehealth": "maybe"}, "'maybe' is not yes or no"),
    ("sliding_scale", {"sliding_scale": "sometimes"}, "'sometimes' is not yes or no"),
    ("gender", {"gender": "f"}, "'f' is not one of female, male, other"),
    ("email", {"email": "ottoline at example.org"}, "is not an e-mail address"),
    ("phone", {"phone": "555-0100"}, "'555-0100' is not a 10-digit US phone number"),
    ("website", {"website": "www.example.org"}, "is not an http:// or https:// address"),
    ("zip", {"zip": "CT061"}, "'CT061' is not a US ZIP code"),
    ("state", {"state": "Connecticut"}, "'Connecticut' is not a USPS state or territory code"),
    ("city", {"city": ""}, "required with the rest of the address (address, state, zip given)"),
    ("latitude", {"latitude": "95", "longitude": "-72.7"}, "'95' is not between -90 and 90"),
    ("longitude", {"latitude": "41.7"}, "required with latitude"),
    ("latitude", {**NO_ADDRESS, "latitude": "41.7", "longitude": "-72.6"}, "a position needs"),
    ("in_person", {**NO_ADDRESS, "in_person": "yes"}, "yes, but the row has no practice address"),
    ("telehealth", {**NO_ADDRESS, "telehealth": "no"}, "no, but a row without a practice address"),
    ("in_person", {"in_person": "no", "telehealth": "no"}, "the row offers no way to be seen"),
    ("next_available", {"next_available": "06/22/2026"}, "is not a date written YYYY-MM-DD"),
    ("next_available", {"next_available": "2026-02-30"}, "'2026-02-30' is not a real date"),
    ("availability_confirmed_on", {"availability_confirmed_on": "2027-01-04"}, "is in the future"),
    ("plan_names", {"plans": "a;b", "plan_names": "A"}, "1 name(s) for 2 plan(s)"),
    ("plan_names", {"plans": "", "plan_names": "A"}, "given without plans"),
    ("plans", {"plans": "plan\u00e9", "plan_names": ""}, "is not a plan id"),
    ("given_name", {"given_name": ""}, "required for an NPI new to the directory"),
    ("family_name", {"family_name": ""}, "required for an NPI new to the directory"),
    ("taxonomy", {"taxonomy": ""}, "required for an NPI new to the directory"),
]  # fmt: skip


@pytest.mark.parametrize(
    "case",
    BAD_ROWS,
    ids=[f"{column}-{'-'.join(change.values()) or 'empty'}"[:60] for column, change, _ in BAD_ROWS],
)
def test_a_bad_row_is_refused_naming_file_line_and_column_and_nothing_changes(
    session: Session, nppes: ImportSummary, tmp_path: Path, case: tuple[str, dict[str, str], str]
) -> None:
    column, change, message = case
    before = dump(session)
    second = {**GOOD_ROW, "npi": fictional_npi(202), **change}
    path = write_clinic_file(tmp_path / "clinic.csv", [GOOD_ROW, second])

    problem = refused(session, path)

    assert problem.startswith(f"clinic.csv, line 3, column {column}: "), problem
    assert message in problem
    assert dump(session) == before


def test_known_npis_need_no_names_or_taxonomy_but_new_ones_do_on_their_first_row(
    session: Session, nppes: ImportSummary, tmp_path: Path
) -> None:
    """Line 2 names nobody new; line 3's NPI is new and unnamed: refused there, although line 4
    names it; the earliest problem is reported even when a later line is also bad."""
    before = dump(session)
    newcomer = fictional_npi(301)
    rows = [
        {"npi": COVAULT, "modalities": "cbt"},  # known from NPPES
        {**GOOD_ROW, "npi": newcomer, "given_name": ""},
        {**GOOD_ROW, "npi": newcomer},
        {**GOOD_ROW, "fee_min_usd": "abc"},
    ]
    path = write_clinic_file(tmp_path / "clinic.csv", rows)

    assert refused(session, path) == (
        "clinic.csv, line 3, column given_name: required for an NPI new to the directory"
    )
    assert dump(session) == before


def test_unknown_repeated_or_missing_columns_and_ragged_rows_are_refused(
    session: Session, nppes: ImportSummary, tmp_path: Path
) -> None:
    before = dump(session)
    header_cases = {
        "npi,given_name,website_url,fax\n": (
            "clinic.csv, line 1: unknown column(s) 'website_url', 'fax'; the columns are npi,"
        ),
        "npi,plans,plans\n": "clinic.csv, line 1: column(s) plans appear more than once",
        "given_name,family_name\nA,B\n": "clinic.csv, line 1: the npi column is required",
        "": "clinic.csv: the file is empty",
        f"npi,plans\n{COVAULT},a\n{THACKERAY},a,b\n": (
            "clinic.csv, line 3: expected 2 fields as in the header, found 3"
        ),
    }
    path = tmp_path / "clinic.csv"
    for content, message in header_cases.items():
        path.write_text(content, encoding="utf-8")
        assert refused(session, path).startswith(message), content
    path.write_bytes(f"npi,credentials\n{THACKERAY},Psychologue dipl\xf4m\xe9\n".encode("latin-1"))
    assert "not UTF-8 text" in refused(session, path)
    assert dump(session) == before


def big_file(path: Path, *, last_row: dict[str, str] | None = None) -> tuple[Path, str, str]:
    """More rows than one batch: BATCH_SIZE - 1 new providers, then one provider on two
    consecutive rows that straddle the batch boundary (their fees differ: the later row wins),
    then the first provider again, unnamed, at a second office in the next batch."""
    rows = [
        {**GOOD_ROW, "npi": fictional_npi(10_000 + serial, "97"), "address": f"{serial} Elm Row"}
        for serial in range(BATCH_SIZE - 1)
    ]
    straddling = fictional_npi(9_999, "97")
    rows.append({**GOOD_ROW, "npi": straddling, "fee_min_usd": "100", "fee_max_usd": ""})
    rows.append({"npi": straddling, "address": "2 Oak Row", "city": "Hartford", "state": "CT",
                 "zip": "06106", "fee_min_usd": "120"})  # fmt: skip
    first = rows[0]["npi"]
    rows.append(
        {"npi": first, "address": "3 Ash Row", "city": "Avon", "state": "CT", "zip": "06001"}
    )
    if last_row is not None:
        rows.append(last_row)
    return write_clinic_file(path, rows), first, straddling


def test_a_file_larger_than_a_batch_imports_whole_and_a_second_import_changes_nothing(
    session: Session, tmp_path: Path
) -> None:
    path, first, straddling = big_file(tmp_path / "big.csv")

    summary = import_clinic_csv(session, path, now=NOW)
    before = dump(session)
    again = import_clinic_csv(session, path, now=NOW + dt.timedelta(days=1))

    assert summary.rows_read == summary.rows_kept == BATCH_SIZE + 2
    assert summary.inserted["practitioners"] == BATCH_SIZE
    assert practitioner(session, straddling)["fee_min_usd"] == 120
    assert practitioner(session, straddling)["fee_max_usd"] is None
    assert len(roles_of(session, first)) == 2  # its second office, from the second batch
    assert again.changed is False
    assert dump(session) == before


def test_a_bad_row_after_a_written_batch_leaves_every_table_as_it_was(
    session: Session, nppes: ImportSummary, tmp_path: Path
) -> None:
    before = dump(session)
    path, _first, _straddling = big_file(
        tmp_path / "big.csv", last_row={**GOOD_ROW, "modalities": "hypnosis"}
    )

    problem = refused(session, path)

    assert problem.startswith(f"big.csv, line {BATCH_SIZE + 4}, column modalities: ")
    assert dump(session) == before


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def cli_env(
    committing_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    monkeypatch.chdir(tmp_path)  # no stray .env or var/ of the working tree
    get_settings.cache_clear()
    yield {
        "AFFECTRANGE_DATABASE_URL": committing_database.engine.url.render_as_string(
            hide_password=False
        ),
        "AFFECTRANGE_SECRET_KEY": "cli-test-secret-key",
    }
    get_settings.cache_clear()


def practitioner_count(database: Database) -> int:
    with database.session_factory() as session:
        return int(session.scalar(select(func.count(DirectoryPractitioner.id))) or 0)


def test_the_command_refuses_a_bad_file_with_exit_2_and_imports_a_good_one(
    cli_env: dict[str, str], committing_database: Database, tmp_path: Path
) -> None:
    bad = write_clinic_file(tmp_path / "clinic.csv", [GOOD_ROW, {**GOOD_ROW, "fee_min_usd": "abc"}])
    runner = CliRunner()

    result = runner.invoke(app, ["directory", "import", str(bad), "--format", "csv"], env=cli_env)

    assert result.exit_code == 2
    assert (
        "clinic.csv, line 3, column fee_min_usd: 'abc' is not a whole number of dollars"
        in result.stderr
    )
    assert "nothing was imported" in result.stderr
    assert practitioner_count(committing_database) == 0

    good = runner.invoke(app, ["directory", "import", str(EXAMPLE), "--format", "csv"], env=cli_env)

    assert good.exit_code == 0, good.stderr
    assert "Read 5 rows, kept 5: 4 practitioners added" in good.stderr
    assert practitioner_count(committing_database) == 4
