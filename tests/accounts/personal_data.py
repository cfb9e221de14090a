"""A person with data in every table that can hold a person's data, and a scan of every row of
every table for what names them. Shared by the account-deletion tests.

The scan is deliberately blunt: every column of every row, as text, for the person's e-mail,
name and the distinctive words planted in what they wrote; and every column that holds an
account number (a foreign key to `users.id`, or the audit log's actor and subject) for their id.
A row also names the person when it refers (by foreign key) to a row that does: a goal's ticks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from affectrange.accounts import service as accounts
from affectrange.accounts.models import User
from affectrange.audit.models import AuditAction
from affectrange.careplan import service as careplan
from affectrange.careplan.schemas import GoalIn, ImpactIn
from affectrange.config import Settings
from affectrange.db import Database
from affectrange.directory import contact, suggestions
from affectrange.mail import OutboxMailer
from affectrange.models import metadata
from affectrange.preparation import service as preparation
from affectrange.preparation.schemas import QuestionIn
from affectrange.questionnaires import service as questionnaires
from affectrange.reminders import service as reminders
from affectrange.reminders.scheduler import MailLinks, run_due_reminders
from affectrange.sharing import service as sharing
from tests.conftest import NOW, TODAY
from tests.directory.test_routes import BEN, load_providers
from tests.sharing.helpers import (
    ADDRESS,
    finish_phq9,
    invite,
    record_checkins,
    record_medication,
    share,
)
from tests.support.clock import FrozenClock

YESTERDAY = TODAY - dt.timedelta(days=1)

NOT_PERSON_DATA = frozenset(
    {
        "app_state",  # instance-wide facts (the demo was loaded)
        "audit_head",  # the last sequence number and hash
        "directory_locations",  # the therapist directory: public reference data
        "directory_networks",
        "directory_organizations",
        "directory_plan_networks",
        "directory_plans",
        "directory_practitioners",
        "directory_revision",
        "directory_roles",
    }
)
"""Tables that hold no one person's data. Every other table must get a row from `give_everything`
(the test proves it), so a table added later fails until its data is made here and deleted."""

USER_ID_COLUMNS_WITHOUT_KEY = frozenset(
    {("audit_entries", "actor_id"), ("audit_entries", "subject_id")}
)
"""Account numbers kept without a foreign key (the log outlives the accounts it names)."""


@dataclass(frozen=True, slots=True)
class Planted:
    """Words only this person wrote, one per kind of free text."""

    note: str
    medication_note: str
    question: str
    goal: str
    message: str
    sign_as: str

    @classmethod
    def for_(cls, name: str) -> Planted:
        return cls(
            note=f"{name} quillwort evening by the harbour",
            medication_note=f"{name} marram pharmacist chat",
            question=f"{name} sandwort question for the appointment?",
            goal=f"{name} saltmarsh walk",
            message=f"{name} asks about samphire openings on weekday evenings",
            sign_as=f"{name} Seablite",
        )

    def words(self) -> tuple[str, ...]:
        return (
            self.note,
            self.medication_note,
            self.question,
            self.goal,
            self.message,
            self.sign_as,
        )


def give_everything(
    session: Session,
    database: Database,
    settings: Settings,
    person: User,
    *,
    clinician: User,
    planted: Planted,
    outbox: Path,
) -> None:
    """Through the services the pages use: data in every table that can hold a person's data.

    Commits after each step (services that switch to writing roll back what is uncommitted)."""
    record_checkins(session, person, 10, end=YESTERDAY, note_on_last=planted.note)
    finish_phq9(session, person, 1, 1, 1, 1, 1, 1, 1, 1, 1)  # item 9: a safety event
    questionnaires.change_schedule(session, person, {"gad7": (True, 28)}, now=NOW)
    session.commit()
    record_medication(session, person, note=planted.medication_note)  # and its re-assessments
    _remind(session, database, settings, person, outbox)
    share(session, person, clinician)
    invite(session, person)  # one left unused
    _contact_a_provider(session, person, planted, outbox)
    suggestions.set_profile_consent(session, person, True, now=NOW)
    _keep_a_goal(session, person, planted)
    careplan.save_impact(
        session,
        person,
        ImpactIn(connect=1, misread=2, drive=1, satisfaction=2),
        today=TODAY,
        now=NOW,
    )
    preparation.add_question(session, person, QuestionIn(text=planted.question), now=NOW)
    accounts.create_api_token(session, person, name=f"{planted.sign_as} script", now=NOW)
    session.commit()


def _remind(
    session: Session, database: Database, settings: Settings, person: User, outbox: Path
) -> None:
    """Opt in, then let the scheduler send today's check-in reminder (a `sent_reminders` row)."""
    choices = reminders.ReminderChoices(True, dt.time(9, 0), True)
    reminders.change_reminders(session, person, choices, now=NOW)
    session.commit()
    mailer = OutboxMailer(outbox, settings.mail_from, FrozenClock(NOW))
    links = MailLinks("http://testserver", settings.resolved_secret_key().encode())
    report = run_due_reminders(database, mailer, now=NOW, links=links)
    assert report.sent >= 1
    session.expire_all()


