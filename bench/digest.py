"""Benchmark: deliver digests from the outbox to a local SMTP sink, beside the ceiling.

    python bench/digest.py [--profile] [--aiosmtpd] [1000 10000]

For each size: N subscribers, each matching 20 of the stored items, on a fresh SQLite database;
the digests are planned and rendered once (that is printed, not measured here: planning has
a bench of its own to come). Then three rounds, each of: ``Deliverer.run_once`` sending the
whole outbox (claim, lease, send, group commit), and the ceiling, bare aiosmtplib
``sendmail`` of the same bodies over the same number of connections to the same sink (a raw
asyncio SMTP sink by default, aiosmtpd with ``--aiosmtpd``), and for reference our
``SmtpTransport`` alone (no database). The outbox is set back to pending between rounds.
Printed: min/median/max msg/s of each and of deliver/ceiling per round (limit in issue 12:
ratio >= 0.8). The sink runs in its own process so it does not share the event loop being
measured. ``--profile`` runs one more delivery under cProfile and prints where its time goes.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import cProfile
import multiprocessing
import pstats
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aiosmtplib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notifier.config import Settings
from notifier.deliver import Deliverer
from notifier.models import Council, Frequency, SubscriberState
from notifier.runtime import Runtime
from notifier.store import Store
from notifier.store.outbox import bodies as outbox_bodies
from notifier.transport import SmtpTransport
from tests.factories import TOPIC_IDS, Spec, publish
from tests.smtp import free_port

REPO = Path(__file__).resolve().parent.parent
TOPICS = TOPIC_IDS
CONNECTIONS = 4
NOW = datetime(2024, 6, 21, 5, 0, tzinfo=UTC)
TEXT = (
    "KKR drøftede den fælles indsats på området og de næste skridt i samarbejdet mellem "
    "kommunerne og regionen. Sekretariatet fremlagde en status med økonomi og tidsplan. "
) * 3


def _sink(port: int, ready: multiprocessing.synchronize.Event, kind: str) -> None:
    if kind == "aiosmtpd":
        _aiosmtpd_sink(port, ready)
    else:
        asyncio.run(_raw_sink(port, ready))


def _aiosmtpd_sink(port: int, ready: multiprocessing.synchronize.Event) -> None:
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


async def _raw_sink(port: int, ready: multiprocessing.synchronize.Event) -> None:
    """The least an SMTP server can do: answer each command, read DATA up to its end mark.
    aiosmtpd reads DATA line by line in Python and, on two shared cores, is slower than
    either sender, which would hide the sender's own cost."""

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 sink ESMTP\r\n")
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-sink\r\n250-8BITMIME\r\n250 SIZE 100000000\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go ahead\r\n")
                await reader.readuntil(b"\r\n.\r\n")
                writer.write(b"250 OK\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                break
            else:
                writer.write(b"250 OK\r\n")
        writer.close()

    server = await asyncio.start_server(session, "127.0.0.1", port, limit=2**24)
    ready.set()
    async with server:
        await server.serve_forever()


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


ROUNDS = 3


def _settings(url: str, port: int) -> Settings:
    return Settings(
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


async def _measure(people: int, port: int, workdir: Path, profile: bool) -> None:
    url = f"sqlite+aiosqlite:///{workdir / f'bench-{people}.db'}"
    await _setup(url, people)
    settings = _settings(url, port)
    async with Runtime(settings) as runtime:
        started = time.perf_counter()
        planned = await runtime.digests.make(Frequency.DAILY, now=NOW)
        assert planned == people, planned
        print(f"  planned and rendered once: {time.perf_counter() - started:.1f} s")
        engine = runtime.store.db.engine
        async with runtime.store.db.read() as conn:
            # The complete messages: since the shared parts (migration 0008) a row of
            # outbox_bodies holds only what is the message's own, a few KiB.
            ids = [row[0] for row in await conn.exec_driver_sql("SELECT id FROM outbox")]
            bodies = list((await outbox_bodies(conn, ids)).values())
        size = sum(map(len, bodies)) / len(bodies)
        print(f"  {len(bodies)} messages, {size / 1024:.1f} KiB each on average")
        deliver: list[float] = []
        ceiling: list[float] = []
        alone: list[float] = []
        for round_ in range(ROUNDS + profile):
            async with engine.begin() as conn:
                await conn.exec_driver_sql(
                    "UPDATE outbox SET state = 'pending', attempts = 0, sent_at = NULL, "
                    "claimed_by = NULL, claimed_until = NULL"
                )
            deliverer = Deliverer(
                runtime.store,
                settings,
                transport=SmtpTransport(settings.smtp),
                worker_id=f"{runtime.worker_id}.{round_}",
            )
            if round_ == ROUNDS:
                _profiled(deliverer)
                continue
            began = time.perf_counter()
            report = await deliverer.run_once(now=NOW)
            deliver.append(people / (time.perf_counter() - began))
            await deliverer.aclose()
            assert report.sent == people, report
            ceiling.append(people / await _ceiling(bodies, port))
            alone.append(people / await _transport_alone(bodies, settings))
            print(
                f"  round {round_ + 1}: deliver {deliver[-1]:7.1f}  ceiling {ceiling[-1]:7.1f}"
                f"  transport alone {alone[-1]:7.1f}"
            )
    ratios = [d / c for d, c in zip(deliver, ceiling, strict=True)]
    print(f"  deliver  {_spread(deliver)} msg/s")
    print(f"  ceiling  {_spread(ceiling)} msg/s (bare aiosmtplib, same bodies and sink)")
    print(f"  transport alone {_spread(alone)} msg/s (SmtpTransport, no database)")
    print(f"  ratio    {_spread(ratios, '.2f')}   deliver / ceiling (limit: >= 0.8)")


def _profiled(deliverer: Deliverer) -> None:
    """One delivery in a fresh loop under cProfile (the loop's own cost included)."""

    async def once() -> None:
        try:
            await deliverer.run_once(now=NOW)
        finally:
            await deliverer.aclose()

    profiler = cProfile.Profile()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(profiler.runcall, asyncio.run, once()).result()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(18)


def _spread(values: list[float], fmt: str = "7.1f") -> str:
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"min {low:{fmt}}  median {mid:{fmt}}  max {high:{fmt}}"


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


async def _transport_alone(bodies: list[bytes], settings: Settings) -> float:
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    transport = SmtpTransport(settings.smtp)

    async def worker(lane: int) -> None:
        while not queue.empty():
            await transport.send(lane, "kkr@example.org", "x@example.org", queue.get_nowait())

    started = time.perf_counter()
    await asyncio.gather(*(worker(lane) for lane in range(CONNECTIONS)))
    await transport.aclose()
    return time.perf_counter() - started


def main() -> None:
    args = sys.argv[1:]
    profile = "--profile" in args
    kind = "aiosmtpd" if "--aiosmtpd" in args else "raw"
    sizes = [int(arg) for arg in args if not arg.startswith("--")] or [1000, 10000]
    port = free_port()
    ready = multiprocessing.Event()
    sink = multiprocessing.Process(target=_sink, args=(port, ready, kind), daemon=True)
    sink.start()
    ready.wait(10)
    try:
        with tempfile.TemporaryDirectory() as workdir:
            for people in sizes:
                print(f"{people} digests (20 items each), {CONNECTIONS} connections, {kind} sink:")
                asyncio.run(_measure(people, port, Path(workdir), profile))
    finally:
        sink.kill()


if __name__ == "__main__":
    main()
