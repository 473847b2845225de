"""Ingest throughput and the cost of an idle poll, each against its peer in the same run.

    python bench/ingest.py [--rounds 3] [--repeat 3] [--stored 10000] [--grown 100000]

Every figure is min/median/max over ``--rounds`` rounds (the machine is noisy).

1. Ingest: extract + split + classify + store of every fixture document (the kl.dk look-alike
   in notifier/demo_data/site) into a fresh SQLite database, in documents per CPU second (all
   threads of the process: the shared machine's load then moves it less); its peer is raw
   extraction of the same files (pypdfium2 text of the PDFs, a selectolax parse of the pages).
   Each round ingests the documents as new to the process: its caches hold other real KKR
   text, never the words of the documents measured (see forget_documents). The process
   collects garbage as the service's do (notifier.collector). Documents are stored as the
   pipeline stores them: one poll (begin, look up, plan, one write) per council's page with
   every document it leads to; also printed, a poll for each document, as this bench did up
   to the thirteenth session.
   Goal: ingest >= 0.3 of raw; the same into a store already holding ``--grown`` documents
   (an item each), goal: within 20% of the empty store. A round times ``--repeat`` ingests
   (and raw extractions) together: one took half a CPU second, which the host's load moved by
   up to 40%.
2. Idle poll: after a first poll, a poll of every source when nothing changed, with
   ``--stored`` extra documents (and an item each) in the database; CPU ms per source against
   bare httpx making the same conditional requests (the server, in another process, records
   them). Goal: <= 2x. Also requests per unchanged listing (goal: 1) and the database work per
   source (transactions, statements, write-locking BEGIN IMMEDIATE), as SQLite's own trace
   sees it: statements that run on the driver without SQLAlchemy (store.prepared) count too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pypdfium2
from selectolax.lexbor import LexborHTMLParser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from notifier import extract as extraction
from notifier import quality
from notifier.classify import Classifier
from notifier.collector import collect_less
from notifier.config import load_settings
from notifier.demo_site import SITE, SiteServer, StaticHandler
from notifier.models import Council, Document, Item, SourceKind
from notifier.runtime import Runtime
from notifier.split import split_document
from notifier.store import SourceRef, Store, search_text
from notifier.store.schema import documents, items, sources
from notifier.topics import load_classifier
from tests.factories import sqlite_statements, store_documents

TOPICS = Path(__file__).resolve().parent.parent / "config" / "topics.toml"
# Real KKR text that is not in the fixture documents (see forget_documents).
OTHER_TEXT = Path(__file__).resolve().parent.parent / "tests" / "data" / "classify_real.jsonl"
Doc = tuple[str, bytes, str, Council]


def fixtures() -> list[Doc]:
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


def forget_documents(classifier: Classifier) -> None:
    """Make the fixture documents new to this process again: empty every cache of the package
    (words judged, stems, terms found), then fill them from other real KKR text, as a running
    service has seen other documents but never the one it ingests. Without this, every round
    after the first found its words cached by the rounds before."""
    for name, module in list(sys.modules.items()):
        if name == "notifier" or name.startswith("notifier."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
    for line in OTHER_TEXT.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        classifier.classify(title=row["title"], text=row["text"])
        quality.ocr_damage(row["text"])
        search_text.fts_row(row["title"], row["text"])


def spread(values: list[float], digits: int = 1) -> str:
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{low:.{digits}f} / {mid:.{digits}f} / {high:.{digits}f}"


def raw_round(docs: list[Doc], repeat: int = 1) -> float:
    """Documents/s of bare text extraction: the floor under any ingest."""
    start = time.process_time()
    for _ in range(repeat):
        for _url, body, content_type, _council in docs:
            if "pdf" in content_type:
                pdf = pypdfium2.PdfDocument(body)
                for page in pdf:
                    page.get_textpage().get_text_range()
                pdf.close()
            else:
                tree = LexborHTMLParser(body)
                assert tree.body is not None
                tree.body.text(separator="\n")
    return len(docs) * repeat / (time.process_time() - start)


async def ingest_round(
    docs: list[Doc],
    classifier: Classifier,
    template: Path | None = None,
    repeat: int = 1,
    per_document: bool = False,
) -> float:
    """Documents/s of extract, split, plan and store into a fresh database, ``repeat`` times
    (a figure of more CPU seconds moves less with the host's load); the database a copy of
    ``template`` when given (see filled), else empty."""
    elapsed = 0.0
    for _ in range(repeat):
        elapsed += await _ingest(docs, classifier, template, per_document)
    return len(docs) * repeat / elapsed


async def filled(directory: str, stored: int) -> Path:
    """A database holding ``stored`` other documents (an item each), to copy for each grown
    ingest: filling one anew each time took longer than the ingest."""
    path = Path(directory) / "filled.db"
    store = await Store.open(f"sqlite+aiosqlite:///{path}")
    await fill(store, stored)
    await store.close()  # the last connection's close folds the WAL into the file
    return path


async def _ingest(
    docs: list[Doc], classifier: Classifier, template: Path | None, per_document: bool
) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        if template is not None:
            shutil.copyfile(template, path)
        store = await Store.open(f"sqlite+aiosqlite:///{path}")
        forget_documents(classifier)
        start = time.process_time()
        # One poll per council's page with every document it leads to, as the pipeline
        # stores what one poll fetched (--per-document: a poll for each document).
        by_council: dict[Council, list[tuple[Document, Sequence[Item], Sequence[str]]]] = {}
        for url, body, content_type, council in docs:
            document = extraction.extract(body, url=url, content_type=content_type, council=council)
            parts = split_document(document)
            by_council.setdefault(council, []).append((document, parts.items, parts.problems))
            if per_document:
                await _store(store, council, by_council.pop(council), classifier)
        for council, extracted in by_council.items():
            await _store(store, council, extracted, classifier)
        elapsed = time.process_time() - start
        await store.close()
    return elapsed


async def _store(
    store: Store,
    council: Council,
    extracted: list[tuple[Document, Sequence[Item], Sequence[str]]],
    classifier: Classifier,
) -> None:
    # A council's page, as a configured source has one URL: the document's own made each
    # poll rewrite the source's row, which no real poll does.
    source = SourceRef(
        id=f"bench-{council.value}",
        council=council,
        kind=SourceKind.LISTING,
        url=f"http://127.0.0.1/politik/kkr/kkr-{council.value}",
    )
    await store_documents(
        store,
        source,
        extracted,
        classifier=classifier,
        topic_count=len(classifier.topics),
        now=datetime.now(UTC),
    )


def serve(replies: Any, commands: Any) -> None:
    """Serve the site from another process (its CPU is not the poller's), recording each
    request's path and validators so bare httpx can make the very same requests."""
    seen: list[tuple[str, dict[str, str]]] = []

    class Handler(StaticHandler):
        def do_GET(self) -> None:
            headers = {
                name: value
                for name in ("If-None-Match", "If-Modified-Since")
                if (value := self.headers.get(name)) is not None
            }
            seen.append((self.path, headers))
            super().do_GET()

    server = SiteServer(SITE, handler=Handler).start()
    replies.put(server.url)
    while commands.get() == "requests":
        replies.put(list(seen))
        seen.clear()
    server.stop()


async def fill(store: Store, count: int) -> None:
    """``count`` documents with an item each under a source of their own, so the idle poll
    runs against a store that has grown."""
    if not count:
        return
    now = datetime.now(UTC)
    async with store.db.engine.begin() as conn:
        await conn.execute(
            sources.insert().values(id="filler", council="nordjylland", kind="listing", url="x")
        )
        await conn.execute(
            documents.insert(),
            [
                {
                    "id": 1_000_000 + n,
                    "source_id": "filler",
                    "key": f"filler-{n}",
                    "url": f"http://filler.invalid/{n}",
                    "kind": "newsletter",
                    "council": "nordjylland",
                    "title": f"Nyhedsbrev {n}",
                    "date": None,
                    "content_type": "text/html",
                    "content_hash": f"{n:032x}",
                    "first_seen_at": now,
                    "last_seen_at": now,
                }
                for n in range(count)
            ],
        )
        await conn.execute(
            items.insert(),
            [
                {
                    "document_id": 1_000_000 + n,
                    "key": "punkt",
                    "position": 0,
                    "title": "Punkt",
                    "content_hash": f"{n:032x}",
                    "topics": [],
                    "topics_version": "old",
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(count)
            ],
        )


async def bare(client: httpx.AsyncClient, base: str, requests: list[Any]) -> None:
    limit = asyncio.Semaphore(2)  # the poller's per-site concurrency

    async def one(path: str, headers: dict[str, str]) -> None:
        async with limit:
            await client.get(base + path, headers=headers)

    await asyncio.gather(*(one(path, headers) for path, headers in requests))


async def idle_polls(rounds: int, stored: int) -> dict[str, list[float]]:
    context = multiprocessing.get_context("spawn")
    replies, commands = context.Queue(), context.Queue()
    process = context.Process(target=serve, args=(replies, commands))
    process.start()
    base = replies.get(timeout=30)
    figures: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "notifier.toml"
        listed = (SITE.parent / "sources.toml").read_text().replace("{base}", base)
        config.write_text(
            f'database_url = "sqlite+aiosqlite:///{tmp}/idle.db"\ntopics_file = "{TOPICS}"\n'
            f'[fetch]\nper_host_delay = 0\nallowed_private_networks = ["127.0.0.0/8"]\n{listed}'
        )
        settings = load_settings(config)
        store = await Store.open(settings.database_url)
        await fill(store, stored)
        runtime = Runtime(settings, store=store)
        poller = runtime.pipeline
        await poller.poll_all(settings.sources)  # the first poll: everything is new
        commands.put("requests")
        replies.get(timeout=30)
        listings = [s.id for s in settings.sources if s.kind is not SourceKind.PAGE]
        async with httpx.AsyncClient() as client, sqlite_statements(store) as statements:
            for _ in range(rounds + 1):  # the first round warms up
                statements.clear()
                cpu = time.process_time()
                summaries = await poller.poll_all(settings.sources)
                cpu = time.process_time() - cpu
                counts = Counter(
                    "BEGIN IMMEDIATE"
                    if sql.upper().startswith("BEGIN IMMEDIATE")
                    else sql.split(None, 1)[0].upper()
                    for sql in statements
                )
                commands.put("requests")
                requests = replies.get(timeout=30)
                bare_cpu = time.process_time()
                await bare(client, base, requests)
                bare_cpu = time.process_time() - bare_cpu
                commands.put("requests")  # forget the replay's own requests
                replies.get(timeout=30)
                by_id = {s.id: s for s in summaries}
                count = len(summaries)
                for name, value in {
                    "poll CPU ms/source": cpu * 1000 / count,
                    "bare httpx CPU ms/source": bare_cpu * 1000 / count,
                    "ratio (goal <= 2)": cpu / bare_cpu,
                    "requests per unchanged listing": statistics.mean(
                        by_id[i].requests for i in listings
                    ),
                    "requests/source": len(requests) / count,
                    "transactions/source": (counts["BEGIN"] + counts["BEGIN IMMEDIATE"]) / count,
                    "statements/source": (
                        counts.total()
                        - counts["BEGIN"]
                        - counts["BEGIN IMMEDIATE"]
                        - counts["COMMIT"]
                    )
                    / count,
                    "BEGIN IMMEDIATE/source": counts["BEGIN IMMEDIATE"] / count,
                }.items():
                    figures.setdefault(name, []).append(value)
        for values in figures.values():
            del values[0]
        await runtime.aclose()
        await store.close()
    commands.put("stop")
    process.join(timeout=10)
    print(
        f"idle poll: {len(settings.sources)} sources ({len(listings)} listings or feeds), "
        f"{stored} more documents stored; min / median / max of {rounds}"
    )
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stored", type=int, default=10_000)
    parser.add_argument("--grown", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="ingests timed together a round")
    args = parser.parse_args()
    collect_less()  # as `notifier run` does
    docs = fixtures()
    classifier = load_classifier(TOPICS)
    raw_round(docs)
    await ingest_round(docs, classifier)  # warm-up: imports, pdfium, regex compilation
    raw, ingest, grown, single = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        template = await filled(tmp, args.grown)
        for _ in range(args.rounds):
            raw.append(raw_round(docs, args.repeat))
            ingest.append(await ingest_round(docs, classifier, repeat=args.repeat))
            grown.append(await ingest_round(docs, classifier, template, args.repeat))
            single.append(
                await ingest_round(docs, classifier, repeat=args.repeat, per_document=True)
            )
    print(
        f"ingest: {len(docs)} fixture documents, ingested {args.repeat}x a round; "
        f"min / median / max of {args.rounds}"
    )
    print(f"  {'ingest documents/CPU s':<40}{spread(ingest)}")
    print(f"  {'raw extraction documents/CPU s':<40}{spread(raw)}")
    ratios = [i / r for i, r in zip(ingest, raw, strict=True)]
    print(f"  {'ratio (goal >= 0.3)':<40}{spread(ratios, 2)}")
    singles = [i / r for i, r in zip(single, raw, strict=True)]
    print(f"  {'ratio, a poll per document':<40}{spread(singles, 2)}")
    print(f"  {f'ingest documents/CPU s, {args.grown} stored':<40}{spread(grown)}")
    flat = [g / i for g, i in zip(grown, ingest, strict=True)]
    print(f"  {'grown / empty (goal 0.8-1.2)':<40}{spread(flat, 2)}")
    for name, values in (await idle_polls(args.rounds, args.stored)).items():
        digits = 2 if name.startswith("ratio") else 1
        print(f"  {name:<40}{spread(values, digits)}")


if __name__ == "__main__":
    asyncio.run(main())
