"""The `affectrange` command: the same services the web app uses, from a terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from affectrange.accounts import service as accounts
from affectrange.accounts.models import Role, User
from affectrange.accounts.schemas import RegisterForm
from affectrange.clock import SystemClock
from affectrange.config import get_settings
from affectrange.db import Database, create_database, session_scope
from affectrange.errors import InvalidInput
from affectrange.reminders.scheduler import MailLinks, ReminderScheduler

if TYPE_CHECKING:  # imported by `analyze` itself: polars is not needed by the other commands
    from sqlalchemy.orm import Session

    from affectrange import analyze_csv
    from affectrange.directory.service import SearchOutcome

EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2

app = typer.Typer(
    help="AffectRange: daily emotional-range check-ins and the evidence they build.",
    no_args_is_help=True,
    add_completion=False,
)
user_app = typer.Typer(help="Manage accounts.", no_args_is_help=True)
app.add_typer(user_app, name="user")
audit_app = typer.Typer(
    help="The audit log of who read or changed whose data.", no_args_is_help=True
)
app.add_typer(audit_app, name="audit")
directory_app = typer.Typer(
    help="The therapist directory: import provider data, search it.", no_args_is_help=True
)
app.add_typer(directory_app, name="directory")

out = Console(soft_wrap=True)  # messages stay on one line for scripts that read them
err = Console(stderr=True, soft_wrap=True)


def _fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    # The message names files and values as typed: brackets in them are text, not markup.
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def _open_database() -> Iterator[Database]:
    database = create_database(get_settings().database_url)
    try:
        yield database
    finally:
        database.dispose()


PasswordFromStdin = Annotated[
    bool, typer.Option(help="Read the password from standard input instead of prompting.")
]


@app.command()
def migrate(
    revision: Annotated[str, typer.Option(help="Target revision for an upgrade.")] = "head",
    downgrade_to: Annotated[
        str | None, typer.Option(help="Downgrade to this revision instead ('base' empties it).")
    ] = None,
) -> None:
    """Create or upgrade the schema of the configured database."""
    # Imported here: Alembic takes about 0.9 s to import, which every other command would pay.
    from affectrange import migrate as migrations

    with _open_database() as database:
        if downgrade_to is not None:
            migrations.downgrade(database, downgrade_to)
        else:
            migrations.upgrade(database, revision)
        out.print(f"Database at revision {migrations.current_revision(database) or 'base'}.")


MAX_DEFAULT_WORKERS = 4


def default_workers() -> int:
    """One process per core: the event loop of a process uses one core (the GIL); on SQLite the
    processes' writers take turns through a file lock (see writer.py)."""
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes (default: one per core, at most 4)."),
    ] = None,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
    reminders: Annotated[
        bool,
        typer.Option(help="Send e-mail reminders from this process (off: run `worker` instead)."),
    ] = True,
) -> None:
    """Serve the web app and the API (and, by default, send reminders)."""
    import uvicorn

    # One scheduler per `serve`, in this process, not one per web worker process.
    scheduler_context = _reminder_scheduler() if reminders else nullcontext()
    out.print(f"AffectRange is at [bold]http://{host}:{port}[/] (Ctrl-C stops it).")
    with scheduler_context:
        uvicorn.run(
            "affectrange.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers or default_workers(),
            proxy_headers=True,
            access_log=access_log,
            log_level="info",
        )


@contextmanager
def _reminder_scheduler(interval: float | None = None) -> Iterator[ReminderScheduler]:
    from affectrange.mail import OutboxMailer, mailer_from_settings
    from affectrange.reminders.scheduler import TICK_SECONDS

    settings = get_settings()
    mailer = mailer_from_settings(settings)
    if isinstance(mailer, OutboxMailer):
        out.print(
            f"Reminder e-mails are written to {settings.mail_outbox_dir}/ (no SMTP server set)."
        )
    links = _mail_links()
    with _open_database() as database:
        scheduler = ReminderScheduler(
            database, mailer, SystemClock(), links, interval=interval or TICK_SECONDS
        )
        scheduler.start()
        try:
            yield scheduler
        finally:
            scheduler.stop()


