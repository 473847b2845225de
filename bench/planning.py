"""Benchmark: digest planning of many subscribers over many events, with /healthz probed.

    python bench/planning.py [subscribers events]     (default 10000 2000)

A fresh SQLite database holds ``events`` new agenda points (six topics, five councils, some
naming places that subscribers follow by their own words) and ``subscribers`` daily
subscribers in a realistic mix of about 100 distinct subscriptions (topics, councils, own
words, excluded words); a few joined halfway, so their cursor is later. Each of three runs
starts from a copy of that database and measures ``DigestRunner.make`` (read, plan, render,
build the MIME messages, enqueue) in CPU seconds of this process (``time.process_time``),
while the web app is served by uvicorn in this same process, as the service does, and a
separate process asks for /healthz every 10 ms: the slowest answer is printed too, and how
much the database (with its write-ahead log) grew.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import shutil
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notifier.collector import collect_less
from notifier.config import Settings
from notifier.models import Council, Frequency, SubscriberState
from notifier.runtime import Runtime
from notifier.store import Store
from notifier.store import subscribers as store_subscribers
from notifier.web.app import create_app
from tests.factories import TOPIC_IDS, Spec, publish
from tests.smtp import free_port

REPO = Path(__file__).resolve().parent.parent
TOPICS = TOPIC_IDS
PLACES = ["Movia", "Kattegatforbindelsen", "letbanen", "sygehusbyggeriet", "Femern", "Holbæk"]
WORDS = [("Movia",), ("Kattegatforbindelse",), ("letbane",), ("sygehus*",), ("Femern", "Holbæk")]
EXCLUDED = [(), (), (), ("Femern",), ("letbane",)]
POINTS_PER_DOCUMENT = 50
NOW = datetime(2024, 6, 21, 5, 0, tzinfo=UTC)
TEXT = (
    "KKR drøftede den fælles indsats på området og de næste skridt i samarbejdet mellem "
    "kommunerne og regionen. Sekretariatet fremlagde en status med økonomi og tidsplan. "
)


def _profiles() -> list[dict[str, object]]:
    """About 100 distinct subscriptions: topic pairs and singles, all topics, words only."""
    councils: list[tuple[str, ...]] = [("all",), *[(c.value,) for c in Council]]
    topic_sets: list[tuple[str, ...]] = [(t,) for t in TOPICS]
    topic_sets += [(a, b) for i, a in enumerate(TOPICS) for b in TOPICS[i + 1 :]]
    topic_sets.append(("all",))
    profiles: list[dict[str, object]] = []
    for n, topics in enumerate(topic_sets):
        for k, council in enumerate(councils):
            if (n + k) % 2 and council != ("all",):
                continue  # not every combination: about 100 topic profiles
            words = WORDS[(n + k) % len(WORDS)] if (n + k) % 3 == 0 else ()
            excluded = EXCLUDED[(n + k) % len(EXCLUDED)] if words else ()
            profiles.append(
                {"topics": topics, "councils": council, "keywords": words, "excluded": excluded}
            )
    for k, words in enumerate(WORDS):  # their own words only
        for council in councils[: 2 + k]:
            profiles.append(
                {"topics": (), "councils": council, "keywords": words, "excluded": EXCLUDED[k]}
            )
    return profiles


async def _setup(url: str, people: int, events: int) -> int:
    store = await Store.open(url)
    profiles = _profiles()
    councils = list(Council)
    documents = max(1, events // POINTS_PER_DOCUMENT)
    try:

        async def add(start: int, stop: int) -> None:
            async with store.db.write() as conn:  # one transaction: setup, not measured
                for n in range(start, stop):
                    # A skewed mix: a few subscriptions are common, most are rare.
                    profile = profiles[(n * n) % len(profiles)] if n % 3 else profiles[n % 7]
                    await store_subscribers.insert(
                        conn,
                        email=f"p{n}@example.org",
                        name=f"Politiker {n}" if n % 10 else "",
                        frequency=Frequency.DAILY,
                        state=SubscriberState.ACTIVE,
                        now=NOW,
                        **profile,
                    )

        late = people // 20  # these join halfway: a later cursor
        await add(0, people - late)
        for d in range(documents):
            if d == documents // 2:
                await add(people - late, people)
            specs = []
            for k in range(POINTS_PER_DOCUMENT):
                n = d * POINTS_PER_DOCUMENT + k
                topics = [TOPICS[n % 6]] + ([TOPICS[(n // 6) % 6]] if n % 4 == 0 else [])
                place = f" Sagen vedrører {PLACES[n % len(PLACES)]}." if n % 5 == 0 else ""
                specs.append(
                    Spec(
                        title=f"Punkt {n}: {topics[0]} i {councils[d % 5].danish_name}",
                        text=TEXT * (1 + n % 3) + place,
                        topics=list(dict.fromkeys(topics)),
                        number=str(k + 1),
                        indstilling="Det indstilles, at KKR drøfter sagen.",
                    )
                )
            await publish(
                store,
                specs,
                council=councils[d % 5],
                day=date(2024, 1, 1) + timedelta(days=d),
                title=f"Dagsorden {d}",
                now=NOW,
            )
        return len(profiles)
    finally:
        await store.close()


def _probe(port: int, stop: Connection, out: Connection) -> None:
    """In its own process: GET /healthz every 10 ms until told to stop; send the slowest."""
    slowest, count = 0.0, 0
    # No timeout: a loop blocked for a minute is measured as a minute.
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=None) as client:
        client.get("/healthz").raise_for_status()
        out.send("ready")
        while not stop.poll():
            started = time.perf_counter()
            client.get("/healthz").raise_for_status()
            slowest = max(slowest, time.perf_counter() - started)
            count += 1
            time.sleep(0.01)
    out.send((slowest, count))


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.up = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.up.set()


@contextlib.asynccontextmanager
async def _served(runtime: Runtime, port: int) -> AsyncIterator[None]:
    config = uvicorn.Config(
        create_app(runtime), host="127.0.0.1", port=port, log_config=None, access_log=False
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    await server.up.wait()
    try:
        yield
    finally:
        server.should_exit = True
        await task


async def _run(url: str) -> tuple[float, float, int, int]:
    settings = Settings(
        database_url=url,
        topics_file=REPO / "config" / "topics.toml",
        mail={"from_address": "KKR <kkr@example.org>", "list_id": "kkr.example.org"},
        web={"base_url": "https://kkr.example.org", "secret_key": "bench-planning-secret-key"},
    )
    port = free_port()
    async with Runtime(settings) as runtime, _served(runtime, port):
        # Spawned, not forked: a forked prober starts as a copy-on-write share of this process,
        # whose heap each run grows, and its slowest answer grew with it: a forked prober
        # measured 125-808 ms in second and third runs where a spawned one, in the same
        # sitting, measured 40-83 ms (and an in-process watchdog saw no stall of the loop).
        spawn = multiprocessing.get_context("spawn")
        stop_recv, stop_send = spawn.Pipe(duplex=False)
        out_recv, out_send = spawn.Pipe(duplex=False)
        prober = spawn.Process(target=_probe, args=(port, stop_recv, out_send))
        prober.start()
        assert await asyncio.to_thread(out_recv.recv) == "ready"  # it has been answered once
        started = time.process_time()
        enqueued = await runtime.digests.make(Frequency.DAILY, now=NOW)
        cpu = time.process_time() - started
        stop_send.send(True)
        slowest, probes = await asyncio.to_thread(out_recv.recv)
        prober.join()
    return cpu, slowest, enqueued, probes


def _size(db: Path) -> int:
    """The database's bytes, its write-ahead log included."""
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())


