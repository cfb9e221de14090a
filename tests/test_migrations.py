"""Alembic migrations on a fresh database: up, down, up again, and in step with the models."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from affectrange import migrate
from affectrange.audit import service as audit
from affectrange.audit.chain import GENESIS_HASH
from affectrange.audit.models import AuditEntry
from affectrange.db import Database, create_database, session_scope
from affectrange.models import metadata
from tests.conftest import DatabaseFactory


@pytest.fixture
def fresh_database(
    databases: DatabaseFactory, request: pytest.FixtureRequest
) -> Iterator[Database]:
    database = create_database(databases.new_url(request.node.name))
    yield database
    database.dispose()


def table_names(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names())


def schema_differences(database: Database) -> list[Any]:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences: list[Any] = compare_metadata(context, metadata)
    return differences


def test_upgrade_downgrade_and_upgrade_again(fresh_database: Database) -> None:
    model_tables = set(metadata.tables)

    migrate.upgrade(fresh_database)
    assert table_names(fresh_database) == model_tables | {"alembic_version"}
    assert migrate.current_revision(fresh_database) == migrate.head_revision()

    migrate.downgrade(fresh_database, "base")
    assert table_names(fresh_database) == {"alembic_version"}
    assert migrate.current_revision(fresh_database) is None

    migrate.upgrade(fresh_database)
    assert table_names(fresh_database) == model_tables | {"alembic_version"}
    assert migrate.current_revision(fresh_database) == migrate.head_revision()


def test_migrated_schema_matches_the_models(fresh_database: Database) -> None:
    migrate.upgrade(fresh_database)

    assert schema_differences(fresh_database) == []


def test_an_empty_database_differs_from_the_models(fresh_database: Database) -> None:
    # The comparison above is only worth something if it can see a missing table.
    differences = schema_differences(fresh_database)

    added = {diff[1].name for diff in differences if diff[0] == "add_table"}
    assert added == set(metadata.tables)


def test_upgrading_twice_changes_nothing(fresh_database: Database) -> None:
    migrate.upgrade(fresh_database)
    migrate.upgrade(fresh_database)

    assert migrate.current_revision(fresh_database) == migrate.head_revision()
    assert schema_differences(fresh_database) == []


# --- 0008: the audit log's hashes are computed again --------------------------------------------

OLD_COLUMNS = (
    "seq",
    "actor_id",
    "actor_label",
    "actor_role",
    "subject_id",
    "action",
    "detail",
    "address",
)
OLD_LOG: list[dict[str, Any]] = [
    dict(zip(OLD_COLUMNS, row, strict=True))
    for row in (
        (1, 7, "Alice <alice@example.org>", "person", 7, "share_invited", "invitation 1", "::1"),
        (2, 9, "Carol <carol@example.org>", "clinician", 7, "view_record", "record", "::2"),
        (3, None, "the operator", "operator", None, "export_data", "a copy", "command line"),
    )
]
"""Three entries as 0004 to 0007 wrote them (the personal fields in the hash)."""
OLD_AT = dt.datetime(2026, 6, 15, 16, 0, 5, 123456, tzinfo=dt.UTC)

_audit_entries = sa.table(
    "audit_entries",
    *(sa.column(name) for name in (*OLD_COLUMNS, "previous_hash", "hash")),
    sa.column("at", sa.DateTime(timezone=True)),
)


def old_hash(entry: dict[str, Any]) -> str:
    """0004's formula, written out: every field, sorted keys, compact JSON."""
    payload = {**entry, "at": entry["at"].astimezone(dt.UTC).isoformat(timespec="microseconds")}
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def old_chain() -> list[dict[str, Any]]:
    rows, previous = [], GENESIS_HASH
    for entry in OLD_LOG:
        linked = {
            **entry,
            "at": OLD_AT + dt.timedelta(minutes=entry["seq"]),
            "previous_hash": previous,
        }
        previous = old_hash(linked)
        rows.append({**linked, "hash": previous})
    return rows


def stored_old_log(database: Database) -> list[tuple[Any, ...]]:
    with database.engine.connect() as connection:
        statement = sa.select(_audit_entries).order_by(_audit_entries.c.seq)
        return [tuple(row) for row in connection.execute(statement)]


def test_a_log_written_under_0007_verifies_after_the_upgrade_and_again_after_a_downgrade(
    fresh_database: Database,
) -> None:
    migrate.upgrade(fresh_database, "0007")
    written = old_chain()
    with fresh_database.engine.begin() as connection:
        connection.execute(sa.insert(_audit_entries), written)
        connection.execute(sa.text("UPDATE audit_head SET seq = 3, hash = :hash"), written[-1])
    before = stored_old_log(fresh_database)

    migrate.upgrade(fresh_database)

    with session_scope(fresh_database, write=False) as session:
        report = audit.verify_log(session)
        upgraded = list(session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq)))
    assert report.intact, report.problems
    assert (report.entries, report.head_seq, report.erased) == (3, 3, 0)
    assert report.head_hash == upgraded[-1].hash != written[-1]["hash"]
    for entry, old in zip(upgraded, OLD_LOG, strict=True):
        assert {name: getattr(entry, name) for name in OLD_COLUMNS} == old
        assert entry.personal_salt is not None
        assert len(entry.personal_salt) == 32
    assert len({entry.personal_salt for entry in upgraded}) == 3

    migrate.downgrade(fresh_database, "0007")

    assert stored_old_log(fresh_database) == before
