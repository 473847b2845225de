"""What the store asks of SQLite: readers never take the write lock, so a reader goes on while
a writer holds it (WAL), and an idle poll costs few statements."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from notifier.errors import StoreError
from notifier.models import Council, SourceKind
from notifier.store import SourceRef, Store, sqlite_inline
from tests.factories import sqlite_statements, statements_run


async def test_a_reader_is_not_blocked_by_a_writer_holding_the_lock(tmp_path: Path) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}")
    try:
        # BEGIN IMMEDIATE: this connection holds the write lock.
        async with sqlite_statements(store) as statements, store.db.write():
            # Were a reader to ask for the write lock it would wait here for busy_timeout.
            states = await asyncio.wait_for(store.sources.states(), timeout=5)
            found = await asyncio.wait_for(store.polls.fetch_states(["http://x/"]), timeout=5)
        assert states == [] and found == {}
        begins = [s for s in statements if s.upper().startswith("BEGIN")]
        assert begins == ["BEGIN IMMEDIATE", "BEGIN", "BEGIN"]
    finally:
        await store.close()


async def test_an_idle_poll_costs_two_transactions_of_few_statements(store: Store) -> None:
    source = SourceRef(
        id="s", council=Council.SJAELLAND, kind=SourceKind.LISTING, url="http://127.0.0.1/x"
    )

    async def poll() -> None:
        now = datetime.now(UTC)
        start = await store.polls.begin(source, owner="o", now=now, ttl=timedelta(seconds=90))
        assert start is not None
        await store.polls.finish(
            source,
            previous=start.state,
            plan=None,
            fetched=[],
            errors=[],
            failed=False,
            owner="o",
            now=now,
        )

    await poll()  # creates the source's row
    async with statements_run(store) as statements:
        await poll()
    words = [s.split(None, 1)[0].upper() for s in statements]
    if store.db.dialect == "sqlite":  # its trace sees the transactions too
        assert words.count("BEGIN") == words.count("COMMIT") == 2, statements
    work = [w for w in words if w not in {"BEGIN", "COMMIT"}]
    # begin: the lease (one upsert), the source's row with its URL's validators, its newest
    # documents with theirs; finish: the lease given back, the source's health.
    assert len(work) <= 5, statements


async def _ticking(ticks: list[float]) -> None:
    while True:
        await asyncio.sleep(0.01)
        ticks.append(time.monotonic())


async def test_a_writer_waits_for_another_connections_lock_without_holding_the_loop(
    tmp_path: Path,
) -> None:
    # SQLite's calls run on the loop's thread (sqlite_inline): were the writer to wait for the
    # lock inside SQLite, the loop would stand still and the lock, given back by a callback on
    # the same loop, would never come free.
    path = tmp_path / "notifier.db"
    store = await Store.open(f"sqlite+aiosqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)
    ticks: list[float] = []
    ticker = asyncio.create_task(_ticking(ticks))
    try:
        other.execute("BEGIN IMMEDIATE")
        held_until = time.monotonic() + 0.3
        asyncio.get_running_loop().call_later(0.3, other.execute, "COMMIT")
        await asyncio.wait_for(store.leases.retire("nobody"), timeout=10)
        assert time.monotonic() >= held_until  # it did wait for the lock
        during = [t for t in ticks if t < held_until]
        assert len(during) >= 5, "the event loop stood still while the writer waited"
    finally:
        ticker.cancel()
        other.close()
        await store.close()


async def test_a_locked_begin_holds_the_loop_for_one_busy_timeout(tmp_path: Path) -> None:
    # The BEGIN tried on the driver at once waits BUSY_TIMEOUT on the loop's thread when
    # another connection holds the lock; the retry through SQLAlchemy waits off it first,
    # rather than for another BUSY_TIMEOUT on it.
    path = tmp_path / "notifier.db"
    store = await Store.open(f"sqlite+aiosqlite:///{path}")

    async def longest_stall() -> float:
        other = sqlite3.connect(path, isolation_level=None)
        gaps: list[float] = []

        async def tick() -> None:
            last = time.perf_counter()
            while True:
                await asyncio.sleep(0)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        try:
            other.execute("BEGIN IMMEDIATE")
            asyncio.get_running_loop().call_later(0.05, other.execute, "COMMIT")
            ticker = asyncio.create_task(tick())
            await asyncio.sleep(0.001)
            async with store.db.write():
                pass
            ticker.cancel()
        finally:
            other.close()
        return max(gaps)

    try:
        stall = min([await longest_stall() for _ in range(3)])
    finally:
        await store.close()
    assert stall < 1.5 * sqlite_inline.BUSY_TIMEOUT, f"loop held {stall * 1000:.1f} ms"


async def test_a_writer_gives_up_on_a_lock_held_too_long(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_inline, "LOCK_WAIT", 0.2)
    path = tmp_path / "notifier.db"
    store = await Store.open(f"sqlite+aiosqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError, match="database is locked"):
            await asyncio.wait_for(store.leases.retire("nobody"), timeout=10)
        other.execute("COMMIT")
        await store.leases.retire("nobody")  # and works again once the lock is free
    finally:
        other.close()
        await store.close()


async def test_sqlite_calls_run_without_a_thread_per_connection(tmp_path: Path) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}")
    before = threading.active_count()  # the migration's commits may have started a worker
    try:
        async with store.db.write() as first, store.db.read() as second:
            assert await first.scalar(sa.text("SELECT 1")) == 1
            assert await second.scalar(sa.text("SELECT 2")) == 2
            # No thread was started (one left by an earlier test may have ended meanwhile).
            assert threading.active_count() <= before
    finally:
        await store.close()


async def test_only_a_statements_own_work_sends_it_to_a_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A statement that took long because it waited (the sleep stands for another thread
    keeping the GIL, or a busy host) stays on the loop's thread; one that worked that long goes
    to a thread from its third time on. By the wall clock, an ingest's concurrent work sent the
    idle poll's quick lookups to a thread for good."""
    monkeypatch.setattr(sqlite_inline, "_slow", set())
    monkeypatch.setattr(sqlite_inline, "_slow_seen", Counter())
    pause = 4 * sqlite_inline.SLOW_SECONDS

    def waits() -> int:
        time.sleep(pause)
        return 1

    def works() -> int:
        end = time.thread_time() + pause
        while time.thread_time() < end:
            pass
        return 1

    conn = sqlite_inline.connect(":memory:")
    try:
        await conn.create_function("waits", 0, waits)
        await conn.create_function("works", 0, works)
        for _ in range(sqlite_inline.SLOW_AFTER):
            for sql in ("SELECT waits()", "SELECT works()"):
                assert (await (await conn.execute(sql)).fetchall()) == [(1,)]
        assert sqlite_inline._slow == {"SELECT works()"}
    finally:
        await conn.close()


