"""Engine creation and migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from notifier.errors import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"


def create_engine(url: str) -> AsyncEngine:
    """An async engine; for SQLite, create the directory, use WAL and enforce foreign keys."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_async_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


def _sqlite_begin(connection: sa.Connection) -> None:
    # A deferred BEGIN that reads and then writes fails at once with "database is locked" when
    # another writer got in between; taking the write lock up front makes it wait
    # (busy_timeout) instead. SQLite has one writer at a time either way.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions begin (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _alembic_config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision; safe to run on every start."""

    def upgrade(connection: sa.Connection) -> None:
        command.upgrade(_alembic_config(connection), "head")

    try:
        async with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                # Replicas starting together must not race on the same migration.
                await connection.execute(sa.text("SELECT pg_advisory_xact_lock(4242001)"))
            await connection.run_sync(upgrade)
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"database migration failed: {exc}") from exc


def insert(conn: AsyncConnection, table: sa.Table) -> Any:
    """An INSERT for the connection's dialect, so it can take ``on_conflict_do_nothing``."""
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


async def open_database(url: str) -> AsyncEngine:
    engine = create_engine(url)
    await migrate(engine)
    return engine


__all__ = [
    "AsyncConnection",
    "AsyncEngine",
    "create_engine",
    "insert",
    "migrate",
    "open_database",
]
