"""Benchmark: the web app's cached feeds over a store of N items (SQLite).

    python bench/feeds.py [10000] [--db PATH]

Stores N items (documents of 25 agenda points across the five councils and six topics, Danish
text drawn from the bundled word list) through the real ingest path; ``--db`` keeps the file
and reuses it when it already holds them. Then, three times over, on a freshly built app:

* server CPU per request (``time.process_time`` over REQUESTS calls of the ASGI app in-process,
  scope in and messages out, no client library in the measurement) for /healthz, a cached
  feed (``/feeds/alle.rss``, 200 with its body) and the same feed answered 304 by ETag;
* the first build (wall time), and the longest gap between /healthz answers meanwhile;
* the rebuild after one new item: the first feed request after publishing one agenda point
  (wall time, so it includes the database read; the request is the one that rebuilds);
* the first feed request after a source's failure is recorded (nothing to rebuild).

Prints min / median / max of the three rounds. Limits (issue 12): cached feed server CPU
<= 0.3 ms per request; rebuild after one new item < 200 ms.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notifier.config import Settings
from notifier.models import Council
from notifier.runtime import Runtime
from notifier.store import Store
from notifier.web.app import create_app
from tests.factories import TOPIC_IDS, Spec, publish, publish_agendas, source_for

REPO = Path(__file__).resolve().parent.parent
PER_DOCUMENT = 25
REQUESTS = 2000
ROUNDS = 3
FEED = "/feeds/alle.rss"
TOPICS = TOPIC_IDS
SECRET = "bench-secret-key-0123456789abcdefghijklmnop"

Asgi = Callable[..., Any]


def _texts(count: int) -> list[str]:
    words = (REPO / "notifier" / "data" / "danish_words.txt").read_text().split()
    rng = random.Random(7)
    return [" ".join(rng.choice(words) for _ in range(rng.randint(60, 200))) for _ in range(count)]


async def _fill(store: Store, items: int) -> None:
    await publish_agendas(store, _texts(items), per_document=PER_DOCUMENT, topics=TOPICS)


def _scope(path: str, headers: Sequence[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }


async def call(
    app: Asgi, path: str, headers: Sequence[tuple[bytes, bytes]] = ()
) -> tuple[int, dict[bytes, bytes], bytes]:
    """One GET through the ASGI app; returns the status, the headers and the body."""
    started: dict[str, Any] = {}
    body: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            started.update(message)
        else:
            body.append(message.get("body", b""))

    await app(_scope(path, headers), receive, send)
    return started["status"], dict(started["headers"]), b"".join(body)


async def _cpu_per_request(
    app: Asgi, path: str, headers: Sequence[tuple[bytes, bytes]] = ()
) -> float:
    """Milliseconds of process CPU per request."""
    started = time.process_time()
    for _ in range(REQUESTS):
        await call(app, path, headers)
    return (time.process_time() - started) * 1000 / REQUESTS


async def _timed(app: Asgi, path: str, *, shows: str = "") -> float:
    """Milliseconds (wall) of one request; ``shows``: text the answer must hold."""
    started = time.perf_counter()
    status, _headers, body = await call(app, path)
    elapsed = (time.perf_counter() - started) * 1000
    assert status == 200 and shows.encode() in body, (status, shows)
    return elapsed


async def _while_healthz(app: Asgi, work: Awaitable[float]) -> tuple[float, float]:
    """``work``'s result, and the longest time between two /healthz answers while it ran
    (asked every 5 ms): how long the event loop was held."""
    done = asyncio.Event()
    longest = 0.0

    async def ping() -> None:
        nonlocal longest
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.005)
            # Counted also when the work has just ended: its last stretch held the loop too.
            longest = max(longest, (time.perf_counter() - last) * 1000)
            if done.is_set():
                return
            status, _headers, _body = await call(app, "/healthz")
            assert status == 200
            last = time.perf_counter()

    pinging = asyncio.create_task(ping())
    try:
        result = await work
    finally:
        done.set()
        await pinging
    return result, longest


async def _round(store: Store, settings: Settings, number: int) -> dict[str, float]:
    runtime = Runtime(settings, store=store)
    app = create_app(runtime)
    figures: dict[str, float] = {}
    (
        figures["first build, ms"],
        figures["first build: longest /healthz gap, ms"],
    ) = await _while_healthz(app, _timed(app, FEED))
    figures["/healthz CPU, ms/request"] = await _cpu_per_request(app, "/healthz")
    figures["cached feed CPU, ms/request"] = await _cpu_per_request(app, FEED)
    status, headers, _body = await call(app, FEED)
    etag = headers[b"etag"]
    assert status == 200 and (await call(app, FEED, [(b"if-none-match", etag)]))[0] == 304
    figures["cached feed 304 CPU, ms/request"] = await _cpu_per_request(
        app, FEED, [(b"if-none-match", etag)]
    )
    figures["feed / healthz CPU ratio"] = (
        figures["cached feed CPU, ms/request"] / figures["/healthz CPU, ms/request"]
    )
    fresh = f"Nyt punkt {time.time_ns()}"  # new in a reused database too
    await publish(
        store,
        [Spec(title=fresh, text="KKR drøftede sagen.", topics=["sundhed"])],
        council=Council.SJAELLAND,
        day=date(2026, 1, 1) + timedelta(days=number),
        title=f"Dagsorden {fresh}",
    )
    figures["rebuild after one new item, ms"] = await _timed(app, FEED, shows=fresh)
    now = datetime.now(UTC)
    await store.polls.fail(
        source_for(Council.NORDJYLLAND), "bench", owner=f"bench-{number}", now=now
    )
    figures["request after a source.failed, ms"] = await _timed(app, FEED)
    return figures


async def main(items: int, db: Path) -> None:
    url = f"sqlite+aiosqlite:///{db}"
    store = await Store.open(url)
    try:
        held = await store.archive.last_event_id()
        if held < items:
            started = time.perf_counter()
            await _fill(store, items)
            print(f"stored {items} items in {time.perf_counter() - started:.0f} s")
        settings = Settings.model_validate(
            {
                "database_url": url,
                "topics_file": REPO / "config" / "topics.toml",
                "smtp": {"host": "127.0.0.1", "port": 25, "security": "none"},
                "mail": {"from_address": "KKR Notifier <kkr@kommune.example>"},
                "web": {"base_url": "http://testserver", "secret_key": SECRET},
            }
        )
        rounds = [await _round(store, settings, n) for n in range(ROUNDS)]
    finally:
        await store.close()
    print(f"feeds over {items} items (SQLite), min / median / max of {ROUNDS}:")
    for name in rounds[0]:
        values = sorted(r[name] for r in rounds)
        print(f"  {name:36} {values[0]:9.3f} {statistics.median(values):9.3f} {values[-1]:9.3f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    path = None
    if "--db" in args:
        at = args.index("--db")
        path = Path(args[at + 1])
        del args[at : at + 2]
    count = int(args[0]) if args else 10_000
    if path is not None:
        asyncio.run(main(count, path))
    else:
        with tempfile.TemporaryDirectory() as directory:
            asyncio.run(main(count, Path(directory) / "bench.db"))