def _contact_a_provider(session: Session, person: User, planted: Planted, outbox: Path) -> None:
    load_providers(session)
    form = contact.ContactRequestIn(message=planted.message, sign_as=planted.sign_as)
    mailer = OutboxMailer(outbox, "AffectRange <directory@example.org>", FrozenClock(NOW))
    contact.send_contact_request(session, person, BEN, form, mailer=mailer, now=NOW)
    session.commit()


def _keep_a_goal(session: Session, person: User, planted: Planted) -> None:
    started = YESTERDAY - dt.timedelta(days=7)
    form = GoalIn(strategy_id="movement", times_per_week=3, title=planted.goal, started_on=started)
    goal = careplan.add_goal(session, person, form, today=TODAY, now=NOW)
    careplan.keep_goals(session, person, YESTERDAY, [goal.id], now=NOW)
    session.commit()


def sign_in_failure(session: Session, settings: Settings, email: str) -> None:
    result = accounts.log_in(
        session, settings, email=email, password="not the password", address=ADDRESS, now=NOW
    )
    assert result.user is None
    session.commit()


def clinician_reads(session: Session, clinician: User, person: User) -> None:
    """The clinician opens the person's record: an audit entry about the person, by them."""
    record = sharing.open_shared_record(session, clinician, person.id)
    sharing.record_access(
        session,
        record,
        action=AuditAction.VIEW_RECORD,
        detail="record page",
        address=ADDRESS,
        now=NOW,
    )
    session.commit()


# --- the scan ----------------------------------------------------------------------------------


def _user_id_columns(table: Table) -> set[str]:
    columns = {key.parent.name for key in table.foreign_keys if key.column.table.name == "users"}
    if table.name == "users":
        columns.add("id")
    return columns | {column for name, column in USER_ID_COLUMNS_WITHOUT_KEY if name == table.name}


_REFERRED_COLUMNS = frozenset(
    (key.column.table.name, key.column.name)
    for table in metadata.sorted_tables
    for key in table.foreign_keys
)


def _as_text(row: dict[str, Any]) -> str:
    return " ".join(str(value) for value in row.values() if value is not None).lower()


def rows_naming(
    session: Session, user_id: int, words: Iterable[str]
) -> dict[str, list[dict[str, Any]]]:
    """Per table (every table of the schema), the rows that name the account or its words."""
    session.expire_all()
    lowered = [word.lower() for word in words]
    found: dict[str, list[dict[str, Any]]] = {}
    named_values: dict[tuple[str, str], set[Any]] = {}
    for table in metadata.sorted_tables:  # parents first: a child can refer to a named row
        id_columns = _user_id_columns(table)
        references = [
            (key.parent.name, (key.column.table.name, key.column.name))
            for key in table.foreign_keys
        ]
        rows = [dict(row) for row in session.execute(select(table)).mappings()]
        naming = [
            row
            for row in rows
            if any(row[column] == user_id for column in id_columns)
            or any(word in _as_text(row) for word in lowered)
            or any(
                row[column] in named_values.get(referred, set()) for column, referred in references
            )
        ]
        found[table.name] = naming
        for referred in _REFERRED_COLUMNS:
            if referred[0] == table.name:
                named_values[referred] = {row[referred[1]] for row in naming}
    session.commit()
    return found
