"""`affectrange export PERSON_EMAIL --format fhir|csv -o PATH` and `affectrange import
PERSON_EMAIL PATH`, run as an operator runs them: against a migrated database named by
AFFECTRANGE_DATABASE_URL, with real commits. Every export is audited as the operator's; a bad
file or an unknown account exits 2 with one line naming it, and writes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from affectrange.accounts import service as accounts
from affectrange.accounts.models import Role, User
from affectrange.audit.service import COMMAND_LINE_ADDRESS, OPERATOR, entries_about
from affectrange.clock import SystemClock, local_today
from affectrange.db import Database
from affectrange.portability import service
from tests.conftest import make_settings, make_user
from tests.portability.foreign import as_file, phq9
from tests.portability.helpers import NOTE, load_everything, record_in, row_counts
from tests.support.cli import Cli

ALICE = "alice@example.org"
NEWCOMER = "newcomer@example.org"
IMPORTED = (
    "Imported 4 check-ins, 3 questionnaire responses, 4 medication events, 2 care-plan goals, "
    "2 impact ratings, 2 appointment questions, 3 safety events, 1 contact request."
)


@pytest.fixture
def people(committing_database: Database, tmp_path: Path) -> None:
    """Alice with a record of every kind, and an empty account to import into, committed."""
    settings = make_settings()
    with committing_database.session_factory() as session:
        alice = make_user(session, settings, ALICE)
        load_everything(session, alice, tmp_path / "outbox")
        make_user(session, settings, NEWCOMER)
        make_user(session, settings, "carol@example.org", Role.CLINICIAN)


def user(database: Database, email: str) -> tuple[User, list[tuple[str, str, str, str]]]:
    """The account, and the audit entries about it (newest first)."""
    with database.session_factory() as session:
        found = accounts.user_by_email(session, email)
        assert found is not None
        entries = [
            (entry.actor_role, entry.action, entry.detail, entry.address)
            for entry in entries_about(session, found)
        ]
        return found, entries


def counts(database: Database) -> dict[str, int]:
    with database.session_factory() as session:
        return row_counts(session)


def today_stamp() -> str:
    return local_today(SystemClock(), "America/New_York").isoformat()


def test_export_then_import_moves_the_whole_record(
    cli: Cli, people: None, committing_database: Database, tmp_path: Path
) -> None:
    target = tmp_path / "alice.fhir.json"

    exported = cli("export", ALICE, "--format", "fhir", "-o", target)

    assert exported.exit_code == 0, exported.stderr
    assert exported.stderr == f"Wrote {ALICE}'s whole record into {target}.\n"
    content = target.read_bytes()
    assert b'"resourceType": "Bundle"' in content
    _, alice_entries = user(committing_database, ALICE)
    assert alice_entries == [
        (
            OPERATOR.role,
            "export_data",
            f"Whole record as FHIR R4 (affectrange-record-{today_stamp()}.fhir.json)",
            COMMAND_LINE_ADDRESS,
        )
    ]

    imported = cli("import", NEWCOMER, target)

    assert imported.exit_code == 0, imported.stderr
    assert imported.stderr == f"{IMPORTED} Into {NEWCOMER}.\n"
    newcomer, newcomer_entries = user(committing_database, NEWCOMER)
    alice, _ = user(committing_database, ALICE)
    with committing_database.session_factory() as session:
        theirs = service.read_record(session, newcomer)
        hers = service.read_record(session, alice)
    assert theirs.model_dump(exclude={"person"}) == hers.model_dump(exclude={"person"})
    assert theirs.checkins[1].note == NOTE
    # The operator put data into someone's record: that is in their log.
    assert newcomer_entries == [
        (OPERATOR.role, "data_imported", f"{IMPORTED} From {target}.", COMMAND_LINE_ADDRESS)
    ]


def test_csv_export_without_a_name_gets_its_own(cli: Cli, people: None, tmp_path: Path) -> None:
    result = cli("export", ALICE, "--format", "csv")

    assert result.exit_code == 0, result.stderr
    written = tmp_path / f"affectrange-record-{today_stamp()}.csv.zip"
    assert written.read_bytes()[:4] == b"PK\x03\x04"
    assert len(record_in(written.read_bytes()).checkins) == 4


def test_importing_a_foreign_phq9_with_item_9_says_so(
    cli: Cli, people: None, committing_database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "phq9.json"
    path.write_bytes(as_file(phq9((0, 0, 0, 0, 0, 0, 0, 0, 3))))

    result = cli("import", NEWCOMER, path)

    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"Imported 1 questionnaire response. Into {NEWCOMER}.",
        "An imported PHQ-9 has item 9 above 0: a safety event is recorded for the person.",
    ]
    newcomer, _ = user(committing_database, NEWCOMER)
    with committing_database.session_factory() as session:
        [event] = service.read_record(session, newcomer).safety_events
    assert (event.item_value, event.occurred_at) == (
        3,
        dt.datetime(2026, 5, 2, 13, 30, tzinfo=dt.UTC),
    )


def test_a_bad_file_exits_2_naming_it_and_imports_nothing(
    cli: Cli, people: None, committing_database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "record.json"
    path.write_bytes(b'{"resourceType": "Bundle",\n  "type": }')
    before = counts(committing_database)

    result = cli("import", NEWCOMER, path)

    assert result.exit_code == 2
    assert result.stderr == (
        f"error: nothing imported: {path}: not JSON (line 2, column 11: Expecting value)\n"
    )
    assert counts(committing_database) == before


def test_an_export_into_an_account_with_records_exits_2(
    cli: Cli, people: None, committing_database: Database, tmp_path: Path
) -> None:
    target = tmp_path / "alice.fhir.json"
    assert cli("export", ALICE, "-o", target).exit_code == 0
    before = counts(committing_database)

    result = cli("import", ALICE, target)

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(
        f"error: nothing imported: {target}: this account already holds records."
    )
    assert counts(committing_database) == before


@pytest.mark.parametrize("command", ["export", "import"])
@pytest.mark.parametrize(
    ("email", "found"),
    [("nobody@example.org", "no account"), ("carol@example.org", "a clinician's account")],
)
def test_an_unknown_or_clinician_account_exits_2(  # noqa: PLR0917 (fixtures)
    cli: Cli,
    people: None,
    committing_database: Database,
    tmp_path: Path,
    command: str,
    email: str,
    found: str,
) -> None:
    path = tmp_path / "phq9.json"
    path.write_bytes(as_file(phq9((1,) * 9)))
    before = counts(committing_database)

    args = ("-o", tmp_path / "out.json") if command == "export" else (path,)
    result = cli(command, email, *args)

    assert result.exit_code == 2
    assert result.stderr == f"error: PERSON_EMAIL: {email} is {found}, not a person's\n"
    assert counts(committing_database) == before
    assert not (tmp_path / "out.json").exists()


def test_a_missing_file_exits_2_naming_it(cli: Cli, people: None, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"

    result = cli("import", NEWCOMER, path)

    assert result.exit_code == 2
    assert result.stderr == f"error: {path}: No such file or directory\n"


def test_a_missing_output_folder_exits_2(cli: Cli, people: None, tmp_path: Path) -> None:
    result = cli("export", ALICE, "-o", tmp_path / "nowhere" / "alice.json")

    assert result.exit_code == 2
    assert result.stderr == f"error: --output: {tmp_path / 'nowhere'}: no such directory\n"


def test_a_bad_file_with_brackets_in_its_name_is_named_as_it_is(
    cli: Cli, people: None, tmp_path: Path
) -> None:
    path = tmp_path / "record[alice].json"
    path.write_bytes(b"nonsense")

    result = cli("import", NEWCOMER, path)

    assert result.exit_code == 2
    assert str(path) in result.stderr
