"""Where an ingest round's CPU goes, phase by phase, next to raw extraction of the same files.

    python bench/ingest_phases.py [--rounds 8]

The same round as bench/ingest.py (the fixture documents, new to the process, one poll per
council's page into a fresh SQLite database), with each of the pipeline's calls timed on its
own: extract, split, the poll's begin and look-up, plan (and, apart, the classification and
the OCR check it makes) and finish (the poll's one write). Prints the median CPU ms of each
over ``--rounds`` rounds (after one to warm up) and its share of the round; bench/ingest.py
gives the ratio the issue's limit is on. Used to budget what 0.3 of raw extraction would
take (bench/README.md, sixteenth session).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from ingest import TOPICS, Doc, fixtures, forget_documents, raw_round

from notifier import extract as extraction
from notifier import quality
from notifier.classify import Classifier
from notifier.collector import collect_less
from notifier.models import Council, Document, Item, SourceKind
from notifier.plan import Extracted, plan_source, wanted
from notifier.split import split_document
from notifier.store import SourceRef, Store
from notifier.topics import load_classifier

Timings = dict[str, list[float]]
Parts = list[tuple[Document, Sequence[Item], Sequence[str]]]
Add = Callable[[str, float], None]


async def one_round(docs: list[Doc], classifier: Classifier, timings: Timings) -> None:
    def add(name: str, seconds: float) -> None:
        timings.setdefault(name, []).append(seconds * 1000)

    clock = time.process_time
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(f"sqlite+aiosqlite:///{tmp}/bench.db")
        forget_documents(classifier)
        started = clock()
        by_council: dict[Council, Parts] = {}
        extracting = splitting = 0.0
        for url, body, content_type, council in docs:
            a = clock()
            document = extraction.extract(body, url=url, content_type=content_type, council=council)
            b = clock()
            parts = split_document(document)
            extracting, splitting = extracting + b - a, splitting + clock() - b
            by_council.setdefault(council, []).append((document, parts.items, parts.problems))
        add("extract", extracting)
        add("split", splitting)
        await _store(store, by_council, classifier, add)
        add("round", clock() - started)
        await store.close()
    # The plan's two largest parts, apart (their caches emptied again, as in the round).
    forget_documents(classifier)
    a = clock()
    for extracted in by_council.values():
        for _document, items, _problems in extracted:
            for item in items:
                classifier.classify_item(item)
    add("  of plan: classify", clock() - a)
    forget_documents(classifier)
    a = clock()
    for extracted in by_council.values():
        for document, _items, _problems in extracted:
            quality.ocr_damage(document.text)
    add("  of plan: OCR check", clock() - a)
    a = clock()
    raw_round(docs)
    add("raw extraction (peer)", clock() - a)


async def _store(
    store: Store, by_council: dict[Council, Parts], classifier: Classifier, add: Add
) -> None:
    clock = time.process_time
    now = datetime.now(UTC)
    begin = look_up = planning = finish = 0.0
    for council, extracted in by_council.items():
        source = SourceRef(
            id=f"bench-{council.value}",
            council=council,
            kind=SourceKind.LISTING,
            url=f"http://127.0.0.1/politik/kkr/kkr-{council.value}",
        )
        a = clock()
        start = await store.polls.begin(source, owner="bench", now=now, ttl=timedelta(minutes=5))
        b = clock()
        assert start is not None  # the source's lease was free: nobody else polls it
        refs = [wanted(document, council) for document, _items, _problems in extracted]
        known = await store.polls.lookup(source.id, refs)
        c = clock()
        plan = plan_source(
            source_id=source.id,
            council=council,
            extracted=[
                Extracted(document=document, items=items, problems=problems, ref=ref)
                for (document, items, problems), ref in zip(extracted, refs, strict=True)
            ],
            known=known,
            classifier=classifier,
            topic_count=len(classifier.topics),
        )
        d = clock()
        await store.polls.finish(
            source,
            previous=start.state,
            plan=plan,
            fetched=[],
            errors=[],
            failed=False,
            owner="bench",
            now=now,
        )
        e = clock()
        begin, look_up, planning, finish = (
            begin + b - a,
            look_up + c - b,
            planning + d - c,
            finish + e - d,
        )
    add("begin", begin)
    add("look-up", look_up)
    add("plan", planning)
    add("finish (one write)", finish)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    collect_less()
    docs = fixtures()
    classifier = load_classifier(TOPICS)
    await one_round(docs, classifier, {})
    timings: Timings = {}
    for _ in range(args.rounds):
        await one_round(docs, classifier, timings)
    whole = statistics.median(timings["round"])
    print(f"{len(docs)} documents, median of {args.rounds} rounds, CPU ms")
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"{name:24} {median:7.1f}  {median / whole:6.1%}")
    raw = statistics.median(timings["raw extraction (peer)"])
    print(f"raw / round (bench/ingest.py's ratio, from these medians): {raw / whole:.3f}")


if __name__ == "__main__":
    asyncio.run(main())
