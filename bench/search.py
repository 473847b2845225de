"""Benchmark: full-text search latency over N stored items, on SQLite and (when
NOTIFIER_TEST_POSTGRES_URL is set) PostgreSQL.

    python bench/search.py [10000]

Stores N items (documents of 25 agenda points, Danish text drawn from the bundled word list)
through the real ingest path, which also writes the search index, then times
``store.search.search`` for a rare word, a common word, two words, a filtered query and a
newest-first query (median and worst of 20 runs each, one page of 20 results).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notifier.feed_entries import FEED_EVENTS
from notifier.models import Council
from notifier.store import Store
from tests.factories import publish_agendas

REPO = Path(__file__).resolve().parent.parent
PER_DOCUMENT = 25
RUNS = 20
TOPICS = ["sundhed", "social", "uddannelse", "trafik_infrastruktur", "klima_miljoe"]
QUERIES = {
    "rare word": ("Kattegatforbindelsen", {}),
    "common word (inflected)": ("kommunernes", {}),
    "two words": ("kommunerne regionen", {}),
    "filtered by council and topic": (
        "kommunerne",
        {"council": Council.SJAELLAND, "topic": "sundhed"},
    ),
    "newest first": ("kommunerne", {"newest_first": True}),
}


def _texts(count: int) -> list[str]:
    words = (REPO / "notifier" / "data" / "danish_words.txt").read_text().split()
    rng = random.Random(7)
    texts = []
    for n in range(count):
        body = " ".join(rng.choice(words) for _ in range(rng.randint(60, 200)))
        if n % 10 == 0:
            body += " Kommunerne og regionen drøftede sagen."
        if n % 1000 == 0:
            body += " Status på Kattegatforbindelsen."
        texts.append(body)
    return texts


async def _fill(store: Store, items: int) -> float:
    started = time.perf_counter()
    await publish_agendas(store, _texts(items), per_document=PER_DOCUMENT, topics=TOPICS)
    return time.perf_counter() - started


async def _measure(name: str, url: str, items: int) -> None:
    store = await Store.open(url)
    try:
        filled = await _fill(store, items)
        print(f"{name}: stored {items} items (index included) in {filled:.1f}s")
        for label, (query, options) in QUERIES.items():
            times, total = [], 0
            for _ in range(RUNS):
                started = time.perf_counter()
                found = await store.search.search(query, types=FEED_EVENTS, **options)  # type: ignore[arg-type]
                times.append((time.perf_counter() - started) * 1000)
                total = found.total
            print(
                f"  {label:32} {total:6} hits  median {statistics.median(times):6.1f} ms"
                f"  worst {max(times):6.1f} ms"
            )
    finally:
        await store.close()


async def main(items: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        await _measure("SQLite", f"sqlite+aiosqlite:///{directory}/bench.db", items)
    base = os.environ.get("NOTIFIER_TEST_POSTGRES_URL", "")
    if not base:
        print("PostgreSQL: skipped (set NOTIFIER_TEST_POSTGRES_URL)")
        return
    name = f"notifier_bench_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        await _measure("PostgreSQL", f"{base.rpartition('/')[0]}/{name}", items)
    finally:
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
