"""A person writes to a listed provider: the request is stored, then e-mailed where possible.

What the provider receives is what the person wrote (and the name they chose to sign with), one
neutral line saying it came through AffectRange's directory, and a Reply-To with the address the
person gave, so the answer goes straight to them. Nothing from their record travels with it: no
check-in, score, screen result, medication or pattern. The stored row keeps the same text, so
"My contact requests" shows exactly what was sent.

Throttles keep the feature from becoming a way to flood providers: at most `DAILY_LIMIT` requests
per person in any 24 hours, and one per provider per person in `PER_PROVIDER_WINDOW`. A refused
request stores and sends nothing.

The e-mail is handed to the mail server inside the request's transaction, after the row is
flushed: the mail server's timeout (settings.smtp_timeout_seconds) bounds how long that can take.
A server that refuses the message leaves the request stored as "failed", and the person is told
to phone instead.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Annotated, Final
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints
from sqlalchemy.orm import Session

from affectrange.accounts.models import User
from affectrange.directory.models import ContactRequest, DirectoryPractitioner
from affectrange.directory.repository import ContactRequestRepository, DirectoryReader
from affectrange.directory.taxonomy import specialty_display
from affectrange.errors import Conflict, NotFound, TooManyAttempts
from affectrange.mail import Mailer, MailError, OutgoingMail
from affectrange.safety import find_crisis_language
from affectrange.text import MultiLineText, SingleLineText

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH: Final = 2000
MAX_NAME_LENGTH: Final = 100
DAILY_LIMIT: Final = 5
DAILY_WINDOW: Final = dt.timedelta(hours=24)
PER_PROVIDER_WINDOW: Final = dt.timedelta(days=7)

EMAILED: Final = "emailed"
NO_ADDRESS: Final = "no_address"
FAILED: Final = "failed"

SUBJECT: Final = "A message through the AffectRange therapist directory"
NOT_FOUND_MESSAGE: Final = "There is no provider with this NPI in the directory."


class ContactRequestIn(BaseModel):
    """What the person writes (the HTML form and the JSON body)."""

    model_config = ConfigDict(extra="forbid")

    message: Annotated[
        MultiLineText,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_MESSAGE_LENGTH),
    ]
    reply_to: Annotated[
        EmailStr | None,
        Field(description="Where the provider's answer goes; defaults to your account e-mail"),
    ] = None
    sign_as: Annotated[
        SingleLineText, StringConstraints(strip_whitespace=True, max_length=MAX_NAME_LENGTH)
    ] = ""
    """The name to sign with; empty sends the message unsigned."""


class ContactRequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    npi: str
    provider_name: str
    message: str
    """What the provider received from you (the signature included)."""
    reply_to: str
    created_at: dt.datetime
    delivery: str
    """ "emailed", "no_address" (no e-mail on file: phone instead) or "failed" (the mail server
    refused it: phone instead)."""
    provider_phone: str | None = None

    @classmethod
    def of(cls, request: ContactRequest, phone: str | None = None) -> ContactRequestRead:
        return cls(
            id=request.id,
            npi=request.practitioner_npi,
            provider_name=request.practitioner_name,
            message=request.message,
            reply_to=request.reply_to,
            created_at=request.created_at,
            delivery=request.delivery,
            provider_phone=phone,
        )


class ContactRequestList(BaseModel):
    requests: list[ContactRequestRead]


@dataclass(frozen=True, slots=True)
class Provider:
    """A listed provider as the contact pages show them (never their e-mail address)."""

    npi: str
    name: str
    phone: str | None
    specialties: tuple[str, ...]
    can_email: bool


@dataclass(frozen=True, slots=True)
class SentContact:
    request: ContactRequest
    provider: Provider
    crisis_language: bool
    """The message holds crisis language: the page shows the crisis card (SCIENCE.md 6.1),
    since a provider's inbox is not watched for emergencies."""


@dataclass(frozen=True, slots=True)
class ContactRow:
    request: ContactRequest
    phone: str | None


def provider_name(practitioner: DirectoryPractitioner) -> str:
    name = f"{practitioner.given_name} {practitioner.family_name}".strip()
    return f"{name}, {practitioner.credentials}" if practitioner.credentials else name


def _provider(practitioner: DirectoryPractitioner) -> Provider:
    return Provider(
        npi=practitioner.npi,
        name=provider_name(practitioner),
        phone=practitioner.phone,
        specialties=tuple(specialty_display(code) for code in practitioner.specialties),
        can_email=bool(practitioner.email),
    )


def _practitioner(session: Session, npi: str) -> DirectoryPractitioner:
    found = DirectoryReader(session).practitioner_by_npi(npi.strip())
    if found is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return found


def provider_for_contact(session: Session, npi: str) -> Provider:
    return _provider(_practitioner(session, npi))


