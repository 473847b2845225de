"""What the store asks of SQLite: readers never take the write lock, so a reader goes on while
a writer holds it (WAL), and an idle poll costs few statements."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from notifier.models import Council, SourceKind
from notifier.store import SourceRef, Store


async def test_a_reader_is_not_blocked_by_a_writer_holding_the_lock(tmp_path: Path) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}")
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    sa.event.listen(store.db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with store.db.write():  # BEGIN IMMEDIATE: this connection holds the write lock
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
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    sa.event.listen(store.db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        await poll()
    finally:
        sa.event.remove(store.db.engine.sync_engine, "before_cursor_execute", seen)
    work = [s for s in statements if s not in {"BEGIN", "SAVEPOINT", "RELEASE"}]
    # begin: the source's row, the lease (one upsert), its newest documents, their validators;
    # finish: the lease given back, the source's health.
    assert len(work) <= 6, statements
