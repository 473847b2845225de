"""The Alembic migrations build exactly the schema ``store/schema.py`` declares, on both
databases (a column added to one and not the other fails here, not in production)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from notifier.store import Store
from notifier.store.schema import metadata


async def test_the_migrations_build_the_declared_schema(store: Store) -> None:
    async with store.db.engine.connect() as conn:
        differences = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
        )
    assert differences == []