def send_contact_request(
    session: Session,
    person: User,
    npi: str,
    form: ContactRequestIn,
    *,
    mailer: Mailer,
    now: dt.datetime,
    crisis_phrases: tuple[str, ...] = (),
) -> SentContact:
    """Store the request, then e-mail it when the provider has an address on file.

    Raises NotFound for an unknown NPI, TooManyAttempts past the daily limit and Conflict for a
    second request to the same provider within a week; in those cases nothing is stored or sent.
    """
    practitioner = _practitioner(session, npi)
    provider = _provider(practitioner)
    _serialize_per_person(session, person)
    repository = ContactRequestRepository(session, person)
    _check_throttles(repository, person, provider, now=now)
    reply_to = str(form.reply_to) if form.reply_to is not None else person.email
    request = repository.add(
        ContactRequest(
            owner_id=person.id,
            practitioner_id=practitioner.id,
            practitioner_npi=practitioner.npi,
            practitioner_name=provider.name[:300],
            reply_to=reply_to,
            message=_signed(form),
            created_at=now,
            delivery=NO_ADDRESS if practitioner.email is None else FAILED,
        )
    )
    if practitioner.email is not None:
        request.delivery = _deliver(mailer, request, practitioner.email)
        session.flush()
    return SentContact(
        request=request,
        provider=provider,
        crisis_language=bool(find_crisis_language(form.message, crisis_phrases)),
    )


def _serialize_per_person(session: Session, person: User) -> None:
    """Make one person's parallel requests count one after another, so two at once cannot both
    slip under a throttle. SQLite's write transaction is exclusive already; PostgreSQL locks the
    person's account row until the transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.get(User, person.id, with_for_update=True)


def _check_throttles(
    repository: ContactRequestRepository, person: User, provider: Provider, *, now: dt.datetime
) -> None:
    recent = repository.sent_since(now - max(DAILY_WINDOW, PER_PROVIDER_WINDOW))
    zone = ZoneInfo(person.timezone)
    today = [request for request in recent if request.created_at > now - DAILY_WINDOW]
    if len(today) >= DAILY_LIMIT:
        next_free = today[-DAILY_LIMIT].created_at + DAILY_WINDOW
        raise TooManyAttempts(
            f"You have sent {len(today)} contact requests in the last 24 hours, the most "
            f"AffectRange sends for one person in a day. You can send the next one from "
            f"{_moment(next_free, zone)}. Nothing was sent. To reach a provider sooner, phone "
            "them.",
            retry_after_seconds=max(1, int((next_free - now).total_seconds())),
        )
    earlier = [
        request
        for request in recent
        if request.practitioner_npi == provider.npi
        and request.created_at > now - PER_PROVIDER_WINDOW
    ]
    if earlier:
        last = earlier[-1].created_at
        phone = f" at {provider.phone}" if provider.phone else ""
        raise Conflict(
            f"You already wrote to {provider.name} on {_day(last, zone)}. To keep their inbox "
            f"usable, one message a week goes to each provider; you can write to them again from "
            f"{_moment(last + PER_PROVIDER_WINDOW, zone)}. Nothing was sent. To reach them "
            f"sooner, phone them{phone}."
        )


def _day(moment: dt.datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.day} {local:%B %Y}"


def _moment(moment: dt.datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.day} {local:%B %Y at %H:%M}"


def _signed(form: ContactRequestIn) -> str:
    return f"{form.message}\n\n{form.sign_as}" if form.sign_as else form.message


def contact_mail(request: ContactRequest, to: str) -> OutgoingMail:
    """The e-mail to the provider: the person's words, one neutral line, and nothing else."""
    text = (
        f"{request.message}\n\n"
        "-- \n"
        "This message was written by a person using the therapist directory of AffectRange, "
        "which lists providers from public records such as the NPI registry. AffectRange "
        f"added nothing to it. To answer, reply to this e-mail; your reply goes to "
        f"{request.reply_to}.\n"
    )
    return OutgoingMail(
        to=to,
        subject=SUBJECT,
        text=text,
        message_key=f"directory-contact:{request.id}",
        reply_to=request.reply_to,
    )


def _deliver(mailer: Mailer, request: ContactRequest, address: str) -> str:
    try:
        mail = contact_mail(request, address)
    except ValueError:
        logger.warning("contact request %s: the provider's e-mail is not usable", request.id)
        return FAILED
    try:
        mailer.send(mail)
    except MailError as error:
        logger.warning("contact request %s was not sent: %s", request.id, error)
        return FAILED
    return EMAILED


def my_contact_requests(session: Session, person: User) -> list[ContactRow]:
    """The person's own requests, newest first, with the phone number where one is needed."""
    reader = DirectoryReader(session)
    rows = []
    for request in ContactRequestRepository(session, person).latest():
        phone = None
        if request.delivery != EMAILED:
            practitioner = reader.practitioner_by_npi(request.practitioner_npi)
            phone = practitioner.phone if practitioner is not None else None
        rows.append(ContactRow(request, phone))
    return rows
