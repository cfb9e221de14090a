"""medication events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "medication_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("medication", sa.String(length=120), nullable=False),
        sa.Column("rxcui", sa.String(length=16), nullable=True),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dose_mg", sa.Double(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "dose_mg IS NULL OR (dose_mg > 0 AND dose_mg <= 10000)",
            name=op.f("ck_medication_events_dose_range"),
        ),
        sa.CheckConstraint(
            "dose_mg IS NOT NULL OR event = 'stop'",
            name=op.f("ck_medication_events_dose_given"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_medication_events_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medication_events")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("medication_events", schema=None) as batch_op:
        batch_op.create_index("ix_medication_events_owner_day", ["owner_id", "day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("medication_events", schema=None) as batch_op:
        batch_op.drop_index("ix_medication_events_owner_day")

    op.drop_table("medication_events")
