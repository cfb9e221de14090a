"""What every importer shares: the error that names the place, the summary, and the batched,
idempotent writer.

Importers stream their file and hand records to `DirectoryWriter` in batches. The writer upserts
by each row's source key and touches only the columns the source carries, so NPPES never wipes
the fees a clinic's CSV set, and a second import of the same file finds every row unchanged. It
writes inside the caller's transaction: an error anywhere rolls the whole import back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from affectrange.directory.models import (
    DirectoryLocation,
    DirectoryNetwork,
    DirectoryOrganization,
    DirectoryPlan,
    DirectoryPlanNetwork,
    DirectoryPractitioner,
    DirectoryRevision,
    DirectoryRole,
)

BATCH_SIZE: Final = 2_000
_IN_CHUNK: Final = 900  # below SQLite's 999 host parameters in older builds

Record = dict[str, Any]


def address_key(line: str, city: str, state: str, postal_code: str) -> str:
    """The location key of a practice address: the same address from NPPES and from a clinic's
    file is one location, whatever its letter case."""
    address = f"{line}, {city}, {state} {postal_code}"
    return "address:" + hashlib.sha256(address.upper().encode()).hexdigest()[:32]


def format_us_phone(text: str) -> str | None:
    """A US number as "(860) 555-0142", the one form every importer stores; None if the text is
    not a 10-digit number (with or without the leading country code 1)."""
    digits = "".join(char for char in text if char.isdigit())
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) != 10:
        return None
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


class DirectoryImportError(Exception):
    """A file that cannot be imported; the message names the file and the line or resource."""


@dataclass
class ImportSummary:
    """What an import did, by table: counts of rows inserted, updated and left unchanged."""

    source: str
    rows_read: int = 0
    rows_kept: int = 0
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    without_position: int = 0

    @property
    def changed(self) -> bool:
        return (
            any(self.inserted.values()) or any(self.updated.values()) or any(self.removed.values())
        )

    def count(self, bucket: dict[str, int], table: str, amount: int) -> None:
        if amount:
            bucket[table] = bucket.get(table, 0) + amount


_KEYED: Final[Mapping[str, tuple[type[Any], str]]] = {
    "practitioners": (DirectoryPractitioner, "npi"),
    "locations": (DirectoryLocation, "source_key"),
    "organizations": (DirectoryOrganization, "source_key"),
    "networks": (DirectoryNetwork, "source_key"),
    "plans": (DirectoryPlan, "plan_key"),
    "roles": (DirectoryRole, "source_key"),
}

_DEFAULTS: Final[Mapping[str, Record]] = {
    "practitioners": {
        "name_prefix": None,
        "name_suffix": None,
        "credentials": None,
        "gender": None,
        "specialties": (),
        "licensed_states": (),
        "languages": (),
        "email": None,
        "phone": None,
        "issues": (),
        "modalities": (),
        "age_groups": (),
        "session_formats": (),
        "fee_min_usd": None,
        "fee_max_usd": None,
        "sliding_scale": None,
        "next_available": None,
        "availability_confirmed_on": None,
    },
    "locations": {"latitude": None, "longitude": None, "position_source": None},
    "organizations": {"npi": None, "phone": None},
    "networks": {"payer_id": None},
    "plans": {"plan_type": None, "payer_id": None},
    "roles": {
        "location_id": None,
        "organization_id": None,
        "network_id": None,
        "specialties": (),
        "accepting_new_patients": None,
    },
}

_STAMPED: Final = frozenset({"practitioners", "roles"})


class DirectoryWriter:
    """Upserts keyed records table by table; returns each key's row id for the next table."""

    def __init__(self, session: Session, summary: ImportSummary, *, now: dt.datetime) -> None:
        self._session = session
        self._summary = summary
        self._now = now

    def upsert(self, table: str, records: Sequence[Record]) -> dict[str, int]:
        """Insert new keys, update the given columns of changed ones; map every key to its id.

        Records for one key appearing twice in `records` are merged, the later winning, so a file
        that lists one address for many people writes the location once.
        """
        model, key_column = _KEYED[table]
        merged: dict[str, Record] = {}
        for record in records:
            merged.setdefault(record[key_column], {}).update(record)
        if not merged:
            return {}
        columns = sorted({name for record in merged.values() for name in record} - {key_column})
        existing = self._existing(model, key_column, columns, list(merged))
        new_rows: list[Record] = []
        changed_rows: list[Record] = []
        ids: dict[str, int] = {}
        for key, record in merged.items():
            found = existing.get(key)
            if found is None:
                row = {**_DEFAULTS[table], **record}
                if table in _STAMPED:
                    row["updated_at"] = self._now
                new_rows.append(row)
                continue
            ids[key] = found["id"]
            if any(found[name] != record[name] for name in columns if name in record):
                change = {name: record[name] for name in columns if name in record}
                change["id"] = found["id"]
                if table in _STAMPED:
                    change["updated_at"] = self._now
                changed_rows.append(change)
        if new_rows:
            # Core, not the ORM's bulk insert: about twice the rate, and RETURNING hands back
            # the new ids in the same round trips (multi-row INSERT ... VALUES ... RETURNING).
            core = model.__table__
            inserted = self._session.connection().execute(
                insert(core).returning(core.c[key_column], core.c.id), new_rows
            )
            ids.update((key, row_id) for key, row_id in inserted)
        if changed_rows:
            self._update(model.__table__, changed_rows)
        self._summary.count(self._summary.inserted, table, len(new_rows))
        self._summary.count(self._summary.updated, table, len(changed_rows))
        self._summary.count(
            self._summary.unchanged, table, len(merged) - len(new_rows) - len(changed_rows)
        )
        return ids

    def _update(self, core: Table, changed_rows: list[Record]) -> None:
        """Core executemany per set of changed columns (the ORM's bulk update is several times
        slower here and keeps nothing we need)."""
        by_columns: dict[tuple[str, ...], list[Record]] = {}
        for row in changed_rows:
            columns = tuple(sorted(name for name in row if name != "id"))
            by_columns.setdefault(columns, []).append(
                {f"new_{name}": value for name, value in row.items()}
            )
        connection = self._session.connection()
        for columns, rows in by_columns.items():
            statement = (
                update(core)
                .where(core.c.id == bindparam("new_id"))
                .values(
                    {name: bindparam(f"new_{name}", type_=core.c[name].type) for name in columns}
                )
            )
            connection.execute(statement, rows)

    def _existing(
        self, model: type[Any], key_column: str, columns: list[str], keys: list[str]
    ) -> dict[str, Record]:
        key_attribute = getattr(model, key_column)
        selected = [model.id, key_attribute, *(getattr(model, name) for name in columns)]
        found: dict[str, Record] = {}
        for start in range(0, len(keys), _IN_CHUNK):
            chunk = keys[start : start + _IN_CHUNK]
            for row in self._session.execute(select(*selected).where(key_attribute.in_(chunk))):
                found[row._mapping[key_column]] = dict(row._mapping)
        return found

    def link_plan_networks(self, pairs: Iterable[tuple[int, int]]) -> None:
        wanted = set(pairs)
        if not wanted:
            return
        plan_ids = sorted({plan for plan, _ in wanted})
        have: set[tuple[int, int]] = set()
        for start in range(0, len(plan_ids), _IN_CHUNK):
            rows = self._session.execute(
                select(DirectoryPlanNetwork.plan_id, DirectoryPlanNetwork.network_id).where(
                    DirectoryPlanNetwork.plan_id.in_(plan_ids[start : start + _IN_CHUNK])
                )
            )
            have.update((plan, network) for plan, network in rows)
        missing = sorted(wanted - have)
        if missing:
            self._session.execute(
                insert(DirectoryPlanNetwork),
                [{"plan_id": plan, "network_id": network} for plan, network in missing],
            )
        self._summary.count(self._summary.inserted, "plan_networks", len(missing))
        self._summary.count(self._summary.unchanged, "plan_networks", len(wanted) - len(missing))

    def remove_practitioners(self, npis: Sequence[str]) -> None:
        """Take practitioners out (a deactivated NPI); their roles go with them."""
        removed = 0
        for start in range(0, len(npis), _IN_CHUNK):
            chunk = list(npis[start : start + _IN_CHUNK])
            ids = list(
                self._session.scalars(
                    select(DirectoryPractitioner.id).where(DirectoryPractitioner.npi.in_(chunk))
                )
            )
            if ids:
                self._session.execute(
                    delete(DirectoryRole).where(DirectoryRole.practitioner_id.in_(ids))
                )
                self._session.execute(
                    delete(DirectoryPractitioner).where(DirectoryPractitioner.id.in_(ids))
                )
                removed += len(ids)
        self._summary.count(self._summary.removed, "practitioners", removed)

    def finish(self) -> None:
        """Count a revision when anything changed, so every search index rebuilds."""
        if not self._summary.changed:
            return
        self._session.execute(
            update(DirectoryRevision)
            .where(DirectoryRevision.id == 1)
            .values(
                revision=DirectoryRevision.revision + 1,
                token=secrets.token_hex(16),
                changed_at=self._now,
            )
        )
