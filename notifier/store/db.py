"""Engine creation, migrations, and the transactions every store method runs in.

``Database.read()`` and ``Database.write()`` are the only ways into the database: each is one
transaction, and each turns a database failure into ``StoreError`` at the store's boundary, so
callers above the store never see SQLAlchemy. On SQLite a writer takes the write lock up front
(``BEGIN IMMEDIATE``: a read-then-write transaction then waits instead of failing when another
writer got in between), waiting for it off the event loop; a reader uses a plain ``BEGIN`` and
never blocks writers (WAL). SQLite's calls run on the caller's thread (``sqlite_inline``), and
this process's writers, which take turns, share one connection kept open between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from notifier.errors import StoreError
from notifier.store import sqlite_inline

_T = TypeVar("_T")

MIGRATIONS = Path(__file__).parent / "migrations"
_READ_ONLY = "notifier_read_only"
# Set on a connection by events.append: the event types its transaction appended.
APPENDED = "notifier_appended"
# PostgreSQL: a statement that waits this long for a lock (another session's LOCK TABLE, a
# stuck transaction) fails as a StoreError the job retries, instead of holding its job (and
# the job's locks in this process) forever. SQLite's writers wait up to
# sqlite_inline.LOCK_WAIT alike.
LOCK_TIMEOUT = "30s"
CACHE_KIB = 16 * 1024  # each SQLite connection's page cache


def create_engine(url: str) -> AsyncEngine:
    """An async engine; for SQLite, create the directory, use WAL and enforce foreign keys."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"not a database URL: {exc}") from None
    kwargs: dict[str, Any] = {}
    # SQLite's connect arguments, as the dialect makes them from the URL once the engine exists.
    sqlite_args: list[tuple[Sequence[Any], Mapping[str, Any]]] = []
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)

        async def inline_connection() -> sqlite_inline.Connection:
            args, options = sqlite_args[0]
            return sqlite_inline.connect(*args, **options)

        kwargs["async_creator"] = inline_connection
    else:
        kwargs["pool_pre_ping"] = True
        if parsed.get_driver_name() == "asyncpg":
            kwargs["connect_args"] = {"server_settings": {"lock_timeout": LOCK_TIMEOUT}}
    try:
        engine = create_async_engine(url, **kwargs)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot use database {parsed.render_as_string()}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        sqlite_args.append(engine.dialect.create_connect_args(engine.url))
        sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine.sync_engine, "begin", sqlite_begin)
    return engine


def sqlite_begin(connection: sa.Connection) -> None:
    read_only = connection.get_execution_options().get(_READ_ONLY)
    sql = "BEGIN" if read_only else "BEGIN IMMEDIATE"
    # Straight on the driver (a SQLAlchemy execution costs more than the transaction's small
    # statements); only when another process holds the write lock does the BEGIN go through
    # SQLAlchemy, whose driver call waits for the lock off the event loop (sqlite_inline).
    if not sqlite_inline.begin_at_once(connection, sql):
        connection.exec_driver_sql(sql)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy, not the driver, decides when transactions begin (see sqlite_begin): the
    # connection is made with isolation_level None (sqlite_inline.connect).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # SQLite's default page cache (2 MB) is spilled to the log again and again inside one large
    # transaction: a digest run for 10,000 subscribers wrote 1,101 MB with it, 421 MB with 16 MB
    # (bench/README.md). Pages are cached only once read, so a small database costs no more.
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
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
                # Replicas starting together must not race on the same migration; one may
                # wait for another's migration longer than statements usually wait for locks.
                await connection.execute(sa.text("SET LOCAL lock_timeout = '10min'"))
                await connection.execute(sa.text("SELECT pg_advisory_xact_lock(4242001)"))
            await connection.run_sync(upgrade)
    except (sa.exc.SQLAlchemyError, OSError) as exc:
        raise StoreError(f"database migration failed: {exc}") from exc


def insert(conn: AsyncConnection, table: sa.Table) -> Any:
    """An INSERT for the connection's dialect, so it can take ``on_conflict_do_nothing``."""
    return _dialect(conn).insert(table)


def _dialect(conn: AsyncConnection) -> ModuleType:
    return postgresql if conn.dialect.name == "postgresql" else sqlite


def json_values(name: str) -> sa.Select[Any]:
    """SQLite: the values of a JSON array bound as ``name``, a row each (json_each), for an IN
    whose list SQLAlchemy need not expand into a parameter per value at every execution."""
    values = sa.func.json_each(sa.bindparam(name, type_=sa.String)).table_valued("value")
    return sa.select(values.c.value)


def per_dialect(build: Callable[[ModuleType], _T]) -> Callable[[AsyncConnection], _T]:
    """A statement of a hot path built once per dialect (``build`` gets the dialect's module,
    whose ``insert`` takes ON CONFLICT), its values bound when it runs: building a statement
    and its cache key costs SQLAlchemy more than SQLite takes to run a small one."""
    made: dict[str, _T] = {}

    def statement(conn: AsyncConnection) -> _T:
        found = made.get(conn.dialect.name)
        if found is None:
            found = made[conn.dialect.name] = build(_dialect(conn))
        return found

    return statement


