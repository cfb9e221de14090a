"""`affectrange directory import` and `affectrange directory search` as CONTRACTS.md section 5
fixes them, run as a user runs them: against a migrated database named by
AFFECTRANGE_DATABASE_URL, with real commits."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from affectrange import migrate
from affectrange.cli import app
from affectrange.config import get_settings
from affectrange.db import Database, create_database
from tests.conftest import DatabaseFactory
from tests.directory import oracle
from tests.directory.oracle import DIRECTORY_TABLES, SAMPLE
from tests.directory.test_nppes_import import (
    BAD_LINE,
    GOOD_ROWS,
    date_that_is_not_a_date,
    invalid_npi,
    read_sample,
    wrong_field_count,
)


def run(database: Database, *args: str) -> Result:
    env = {
        "AFFECTRANGE_DATABASE_URL": database.engine.url.render_as_string(hide_password=False),
        "AFFECTRANGE_SECRET_KEY": "cli-test-secret-key",
    }
    get_settings.cache_clear()  # settings are cached per process; each test names its database
    try:
        return CliRunner().invoke(app, list(args), env=env)
    finally:
        get_settings.cache_clear()


def dump(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    with database.session_factory() as session:
        return oracle.dump_directory(session)


def nothing_in(database: Database) -> bool:
    dumped = dump(database)
    return all(dumped[table] == [] for table in DIRECTORY_TABLES) and dumped[
        "directory_revision"
    ] == [(1, 0, None, None)]


@pytest.fixture
def fresh(
    committing_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Database:
    monkeypatch.chdir(tmp_path)  # no stray .env or var/ of the working tree
    return committing_database


@pytest.fixture(scope="module")
def imported(databases: DatabaseFactory) -> Iterator[tuple[Database, Result]]:
    """A database the sample was imported into with the command, and what the command said."""
    database = create_database(databases.new_url("directory_cli_sample"))
    migrate.upgrade(database)
    result = run(database, "directory", "import", str(SAMPLE), "--format", "nppes")
    yield database, result
    database.dispose()


def search_json(database: Database, *args: str) -> list[dict[str, Any]]:
    result = run(database, "directory", "search", *args, "--json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert isinstance(payload, list)
    return payload


# --- import -----------------------------------------------------------------------------------


def test_import_says_how_many_rows_it_read_and_kept(imported: tuple[Database, Result]) -> None:
    database, result = imported
    assert result.exit_code == 0, result.stderr
    # 2,000 rows; 123 kept (counted from the CSV in test_nppes_import); 106 distinct addresses.
    assert result.stderr.startswith("Read 2,000 rows, kept 123: ")
    assert "123 practitioners added" in result.stderr
    assert "123 roles added" in result.stderr
    with database.session_factory() as session:
        assert oracle.revision_row(session)[0] == 1


def test_importing_the_same_file_again_changes_nothing(imported: tuple[Database, Result]) -> None:
    database, _first = imported
    before = dump(database)

    again = run(database, "directory", "import", str(SAMPLE), "--format", "nppes")

    assert again.exit_code == 0, again.stderr
    assert "nothing changed" in again.stderr
    assert dump(database) == before


BAD_FILES: dict[str, Callable[[Path], tuple[Path, int]]] = {
    "wrong field count": wrong_field_count,
    "invalid NPI": invalid_npi,
    "a date that is not a date": date_that_is_not_a_date,
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_row_after_a_full_batch_imports_nothing(
    case: str, fresh: Database, tmp_path: Path
) -> None:
    path, line = BAD_FILES[case](tmp_path)
    assert line == BAD_LINE == GOOD_ROWS + 2

    result = run(fresh, "directory", "import", str(path), "--format", "nppes")

    assert result.exit_code == 2
    assert path.name in result.stderr
    assert f"line {BAD_LINE}" in result.stderr
    assert "nothing was imported" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # one line, for scripts
    assert nothing_in(fresh)  # the 2,000 rows written before the bad one were rolled back too


def test_import_refuses_an_unknown_format_and_a_missing_file(fresh: Database) -> None:
    unknown = run(fresh, "directory", "import", str(SAMPLE), "--format", "xlsx")
    missing = run(fresh, "directory", "import", "no-such-file.csv", "--format", "nppes")

    assert unknown.exit_code == 2
    assert "--format" in unknown.stderr
    assert missing.exit_code == 2
    assert "no-such-file.csv" in missing.stderr
    assert nothing_in(fresh)


# --- search -----------------------------------------------------------------------------------


def test_search_prints_the_oracles_prescribers_best_first(
    imported: tuple[Database, Result],
) -> None:
    database, _ = imported
    with database.session_factory() as session:
        expected = oracle.within(session, "06105", 10, "prescriber")
    assert len(expected) >= 5

    results = search_json(
        database, "--zip", "06105", "--radius-miles", "10", "--type", "prescriber"
    )

    for entry in results:
        assert {"npi", "name", "distance_miles", "why"} <= set(entry)
        assert isinstance(entry["why"], list)
        assert entry["why"]
        assert isinstance(entry["name"], str)
        assert entry["name"]
    assert {entry["npi"] for entry in results} == set(expected)
    for entry in results:
        assert abs(entry["distance_miles"] - expected[entry["npi"]]) <= 0.01
    assert [entry["npi"] for entry in results] == sorted(
        expected, key=lambda npi: (round(expected[npi], 9), npi)
    )
    first_three = search_json(
        database, "--zip", "06105", "--radius-miles", "10", "--type", "prescriber", "--limit", "3"
    )
    assert first_three == results[:3]


def test_an_address_is_searched_from_the_centroid_of_the_zip_it_ends_with(
    imported: tuple[Database, Result],
) -> None:
    database, _ = imported
    by_zip = search_json(database, "--zip", "06105", "--radius-miles", "10", "--type", "prescriber")

    by_address = search_json(
        database,
        "--address",
        "500 Farmington Ave, Hartford, CT 06105-3001",
        "--radius-miles",
        "10",
        "--type",
        "prescriber",
    )

    assert by_address == by_zip
    assert by_zip


def test_search_names_each_prescriber_as_the_registry_does(
    imported: tuple[Database, Result],
) -> None:
    database, _ = imported
    header, rows = read_sample()
    names = {
        row[0]: (
            row[header.index("Provider First Name")].title(),
            row[header.index("Provider Last Name (Legal Name)")].title(),
            row[header.index("Provider Credential Text")],
        )
        for row in rows
    }

    results = search_json(
        database, "--zip", "01103", "--radius-miles", "25", "--type", "prescriber"
    )

    assert results
    for entry in results:
        first, last, credentials = names[entry["npi"]]
        assert entry["name"] == f"{first} {last}" + (f", {credentials}" if credentials else "")


def test_search_without_json_prints_a_table(imported: tuple[Database, Result]) -> None:
    database, _ = imported
    with database.session_factory() as session:
        expected = oracle.within(session, "02903", 5)

    result = run(database, "directory", "search", "--zip", "02903", "--radius-miles", "5")
    nobody = run(database, "directory", "search", "--zip", "06902", "--radius-miles", "1")

    assert result.exit_code == 0, result.stderr
    assert f"{len(expected)} provider(s) match; best first" in result.stdout
    for npi in expected:
        assert npi in result.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout)
    assert nobody.exit_code == 0
    assert "No provider matches these filters." in nobody.stdout


def test_online_search_on_nppes_data_finds_nobody(imported: tuple[Database, Result]) -> None:
    """NPPES says nothing about online care: nobody is listed as offering it."""
    database, _ = imported
    assert search_json(database, "--state", "CT", "--telehealth") == []


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--zip", "00000"], "--zip"),
        (["--zip", "06105", "--type", "dentist"], "--type"),
        (["--zip", "06105", "--issue", "bogus"], "--issue"),
        (["--zip", "06105", "--radius-miles", "0"], "--radius-miles"),
        (["--type", "therapist"], "--zip"),  # no place at all
        (["--state", "ZZ", "--telehealth"], "--state"),
        (["--address", "somewhere without a ZIP"], "--address"),
        (["--address", "1 Main St, Hartford, CT 06105", "--zip", "06105"], "--address"),
    ],
)
def test_a_bad_search_option_exits_2_naming_it(
    args: list[str], option: str, fresh: Database
) -> None:
    result = run(fresh, "directory", "search", *args, "--json")

    assert result.exit_code == 2
    assert option in result.stderr
    assert result.stdout == ""


def test_the_revision_moves_only_when_an_import_changes_something(
    fresh: Database, tmp_path: Path
) -> None:
    header, rows = read_sample()
    [row] = [list(row) for row in rows if row[0] == "1548267107"]
    row[header.index("NPI Deactivation Date")] = "01/15/2019"
    path = tmp_path / "deactivated.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows([header, row])

    run(fresh, "directory", "import", str(SAMPLE), "--format", "nppes")
    before = search_json(fresh, "--zip", "01103", "--radius-miles", "5")
    removed = run(fresh, "directory", "import", str(path), "--format", "nppes")
    after = search_json(fresh, "--zip", "01103", "--radius-miles", "5")

    assert removed.exit_code == 0, removed.stderr
    assert "1 practitioners removed" in removed.stderr
    assert [entry["npi"] for entry in before] == ["1548267107"]
    assert after == []
    with fresh.session_factory() as session:
        assert oracle.revision_row(session)[0] == 2