async def test_writers_of_one_process_take_turns_without_retrying(tmp_path: Path) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}")
    order: list[str] = []

    async def slow_writer() -> None:
        async with store.db.write() as conn:
            await conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
            order.append("first in")
            await asyncio.sleep(0.2)  # holds the write lock across a real wait
            order.append("first out")

    async def second_writer() -> None:
        await asyncio.sleep(0.05)
        async with store.db.write() as conn:
            order.append("second in")
            await conn.execute(sa.text("INSERT INTO t VALUES (1)"))

    try:
        async with sqlite_statements(store) as statements:
            await asyncio.wait_for(asyncio.gather(slow_writer(), second_writer()), timeout=10)
        assert order == ["first in", "first out", "second in"]
        begins = [s for s in statements if s.startswith("BEGIN")]
        assert begins == ["BEGIN IMMEDIATE", "BEGIN IMMEDIATE"]  # the second never had to retry
    finally:
        await store.close()


SLOW = sa.text(
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) "
    "SELECT count(*) FROM c WHERE :pad != ''"
)


async def test_a_task_cancelled_during_a_statement_in_a_thread_leaves_the_store_usable(
    tmp_path: Path,
) -> None:
    # Before the statement was let end, the rollback ran while the thread still used the
    # connection, and the interpreter crashed (sqlite_inline._in_thread).
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}")

    async def slow_write() -> None:
        async with store.db.write() as conn:
            await conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
            await conn.execute(SLOW, {"pad": "x" * 100_000})  # large: goes to a thread

    try:
        task = asyncio.create_task(slow_write())
        await asyncio.sleep(0.1)
        task.cancel()
        # SQLAlchemy turns a cancellation inside a statement into a pending-rollback error
        # (with aiosqlite as well): either way the transaction is gone.
        with contextlib.suppress(asyncio.CancelledError, StoreError):
            await task
        await store.leases.retire("nobody")  # the store still works
        async with store.db.read() as conn:
            found = sa.text("SELECT name FROM sqlite_master WHERE name = 't'")
            tables = (await conn.execute(found)).all()
        assert tables == []  # the cancelled transaction left nothing behind
    finally:
        await store.close()


