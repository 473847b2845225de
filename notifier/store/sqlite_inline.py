"""SQLite for the async engine without a thread hop per call.

aiosqlite runs every DBAPI call (cursor, execute, fetch, close, commit, the pool's reset) as a
round trip to a thread of its own: about 0.15 ms of CPU each, some 30 for an idle poll of one
source, which made the driver most of the cost of an idle poll and half of an ingest. SQLite
is a library, not a server: this service's statements (indexed, a transaction's worth of rows)
take microseconds to a few milliseconds, less than the hop, so here they run on the caller's
thread; only work that can take long (large parameters, large results, a large commit)
still goes to a thread, one hop for much work (``OFFLOAD_BYTES``). SQLAlchemy's aiosqlite
dialect stays (its ``async_creator`` hook hands it these connections), so URLs, types and
behaviour are unchanged.

What could hold the event loop is waiting for a lock another process holds (a CLI command
writing while the service runs): a connection's busy timeout is therefore short
(``BUSY_TIMEOUT``), and a ``BEGIN`` that finds the database locked waits asynchronously and
tries again until ``LOCK_WAIT`` has passed. (Writers of one process take turns before that, in
``Database.write``.)
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from typing import Any

# A statement waits this long for another connection's lock before it fails (seconds). Short,
# since it waits on the event loop's thread; a BEGIN retries off it (Cursor._begin).
BUSY_TIMEOUT = 0.01
# How long a writer waits, in all, for the write lock (what busy_timeout was before).
LOCK_WAIT = 30.0
# Work that can take long goes to a thread after all, one hop for much work: a statement whose
# parameters hold more than OFFLOAD_BYTES (message bodies, a batch of items), an executemany of
# more than OFFLOAD_ROWS rows (each row's index entries cost more than its bytes suggest: a
# digest batch's 2,500 small rows of which message holds which part held the loop for 20-40
# ms, bench/planning.py's /healthz; a batch run a row at a time for its RETURNING rows, as
# Cursor.execute_each does, alike), or that took more
# than SLOW_SECONDS on the loop's thread SLOW_AFTER times (a scan, a sort: learnt per SQL text,
# since whether a statement is slow depends on the data, not on how it looks; more than once,
# so that a cold cache or a busy machine does not send a quick statement away for good), the
# rest of a result of more than FETCH_INLINE rows, and the commit of a transaction that did
# such work or changed more than HEAVY_CHANGES rows (a large commit writes much of the WAL and
# may checkpoint it: write pages back and fsync). Inline calls never yield to the loop, so a
# transaction's inline statements hold it together: SLOW_SECONDS is small for that reason (at
# 5 ms, digest planning's transactions held the web app for 200-450 ms; at 0.5 ms as long as
# with a hop per call, 110-170 ms, bench/planning.py). A statement's time is the CPU time of
# the loop's thread, not the wall clock: sqlite3 lets go of the GIL while SQLite runs, so a
# quick statement's wall time also holds waits that are not its own (another thread keeping
# the GIL for its 5 ms switch interval, a host busy with other work), which a thread would not
# spare the loop either. By the wall clock, ordinary lookups (the source's row, a lease) were
# learnt slow during an ingest and hopped to a thread, with their commit, ever after
# (bench/README.md, "ingest and idle poll").
OFFLOAD_BYTES = 64 * 1024
OFFLOAD_ROWS = 200
SLOW_SECONDS = 0.0005
SLOW_AFTER = 3
FETCH_INLINE = 50
HEAVY_CHANGES = 100
_KEPT = 1000  # SQL texts remembered, at most (IN lists make texts of their own)
_slow: set[str] = set()
_slow_seen: Counter[str] = Counter()


def _was_slow(sql: str) -> None:
    if len(_slow_seen) < _KEPT or sql in _slow_seen:
        _slow_seen[sql] += 1
        if _slow_seen[sql] >= SLOW_AFTER:
            _slow.add(sql)


_SIZED = (str, bytes)


def _size(values: Sequence[Any] | Mapping[str, Any]) -> int:
    """About how many bytes a statement's parameters hold."""
    # Every statement asks, so it is kept cheap: parameters are a tuple or a list but for a
    # caller's mapping (the ABC check is the slow one), and one pass in a comprehension.
    found = (
        values
        if isinstance(values, tuple | list) or not isinstance(values, Mapping)
        else values.values()
    )
    return sum([len(v) for v in found if isinstance(v, _SIZED)]) + 8 * len(found)


def _many_is_large(rows: Sequence[Sequence[Any]]) -> bool:
    """Whether a batch of rows for one statement is work for a thread. The first row's size
    for all: rows of one statement are alike, and adding up every value of a large batch would
    itself hold the loop."""
    return len(rows) > OFFLOAD_ROWS or bool(rows and len(rows) * _size(rows[0]) > OFFLOAD_BYTES)


async def _in_thread(function: Callable[..., Any], *args: Any) -> Any:
    """``function`` run in a thread, to its end even when the caller is cancelled meanwhile
    (the cancellation goes on once it has ended): the caller would otherwise roll back or close
    the connection while the thread still uses it, and the sqlite3 module is not safe for two
    threads at once (a test cancelling a statement crashed the interpreter)."""
    future = asyncio.ensure_future(asyncio.to_thread(function, *args))
    cancelled = False
    while not future.done():
        try:
            await asyncio.wait({future})
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    return future.result()


