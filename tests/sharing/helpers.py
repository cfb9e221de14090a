"""Building shares and realistic records through the same services the pages and the API use.

Alice lives in New York; TODAY is 15 June 2026 and NOW is noon there (tests/conftest.py). Every
name below comes from the personas: `make_user` titles the e-mail's local part ("Carol").
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.audit.models import AuditEntry
from affectrange.checkins import service as checkins
from affectrange.checkins.schemas import CheckinIn
from affectrange.instruments import get_instrument
from affectrange.medications import service as medications
from affectrange.medications.schemas import MedicationEventIn
from affectrange.questionnaires import service as questionnaires
from affectrange.sharing import service as sharing
from affectrange.sharing.models import Share, ShareInvitation
from affectrange.sharing.scopes import Scopes
from tests.conftest import NOW, TODAY, checkin_payload, csrf_from

ALICE = "alice@example.org"
BOB = "bob@example.org"
CAROL = "carol@example.org"
DAVE = "dave@example.org"
ERIN = "erin@example.org"

CAROL_LABEL = "Carol <carol@example.org>"
"""How the audit log names carol: her display name and e-mail as they were then."""

ADDRESS = "198.51.100.23"
"""The client address service-level calls pass (a documentation address, RFC 5737)."""

TEST_CLIENT_ADDRESS = "testclient"
"""What Starlette's TestClient reports as the client's address."""

CHECKIN_NOTE = "Walked along the river with Sam and felt almost nothing"
MEDICATION_NOTE = "Pharmacist said to take it with breakfast"

SCOPE_NAMES = ("checkins", "questionnaires", "medications", "notes", "safety")


# --- shares ------------------------------------------------------------------------------------


def invite(
    session: Session, person: User, scopes: Scopes | None = None, *, now: dt.datetime = NOW
) -> sharing.CreatedInvitation:
    created = sharing.create_invitation(
        session, person, scopes=scopes or Scopes(), now=now, address=ADDRESS
    )
    session.commit()
    return created


def share(
    session: Session,
    person: User,
    clinician: User,
    scopes: Scopes | None = None,
    *,
    now: dt.datetime = NOW,
) -> sharing.SharedRecord:
    """`person` invites, `clinician` accepts: an active share with `scopes`, committed."""
    code = invite(session, person, scopes, now=now).code
    record = sharing.accept_invitation(session, clinician, code, now=now, address=ADDRESS)
    session.commit()
    return record


def active_shares(session: Session) -> list[Share]:
    """Every unrevoked share, as the database holds it now (not the objects a service holds)."""
    session.expire_all()
    rows = list(session.scalars(select(Share).where(Share.revoked_at.is_(None)).order_by(Share.id)))
    session.commit()
    return rows


def invitation_row(session: Session, invitation_id: int) -> ShareInvitation:
    session.expire_all()
    row = session.get(ShareInvitation, invitation_id)
    assert row is not None
    session.commit()
    return row


def form_scopes(scopes: Scopes) -> dict[str, str]:
    """The sharing form's checkboxes: a ticked box is sent as "on", an unticked one not at all."""
    return dict.fromkeys(scopes.shared_names(), "on")


# --- the audit log -----------------------------------------------------------------------------


def audit_entries(session: Session, *, subject: User | None = None) -> list[AuditEntry]:
    """The log as stored, oldest first (optionally only the entries about `subject`)."""
    session.expire_all()
    statement = select(AuditEntry).order_by(AuditEntry.seq)
    if subject is not None:
        statement = statement.where(AuditEntry.subject_id == subject.id)
    rows = list(session.scalars(statement))
    session.commit()
    return rows


def audit_count(session: Session) -> int:
    count = session.scalar(select(func.count()).select_from(AuditEntry))
    session.commit()
    return int(count or 0)


# --- records -----------------------------------------------------------------------------------


def record_checkins(
    session: Session,
    person: User,
    days: int,
    *,
    end: dt.date = TODAY,
    note_on_last: str | None = None,
    value: int = 3,
) -> None:
    """`days` consecutive check-ins ending on `end`, all items at `value`."""
    for offset in reversed(range(days)):
        day = end - dt.timedelta(days=offset)
        note = note_on_last if offset == 0 else None
        entry = CheckinIn.model_validate(checkin_payload(day, value, note=note))
        checkins.record_checkin(session, person, entry, today=TODAY, now=NOW)
    session.commit()


def record_medication(
    session: Session,
    person: User,
    *,
    medication: str = "escitalopram",
    day: dt.date = dt.date(2026, 5, 1),
    note: str | None = None,
) -> None:
    form = MedicationEventIn.model_validate(
        {"medication": medication, "event": "start", "date": day, "dose_mg": 10, "note": note}
    )
    medications.record_medication_event(session, person, form, now=NOW)
    session.commit()


def finish_phq9(session: Session, person: User, *scores: int) -> None:
    """A finished PHQ-9 with these item scores (item 9 last)."""
    answers: dict[str, Any] = {f"q{n}": score for n, score in enumerate(scores, start=1)}
    questionnaires.save_answers(
        session, person, get_instrument("phq9"), answers, finish=True, now=NOW, today=TODAY
    )
    session.commit()


# --- pages -------------------------------------------------------------------------------------


def text_of(page: str) -> str:
    """The page's words on one line: tags dropped, entities decoded, whitespace collapsed."""
    without_tags = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(without_tags).split())


def page_csrf(client: TestClient, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


def field_error(page: str, name: str) -> str | None:
    """The message shown next to a field (`<p class="field-error" id="NAME-error">`)."""
    match = re.search(rf'<p class="field-error" id="{name}-error"[^>]*>\s*([^<]*?)\s*</p>', page)
    return match.group(1) if match else None
