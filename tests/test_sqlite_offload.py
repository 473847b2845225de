"""Which SQLite calls leave the event loop's thread (``store.sqlite_inline``): a large
executemany goes to a thread however small its rows, a small one runs inline."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from notifier.store import Store, sqlite_inline
from notifier.store.prepared import Prepared
from notifier.store.schema import locks, sources
from tests.factories import offloads

NOW = datetime(2024, 6, 1, tzinfo=UTC)


async def test_an_executemany_of_many_small_rows_goes_to_a_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offloaded = offloads(monkeypatch)
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'n.db'}")
    try:
        for count in (sqlite_inline.OFFLOAD_ROWS, sqlite_inline.OFFLOAD_ROWS + 1):
            offloaded.clear()
            rows = [{"name": f"{count}-{n}", "owner": "w", "expires_at": NOW} for n in range(count)]
            async with store.db.write() as conn:
                await conn.execute(locks.insert(), rows)
            assert ("executemany" in offloaded) is (count > sqlite_inline.OFFLOAD_ROWS), offloaded
    finally:
        await store.close()


async def test_a_large_row_later_in_a_small_returning_batch_goes_to_a_thread(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch with RETURNING is judged by its first row (as an executemany is); run inline, it
    runs row by row as single statements, so a large row after small ones still leaves the
    loop's thread, as it would alone."""
    offloaded = offloads(monkeypatch)
    statement = Prepared(sources.insert().returning(sources.c.id))
    big = "u" * (4 * sqlite_inline.OFFLOAD_BYTES)
    given = [
        {"id": f"s{n}", "council": "sjaelland", "kind": "listing", "url": url}
        for n, url in enumerate(["small", "small", big])
    ]
    async with sqlite_store.db.write() as conn:
        outcome = await statement.execute(conn, given)
    assert [row["id"] for row in outcome.rows] == ["s0", "s1", "s2"]
    # The large row's execution alone (not the batch), then, as after any such work, the commit.
    assert offloaded == ["execute", "commit"], offloaded