class Database:
    """One engine and the two kinds of transaction the store runs."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # Events committed by this process, by type: caches in this process see their own
        # writes at once, without asking the database (other processes' by checking).
        self.appended: Counter[str] = Counter()
        # SQLite: this process's writers take turns here, waiting on the event loop, instead of
        # for SQLite's write lock, which they would wait for on the loop's thread (sqlite_inline).
        self._writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        # SQLite: the connection this process's writers use in turn, kept open between their
        # transactions (see _begin_writing).
        self._writing: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncConnection] = (
            weakref.WeakKeyDictionary()
        )
        # SQLite: a connection kept open for readers between their transactions, when free
        # (see _begin_reading).
        self._reading: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncConnection] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A read-only transaction (a consistent snapshot; never takes SQLite's write lock)."""
        with translated():
            async with contextlib.AsyncExitStack() as stack:
                yield await self._begin_reading(stack)

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A read-write transaction, committed when the block ends without an exception."""
        appended: list[str] = []
        with translated():
            async with contextlib.AsyncExitStack() as stack:
                conn = await self._begin_writing(stack)
                try:
                    yield conn
                finally:
                    appended = conn.info.pop(APPENDED, [])
        self.appended.update(appended)  # only once committed

    async def _begin_reading(self, stack: contextlib.AsyncExitStack) -> AsyncConnection:
        """A connection in a read-only transaction. SQLite: the one kept for this process's
        readers, unless another reader has it: taking one from the pool and giving it back cost
        as much again as the read itself (a poll's look-up, a console page)."""
        if self.dialect != "sqlite":
            conn = await stack.enter_async_context(self.engine.connect())
        else:
            loop = asyncio.get_running_loop()
            kept = self._reading.get(loop)
            if kept is not None:
                del self._reading[loop]  # the others take one of their own meanwhile
            if kept is None or kept.closed or kept.invalidated or kept.in_transaction():
                if kept is not None:  # not expected: a failed transaction closes it (below)
                    with contextlib.suppress(Exception):
                        await kept.close()
                kept = await self.engine.connect()
            conn = kept
            stack.push_async_exit(self._kept_for_reading(loop, conn))
        conn = await conn.execution_options(**{_READ_ONLY: True})
        await stack.enter_async_context(conn.begin())
        return conn

    def _kept_for_reading(self, loop: asyncio.AbstractEventLoop, conn: AsyncConnection) -> Any:
        """An exit callback: a reader's connection is kept for the next one when its
        transaction ended cleanly and none is kept yet; else it goes back to the pool (after
        a failure or a cancellation it may still be in a transaction)."""

        async def exit_(exc_type: type[BaseException] | None, *_: object) -> bool:
            if exc_type is None and loop not in self._reading and not conn.in_transaction():
                self._reading[loop] = conn
            else:
                with contextlib.suppress(Exception):
                    await conn.close()
            return False

        return exit_

    async def _begin_writing(self, stack: contextlib.AsyncExitStack) -> AsyncConnection:
        """A connection in a write transaction. SQLite: after this process's other writers,
        waiting on the event loop (for another process's, sqlite_inline waits)."""
        if self.dialect != "sqlite":
            return await stack.enter_async_context(self.engine.begin())
        loop = asyncio.get_running_loop()
        turn = self._writers.setdefault(loop, asyncio.Lock())
        if turn.locked():
            try:
                await asyncio.wait_for(turn.acquire(), sqlite_inline.LOCK_WAIT)
            except TimeoutError:
                raise StoreError("database is locked by another writer of this process") from None
        else:
            # Free: taken at once (wait_for would add a task and a turn of the loop).
            await turn.acquire()
        stack.callback(turn.release)
        # Writers take turns, so one connection serves them all: taking one from the pool and
        # giving it back (a reset, and a close in a task of its own) cost more than a small
        # write transaction itself.
        conn = self._writing.get(loop)
        if conn is None or conn.closed or conn.invalidated or conn.in_transaction():
            if conn is not None:  # not expected: a failed transaction closes it (below)
                with contextlib.suppress(Exception):
                    await conn.close()
            conn = self._writing[loop] = await self.engine.connect()
        stack.push_async_exit(self._dropped_on_error(loop, conn))
        await stack.enter_async_context(conn.begin())
        return conn

    def _dropped_on_error(self, loop: asyncio.AbstractEventLoop, conn: AsyncConnection) -> Any:
        """An exit callback: after a failed transaction (or a cancelled one, whose rollback may
        not have run) the kept connection is closed, and the next writer takes a fresh one."""

        async def exit_(exc_type: type[BaseException] | None, *_: object) -> bool:
            if exc_type is not None and self._writing.get(loop) is conn:
                del self._writing[loop]
                with contextlib.suppress(Exception):
                    await conn.close()
            return False

        return exit_

    async def dispose(self) -> None:
        loop = asyncio.get_running_loop()
        for kept in (self._writing.pop(loop, None), self._reading.pop(loop, None)):
            if kept is not None:
                await kept.close()
        await self.engine.dispose()


@contextlib.contextmanager
def translated() -> Any:
    """Database failures leave the store as StoreError; other exceptions pass unchanged."""
    try:
        yield
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"database error: {_first_line(exc)}") from exc
    except (OSError, TimeoutError) as exc:
        raise StoreError(f"database unreachable: {exc}") from exc


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0] if text else type(exc).__name__


async def open_engine(url: str) -> AsyncEngine:
    engine = create_engine(url)
    try:
        await migrate(engine)
    except BaseException:
        await engine.dispose()
        raise
    return engine
