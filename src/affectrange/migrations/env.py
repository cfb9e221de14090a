"""Alembic environment: runs against the connection or URL that affectrange.migrate provides."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from affectrange.db import UtcDateTime, create_database
from affectrange.models import metadata

config = context.config


def _render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Migrations spell plain SQLAlchemy types, so they never import application code."""
    if kind == "type" and isinstance(item, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    database = create_database(config.get_main_option("sqlalchemy.url") or "")
    try:
        with database.engine.connect() as new_connection:
            _run(new_connection)
    finally:
        database.dispose()


run_migrations_online()
