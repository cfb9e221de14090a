"""The directory's tables, shaped after FHIR Plan-Net (DIRECTORY.md sections 2 and 5).

Plan-Net's resources map one to one: Practitioner, PractitionerRole, Location, Organization,
Network (an Organization in Plan-Net; a table of its own here) and InsurancePlan. Like Plan-Net, a
role has at most one network, so a practitioner in five networks at two offices has ten roles.
The local extensions (issues, modalities, age groups, session formats, fees, next availability)
sit on the practitioner: they describe the person's practice, whatever network they bill.

Every imported row carries the key it came in under (`source_key`: an NPI, a Plan-Net resource
id, an address), which is what makes a second import of the same file change nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from affectrange.db import Base, UtcDateTime


class CodeList(TypeDecorator[tuple[str, ...]]):
    """A short list of codes stored as one space-separated text ("cbt dbt emdr").

    Codes never contain spaces (they are NUCC codes, USPS states or our own slugs), and one text
    column keeps a million-row import and the search index build to a single pass.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str:
        codes = tuple(value or ())
        if any(not code or " " in code for code in codes):
            raise ValueError(f"codes must be non-empty and without spaces: {codes!r}")
        return " ".join(codes)

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[str, ...]:
        return tuple(str(value).split()) if value else ()


class DirectoryOrganization(Base):
    """A payer or a practice (Plan-Net Organization)."""

    __tablename__ = "directory_organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    npi: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(40))


class DirectoryNetwork(Base):
    """A payer's provider network (Plan-Net Network)."""

    __tablename__ = "directory_networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    payer_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_organizations.id", ondelete="SET NULL")
    )


class DirectoryPlan(Base):
    """An insurance plan a person holds (Plan-Net InsurancePlan); `plan_key` is what they type."""

    __tablename__ = "directory_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_key: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    plan_type: Mapped[str | None] = mapped_column(String(40))
    payer_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_organizations.id", ondelete="SET NULL")
    )


class DirectoryPlanNetwork(Base):
    """The networks whose providers a plan covers (InsurancePlan.network)."""

    __tablename__ = "directory_plan_networks"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("directory_plans.id", ondelete="CASCADE"), primary_key=True
    )
    network_id: Mapped[int] = mapped_column(
        ForeignKey("directory_networks.id", ondelete="CASCADE"), primary_key=True
    )


class DirectoryLocation(Base):
    """A place of practice (Plan-Net Location) with its position."""

    __tablename__ = "directory_locations"
    __table_args__ = (
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    line: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(2))
    postal_code: Mapped[str] = mapped_column(String(10))
    latitude: Mapped[float | None] = mapped_column(Double)
    longitude: Mapped[float | None] = mapped_column(Double)
    position_source: Mapped[str | None] = mapped_column(String(40))
    """"zip-centroid", "plannet" (Location.position) or a geocoder's name."""


