"""Faults the fault-injection tests switch on and off in real databases.

``ReadOnly`` makes the database refuse every write for a while, as a failover to a read-only
standby, a full disk or a file mounted read-only would, and the real database engine does the
refusing:

* SQLite: every connection the service's engine checks out runs ``PRAGMA query_only``, so
  SQLite answers each write with "attempt to write a readonly database" (a PRAGMA is per
  connection, so the test switches it on the connections the service uses).
* PostgreSQL: ``ALTER DATABASE ... SET default_transaction_read_only``, and every open session
  of that database is terminated so the new ones get it ("cannot execute UPDATE in a read-only
  transaction"), as a failover would.
"""

from __future__ import annotations

import asyncio
import threading

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from notifier.store import db
from tests.conftest import POSTGRES_URL


class ReadOnly:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._url = engine.url
        self.on = False
        if engine.dialect.name == "sqlite":
            # Before every BEGIN (so that SQLite refuses a writer's BEGIN IMMEDIATE) and every
            # statement: the store's writers keep one connection open, so switching at checkout
            # would not reach it, and some statements run on the driver without SQLAlchemy's
            # statement events (store.prepared). The store's own BEGIN listener is put back
            # after this one, since listeners run in the order they were added.
            sync_engine = engine.sync_engine
            sa.event.remove(sync_engine, "begin", db.sqlite_begin)
            sa.event.listen(sync_engine, "begin", self._before)
            sa.event.listen(sync_engine, "begin", db.sqlite_begin)
            sa.event.listen(sync_engine, "before_cursor_execute", self._before)

    def _before(self, connection: sa.Connection, *_: object) -> None:
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(f"PRAGMA query_only = {1 if self.on else 0}")
        cursor.close()

    async def set(self, on: bool) -> None:
        self.on = on
        if self._url.get_backend_name() == "postgresql":
            await _postgres_read_only(self._url.database or "", on)

    def set_from_thread(self, on: bool) -> None:
        """Switch from a thread that runs an event loop already (the SMTP sink's handler)."""
        worker = threading.Thread(target=asyncio.run, args=(self.set(on),))
        worker.start()
        worker.join()


async def _postgres_read_only(database: str, on: bool) -> None:
    admin = create_async_engine(
        make_url(POSTGRES_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        async with admin.connect() as conn:
            value = "on" if on else "off"
            await conn.execute(
                sa.text(f'ALTER DATABASE "{database}" SET default_transaction_read_only = {value}')
            )
            await conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": database},
            )
    finally:
        await admin.dispose()
