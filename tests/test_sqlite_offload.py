"""Which SQLite calls leave the event loop's thread (``store.sqlite_inline``): a large
executemany goes to a thread however small its rows, a small one runs inline."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from notifier.store import Store, sqlite_inline
from notifier.store.schema import locks
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
