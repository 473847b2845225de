"""Item events refer to their item version instead of repeating its text (issue 12, disk).

The stored payload leaves text, indstilling and beslutning to item_versions; every read of
the store's events puts them back, so consumers see what was appended. Rows written before,
with the text in the payload, read as they are.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from notifier.models import DocumentKind, Event, EventType, ItemSnapshot
from notifier.models.serialize import to_json
from notifier.store import Store
from notifier.store.schema import events
from tests.factories import Spec, publish

NOW = datetime(2021, 4, 20, 8, tzinfo=UTC)
DAY = date(2021, 4, 19)
FIELDS = ("text", "indstilling", "beslutning")


def agenda(text: str) -> list[Spec]:
    return [
        Spec(
            title="Sundhedsaftalen 2024-2027",
            number="3.1",
            text=text,
            topics=["sundhed"],
            indstilling="Det indstilles, at KKR drøfter udkastet.",
        ),
        Spec(title="Trafikplan for regionen", number="3.2", text="Trafik " * 50),
    ]


async def payloads(engine: AsyncEngine) -> dict[str, list[dict[str, Any]]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(events.c.type, events.c.payload))).all()
    found: dict[str, list[dict[str, Any]]] = {}
    for kind, payload in rows:
        found.setdefault(kind, []).append(payload)
    return found


async def item_events(store: Store) -> list[Event]:
    return [e for e in await store.archive.since(0) if e.type.is_item]


async def test_item_payloads_hold_no_text_and_read_back_whole(
    store: Store, engine: AsyncEngine
) -> None:
    first = await publish(store, agenda("Udkastet er sendt i høring. " * 40), day=DAY, now=NOW)
    changed = await publish(
        store, agenda("Udkastet er revideret efter høringen. " * 40), day=DAY, now=NOW
    )
    minutes = await publish(
        store,
        [
            replace(spec, beslutning=f"KKR godkendte punkt {spec.number}.")
            for spec in agenda("Udkastet er revideret efter høringen. " * 40)
        ],
        kind=DocumentKind.MINUTES,
        day=DAY,
        now=NOW + timedelta(days=1),
    )
    raw = await payloads(engine)
    assert raw["item.new"] and raw["item.changed"] and raw["item.decided"]
    for kind in ("item.new", "item.changed", "item.decided"):
        for payload in raw[kind]:
            assert not set(FIELDS) & set(payload), payload
            assert payload["title"]  # the rest of the snapshot stays in the payload
            if payload.get("old") is not None:
                assert not set(FIELDS) & set(payload["old"])

    read = await item_events(store)
    assert [e.snapshot for e in read] == first + changed + minutes
    [change] = [e.snapshot for e in read if e.type is EventType.ITEM_CHANGED]
    assert change.text.startswith("Udkastet er revideret")
    assert change.indstilling == "Det indstilles, at KKR drøfter udkastet."
    assert change.old is not None and change.old.text.startswith("Udkastet er sendt i høring")
    assert change.old.indstilling == "Det indstilles, at KKR drøfter udkastet."
    decided = [e.snapshot for e in read if e.type is EventType.ITEM_DECIDED]
    assert [s.beslutning for s in decided] == [
        "KKR godkendte punkt 3.1.",
        "KKR godkendte punkt 3.2.",
    ]

    # Every read path gives the same snapshots.
    latest = await store.archive.latest(types=[EventType.ITEM_CHANGED], limit=10)
    assert [e.snapshot for e in latest] == [change]
    point = await store.archive.point(change.item_id, types=[EventType.ITEM_CHANGED])
    assert [e.snapshot for e in point] == [change]


async def test_an_event_written_with_its_text_still_reads(
    store: Store, engine: AsyncEngine
) -> None:
    [new] = (await publish(store, agenda("Første udgave. " * 20), day=DAY, now=NOW))[:1]
    old_format = replace(
        new,
        text="Teksten som den stod i hændelsen.",
        indstilling=None,
        beslutning="Taget til efterretning.",
        old=replace(new, text="Den gamle tekst i hændelsen."),
    )
    async with engine.begin() as conn:
        await conn.execute(
            events.insert().values(
                type=EventType.ITEM_CHANGED.value,
                created_at=NOW,
                source_id=None,
                document_id=new.document_id,
                item_id=new.item_id,
                item_version_id=new.version_id,
                payload=to_json(old_format),
            )
        )
    [read] = await store.archive.latest(types=[EventType.ITEM_CHANGED], limit=1)
    assert read.snapshot == old_format
    assert isinstance(read.snapshot.old, ItemSnapshot)
    assert read.snapshot.old.text == "Den gamle tekst i hændelsen."
    # Old and new rows in one batch: each reads its own way.
    mixed = await item_events(store)
    assert mixed[0].snapshot == new
    assert mixed[-1].snapshot == old_format
