"""accounts and check-ins

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-26 06:32:25.206018
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_state")),
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_address_at", ["address", "at"], unique=False)
        batch_op.create_index("ix_login_failures_email_at", ["email", "at"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("joyful", sa.SmallInteger(), nullable=False),
        sa.Column("calm", sa.SmallInteger(), nullable=False),
        sa.Column("interested", sa.SmallInteger(), nullable=False),
        sa.Column("close", sa.SmallInteger(), nullable=False),
        sa.Column("proud", sa.SmallInteger(), nullable=False),
        sa.Column("amused", sa.SmallInteger(), nullable=False),
        sa.Column("hopeful", sa.SmallInteger(), nullable=False),
        sa.Column("sad", sa.SmallInteger(), nullable=False),
        sa.Column("anxious", sa.SmallInteger(), nullable=False),
        sa.Column("irritable", sa.SmallInteger(), nullable=False),
        sa.Column("guilty", sa.SmallInteger(), nullable=False),
        sa.Column("stressed", sa.SmallInteger(), nullable=False),
        sa.Column("lonely", sa.SmallInteger(), nullable=False),
        sa.Column("numb", sa.SmallInteger(), nullable=False),
        sa.Column("indifferent", sa.SmallInteger(), nullable=False),
        sa.Column("detached", sa.SmallInteger(), nullable=False),
        sa.Column("event_pleasantness", sa.SmallInteger(), nullable=True),
        sa.Column("sleep_hours", sa.Double(), nullable=True),
        sa.Column("exercise_minutes", sa.Integer(), nullable=True),
        sa.Column("social_minutes", sa.Integer(), nullable=True),
        sa.Column("alcohol_drinks", sa.Integer(), nullable=True),
        sa.Column("other_substances", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("backfilled", sa.Boolean(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amused BETWEEN 0 AND 6", name=op.f("ck_checkins_amused_range")),
        sa.CheckConstraint("anxious BETWEEN 0 AND 6", name=op.f("ck_checkins_anxious_range")),
        sa.CheckConstraint("calm BETWEEN 0 AND 6", name=op.f("ck_checkins_calm_range")),
        sa.CheckConstraint("close BETWEEN 0 AND 6", name=op.f("ck_checkins_close_range")),
        sa.CheckConstraint("detached BETWEEN 0 AND 6", name=op.f("ck_checkins_detached_range")),
        sa.CheckConstraint(
            "event_pleasantness BETWEEN -3 AND 3", name=op.f("ck_checkins_event_range")
        ),
        sa.CheckConstraint("guilty BETWEEN 0 AND 6", name=op.f("ck_checkins_guilty_range")),
        sa.CheckConstraint("hopeful BETWEEN 0 AND 6", name=op.f("ck_checkins_hopeful_range")),
        sa.CheckConstraint(
            "indifferent BETWEEN 0 AND 6", name=op.f("ck_checkins_indifferent_range")
        ),
        sa.CheckConstraint("interested BETWEEN 0 AND 6", name=op.f("ck_checkins_interested_range")),
        sa.CheckConstraint("irritable BETWEEN 0 AND 6", name=op.f("ck_checkins_irritable_range")),
        sa.CheckConstraint("joyful BETWEEN 0 AND 6", name=op.f("ck_checkins_joyful_range")),
        sa.CheckConstraint("lonely BETWEEN 0 AND 6", name=op.f("ck_checkins_lonely_range")),
        sa.CheckConstraint("numb BETWEEN 0 AND 6", name=op.f("ck_checkins_numb_range")),
        sa.CheckConstraint("proud BETWEEN 0 AND 6", name=op.f("ck_checkins_proud_range")),
        sa.CheckConstraint("sad BETWEEN 0 AND 6", name=op.f("ck_checkins_sad_range")),
        sa.CheckConstraint("stressed BETWEEN 0 AND 6", name=op.f("ck_checkins_stressed_range")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_checkins_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint("owner_id", "day", name="uq_checkins_owner_day"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_web_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_user_id"))

    op.drop_table("web_sessions")
    op.drop_table("checkins")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    op.drop_table("users")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_email_at")
        batch_op.drop_index("ix_login_failures_address_at")

    op.drop_table("login_failures")
    op.drop_table("app_state")
