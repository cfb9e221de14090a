"""care plan: goals, their kept days, monthly impact ratings

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "care_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("times_per_week", sa.SmallInteger(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ended_on IS NULL OR ended_on >= started_on", name=op.f("ck_care_goals_period_order")
        ),
        sa.CheckConstraint(
            "times_per_week BETWEEN 1 AND 7", name=op.f("ck_care_goals_times_per_week_range")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_care_goals_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_goals")),
    )
    with op.batch_alter_table("care_goals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_care_goals_owner_started", ["owner_id", "started_on"], unique=False
        )

    op.create_table(
        "care_goal_ticks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["care_goals.id"],
            name=op.f("fk_care_goal_ticks_goal_id_care_goals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_goal_ticks")),
        sa.UniqueConstraint("goal_id", "day", name="uq_care_goal_ticks_goal_day"),
    )
    op.create_table(
        "impact_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("connect", sa.SmallInteger(), nullable=False),
        sa.Column("misread", sa.SmallInteger(), nullable=False),
        sa.Column("drive", sa.SmallInteger(), nullable=False),
        sa.Column("satisfaction", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("connect BETWEEN 0 AND 4", name=op.f("ck_impact_ratings_connect_range")),
        sa.CheckConstraint("drive BETWEEN 0 AND 4", name=op.f("ck_impact_ratings_drive_range")),
        sa.CheckConstraint("misread BETWEEN 0 AND 4", name=op.f("ck_impact_ratings_misread_range")),
        sa.CheckConstraint(
            "satisfaction BETWEEN 0 AND 4", name=op.f("ck_impact_ratings_satisfaction_range")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_impact_ratings_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impact_ratings")),
        sa.UniqueConstraint("owner_id", "month", name="uq_impact_ratings_owner_month"),
    )


def downgrade() -> None:
    op.drop_table("care_goal_ticks")
    op.drop_table("impact_ratings")
    with op.batch_alter_table("care_goals", schema=None) as batch_op:
        batch_op.drop_index("ix_care_goals_owner_started")

    op.drop_table("care_goals")