def _mail_links() -> MailLinks:
    """Links in e-mails, signed with the same key the web app checks them with."""
    settings = get_settings()
    return MailLinks(settings.public_base_url, settings.resolved_secret_key().encode("utf-8"))


@app.command()
def worker(
    once: Annotated[
        bool, typer.Option(help="Run one pass and exit (for cron or a timer).")
    ] = False,
    interval: Annotated[float, typer.Option(min=1, help="Seconds between passes.")] = 60.0,
) -> None:
    """Send due reminders (for deployments that run `serve --no-reminders`)."""
    import logging
    import signal
    import threading

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if once:
        from affectrange.mail import mailer_from_settings
        from affectrange.reminders.scheduler import run_due_reminders

        with _open_database() as database:
            report = run_due_reminders(
                database,
                mailer_from_settings(get_settings()),
                now=SystemClock().now(),
                links=_mail_links(),
            )
        out.print(
            f"Reminders: {report.sent} sent, {report.failed} failed, "
            f"{report.already_claimed} already sent by another process."
        )
        return
    stopped = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stopped.set())
    out.print("Sending reminders (Ctrl-C stops).")
    with _reminder_scheduler(interval):
        stopped.wait()


@app.command()
def demo(
    first_run_only: Annotated[
        bool, typer.Option(help="Load only if this database never had the demo (used by make run).")
    ] = False,
) -> None:
    """Load the demo person and clinician with their data (idempotent)."""
    from affectrange import demo as demo_data

    settings = get_settings()
    with _open_database() as database, session_scope(database) as session:
        result = demo_data.load_demo(
            session, settings, now=SystemClock().now(), first_run_only=first_run_only
        )
    for line in demo_data.describe(result):
        out.print(line, highlight=False)


@app.command()
def score(
    instrument: Annotated[str, typer.Argument(help="phq9, phq2, gad7, pcl5, pcptsd5, auditc, ...")],
    responses: Annotated[
        Path, typer.Argument(help="Wide CSV: respondent_id,date,q1,q2,... (published order).")
    ],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the scores here (default: stdout).")
    ] = None,
) -> None:
    """Score questionnaire responses (CONTRACTS.md section 4); a bad file is refused whole."""
    from affectrange import score_csv
    from affectrange.instruments import UnknownInstrument, get_instrument, instrument_ids

    try:
        definition = get_instrument(instrument)
    except UnknownInstrument:
        _fail(f"unknown instrument {instrument!r}; one of {', '.join(instrument_ids())}", 2)
    if not responses.is_file():
        _fail(f"{responses}: no such file", EXIT_BAD_INPUT)
    try:
        with err.status(f"scoring {responses} ...") if err.is_terminal else nullcontext():
            rows = score_csv.read_and_score(responses, definition)
    except score_csv.ResponsesFileError as error:
        _fail(str(error), EXIT_BAD_INPUT)
    except UnicodeDecodeError:
        _fail(f"{responses}: not a UTF-8 text file", EXIT_BAD_INPUT)
    if output is None:
        score_csv.write_scores(rows, sys.stdout)
        return
    try:
        with output.open("w", newline="", encoding="utf-8") as handle:
            score_csv.write_scores(rows, handle)
    except OSError as error:
        _fail(f"{output}: {error.strerror}", EXIT_FAILURE)
    err.print(f"Scored {len(rows)} response(s) into {output}.", highlight=False)


