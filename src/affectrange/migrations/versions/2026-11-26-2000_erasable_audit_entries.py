"""erasable audit entries: a salted digest of the personal fields, hashed in their place

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 20:00:00

Every entry gets a random salt and the digest of its personal fields (actor, subject, detail,
address), and every hash along the chain (and the head) is computed again over the new fields.
The triggers then allow exactly one UPDATE: erasing an entry's personal fields under a later
deletion entry. The hash formulas are copied here, frozen, rather than imported from
`affectrange.audit.chain`: this migration must rewrite the log the same way whatever that module
becomes (a later formula would come with a migration of its own), and no migration imports
application code.

Downgrading computes the old hashes over what the entries hold then: an erased entry stays blank
(what it held is gone), and the old triggers refuse every update again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64
APPEND_ONLY_MESSAGE = "audit_entries is append-only"
_BATCH = 1_000

_entries = sa.table(
    "audit_entries",
    sa.column("id", sa.Integer()),
    sa.column("seq", sa.Integer()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor_id", sa.Integer()),
    sa.column("actor_label", sa.String()),
    sa.column("actor_role", sa.String()),
    sa.column("subject_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("detail", sa.Text()),
    sa.column("address", sa.String()),
    sa.column("previous_hash", sa.String()),
    sa.column("hash", sa.String()),
    sa.column("personal_salt", sa.String()),
    sa.column("personal_digest", sa.String()),
    sa.column("erases", sa.Integer()),
)
_head = sa.table("audit_head", sa.column("id", sa.Integer()), sa.column("hash", sa.String()))

# --- the formulas, frozen --------------------------------------------------------------------


def _sha256_of(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _utc(at: dt.datetime) -> str:
    aware = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)  # SQLite: naive UTC
    return aware.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _personal_digest(salt: str, row: sa.Row[Any]) -> str:
    return _sha256_of(
        {
            "salt": salt,
            "actor_id": row.actor_id,
            "actor_label": row.actor_label,
            "subject_id": row.subject_id,
            "detail": row.detail,
            "address": row.address,
        }
    )


def _new_hash(row: sa.Row[Any], previous_hash: str, digest: str) -> str:
    """0008's entry hash: the personal fields only through their digest."""
    return _sha256_of(
        {
            "seq": row.seq,
            "at": _utc(row.at),
            "actor_role": row.actor_role,
            "action": row.action,
            "previous_hash": previous_hash,
            "personal_digest": digest,
            "erases": row.erases,
        }
    )


def _old_hash(row: sa.Row[Any], previous_hash: str) -> str:
    """0004's entry hash: every field directly."""
    return _sha256_of(
        {
            "seq": row.seq,
            "at": _utc(row.at),
            "actor_id": row.actor_id,
            "actor_label": row.actor_label,
            "actor_role": row.actor_role,
            "subject_id": row.subject_id,
            "action": row.action,
            "detail": row.detail,
            "address": row.address,
            "previous_hash": previous_hash,
        }
    )


# --- upgrade -----------------------------------------------------------------------------------