class DirectoryPractitioner(Base):
    """A person who provides care (Plan-Net Practitioner) and our local extensions."""

    __tablename__ = "directory_practitioners"
    __table_args__ = (
        CheckConstraint("fee_min_usd IS NULL OR fee_min_usd >= 0", name="fee_min"),
        CheckConstraint(
            "fee_max_usd IS NULL OR fee_min_usd IS NULL OR fee_max_usd >= fee_min_usd",
            name="fee_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    npi: Mapped[str] = mapped_column(String(10), unique=True)
    family_name: Mapped[str] = mapped_column(String(120))
    given_name: Mapped[str] = mapped_column(String(120))
    name_prefix: Mapped[str | None] = mapped_column(String(40))
    name_suffix: Mapped[str | None] = mapped_column(String(40))
    credentials: Mapped[str | None] = mapped_column(String(120))
    gender: Mapped[str | None] = mapped_column(String(16))
    specialties: Mapped[tuple[str, ...]] = mapped_column(CodeList())
    """Every kept NUCC code the practitioner holds (NPPES taxonomy slots, Plan-Net roles)."""
    licensed_states: Mapped[tuple[str, ...]] = mapped_column(CodeList())
    languages: Mapped[tuple[str, ...]] = mapped_column(CodeList())
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    issues: Mapped[tuple[str, ...]] = mapped_column(CodeList())
    modalities: Mapped[tuple[str, ...]] = mapped_column(CodeList())
    age_groups: Mapped[tuple[str, ...]] = mapped_column(CodeList())
    session_formats: Mapped[tuple[str, ...]] = mapped_column(CodeList())
    fee_min_usd: Mapped[int | None] = mapped_column(Integer)
    fee_max_usd: Mapped[int | None] = mapped_column(Integer)
    sliding_scale: Mapped[bool | None] = mapped_column(Boolean)
    next_available: Mapped[dt.date | None] = mapped_column(Date)
    availability_confirmed_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DirectoryRole(Base):
    """Where and under which network a practitioner sees people (Plan-Net PractitionerRole)."""

    __tablename__ = "directory_roles"
    __table_args__ = (
        Index("ix_directory_roles_practitioner", "practitioner_id"),
        Index("ix_directory_roles_network", "network_id"),
        Index("ix_directory_roles_location", "location_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    practitioner_id: Mapped[int] = mapped_column(
        ForeignKey("directory_practitioners.id", ondelete="CASCADE")
    )
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_locations.id", ondelete="SET NULL")
    )
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_organizations.id", ondelete="SET NULL")
    )
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_networks.id", ondelete="SET NULL")
    )
    specialties: Mapped[tuple[str, ...]] = mapped_column(CodeList())
    """The role's own NUCC codes; empty means the practitioner's."""
    accepting_new_patients: Mapped[bool | None] = mapped_column(Boolean)
    """None when no source says (NPPES never does)."""
    telehealth: Mapped[bool] = mapped_column(Boolean)
    in_person: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class DirectoryRevision(Base):
    """One row counting the imports that changed something: search indexes rebuild on a change."""

    __tablename__ = "directory_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    token: Mapped[str | None] = mapped_column(String(32))
    """Random per change: with a rolled-back import a count can repeat, a token cannot."""
    changed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class ContactRequest(Base):
    """A person's message to a listed provider: stored first, then e-mailed where possible."""

    __tablename__ = "directory_contact_requests"
    __table_args__ = (
        Index("ix_directory_contact_requests_owner_created", "owner_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    practitioner_id: Mapped[int | None] = mapped_column(
        ForeignKey("directory_practitioners.id", ondelete="SET NULL")
    )
    practitioner_npi: Mapped[str] = mapped_column(String(10))
    practitioner_name: Mapped[str] = mapped_column(String(300))
    reply_to: Mapped[str] = mapped_column(String(320))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    delivery: Mapped[str] = mapped_column(String(16))
    """"emailed", "no_address" (kept for the person; the provider has no e-mail on file) or
    "failed" (the mail server refused; the person is told to phone instead)."""


class DirectoryProfileConsent(Base):
    """Whether a person lets their own results propose search filters (off until they say yes)."""

    __tablename__ = "directory_profile_consents"

    owner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    use_profile: Mapped[bool] = mapped_column(Boolean)
    decided_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


DIRECTORY_DATA_TABLES: Final = tuple(
    str(model.__tablename__)
    for model in (
        DirectoryOrganization,
        DirectoryNetwork,
        DirectoryPlan,
        DirectoryPlanNetwork,
        DirectoryLocation,
        DirectoryPractitioner,
        DirectoryRole,
    )
)
"""The imported directory's tables, referenced ones first (the order a copy loads them in)."""


@dataclass(frozen=True, slots=True)
class ListedPractitioner:
    """What a search result shows of a practitioner (read with Core: a page of results is read
    on every search, and plain rows cost a fraction of ORM objects)."""

    id: int
    npi: str
    given_name: str
    family_name: str
    credentials: str | None
    specialties: tuple[str, ...]
    phone: str | None
    email: str | None
    issues: tuple[str, ...]
    modalities: tuple[str, ...]
    languages: tuple[str, ...]
    fee_min_usd: int | None
    sliding_scale: bool | None


@dataclass(frozen=True, slots=True)
class ListedRole:
    id: int
    specialties: tuple[str, ...]
    telehealth: bool
    accepting_new_patients: bool | None


@dataclass(frozen=True, slots=True)
class ListedLocation:
    line: str
    city: str
    state: str
    postal_code: str
    position_source: str | None


@dataclass(frozen=True, slots=True)
class ListedNetwork:
    name: str


@dataclass(frozen=True, slots=True)
class RoleDetails:
    """One search result's rows: the practitioner, the matching role, its office and network."""

    practitioner: ListedPractitioner
    role: ListedRole
    location: ListedLocation | None
    network: ListedNetwork | None