@app.command()
def analyze(
    checkins: Annotated[
        Path,
        typer.Argument(
            help="Long (person_id,date,item,value) or wide (person_id,date,<items>) CSV."
        ),
    ],
    medications: Annotated[
        Path | None,
        typer.Option(help="CSV of medication events: person_id,date,medication,event,dose_mg."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the JSON here (default: stdout).")
    ] = None,
    lenient: Annotated[
        bool,
        typer.Option(help="Skip bad rows and values and count them, instead of refusing the file."),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes for the analysis (default: one per core if it pays)."),
    ] = None,
) -> None:
    """Analyse each person's check-ins (CONTRACTS.md section 3); a bad file is refused whole."""
    from affectrange import analyze_csv
    from affectrange.analysis.serialize import output_json

    for path in (checkins, medications):
        if path is not None and not path.is_file():
            _fail(f"{path}: no such file", EXIT_BAD_INPUT)
    if output is not None and not output.parent.is_dir():
        _fail(f"{output.parent}: no such directory", EXIT_BAD_INPUT)
    try:
        with err.status(f"reading {checkins} ...") if err.is_terminal else nullcontext():
            table = analyze_csv.read_checkins(checkins, lenient=lenient)
            events = (
                None
                if medications is None
                else analyze_csv.read_medications(medications, lenient=lenient)
            )
    except analyze_csv.InputFileError as error:
        _fail(str(error), EXIT_BAD_INPUT)
    for note in _analyze_notes(checkins, table, medications, events):
        err.print(note, highlight=False)
    by_person = {} if events is None else events.events
    count = analyze_csv.worker_count(table.persons, workers)
    with _progress("analysing", len(table.persons)) as advance:
        persons = analyze_csv.analyze_persons(
            table.persons, by_person, workers=count, advance=advance
        )
    try:
        analyze_csv.write_json(output_json(persons), output, sys.stdout)
    except OSError as error:
        _fail(f"{output or 'stdout'}: {error.strerror}", EXIT_FAILURE)
    except ValueError as error:  # a NaN from the analysis: a bug, and not to be written as JSON
        _fail(f"the analysis gave a value JSON cannot hold ({error})", EXIT_FAILURE)
    if output is not None:
        err.print(f"Analysed {len(persons)} person(s) into {output}.", highlight=False)


def _analyze_notes(
    checkins: Path,
    table: analyze_csv.Checkins,
    medications: Path | None,
    events: analyze_csv.Medications | None,
) -> Iterator[str]:
    """What was left out, on stderr, so a lenient run never silently loses data."""
    if (skipped := table.skipped.summary()) is not None:
        yield f"{checkins}: {skipped}"
    if not table.persons:
        yield f"{checkins}: no answered check-ins"
    if medications is None or events is None:
        return
    if (skipped := events.skipped.summary()) is not None:
        yield f"{medications}: {skipped}"
    analysed = {person.person_id for person in table.persons}
    orphans = {
        person: person_events
        for person, person_events in events.events.items()
        if person not in analysed
    }
    if orphans:
        n_events = sum(len(person_events) for person_events in orphans.values())
        yield (
            f"{medications}: ignored {n_events} event(s) of {len(orphans)} person(s) "
            f"without check-ins ({', '.join(sorted(orphans)[:3])}"
            f"{', ...' if len(orphans) > 3 else ''})"
        )


_REPORT_OPTIONS = {"from": "--from", "to": "--to"}


@app.command()
def report(
    person_email: Annotated[
        str, typer.Argument(metavar="PERSON_EMAIL", help="The person's e-mail address.")
    ],
    first: Annotated[
        str | None,
        typer.Option("--from", help="First day, YYYY-MM-DD (default: the 90 days ending --to)."),
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (default: today).")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="A .pdf, or .html for the HTML (default: the PDF's own name)."
        ),
    ] = None,
) -> None:
    """Write a person's appointment report (all of their record) as a PDF or as HTML."""
    # Imported here: the report needs the analysis and the charts, and WeasyPrint to render,
    # which the other commands would otherwise load for nothing.
    from affectrange.audit import service as audit
    from affectrange.audit.models import AuditAction
    from affectrange.clock import local_today
    from affectrange.reports import render as reports_render
    from affectrange.reports import service as reports
    from affectrange.sharing.scopes import Scopes

    if output is not None and not output.parent.is_dir():
        _fail(f"--output: {output.parent}: no such directory", EXIT_BAD_INPUT)
    clock = SystemClock()
    with _open_database() as database:
        with session_scope(database, write=False) as session:
            person = accounts.user_by_email(session, person_email)
            if person is None or person.role is not Role.PERSON:
                found = "no account" if person is None else f"a {person.role.value}'s account"
                _fail(f"PERSON_EMAIL: {person_email} is {found}, not a person's", EXIT_BAD_INPUT)
            today = local_today(clock, person.timezone)
            try:
                start, end = reports.period_from_text(first, last, today)
                built = reports.build_report(
                    session,
                    person,
                    first=start,
                    last=end,
                    today=today,
                    scopes=Scopes.everything(),
                    now=clock.now(),
                    crisis_country=get_settings().crisis_country,
                )
            except InvalidInput as error:
                field, message = next(iter(error.fields.items()))
                _fail(f"{_REPORT_OPTIONS.get(field, field)}: {message}", EXIT_BAD_INPUT)
        target = output or Path(reports_render.report_filename(built))
        as_html = target.suffix.lower() in {".html", ".htm"}
        if as_html:
            data = reports_render.render_html(built).encode("utf-8")
        else:
            data = reports_render.render_pdf(built)
        # The entry commits before the file exists: data never leaves unrecorded.
        with session_scope(database) as session:
            audit.record(
                session,
                actor=audit.OPERATOR,
                subject=accounts.user_by_email(session, person_email),
                action=AuditAction.EXPORT_REPORT,
                detail=f"report {start.isoformat()} to {end.isoformat()} as "
                f"{'HTML' if as_html else 'a PDF'}, written to {target.name}",
                address=audit.COMMAND_LINE_ADDRESS,
                now=clock.now(),
            )
    try:
        _write_atomically(target, data)
    except OSError as error:
        _fail(f"{target}: {error.strerror}", EXIT_FAILURE)
    err.print(f"Wrote the report for {start} to {end} into {target}.", highlight=False)


class RecordFormat(StrEnum):
    FHIR = "fhir"
    CSV = "csv"


@app.command("export")
def export_record(
    person_email: Annotated[
        str, typer.Argument(metavar="PERSON_EMAIL", help="The person's e-mail address.")
    ],
    file_format: Annotated[
        RecordFormat,
        typer.Option("--format", help="fhir: one FHIR R4 Bundle (JSON); csv: a zip of CSV files."),
    ] = RecordFormat.FHIR,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Where to write (default: the export's own name)."),
    ] = None,
) -> None:
    """Write a person's whole record as FHIR R4 or CSV (recorded in the audit log)."""
    from affectrange.audit import service as audit
    from affectrange.portability import service as portability

    if output is not None and not output.parent.is_dir():
        _fail(f"--output: {output.parent}: no such directory", EXIT_BAD_INPUT)
    clock = SystemClock()
    with _open_database() as database, session_scope(database, write=False) as session:
        person = _person_named(session, person_email)
        # The entry commits with this scope, before the file exists: data never leaves
        # unrecorded.
        export = portability.export_record(
            session,
            person,
            file_format=portability.ExportFormat(file_format.value),
            now=clock.now(),
            actor=audit.OPERATOR,
            address=audit.COMMAND_LINE_ADDRESS,
        )
    target = output or Path(export.filename)
    try:
        _write_atomically(target, export.content)
    except OSError as error:
        _fail(f"{target}: {error.strerror}", EXIT_FAILURE)
    err.print(f"Wrote {person_email}'s whole record into {target}.", highlight=False)


@app.command("import")
def import_record(
    person_email: Annotated[
        str,
        typer.Argument(
            metavar="PERSON_EMAIL", help="The account to import into (create it first)."
        ),
    ],
    path: Annotated[
        Path,
        typer.Argument(
            help="An AffectRange export (.fhir.json or .csv.zip), or FHIR QuestionnaireResponses."
        ),
    ],
) -> None:
    """Import a whole-record export into an account with no records yet, or add questionnaire
    answers from another system. A file with any problem is refused whole."""
    from affectrange.audit import service as audit
    from affectrange.portability import service as portability
    from affectrange.portability.fhir_import import ImportRefused

    try:
        content = path.read_bytes()
    except OSError as error:
        _fail(f"{path}: {error.strerror}", EXIT_BAD_INPUT)
    with _open_database() as database:
        try:
            with session_scope(database, write=False) as session:
                person = _person_named(session, person_email)
                result = portability.import_record(
                    session,
                    person,
                    content,
                    source=str(path),
                    now=SystemClock().now(),
                    actor=audit.OPERATOR,
                    address=audit.COMMAND_LINE_ADDRESS,
                )
        except ImportRefused as refused:
            _fail(f"nothing imported: {refused.message}", EXIT_BAD_INPUT)
    err.print(f"{result.summary()} Into {person_email}.", highlight=False)
    if result.safety_flagged:
        err.print(
            "An imported PHQ-9 has item 9 above 0: a safety event is recorded for the person.",
            highlight=False,
        )


def _person_named(session: Session, email: str) -> User:
    person = accounts.user_by_email(session, email)
    if person is None or person.role is not Role.PERSON:
        found = "no account" if person is None else f"a {person.role.value}'s account"
        _fail(f"PERSON_EMAIL: {email} is {found}, not a person's", EXIT_BAD_INPUT)
    return person


def _write_atomically(path: Path, data: bytes) -> None:
    """A temporary file beside the target, renamed over it: no reader sees half a report."""
    import tempfile

    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115  # closed before the rename below
        "wb", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    temporary = Path(handle.name)
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextmanager
def _progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal; nothing at all when stderr is a file or a pipe."""
    if not err.is_terminal:
        yield lambda n: None
        return
    from rich.progress import Progress

    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


@user_app.command("create")
def create_user(
    email: Annotated[str, typer.Argument(help="The account's e-mail address.")],
    role: Annotated[Role, typer.Option(help="person, clinician or admin.")] = Role.PERSON,
    display_name: Annotated[str, typer.Option(help="Name shown in the app.")] = "",
    password_stdin: PasswordFromStdin = False,
) -> None:
    """Create an account (for example an admin: --role admin)."""
    password = _read_password(password_stdin)
    settings = get_settings()
    try:
        form = RegisterForm(
            email=email, display_name=display_name, password=password, password_repeat=password
        )
        with _open_database() as database, session_scope(database) as session:
            user = accounts.register_user(
                session, settings, form, now=SystemClock().now(), role=role
            )
            out.print(f"Created {user.role} account {user.email}.")
    except ValidationError as error:
        _fail(_first_error(error), EXIT_BAD_INPUT)
    except InvalidInput as error:
        _fail(error.message, EXIT_BAD_INPUT)


@user_app.command("set-password")
def set_password(
    email: Annotated[str, typer.Argument(help="The account's e-mail address.")],
    password_stdin: PasswordFromStdin = False,
) -> None:
    """Set a new password for an account and sign out all of its browsers."""
    password = _read_password(password_stdin)
    settings = get_settings()
    with _open_database() as database, session_scope(database) as session:
        user = accounts.user_by_email(session, email)
        if user is None:
            _fail(f"no account with the e-mail {email}", EXIT_BAD_INPUT)
        accounts.set_password(session, settings, user, password, now=SystemClock().now())
    out.print(f"Password changed for {email}.")


@audit_app.command("verify")
def verify_audit_log() -> None:
    """Check the audit log's hash chain: exit 0 when intact, 1 when an entry was changed,
    removed or inserted. Prints the head hash: write it down elsewhere to detect a rewrite."""
    from affectrange.audit import service as audit

    with _open_database() as database, session_scope(database, write=False) as session:
        report = audit.verify_log(session)
    if not report.intact:
        for problem in report.problems:
            err.print(f"[bold red]audit log broken:[/] {escape(problem.message)}", highlight=False)
        raise typer.Exit(EXIT_FAILURE)
    out.print(report.summary(), highlight=False)


@directory_app.command("import")
def import_directory(
    path: Annotated[Path, typer.Argument(help="The file to import.")],
    file_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="nppes (NPPES data file), plannet (FHIR Bundle JSON or NDJSON), csv (clinic CSV).",
        ),
    ],
) -> None:
    """Import provider data. A second import of the same file changes nothing; a bad file is
    refused whole (exit 2), naming the line or resource."""
    from affectrange.directory.importers import (
        DirectoryImportError,
        ImportFormat,
        import_directory,
    )

    try:
        chosen = ImportFormat(file_format.strip().lower())
    except ValueError:
        _fail(f"--format: {file_format!r} is not one of nppes, plannet, csv", EXIT_BAD_INPUT)
    if not path.is_file():
        _fail(f"PATH: {path}: no such file", EXIT_BAD_INPUT)
    with _open_database() as database:
        try:
            with session_scope(database) as session:
                summary = import_directory(session, path, chosen, now=SystemClock().now())
        except DirectoryImportError as error:
            _fail(f"{error} (nothing was imported)", EXIT_BAD_INPUT)
    changed = ", ".join(
        f"{count:,} {table} {verb}"
        for verb, bucket in (
            ("added", summary.inserted),
            ("updated", summary.updated),
            ("removed", summary.removed),
        )
        for table, count in bucket.items()
    )
    err.print(
        f"Read {summary.rows_read:,} rows, kept {summary.rows_kept:,}: "
        + (changed or "nothing changed")
        + "."
        + (
            f" {summary.without_position:,} practice location(s) could not be placed on the map."
            if summary.without_position
            else ""
        ),
        highlight=False,
    )


@directory_app.command("search")
def search_directory(
    *,
    zip_code: Annotated[str | None, typer.Option("--zip", help="Search around this ZIP.")] = None,
    address: Annotated[
        str | None,
        typer.Option(help="Search around this address (placed at the ZIP it ends with)."),
    ] = None,
    radius_miles: Annotated[float, typer.Option(help="Radius around --zip, in miles.")] = 10,
    state: Annotated[
        str | None, typer.Option(help="State for online care (default: the ZIP's state).")
    ] = None,
    telehealth: Annotated[bool, typer.Option("--telehealth", help="Include online care.")] = False,
    plan: Annotated[str | None, typer.Option(help="Insurance plan id.")] = None,
    provider_type: Annotated[
        str | None, typer.Option("--type", help="prescriber or therapist.")
    ] = None,
    issue: Annotated[list[str] | None, typer.Option(help="Issue treated (repeatable).")] = None,
    modality: Annotated[list[str] | None, typer.Option(help="Modality (repeatable).")] = None,
    language: Annotated[list[str] | None, typer.Option(help="Language (repeatable).")] = None,
    age_group: Annotated[str | None, typer.Option(help="children, adolescents, ...")] = None,
    gender: Annotated[str | None, typer.Option(help="female, male or other.")] = None,
    accepting: Annotated[
        bool, typer.Option("--accepting", help="Only providers accepting new patients.")
    ] = False,
    max_fee: Annotated[int | None, typer.Option(help="Highest fee per session, USD.")] = None,
    sliding_scale: Annotated[
        bool, typer.Option("--sliding-scale", help="Providers with a sliding scale.")
    ] = False,
    limit: Annotated[int, typer.Option(help="At most this many results.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Search the directory: hard filters first, then preference fit, then distance."""
    from affectrange.directory import service as directory
    from affectrange.directory.schemas import DirectoryQuery

    try:
        if zip_code and address:
            _fail("--address: give --zip or --address, not both", EXIT_BAD_INPUT)
        query = DirectoryQuery(
            zip=zip_code or address,
            radius_miles=radius_miles,
            state=state,
            telehealth=telehealth,
            plan=plan,
            provider_type=provider_type,
            issues=tuple(issue or ()),
            modalities=tuple(modality or ()),
            languages=tuple(language or ()),
            age_group=age_group,
            gender=gender,
            accepting=accepting,
            max_fee_usd=max_fee,
            sliding_scale=sliding_scale,
            limit=limit,
        )
    except ValidationError as error:
        message = _search_option_error(error)
        if address is not None:
            message = message.replace("--zip:", "--address:", 1)
        _fail(message, EXIT_BAD_INPUT)
    with _open_database() as database, session_scope(database, write=False) as session:
        outcome = directory.search_directory(session, query)
    if as_json:
        import json

        payload = [match.model_dump(mode="json") for match in outcome.matches]
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return
    _print_matches(outcome)


_SEARCH_OPTIONS = {
    "zip": "--zip",
    "radius_miles": "--radius-miles",
    "provider_type": "--type",
    "issues": "--issue",
    "modalities": "--modality",
    "languages": "--language",
    "max_fee_usd": "--max-fee",
}


def _search_option_error(error: ValidationError) -> str:
    problem = error.errors()[0]
    location = problem["loc"][0] if problem["loc"] else None
    name = _SEARCH_OPTIONS.get(str(location), f"--{str(location).replace('_', '-')}")
    message = str(problem["msg"]).removeprefix("Value error, ")
    if not location:  # no one field: the search has no place
        return f"--zip (or --state with --telehealth): {message}"
    return f"{name}: {message}"


def _print_matches(outcome: SearchOutcome) -> None:
    from rich.table import Table

    if not outcome.matches:
        out.print("No provider matches these filters.")
        return
    table = Table(title=f"{outcome.total:,} provider(s) match; best first")
    for column in ("NPI", "Name", "Miles", "Why"):
        table.add_column(column)
    for match in outcome.matches:
        miles = "online" if match.distance_miles is None else f"{match.distance_miles:.1f}"
        table.add_row(match.npi, match.name, miles, "; ".join(match.why))
    out.print(table)


def _read_password(from_stdin: bool) -> str:
    from affectrange.accounts.schemas import MIN_PASSWORD_LENGTH

    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        _fail(f"password: at least {MIN_PASSWORD_LENGTH} characters", EXIT_BAD_INPUT)
    return password


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"])
    return f"{field}: {first['msg']}"


@app.command("backup")
def back_up(
    path: Annotated[Path, typer.Argument(help="The backup file to write (replaced if it exists).")],
) -> None:
    """Write a consistent backup of the whole database to PATH while the app keeps serving:
    an SQLite copy for SQLite, a pg_dump custom-format archive for PostgreSQL."""
    # Imported here: Alembic (to read the backup's revision) takes about 0.9 s to import.
    from rich.markup import escape

    from affectrange import backup as backups

    database_url = get_settings().database_url
    try:
        made = backups.make_backup(database_url, path)
    except backups.BackupRefused as error:
        _fail(escape(str(error)), EXIT_BAD_INPUT)
    except backups.BackupFailed as error:
        _fail(escape(str(error)), EXIT_FAILURE)
    revision = made.revision or "none (never migrated)"
    err.print(
        escape(
            f"Backed up {backups.describe_database(database_url)} into {made.path} "
            f"({made.kind} backup, revision {revision}, {made.size_bytes:,} bytes)."
        ),
        highlight=False,
    )


@app.command("restore")
def restore_backup(
    path: Annotated[Path, typer.Argument(help="A backup made by `affectrange backup`.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask for confirmation before replacing.")
    ] = False,
) -> None:
    """Replace the WHOLE configured database with the backup at PATH (asks first unless --yes).

    A bad file is refused before anything changes (exit 2): not a backup, damaged, not
    AffectRange's, made by a newer AffectRange, or of the other database kind. A backup of an
    older schema is migrated after the restore. Stop `affectrange serve` first."""
    from rich.markup import escape

    from affectrange import backup as backups

    database_url = get_settings().database_url
    target = backups.describe_database(database_url)
    try:
        backup = backups.read_backup(path, database_url)
    except backups.BackupRefused as error:
        _fail(escape(f"{error} (nothing was changed)"), EXIT_BAD_INPUT)
    except backups.BackupFailed as error:
        _fail(escape(f"{error} (nothing was changed)"), EXIT_FAILURE)
    question = (
        f"Replace everything in {target} with {path} (revision {backup.revision})? "
        "This cannot be undone"
    )
    if not yes and not _confirmed(question):
        _fail("not confirmed: nothing was changed", EXIT_FAILURE)
    try:
        restored = backups.restore_backup(backup, database_url)
    except backups.BackupFailed as error:
        _fail(escape(str(error)), EXIT_FAILURE)
    migrated = f" (migrated from {backup.revision})" if restored.migrated else ""
    err.print(
        escape(
            f"Restored {path} into {target}: revision {restored.revision}{migrated}; "
            f"users: {restored.users:,}, check-ins: {restored.checkins:,}, "
            f"audit entries: {restored.audit_entries:,}. "
            "Check the audit log with `affectrange audit verify`."
        ),
        highlight=False,
    )


def _confirmed(question: str) -> bool:
    """Asked on stderr; no answer (end of input, Ctrl-C) is a no."""
    try:
        return typer.confirm(question, default=False, err=True)
    except typer.Abort:
        return False


def main() -> None:
    app()