class Cursor:
    """An aiosqlite-shaped cursor whose calls are plain sqlite3 calls."""

    def __init__(self, cursor: sqlite3.Cursor, owner: Connection) -> None:
        self._cursor = cursor
        self._owner = owner

    async def _offloaded(self, function: Callable[..., Any], *args: Any) -> Any:
        self._owner.heavy = True
        return await _in_thread(function, *args)

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Cursor:
        arguments = () if parameters is None else parameters
        if sql.startswith("BEGIN"):
            await self._begin(sql)
            return self
        if sql in _slow or _size(arguments) > OFFLOAD_BYTES:
            await self._offloaded(self._cursor.execute, sql, arguments)
            return self
        started = time.thread_time()
        self._cursor.execute(sql, arguments)
        if time.thread_time() - started > SLOW_SECONDS:
            _was_slow(sql)
        return self

    async def _begin(self, sql: str) -> None:
        """BEGIN [IMMEDIATE]: while another connection holds the write lock, wait off the loop
        and try again, for up to LOCK_WAIT (SQLite itself waits only BUSY_TIMEOUT, on it)."""
        deadline = time.monotonic() + LOCK_WAIT
        delay = 0.002
        if self._owner.found_locked:
            # begin_at_once found the lock taken, waiting BUSY_TIMEOUT on the loop's thread:
            # wait off it before trying again, not on it once more.
            self._owner.found_locked = False
            await asyncio.sleep(delay)
        while True:
            try:
                self._cursor.execute(sql)
                return
            except sqlite3.OperationalError as exc:
                if "database is locked" not in str(exc) or time.monotonic() + delay > deadline:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.1)

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> Cursor:
        rows = parameters if isinstance(parameters, list) else list(parameters)
        if _many_is_large(rows):
            await self._offloaded(self._cursor.executemany, sql, rows)
        else:
            self._cursor.executemany(sql, rows)
        return self

    async def execute_each(self, sql: str, rows: Sequence[Sequence[Any]]) -> tuple[list[Any], int]:
        """``sql`` run once for each row of parameters, keeping the rows each returns (an
        executemany returns none: RETURNING needs this): those rows, and the row count of all.
        A batch an executemany would send to a thread goes there too, in one hop."""
        if _many_is_large(rows) or sql in _slow:
            return await self._offloaded(self._each, sql, rows)  # type: ignore[no-any-return]
        # Else one by one, as any statement: _many_is_large judges by the first row, so a large
        # row later in the batch goes to a thread alone, and a slow execution is learnt.
        fetched: list[Any] = []
        rowcount = 0
        for row in rows:
            await self.execute(sql, row)
            fetched += await self.fetchall()
            rowcount += max(self._cursor.rowcount, 0)
        return fetched, rowcount

    def _each(self, sql: str, rows: Sequence[Sequence[Any]]) -> tuple[list[Any], int]:
        fetched: list[Any] = []
        rowcount = 0
        for row in rows:
            fetched += self._cursor.execute(sql, row).fetchall()
            rowcount += max(self._cursor.rowcount, 0)
        return fetched, rowcount

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        rows = self._cursor.fetchmany(FETCH_INLINE)
        if len(rows) == FETCH_INLINE:
            rows += await self._offloaded(self._cursor.fetchall)
        return rows

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
        self._committed_changes = connection.total_changes
        self.heavy = False  # this transaction did work that went to a thread
        self.found_locked = False  # begin_at_once's BEGIN found another connection's lock

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
        return Cursor(self._open().cursor(), self)

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> Cursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        connection = self._open()
        if self.heavy or connection.total_changes - self._committed_changes > HEAVY_CHANGES:
            await _in_thread(connection.commit)
        else:
            connection.commit()
        self._committed_changes = connection.total_changes
        self.heavy = False

    async def rollback(self) -> None:
        self._open().rollback()
        self._committed_changes = self._open().total_changes
        self.heavy = False

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._open().create_function(*args, **kwargs)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._conn is not None:
            # A statement left unfinished (its caller cancelled) would keep a closed connection
            # alive, with its transaction and its write lock: end them first.
            with contextlib.suppress(sqlite3.Error):
                self._conn.rollback()
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


def driver(connection: Any) -> sqlite3.Connection:
    """The sqlite3 connection under a SQLAlchemy connection's DBAPI connection (a pool's
    ``PoolProxiedConnection``, or the adapted connection itself): statements run on it are part
    of the transaction that connection is in."""
    return _inline(connection)._open()


def cursor(connection: Any) -> Cursor:
    """A cursor on ``driver(connection)``: work that can take long still goes to a thread."""
    return _inline(connection).cursor()


def _inline(connection: Any) -> Connection:
    inline = connection.driver_connection
    assert isinstance(inline, Connection)
    return inline


def begin_at_once(connection: Any, sql: str) -> bool:
    """Run a BEGIN on the driver of ``connection`` (``sa.Connection``); False when the
    BEGIN failed, as when another connection holds the write lock (the caller then runs it
    through SQLAlchemy: ``Cursor._begin`` waits for the lock, other errors are reported)."""
    inline = _inline(connection.connection)
    try:
        inline._open().execute(sql)
    except sqlite3.Error as exc:  # locked, or a failure SQLAlchemy's execution reports
        inline.found_locked = "database is locked" in str(exc)
        return False
    return True
