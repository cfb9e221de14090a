"""Pydantic in and out for sharing and the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from affectrange.sharing.scopes import Scopes


class ScopesIn(BaseModel):
    """What to share. Omitted choices take the defaults: everything but notes."""

    model_config = ConfigDict(extra="forbid")

    checkins: bool = True
    questionnaires: bool = True
    medications: bool = True
    notes: bool = False
    safety: bool = True

    def to_scopes(self) -> Scopes:
        return Scopes(**self.model_dump())


class ScopesRead(BaseModel):
    checkins: bool
    questionnaires: bool
    medications: bool
    notes: bool
    safety: bool

    @classmethod
    def of(cls, scopes: Scopes) -> ScopesRead:
        return cls(**{name: getattr(scopes, name) for name in Scopes.names()})


class InvitationCreated(BaseModel):
    id: int
    code: str = Field(description="Shown once: give it to your clinician. Works once, for 7 days.")
    link: str
    expires_at: dt.datetime
    scopes: ScopesRead


class InvitationRead(BaseModel):
    id: int
    created_at: dt.datetime
    expires_at: dt.datetime
    scopes: ScopesRead


class ShareRead(BaseModel):
    id: int
    clinician_name: str
    clinician_email: str
    since: dt.datetime
    scopes: ScopesRead


class SharingOverview(BaseModel):
    shares: list[ShareRead]
    invitations: list[InvitationRead]


class AcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=40)


class SharedPersonRead(BaseModel):
    person_id: int
    display_name: str
    since: dt.datetime
    scopes: ScopesRead


class AuditEntryRead(BaseModel):
    seq: int
    at: dt.datetime
    actor: str
    actor_role: str
    action: str
    detail: str
    address: str


def scopes_from_form(form: Mapping[str, str]) -> Scopes:
    """Checkboxes: a ticked box is sent ("on"), an unticked one is not sent at all."""
    return Scopes(**{name: form.get(name) == "on" for name in Scopes.names()})
