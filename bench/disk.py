"""Disk used per agenda item, and where the bytes go.

    python bench/disk.py [--items 20000] [--changed 0.1] [--keep PATH]

Fills a fresh SQLite database (WAL, migrated as the service opens it) through the real store
path, exactly as a poll does (``polls.begin`` -> ``plan_source`` -> ``polls.finish``), with
``--items`` agenda and minutes points: the points the splitter finds in the fixture agendas and
minutes (notifier/demo_data/site), repeated over many meetings of the five councils with a
sentence that differs per meeting, so every version has its own content hash. Each meeting gets
an agenda (item.new) and its minutes (item.new, and item.decided for points with a decision);
``--changed`` of the agendas are published again with three points edited (item.changed, with
the old version's snapshot), as reality has. Three of four meetings use the long Hovedstaden
agenda (about 2 KB of text per point), the rest the short ones.

Then ``PRAGMA wal_checkpoint(TRUNCATE)`` and prints the file size, bytes per item, MB per
100,000 items (extrapolated linearly from this fill: every table here grows with the items)
and, from SQLite's ``dbstat`` virtual table when the build has it, the bytes of every table
and index. Goal (issue 12): <= 300 MB per 100,000 items. One fill: a size is not noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest import TOPICS, fixtures

from notifier import extract as extraction
from notifier.classify import Classifier
from notifier.models import Council, Document, DocumentKind, Item, Meeting, SourceKind, TopicMatch
from notifier.split import split
from notifier.store import SourceRef, Store
from notifier.topics import load_classifier
from tests.factories import store_poll

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
LIMIT_MB = 300.0
Template = tuple[list[Item], list[Item]]  # an agenda's points and its minutes' points


def templates() -> list[Template]:
    """(agenda points, minutes points) of each fixture meeting with both; the long one first."""
    found: dict[tuple[Council, date], dict[DocumentKind, list[Item]]] = {}
    for url, body, content_type, council in fixtures():
        if "pdf" not in content_type:
            continue
        document = extraction.extract(body, url=url, content_type=content_type, council=council)
        if (
            document.kind not in (DocumentKind.AGENDA, DocumentKind.MINUTES)
            or document.date is None
        ):
            continue
        if document.supplementary:
            continue
        found.setdefault((council, document.date), {})[document.kind] = split(document)
    pairs = [
        (kinds[DocumentKind.AGENDA], kinds[DocumentKind.MINUTES])
        for kinds in found.values()
        if DocumentKind.AGENDA in kinds and DocumentKind.MINUTES in kinds
    ]
    pairs.sort(key=lambda pair: -sum(len(item.text) for item in pair[0]))
    return pairs


class CachedClassifier:
    """The real classifier, asked once per template point (the per-meeting sentence never
    changes the topics), so the fill spends its time storing."""

    def __init__(self, classifier: Classifier) -> None:
        self._classifier = classifier
        self.version = classifier.version
        self.topics = classifier.topics
        self._seen: dict[str, tuple[TopicMatch, ...]] = {}

    def classify_item(self, item: Item) -> tuple[TopicMatch, ...]:
        key = item.title
        if key not in self._seen:
            self._seen[key] = tuple(self._classifier.classify_item(item))
        return self._seen[key]


def vary(items: list[Item], meeting: int, edit: int = 0) -> list[Item]:
    """The template's points as meeting ``meeting`` has them (``edit`` > 0: a later version of
    its first three points)."""
    varied = []
    for position, item in enumerate(items):
        extra = f" Sagen behandles på møde {meeting} under punkt {position + 1}."
        if edit and position < 3:
            extra += f" Administrationen har efter udsendelsen tilføjet oplysninger ({edit})."
        varied.append(replace(item, text=item.text + extra))
    return varied


def document_for(
    council: Council, day: date, kind: DocumentKind, items: list[Item], meeting: int
) -> Document:
    name = "Dagsorden" if kind is DocumentKind.AGENDA else "Referat"
    title = f"{name} {council.danish_name} {day.isoformat()}"
    text = "\n\n".join(
        "\n".join(filter(None, (item.title, item.text, item.indstilling, item.beslutning)))
        for item in items
    )
    return Document(
        url=f"http://127.0.0.1/{council.value}/{kind.value}/{meeting}.pdf",
        kind=kind,
        title=title,
        date=day,
        text=text,
        content_type="application/pdf",
        meeting=Meeting(
            council=council,
            starts_at=datetime(day.year, day.month, day.day, 10, tzinfo=COPENHAGEN),
            place="KL-huset, Weidekampsgade 10",
        ),
    )


async def publish(
    store: Store,
    classifier: CachedClassifier,
    council: Council,
    document: Document,
    items: list[Item],
) -> None:
    source = SourceRef(
        id=f"bench-{council.value}", council=council, kind=SourceKind.LISTING, url="http://x"
    )
    await store_poll(
        store,
        source,
        document,
        items,
        classifier=classifier,
        topic_count=len(classifier.topics),
        now=datetime.now(UTC),
    )


async def fill(path: Path, target: int, changed: float) -> dict[str, int]:
    pairs = templates()
    classifier = CachedClassifier(load_classifier(TOPICS))
    councils = list(Council)
    store = await Store.open(f"sqlite+aiosqlite:///{path}")
    counts = {"meetings": 0, "items": 0, "changed": 0, "text": 0}
    agendas: list[tuple[Council, date, int, list[Item]]] = []
    try:
        meeting = 0
        while counts["items"] < target:
            agenda, minutes = (
                pairs[0] if meeting % 4 else pairs[1 + meeting // 4 % (len(pairs) - 1)]
            )
            council = councils[meeting % len(councils)]
            day = date(2015, 1, 5) + timedelta(days=meeting // len(councils))
            points = vary(agenda, meeting)
            decided = vary(minutes, meeting)
            for kind, items in ((DocumentKind.AGENDA, points), (DocumentKind.MINUTES, decided)):
                document = document_for(council, day, kind, items, meeting)
                await publish(store, classifier, council, document, items)
                counts["items"] += len(items)
                counts["text"] += sum(
                    len((i.text + (i.indstilling or "") + (i.beslutning or "")).encode())
                    for i in items
                )
            agendas.append((council, day, meeting, agenda))
            counts["meetings"] += 1
            meeting += 1
        every = round(1 / changed) if changed else 0
        for council, day, number, agenda in agendas[::every] if every else []:
            points = vary(agenda, number, edit=1)
            document = document_for(council, day, DocumentKind.AGENDA, points, number)
            await publish(store, classifier, council, document, points)
            counts["changed"] += min(3, len(points))
    finally:
        await store.close()
    return counts


def report(path: Path, counts: dict[str, int], seconds: float) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        rows = {
            table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in ("documents", "document_versions", "items", "item_versions", "events")
        }
        try:
            usage = db.execute(
                "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
            ).fetchall()
        except sqlite3.OperationalError:
            usage = []
    size = path.stat().st_size
    wal = path.with_name(path.name + "-wal")
    wal_size = wal.stat().st_size if wal.exists() else 0
    items = counts["items"]
    per_item = size / items
    print(f"items stored: {items:,} in {counts['meetings']:,} meetings (agenda + minutes)")
    print(f"  {counts['changed']:,} points edited once more (item.changed); fill {seconds:.0f} s")
    print("  rows: " + ", ".join(f"{name} {count:,}" for name, count in rows.items()))
    print(
        f"  item text (text + indstilling + beslutning): {counts['text'] / items:,.0f} bytes/item"
    )
    print(f"database file after checkpoint: {size / 1e6:,.1f} MB (wal {wal_size:,} bytes)")
    print(f"bytes per item: {per_item:,.0f}")
    mb = per_item * 100_000 / 1e6
    verdict = "met" if mb <= LIMIT_MB else "NOT met"
    print(
        f"MB per 100,000 items: {mb:,.1f} (extrapolated linearly from {items:,}); "
        f"goal <= {LIMIT_MB:.0f}: {verdict}"
    )
    if not usage:
        print("(this SQLite has no dbstat: no per-table breakdown)")
        return
    print(f"per table and index (dbstat, page size {page_size}):")
    print(f"  {'name':<40} {'MB':>9} {'share':>6} {'bytes/item':>11}")
    for name, used in usage:
        if used < 0.001 * size:
            continue
        print(f"  {name:<40} {used / 1e6:>9.2f} {used / size:>6.1%} {used / items:>11,.0f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=20_000, help="points to store (about)")
    parser.add_argument("--changed", type=float, default=0.1, help="share of agendas edited")
    parser.add_argument("--keep", type=Path, help="fill this file (must not exist) and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "disk.db"
        if path.exists():
            raise SystemExit(f"{path} exists")
        start = time.monotonic()
        counts = await fill(path, args.items, args.changed)
        report(path, counts, time.monotonic() - start)


if __name__ == "__main__":
    asyncio.run(main())
