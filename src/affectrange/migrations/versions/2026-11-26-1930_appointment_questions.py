"""appointment questions: the person's own questions for the preparation sheet

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 19:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "appointment_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_appointment_questions_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_questions")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("appointment_questions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_appointment_questions_owner_position", ["owner_id", "position"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("appointment_questions", schema=None) as batch_op:
        batch_op.drop_index("ix_appointment_questions_owner_position")

    op.drop_table("appointment_questions")
