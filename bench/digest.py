"""Benchmark: plan + render + deliver digests to a local aiosmtpd sink, beside the ceiling.

    python bench/digest.py [1000 10000]

For each size: N subscribers, each matching 20 of the stored items, on a fresh SQLite database.
Measures make_digests (plan, render, build, enqueue) plus Deliverer.run_once (claim, send,
commit) end to end, then the ceiling: the same number of pre-rendered messages sent over the
same number of reused connections to the same sink with nothing else. The sink runs in its own
process so it does not share the event loop being measured.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiosmtplib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notifier.config import Settings
from notifier.models import Council, Frequency, SubscriberState
from notifier.runtime import Runtime
from notifier.store import Store
from tests.factories import Spec, publish
from tests.smtp import free_port

REPO = Path(__file__).resolve().parent.parent
TOPICS = [
    "sundhed",
    "social",
    "uddannelse",
    "vaekst_beskaeftigelse",
    "trafik_infrastruktur",
    "klima_miljoe",
]
CONNECTIONS = 4
NOW = datetime(2024, 6, 21, 5, 0, tzinfo=UTC)
TEXT = (
    "KKR drøftede den fælles indsats på området og de næste skridt i samarbejdet mellem "
    "kommunerne og regionen. Sekretariatet fremlagde en status med økonomi og tidsplan. "
) * 3


def _sink(port: int, ready: multiprocessing.synchronize.Event) -> None:
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


async def _setup(url: str, people: int) -> None:
    store = await Store.open(url)
    try:
        for n in range(people):
            # Two topics each; every topic has 10 items below, so 20 items per digest.
            topics = (TOPICS[n % 6], TOPICS[(n + 1) % 6])
            await store.subscribers.add(
                email=f"p{n}@example.org",
                name=f"Politiker {n}",
                topics=topics,
                councils=("all",),
                frequency=Frequency.DAILY,
                state=SubscriberState.ACTIVE,
                now=NOW,
            )
        councils = list(Council)
        for topic_index, topic in enumerate(TOPICS):
            specs = [
                Spec(
                    title=f"Punkt {topic} {k}",
                    text=TEXT,
                    topics=[topic],
                    number=str(k + 1),
                    indstilling="Det indstilles, at KKR drøfter sagen.",
                )
                for k in range(10)
            ]
            await publish(
                store, specs, council=councils[topic_index % 5], title=f"Dagsorden {topic}"
            )
    finally:
        await store.close()


async def _measure(people: int, port: int, workdir: Path) -> tuple[float, float]:
    url = f"sqlite+aiosqlite:///{workdir / f'bench-{people}.db'}"
    await _setup(url, people)
    settings = Settings(
        database_url=url,
        topics_file=REPO / "config" / "topics.toml",
        smtp={
            "host": "127.0.0.1",
            "port": port,
            "security": "none",
            "connections": CONNECTIONS,
            "messages_per_minute": 10_000_000,
        },
        mail={"from_address": "KKR <kkr@example.org>", "list_id": "kkr.example.org"},
        web={"base_url": "https://kkr.example.org", "secret_key": "bench"},
    )
    async with Runtime(settings) as runtime:
        started = time.perf_counter()
        planned = await runtime.digests.make(Frequency.DAILY, now=NOW)
        planned_at = time.perf_counter()
        report = await runtime.deliverer.run_once(now=NOW)
        finished = time.perf_counter()
        assert planned == people == report.sent, (planned, report)
        async with runtime.store.db.engine.connect() as conn:
            bodies = [
                row[0] for row in (await conn.exec_driver_sql("SELECT body FROM outbox")).all()
            ]
    print(
        f"  plan+render+enqueue {planned_at - started:6.2f} s, "
        f"deliver {finished - planned_at:6.2f} s"
    )
    ceiling = await _ceiling(bodies, port)
    return finished - started, ceiling


async def _ceiling(bodies: list[bytes], port: int) -> float:
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)

    async def worker() -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await client.connect()
        while not queue.empty():
            body = queue.get_nowait()
            await client.sendmail("kkr@example.org", ["x@example.org"], body)
        await client.quit()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    return time.perf_counter() - started


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [1000, 10000]
    port = free_port()
    ready = multiprocessing.Event()
    sink = multiprocessing.Process(target=_sink, args=(port, ready), daemon=True)
    sink.start()
    ready.wait(10)
    try:
        with tempfile.TemporaryDirectory() as workdir:
            for people in sizes:
                print(f"{people} digests (20 items each), {CONNECTIONS} connections:")
                total, ceiling = asyncio.run(_measure(people, port, Path(workdir)))
                rate, ceiling_rate = people / total, people / ceiling
                print(
                    f"  pipeline {rate:7.1f} msg/s ({total:.2f} s)   ceiling "
                    f"{ceiling_rate:7.1f} msg/s ({ceiling:.2f} s)   ratio "
                    f"{rate / ceiling_rate:.2f}"
                )
    finally:
        sink.kill()


if __name__ == "__main__":
    main()