def upgrade() -> None:
    _drop_old_triggers()
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.add_column(sa.Column("personal_salt", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("personal_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("erased_by_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("erases", sa.Integer(), nullable=True))
    _rewrite_chain(_salt_and_rehash)
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.alter_column("personal_digest", existing_type=sa.String(length=64), nullable=False)
    _create_erasure_triggers()


def _salt_and_rehash(row: sa.Row[Any], previous_hash: str) -> dict[str, Any]:
    salt = secrets.token_hex(16)
    digest = _personal_digest(salt, row)
    return {
        "previous_hash": previous_hash,
        "personal_salt": salt,
        "personal_digest": digest,
        "hash": _new_hash(row, previous_hash, digest),
    }


def _rewrite_chain(rewrite: Callable[[sa.Row[Any], str], dict[str, Any]]) -> None:
    """Give every entry, oldest first, the values `rewrite` computes from it and the new hash of
    the entry before it; then point the head at the last new hash."""
    connection = op.get_bind()
    previous = GENESIS_HASH
    for row in _all_entries(connection):
        values = rewrite(row, previous)
        connection.execute(sa.update(_entries).where(_entries.c.id == row.id).values(**values))
        previous = values["hash"]
    connection.execute(sa.update(_head).values(hash=previous))


def _all_entries(connection: sa.Connection) -> Iterator[sa.Row[Any]]:
    """Oldest first, in batches: a long log is never loaded whole."""
    after = 0
    while True:
        rows = connection.execute(
            sa.select(_entries).where(_entries.c.seq > after).order_by(_entries.c.seq).limit(_BATCH)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


_ERASURE_ONLY = """(
    OLD.personal_salt IS NOT NULL AND OLD.erased_by_seq IS NULL
    AND NEW.personal_salt IS NULL AND NEW.erased_by_seq IS NOT NULL
    AND NEW.erased_by_seq > OLD.seq
    AND EXISTS (
        SELECT 1 FROM audit_entries AS deletion
        WHERE deletion.seq = NEW.erased_by_seq AND deletion.erases IS NOT NULL
    )
    AND NEW.actor_id IS NULL AND NEW.subject_id IS NULL
    AND NEW.actor_label = '' AND NEW.detail = '' AND NEW.address = ''
    AND NEW.id = OLD.id AND NEW.seq = OLD.seq AND NEW.at = OLD.at
    AND NEW.actor_role = OLD.actor_role AND NEW.action = OLD.action
    AND NEW.previous_hash = OLD.previous_hash AND NEW.hash = OLD.hash
    AND NEW.personal_digest = OLD.personal_digest
    AND (
        (NEW.erases IS NULL AND OLD.erases IS NULL)
        OR (NEW.erases IS NOT NULL AND OLD.erases IS NOT NULL AND NEW.erases = OLD.erases)
    )
)"""
"""The one allowed UPDATE, in SQL both databases read alike (no `IS` between values, which
PostgreSQL spells `IS NOT DISTINCT FROM`). Every comparison is of columns that cannot be NULL
there, or is guarded by IS NULL: a NULL would make the condition unknown, and a trigger's WHEN
reads unknown as "do not refuse". COALESCE around it reads a slip as a refusal all the same."""


def _create_erasure_triggers() -> None:
    """Refuse DELETE (and TRUNCATE) always, and UPDATE unless it is exactly an erasure: the entry
    was not erased before, its personal fields and salt are blanked, it names a later deletion
    entry, and nothing else changes. The chain (`affectrange audit verify`) catches the rest."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_entries_only_erasure BEFORE UPDATE ON audit_entries "
            f"WHEN NOT COALESCE({_ERASURE_ONLY}, 0) "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
        )
        return
    # NEW and OLD are only read for an UPDATE (they are NULL for a DELETE or a TRUNCATE).
    op.execute(
        "CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF TG_OP = 'UPDATE' THEN IF COALESCE({_ERASURE_ONLY}, FALSE) THEN RETURN NEW; "
        "END IF; END IF; "
        f"RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$"
    )
    _create_postgresql_triggers()


def _create_postgresql_triggers() -> None:
    op.execute(
        "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()"
    )


def _drop_old_triggers() -> None:
    """0004's triggers (the same names on PostgreSQL as 0008's)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_entries_no_update")
        op.execute("DROP TRIGGER audit_entries_no_delete")
        return
    _drop_postgresql_triggers()


def _drop_postgresql_triggers() -> None:
    op.execute("DROP TRIGGER audit_entries_no_truncate ON audit_entries")
    op.execute("DROP TRIGGER audit_entries_append_only ON audit_entries")
    op.execute("DROP FUNCTION audit_entries_append_only()")


# --- downgrade ---------------------------------------------------------------------------------


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_entries_only_erasure")
        op.execute("DROP TRIGGER audit_entries_no_delete")
    else:
        _drop_postgresql_triggers()
    _rewrite_chain(_old_rehash)
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.drop_column("erases")
        batch_op.drop_column("erased_by_seq")
        batch_op.drop_column("personal_digest")
        batch_op.drop_column("personal_salt")
    _create_append_only_triggers()


def _old_rehash(row: sa.Row[Any], previous_hash: str) -> dict[str, Any]:
    return {"previous_hash": previous_hash, "hash": _old_hash(row, previous_hash)}


def _create_append_only_triggers() -> None:
    """0004's triggers: every UPDATE and DELETE refused."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_entries_no_{verb.lower()} BEFORE {verb} ON audit_entries "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$"
    )
    _create_postgresql_triggers()
