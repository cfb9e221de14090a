"""All SQL of the directory.

`DirectoryReader` reads the public directory, which belongs to no one person (like a phone book;
it holds no one's health data), so it is built without an owner. What a person does with the
directory (their contact requests, their consent to profile suggestions) is read and written
through repositories built with that person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import fields
from typing import Any, Final

import numpy as np
from sqlalchemy import ColumnElement, Text, func, select, type_coerce
from sqlalchemy.orm import InstrumentedAttribute, Session

from affectrange.accounts.models import User
from affectrange.directory.index import (
    AGE_BITS,
    GENDER_CODES,
    ISSUE_BITS,
    LANGUAGE_BITS,
    MODALITY_BITS,
    STATE_BITS,
    UNKNOWN,
    DirectoryIndex,
    MaskCache,
    PractitionerColumns,
    RoleColumns,
    TypeCache,
)
from affectrange.directory.models import (
    ContactRequest,
    DirectoryLocation,
    DirectoryNetwork,
    DirectoryPlan,
    DirectoryPlanNetwork,
    DirectoryPractitioner,
    DirectoryProfileConsent,
    DirectoryRevision,
    DirectoryRole,
    ListedLocation,
    ListedNetwork,
    ListedPractitioner,
    ListedRole,
    RoleDetails,
)


def _tristate(value: bool | None) -> int:
    return UNKNOWN if value is None else int(value)


_PRACTITIONER_FIELDS: Final = tuple(field.name for field in fields(ListedPractitioner))
_ROLE_FIELDS: Final = tuple(field.name for field in fields(ListedRole))
_LOCATION_FIELDS: Final = tuple(field.name for field in fields(ListedLocation))


_REVISION: Final = select(DirectoryRevision.revision, DirectoryRevision.token).where(
    DirectoryRevision.id == 1
)


class DirectoryReader:
    def __init__(self, session: Session) -> None:
        self._session = session

    def revision(self) -> tuple[int, str | None]:
        # Read on every search: a Core statement built once, on the session's connection.
        row = self._session.connection().execute(_REVISION).one()
        return int(row.revision), row.token

    def build_index(self) -> DirectoryIndex:
        """Everything search needs, as arrays (one pass over practitioners, one over roles)."""
        revision, _token = self.revision()
        practitioners, position_of = self._practitioner_columns()
        roles = self._role_columns(position_of, practitioners.types)
        return DirectoryIndex(
            revision=revision,
            practitioners=practitioners,
            roles=roles,
            plan_networks=self._plan_networks(),
            plan_names={
                key.casefold(): name
                for key, name in self._session.execute(
                    select(DirectoryPlan.plan_key, DirectoryPlan.name)
                )
            },
        )

    def _practitioner_columns(self) -> tuple[PractitionerColumns, dict[int, int]]:
        table = DirectoryPractitioner.__table__
        rows = self._session.connection().execute(
            select(
                table.c.id,
                table.c.npi,
                table.c.gender,
                table.c.fee_min_usd,
                table.c.sliding_scale,
                _raw(table.c.issues),
                _raw(table.c.modalities),
                _raw(table.c.languages),
                _raw(table.c.age_groups),
                _raw(table.c.licensed_states),
                _raw(table.c.specialties),
            ).order_by(table.c.npi)
        )
        issues, modalities = MaskCache(ISSUE_BITS), MaskCache(MODALITY_BITS)
        languages, ages = MaskCache(LANGUAGE_BITS), MaskCache(AGE_BITS)
        states, types = MaskCache(STATE_BITS), TypeCache()
        columns: list[list[object]] = [[] for _ in range(11)]
        for row in rows:
            values = (
                row[0],
                row[1],
                GENDER_CODES.get(row[2] or "", 0),
                np.nan if row[3] is None else row[3],
                _tristate(row[4]),
                issues(row[5]),
                modalities(row[6]),
                languages(row[7]),
                ages(row[8]),
                states(row[9]),
                types(row[10]),
            )
            for column, value in zip(columns, values, strict=True):
                column.append(value)
        ids = np.array(columns[0], dtype=np.int64)
        practitioners = PractitionerColumns(
            ids=ids,
            npis=[str(npi) for npi in columns[1]],
            gender=np.array(columns[2], dtype=np.int8),
            fee_min=np.array(columns[3], dtype=np.float64),
            sliding_scale=np.array(columns[4], dtype=np.int8),
            issues=np.array(columns[5], dtype=np.uint64),
            modalities=np.array(columns[6], dtype=np.uint64),
            languages=np.array(columns[7], dtype=np.uint64),
            age_groups=np.array(columns[8], dtype=np.uint64),
            licensed_states=np.array(columns[9], dtype=np.uint64),
            types=np.array(columns[10], dtype=np.uint64),
        )
        return practitioners, {int(pid): position for position, pid in enumerate(ids)}

    def _role_columns(
        self, position_of: dict[int, int], practitioner_types: np.ndarray
    ) -> RoleColumns:
        roles = DirectoryRole.__table__
        places = DirectoryLocation.__table__
        rows = self._session.connection().execute(
            select(
                roles.c.id,
                roles.c.practitioner_id,
                places.c.latitude,
                places.c.longitude,
                roles.c.network_id,
                _raw(roles.c.specialties),
                roles.c.accepting_new_patients,
                roles.c.telehealth,
                roles.c.in_person,
            ).outerjoin(places, places.c.id == roles.c.location_id)
        )
        types = TypeCache()
        columns: list[list[object]] = [[] for _ in range(9)]
        for row in rows:
            position = position_of[row[1]]
            values = (
                row[0],
                position,
                np.nan if row[2] is None else row[2],
                np.nan if row[3] is None else row[3],
                UNKNOWN if row[4] is None else row[4],
                types(row[5]) if row[5] else int(practitioner_types[position]),
                _tristate(row[6]),
                bool(row[7]),
                bool(row[8]),
            )
            for column, value in zip(columns, values, strict=True):
                column.append(value)
        practitioner = np.array(columns[1], dtype=np.int64)
        ids = np.array(columns[0], dtype=np.int64)
        order = np.lexsort((ids, practitioner))
        return RoleColumns(
            ids=ids[order],
            practitioner=practitioner[order],
            latitude=np.array(columns[2], dtype=np.float64)[order],
            longitude=np.array(columns[3], dtype=np.float64)[order],
            network=np.array(columns[4], dtype=np.int64)[order],
            types=np.array(columns[5], dtype=np.uint64)[order],
            accepting=np.array(columns[6], dtype=np.int8)[order],
            telehealth=np.array(columns[7], dtype=bool)[order],
            in_person=np.array(columns[8], dtype=bool)[order],
        )

    def _plan_networks(self) -> dict[str, np.ndarray]:
        rows = self._session.execute(
            select(DirectoryPlan.plan_key, DirectoryPlanNetwork.network_id).join(
                DirectoryPlanNetwork, DirectoryPlanNetwork.plan_id == DirectoryPlan.id
            )
        )
        networks: defaultdict[str, list[int]] = defaultdict(list)
        for plan_key, network_id in rows:
            networks[plan_key.casefold()].append(network_id)
        return {key: np.array(sorted(ids), dtype=np.int64) for key, ids in networks.items()}

    def role_details(self, role_ids: Sequence[int]) -> dict[int, RoleDetails]:
        """The rows behind a page of results, by role id (one query)."""
        if not role_ids:
            return {}
        people, roles = DirectoryPractitioner.__table__, DirectoryRole.__table__
        places, networks = DirectoryLocation.__table__, DirectoryNetwork.__table__
        columns = [
            *(people.c[name].label(f"p_{name}") for name in _PRACTITIONER_FIELDS),
            *(roles.c[name].label(f"r_{name}") for name in _ROLE_FIELDS),
            places.c.id.label("l_id"),
            *(places.c[name].label(f"l_{name}") for name in _LOCATION_FIELDS),
            networks.c.name.label("n_name"),
        ]
        rows = self._session.connection().execute(
            select(*columns)
            .select_from(roles)
            .join(people, people.c.id == roles.c.practitioner_id)
            .outerjoin(places, places.c.id == roles.c.location_id)
            .outerjoin(networks, networks.c.id == roles.c.network_id)
            .where(roles.c.id.in_(list(role_ids)))
        )
        details: dict[int, RoleDetails] = {}
        for row in rows:
            values = row._mapping
            details[values["r_id"]] = RoleDetails(
                practitioner=ListedPractitioner(
                    **{name: values[f"p_{name}"] for name in _PRACTITIONER_FIELDS}
                ),
                role=ListedRole(**{name: values[f"r_{name}"] for name in _ROLE_FIELDS}),
                location=(
                    ListedLocation(**{name: values[f"l_{name}"] for name in _LOCATION_FIELDS})
                    if values["l_id"] is not None
                    else None
                ),
                network=ListedNetwork(values["n_name"]) if values["n_name"] is not None else None,
            )
        return details

    def practitioner_by_npi(self, npi: str) -> DirectoryPractitioner | None:
        return self._session.scalars(
            select(DirectoryPractitioner).where(DirectoryPractitioner.npi == npi)
        ).one_or_none()

    def plans(self) -> list[DirectoryPlan]:
        return list(self._session.scalars(select(DirectoryPlan).order_by(DirectoryPlan.name)))

    def counts(self) -> dict[str, int]:
        return {
            "practitioners": self._count(DirectoryPractitioner.id),
            "roles": self._count(DirectoryRole.id),
            "locations": self._count(DirectoryLocation.id),
            "networks": self._count(DirectoryNetwork.id),
            "plans": self._count(DirectoryPlan.id),
        }

    def _count(self, column: InstrumentedAttribute[int]) -> int:
        return int(self._session.scalar(select(func.count(column))) or 0)


def _raw(column: ColumnElement[Any]) -> ColumnElement[str]:
    """A code-list column as its stored text: the index splits it itself, caching repeats."""
    return type_coerce(column, Text)


class ContactRequestRepository:
    def __init__(self, session: Session, owner: User) -> None:
        self._session = session
        self._owner = owner

    def add(self, request: ContactRequest) -> ContactRequest:
        if request.owner_id != self._owner.id:
            raise ValueError("a contact request belongs to the person who writes it")
        self._session.add(request)
        self._session.flush()
        return request

    def sent_since(self, moment: dt.datetime) -> list[ContactRequest]:
        return list(
            self._session.scalars(
                select(ContactRequest)
                .where(ContactRequest.owner_id == self._owner.id)
                .where(ContactRequest.created_at >= moment)
                .order_by(ContactRequest.created_at)
            )
        )

    def latest(self, limit: int = 50) -> list[ContactRequest]:
        return list(
            self._session.scalars(
                select(ContactRequest)
                .where(ContactRequest.owner_id == self._owner.id)
                .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())
                .limit(limit)
            )
        )


class ProfileConsentRepository:
    def __init__(self, session: Session, owner: User) -> None:
        self._session = session
        self._owner = owner

    def get(self) -> DirectoryProfileConsent | None:
        return self._session.get(DirectoryProfileConsent, self._owner.id)

    def set(self, use_profile: bool, *, now: dt.datetime) -> None:
        found = self.get()
        if found is None:
            self._session.add(
                DirectoryProfileConsent(
                    owner_id=self._owner.id, use_profile=use_profile, decided_at=now
                )
            )
        else:
            found.use_profile = use_profile
            found.decided_at = now
        self._session.flush()
