"""SQLite for the async engine without a thread hop per call.

aiosqlite runs every DBAPI call (cursor, execute, fetch, close, commit, the pool's reset) as a
round trip to a thread of its own: about 0.15 ms of CPU each, some 30 for an idle poll of one
source, which made the driver most of the cost of an idle poll and half of an ingest. SQLite
is a library, not a server: this service's statements (indexed, a transaction's worth of rows)
take microseconds to a few milliseconds, less than the hop, so here they run on the caller's
thread. SQLAlchemy's aiosqlite dialect stays (its ``async_creator`` hook hands it these
connections), so URLs, types and behaviour are unchanged.

The one thing that could hold the event loop is waiting for a lock another process holds (a CLI
command writing while the service runs): a connection's busy timeout is therefore short
(``BUSY_TIMEOUT``), and ``Database.write`` waits for the write lock asynchronously, trying
again until ``LOCK_WAIT`` has passed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator, Iterable, Sequence
from typing import Any

# A statement waits this long for another connection's lock before it fails (seconds). Short,
# since it waits on the event loop's thread; Database.write retries the write lock off it.
BUSY_TIMEOUT = 0.01
# How long a writer waits, in all, for the write lock (what busy_timeout was before).
LOCK_WAIT = 30.0


class Cursor:
    """An aiosqlite-shaped cursor whose calls are plain sqlite3 calls."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Cursor:
        if parameters is None:
            self._cursor.execute(sql)
        else:
            self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> Cursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _RunNow:
    """Stands in for aiosqlite's queue to its thread, which SQLAlchemy's dialect uses directly
    to set ``isolation_level``: the function runs at once and its future is resolved."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def put_nowait(self, job: tuple[Any, Callable[[], Any]]) -> None:
        future, function = job
        try:
            future.set_result(function())
        except Exception as exc:  # handed to the awaiting caller, as aiosqlite's thread does
            future.set_exception(exc)


class Connection:
    """An aiosqlite-shaped connection whose calls run on the caller's thread."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn: sqlite3.Connection | None = connection
        self._tx = _RunNow(connection)

    def __await__(self) -> Generator[Any, None, Connection]:
        yield from ()  # awaiting a connection never suspends: it is made already
        return self

    @property
    def _connection(self) -> sqlite3.Connection | None:  # what SQLAlchemy's dialect checks
        return self._conn

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("Connection closed")
        return self._conn

    def cursor(self) -> Cursor:
        return Cursor(self._open().cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Cursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        self._open().commit()

    async def rollback(self) -> None:
        self._open().rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._open().create_function(*args, **kwargs)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def isolation_level(self) -> str | None:
        return self._open().isolation_level

    @isolation_level.setter
    def isolation_level(self, value: Any) -> None:
        self._open().isolation_level = value


def connect(*args: Any, **kwargs: Any) -> Connection:
    """A connection for SQLite's connect arguments (as the pysqlite dialect makes them from a
    URL); any thread may use it, one at a time, as the engine's pool hands it out."""
    kwargs.update(timeout=BUSY_TIMEOUT, check_same_thread=False, isolation_level=None)
    return Connection(sqlite3.connect(*args, **kwargs))
