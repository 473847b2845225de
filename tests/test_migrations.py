"""The migrations build exactly the schema ``store/schema.py`` declares, on both backends."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from notifier.store import Store
from notifier.store.schema import metadata


def _compared(item: Any, name: str | None, kind: str, reflected: bool, other: Any) -> bool:
    """The full-text index (migration 0004) is backend-specific SQL, declared in the schema
    only as far as queries need it: an FTS5 virtual table and its shadow tables, or a
    tsvector table."""
    table = name if kind == "table" else getattr(getattr(item, "table", None), "name", "")
    return not (table or "").startswith("item_search")


async def test_migrated_database_matches_the_declared_schema(store: Store) -> None:
    def differences(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"include_object": _compared})
        return list(compare_metadata(context, metadata))

    async with store.db.engine.connect() as conn:
        assert await conn.run_sync(differences) == []
