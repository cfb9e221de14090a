"""`affectrange report PERSON_EMAIL --from --to -o FILE`: a PDF (or HTML) of a person's record,
written whole or not at all, and recorded in the audit log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from affectrange.accounts import service as accounts
from affectrange.accounts.models import Role
from affectrange.audit.service import COMMAND_LINE_ADDRESS, OPERATOR, entries_about
from affectrange.clock import SystemClock, local_today
from affectrange.db import Database
from tests.conftest import make_settings, make_user
from tests.reports.helpers import SECTION_HEADINGS, load_year, long_day, pdf_text, text_of
from tests.support.cli import Cli

ALICE = "alice@example.org"


@pytest.fixture
def people(committing_database: Database) -> None:
    """Alice with a year of record, and Carol the clinician, committed for the command."""
    settings = make_settings()
    with committing_database.session_factory() as session:
        alice = make_user(session, settings, ALICE)
        load_year(session, alice)
        make_user(session, settings, "carol@example.org", Role.CLINICIAN)


def exports(database: Database) -> list[tuple[str | None, str, str, str]]:
    with database.session_factory() as session:
        alice = accounts.user_by_email(session, ALICE)
        assert alice is not None
        return [
            (entry.actor_role, entry.action, entry.detail, entry.address)
            for entry in entries_about(session, alice)
        ]


def test_writes_a_pdf_that_pdftotext_reads_and_audits_it(
    cli: Cli, people: None, committing_database: Database, tmp_path: Path
) -> None:
    output = tmp_path / "report.pdf"

    result = cli("report", ALICE, "--from", "2025-12-01", "--to", "2026-05-31", "-o", output)

    assert result.exit_code == 0, result.stderr
    pdf = output.read_bytes()
    assert pdf.startswith(b"%PDF")
    reading = tmp_path / "reading"
    reading.mkdir()
    text = pdf_text(pdf, reading)
    for heading in SECTION_HEADINGS:
        assert heading in text
    assert f"{long_day(dt.date(2025, 12, 1))} to {long_day(dt.date(2026, 5, 31))}" in text
    assert exports(committing_database) == [
        (
            OPERATOR.role,
            "export_report",
            "report 2025-12-01 to 2026-05-31 as a PDF, written to report.pdf",
            COMMAND_LINE_ADDRESS,
        )
    ]
    assert list(tmp_path.glob(".report.pdf.*")) == []  # no temporary file left behind


def test_html_output_and_the_default_period(
    cli: Cli, people: None, committing_database: Database, tmp_path: Path
) -> None:
    output = tmp_path / "report.html"
    today = local_today(SystemClock(), "America/New_York")

    result = cli("report", ALICE, "-o", output)

    assert result.exit_code == 0, result.stderr
    html = output.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    first = today - dt.timedelta(days=89)
    assert f"{long_day(first)} to {long_day(today)} (90 days)" in text_of(html)
    [entry] = exports(committing_database)
    assert entry[2].endswith("as HTML, written to report.html")


def test_without_output_the_pdf_gets_its_own_name(cli: Cli, people: None, tmp_path: Path) -> None:
    result = cli("report", ALICE, "--from", "2026-01-01", "--to", "2026-03-31")

    assert result.exit_code == 0, result.stderr
    written = tmp_path / "affectrange-report-2026-01-01-to-2026-03-31.pdf"
    assert written.read_bytes().startswith(b"%PDF")


BAD_INPUT = {
    "unknown": (("nobody@example.org",), "PERSON_EMAIL"),
    "clinician": (("carol@example.org",), "PERSON_EMAIL"),
    "not-a-date": ((ALICE, "--from", "01/02/2026"), "--from"),
    "future": ((ALICE, "--to", "2999-01-01"), "--to"),
    "reversed": ((ALICE, "--from", "2026-05-01", "--to", "2026-04-01"), "--from"),
    "too-long": ((ALICE, "--from", "2020-01-01", "--to", "2026-04-01"), "--from"),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_exits_2_naming_it_and_writes_nothing(
    cli: Cli, people: None, committing_database: Database, tmp_path: Path, case: str
) -> None:
    args, named = BAD_INPUT[case]
    output = tmp_path / "report.pdf"

    result = cli("report", *args, "-o", output)

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1  # one line
    assert result.stderr.startswith(f"error: {named}: ")
    assert list(tmp_path.iterdir()) == []
    assert exports(committing_database) == []


def test_a_missing_folder_exits_2(cli: Cli, people: None, tmp_path: Path) -> None:
    result = cli("report", ALICE, "-o", tmp_path / "nowhere" / "report.pdf")

    assert result.exit_code == 2
    assert "--output" in result.stderr
    assert not (tmp_path / "nowhere").exists()
