"""Ingest throughput and the cost of an idle poll.

    python bench/ingest.py [--rounds N]

1. extract + split + classify + store of every fixture document (the kl.dk look-alike in
   notifier/demo_data/site) into a fresh SQLite database, N rounds: documents/s, items/s, and
   the share of that time spent in PDF text extraction (pypdfium2).
2. An idle poll cycle against the same site served from another process, after a first poll:
   requests, body bytes and CPU milliseconds per source when nothing changed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from notifier import extract as extraction
from notifier.classify import Classifier
from notifier.config import load_settings
from notifier.demo_site import SITE, SiteServer, StaticHandler
from notifier.extract import pdf as pdf_module
from notifier.models import Council, SourceKind
from notifier.plan import Extracted, plan_source, wanted
from notifier.runtime import Runtime
from notifier.split import split
from notifier.store import SourceRef, Store
from notifier.topics import load_classifier

TOPICS = Path(__file__).resolve().parent.parent / "config" / "topics.toml"


def fixtures() -> list[tuple[str, bytes, str, Council]]:
    manifest: dict[str, dict[str, Any]] = json.loads((SITE / "manifest.json").read_text())
    return [
        (
            f"http://127.0.0.1/{path}",
            (SITE / path).read_bytes(),
            str(entry["content_type"]),
            Council(entry["council"]),
        )
        for path, entry in manifest.items()
    ]


async def ingest_round(
    docs: list[tuple[str, bytes, str, Council]], classifier: Classifier
) -> tuple[int, int, float, float]:
    """One round into a fresh database: (documents, items, seconds, seconds in PDF text)."""
    pdf_seconds = 0.0
    original = pdf_module.read_pdf

    def timed_read_pdf(body: bytes) -> Any:
        nonlocal pdf_seconds
        start = time.perf_counter()
        try:
            return original(body)
        finally:
            pdf_seconds += time.perf_counter() - start

    extraction.read_pdf = timed_read_pdf  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(f"sqlite+aiosqlite:///{tmp}/bench.db")
        items_total = 0
        start = time.perf_counter()
        for url, body, content_type, council in docs:
            document = extraction.extract(body, url=url, content_type=content_type, council=council)
            items = split(document)
            items_total += len(items)
            source = SourceRef(
                id=f"bench-{council.value}", council=council, kind=SourceKind.LISTING, url=url
            )
            now = datetime.now(UTC)
            begun = await store.polls.begin(source, owner="bench", now=now, ttl=timedelta(hours=1))
            assert begun is not None
            known = await store.polls.lookup(source.id, [wanted(document, council)])
            plan = plan_source(
                source_id=source.id,
                council=council,
                extracted=[Extracted(document=document, items=items)],
                known=known,
                classifier=classifier,
                topic_count=len(classifier.topics),
            )
            await store.polls.finish(
                source,
                previous=begun.state,
                plan=plan,
                fetched=[],
                errors=[],
                failed=False,
                owner="bench",
                now=now,
            )
        elapsed = time.perf_counter() - start
        await store.close()
    extraction.read_pdf = original  # type: ignore[attr-defined]
    return len(docs), items_total, elapsed, pdf_seconds


def serve(port_queue: Any, stop: Any) -> None:
    """Serve the site from another process, so its CPU is not counted as the poller's."""
    served = {"bytes": 0}

    class Handler(StaticHandler):
        def do_GET(self) -> None:
            before = self.wfile
            counter = _CountingWriter(before, served)
            self.wfile = counter  # type: ignore[assignment]
            try:
                super().do_GET()
            finally:
                self.wfile = before

    server = SiteServer(SITE, handler=Handler).start()
    port_queue.put(server.url)
    while True:
        command = stop.get()
        if command == "bytes":
            port_queue.put(served["bytes"])
            served["bytes"] = 0
        else:
            break
    server.stop()


class _CountingWriter:
    """Counts response body bytes (headers excluded: they are written before the body)."""

    def __init__(self, inner: Any, served: dict[str, int]) -> None:
        self._inner = inner
        self._served = served

    def write(self, data: bytes) -> int:
        if not data.startswith(b"HTTP/"):
            self._served["bytes"] += len(data)
        return int(self._inner.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


async def idle_poll() -> None:
    context = multiprocessing.get_context("spawn")
    replies, commands = context.Queue(), context.Queue()
    process = context.Process(target=serve, args=(replies, commands))
    process.start()
    base = replies.get(timeout=30)
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "notifier.toml"
        sources = (SITE.parent / "sources.toml").read_text().replace("{base}", base)
        config.write_text(
            f'database_url = "sqlite+aiosqlite:///{tmp}/idle.db"\ntopics_file = "{TOPICS}"\n'
            f'[fetch]\nper_host_delay = 0\nallowed_private_networks = ["127.0.0.0/8"]\n{sources}'
        )
        settings = load_settings(config)
        runtime = await Runtime(settings).__aenter__()
        poller = runtime.pipeline
        await poller.poll_all(settings.sources)
        commands.put("bytes")
        first_bytes = replies.get(timeout=30)
        cpu = time.process_time()
        wall = time.perf_counter()
        summaries = await poller.poll_all(settings.sources)
        cpu = time.process_time() - cpu
        wall = time.perf_counter() - wall
        commands.put("bytes")
        idle_bytes = replies.get(timeout=30)
        await runtime.aclose()
    commands.put("stop")
    process.join(timeout=10)
    count = len(summaries)
    requests = sum(s.requests for s in summaries)
    not_modified = sum(s.not_modified for s in summaries)
    print(f"first poll: {first_bytes} body bytes for {count} sources")
    print(
        f"idle poll: {count} sources, {requests} requests ({not_modified} answered 304), "
        f"{idle_bytes} body bytes, CPU {cpu * 1000:.1f} ms in all = "
        f"{cpu * 1000 / count:.1f} ms/source, {requests / count:.1f} requests/source, "
        f"wall {wall * 1000:.0f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    docs = fixtures()
    classifier = load_classifier(TOPICS)
    await ingest_round(docs, classifier)  # warm-up: imports, pdfium, regex compilation
    totals = [0, 0, 0.0, 0.0]
    for _ in range(args.rounds):
        for index, value in enumerate(await ingest_round(docs, classifier)):
            totals[index] += value
    documents, items, seconds, pdf_seconds = totals
    print(
        f"ingest: {int(documents)} documents, {int(items)} items in {seconds:.2f} s over "
        f"{args.rounds} rounds = {documents / seconds:.1f} documents/s, "
        f"{items / seconds:.0f} items/s"
    )
    print(f"share of ingest time in PDF text extraction: {pdf_seconds / seconds:.0%}")
    await idle_poll()


if __name__ == "__main__":
    asyncio.run(main())
