"""Alembic migrations on a fresh database: up, down, up again, and in step with the models."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from affectrange import migrate
from affectrange.db import Database, create_database
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