def main() -> None:
    people, events = (int(arg) for arg in (sys.argv[1:] or ["10000", "2000"]))
    collect_less()  # as `notifier run` does
    with tempfile.TemporaryDirectory() as workdir:
        seeded = Path(workdir) / "seeded.db"
        started = time.perf_counter()
        profiles = asyncio.run(_setup(f"sqlite+aiosqlite:///{seeded}", people, events))
        print(
            f"{people} subscribers ({profiles} distinct subscriptions) x {events} events; "
            f"set up in {time.perf_counter() - started:.0f} s"
        )
        cpus, slowest = [], []
        for run in range(3):
            db = Path(workdir) / f"run{run}.db"
            shutil.copy(seeded, db)
            cpu, worst, enqueued, probes = asyncio.run(_run(f"sqlite+aiosqlite:///{db}"))
            grown = (_size(db) - _size(seeded)) / 1e6
            print(
                f"  run {run + 1}: planning {cpu:6.2f} s CPU, {enqueued} digests; "
                f"/healthz slowest {worst * 1000:7.1f} ms of {probes}; database +{grown:.0f} MB"
            )
            cpus.append(cpu)
            slowest.append(worst)
        print(
            f"planning CPU s min/median/max: {min(cpus):.2f} / {statistics.median(cpus):.2f} / "
            f"{max(cpus):.2f}   (limit 10 s)"
        )
        print(
            "/healthz slowest ms min/median/max: "
            + " / ".join(f"{x * 1000:.1f}" for x in sorted(slowest))
            + "   (limit 100 ms)"
        )


if __name__ == "__main__":
    main()
