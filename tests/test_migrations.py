"""The migrations build exactly the schema ``store/schema.py`` declares, on both backends."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from notifier.store import Store
from notifier.store.schema import metadata


async def test_migrated_database_matches_the_declared_schema(store: Store) -> None:
    def differences(connection: Any) -> list[Any]:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))

    async with store.db.engine.connect() as conn:
        assert await conn.run_sync(differences) == []