async def test_writers_share_one_kept_connection_and_a_failure_replaces_it(
    tmp_path: Path,
) -> None:
    """SQLite's writers take turns, so they use one connection kept open between their
    transactions (a checkout per transaction cost more than a small transaction); a write that
    fails, or is cancelled, leaves nothing behind and the next one gets a fresh connection."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}")
    checkouts: list[object] = []
    sa.event.listen(
        store.db.engine.sync_engine, "checkout", lambda dbapi, *_: checkouts.append(dbapi)
    )
    try:
        for n in range(5):
            async with store.db.write() as conn:
                if n == 0:
                    await conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
                await conn.execute(sa.text("INSERT INTO t VALUES (:n)"), {"n": n})
        assert len(checkouts) == 1

        with pytest.raises(RuntimeError):
            async with store.db.write() as conn:
                await conn.execute(sa.text("INSERT INTO t VALUES (100)"))
                raise RuntimeError("the caller's own failure")

        async def cancelled() -> None:
            async with store.db.write() as conn:
                await conn.execute(sa.text("INSERT INTO t VALUES (200)"))
                await asyncio.sleep(10)

        task = asyncio.create_task(cancelled())
        await asyncio.sleep(0.05)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

        async with store.db.write() as conn:
            await conn.execute(sa.text("INSERT INTO t VALUES (5)"))
        assert len(checkouts) == 3  # one more after each failure
        async with store.db.read() as conn:
            kept = [row.x for row in await conn.execute(sa.text("SELECT x FROM t ORDER BY x"))]
        assert kept == [0, 1, 2, 3, 4, 5]
        # One left in a transaction (not expected: nothing but a write uses it) is closed and
        # replaced, not reused mid-transaction.
        stray = store.db._writing[asyncio.get_running_loop()]
        await stray.begin()
        async with store.db.write() as conn:
            assert conn is not stray
        assert stray.closed
    finally:
        await store.close()


async def test_readers_reuse_a_kept_connection_and_each_sees_the_latest_commit(
    tmp_path: Path,
) -> None:
    """A read takes the connection kept for readers when it is free (a pool checkout and
    return cost as much as a small read), another one while it is taken; every read is a new
    snapshot; a read that fails, or is cancelled, does not leave its connection kept."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}")
    checkouts: list[object] = []
    sa.event.listen(
        store.db.engine.sync_engine, "checkout", lambda dbapi, *_: checkouts.append(dbapi)
    )
    count = sa.text("SELECT count(*) FROM t")
    try:
        async with store.db.write() as conn:
            await conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        for n in range(4):
            async with store.db.write() as conn:
                await conn.execute(sa.text("INSERT INTO t VALUES (:n)"), {"n": n})
            async with store.db.read() as conn:
                assert await conn.scalar(count) == n + 1  # the commit just made
        assert len(checkouts) == 2  # the writers' connection and the readers'

        # Nested (or concurrent) readers: the second takes a connection of its own, and only
        # one is kept afterwards.
        async with store.db.read() as outer, store.db.read() as inner:
            assert outer.sync_connection is not inner.sync_connection
            assert await outer.scalar(count) == await inner.scalar(count) == 4
        async with store.db.read() as conn:
            kept = conn
        assert len(checkouts) == 3

        with pytest.raises(StoreError):
            async with store.db.read() as conn:
                await conn.execute(sa.text("SELECT * FROM missing"))
        assert kept.closed

        async def cancelled() -> None:
            async with store.db.read() as conn:
                await conn.scalar(count)
                await asyncio.sleep(10)

        task = asyncio.create_task(cancelled())
        await asyncio.sleep(0.05)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        async with store.db.read() as conn:
            assert await conn.scalar(count) == 4
        assert len(checkouts) == 5  # a fresh connection after each failure
    finally:
        await store.close()


def _bytes_written() -> int:
    """What this process has written so far (Linux)."""
    with open("/proc/self/io") as io:
        return next(int(line.split()[1]) for line in io if line.startswith("wchar:"))


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="counts bytes written: Linux")
async def test_a_large_transaction_writes_each_page_once(tmp_path: Path) -> None:
    # With SQLite's default 2 MB page cache, a transaction changing more pages than that spills
    # them to the log before its commit and writes them again as it goes on changing them: a
    # digest run for 10,000 subscribers wrote 2.6 times the bytes it did with 16 MB.
    path = tmp_path / "notifier.db"
    store = await Store.open(f"sqlite+aiosqlite:///{path}")
    try:
        async with store.db.write() as conn:
            await conn.execute(sa.text("CREATE TABLE told (a INTEGER, b TEXT)"))
            await conn.execute(sa.text("CREATE INDEX told_b ON told (b)"))
        rows = [{"a": n, "b": f"{(n * 7919) % 60000:064x}"} for n in range(60000)]
        before = _bytes_written()
        async with store.db.write() as conn:
            # ~10 MB of rows and index entries, the index filled in random order.
            await conn.execute(sa.text("INSERT INTO told VALUES (:a, :b)"), rows)
        written = _bytes_written() - before
        async with store.db.read() as conn:
            pages = (await conn.execute(sa.text("PRAGMA page_count"))).scalar_one()
            page_size = (await conn.execute(sa.text("PRAGMA page_size"))).scalar_one()
    finally:
        await store.close()
    # Each page once to the log and once more to the database file when the log is checkpointed
    # (2x); spilling, 10x.
    assert written < 3 * pages * page_size, (written, pages * page_size)
