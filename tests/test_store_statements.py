"""What storing a document asks of the database: a fixed number of statements however many
items it has (each kind of row is written by one statement for the whole document), with every
item linked to its own version and every decision to the agenda point it decides."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from notifier.models import DocumentKind
from notifier.store import Store
from notifier.store.schema import item_versions, items
from tests.factories import Spec, publish, sqlalchemy_statements


def _points(count: int, *, decided: bool = False) -> list[Spec]:
    return [
        Spec(
            title=f"Punkt {n} om sag nummer {n}",
            number=str(n),
            text=f"Sagen drøftes. Punkt {n}.",
            beslutning="Godkendt." if decided else None,
        )
        for n in range(1, count + 1)
    ]


async def _statements(store: Store, work: Callable[[], Awaitable[object]]) -> int:
    # Statements issued (an executemany is one), as SQLAlchemy sees them.
    async with sqlalchemy_statements(store) as seen:
        await work()
    words = [s.split(None, 1)[0].upper() for s in seen]
    return len([w for w in words if w not in {"BEGIN", "SAVEPOINT", "RELEASE"}])


async def test_a_document_costs_the_same_statements_for_three_items_or_twelve(
    store: Store, engine: AsyncEngine
) -> None:
    await publish(store, _points(2), day=date(2021, 2, 1))  # the source's row is made once
    few = await _statements(store, lambda: publish(store, _points(3), day=date(2021, 3, 1)))
    many = await _statements(store, lambda: publish(store, _points(12), day=date(2021, 4, 1)))
    assert many == few
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(items.c.id, items.c.key, item_versions.c.item_id, item_versions.c.title)
                .join(item_versions, item_versions.c.id == items.c.current_version_id)
                .order_by(items.c.id)
            )
        ).all()
    assert len(rows) == 2 + 3 + 12
    for item_id, key, version_item_id, title in rows:
        assert version_item_id == item_id
        assert title == f"Punkt {key} om sag nummer {key}"


async def test_minutes_link_their_decisions_in_one_statement(
    store: Store, engine: AsyncEngine
) -> None:
    async def minutes(count: int, day: date) -> None:
        await publish(store, _points(count), day=day)
        await publish(store, _points(count, decided=True), kind=DocumentKind.MINUTES, day=day)

    await minutes(2, date(2021, 3, 1))  # the source's row is made once
    few = await _statements(store, lambda: minutes(3, date(2021, 4, 1)))
    many = await _statements(store, lambda: minutes(12, date(2021, 5, 1)))
    assert many == few
    decided = items.alias("decided")
    async with engine.connect() as conn:
        links = (
            await conn.execute(
                sa.select(items.c.key, decided.c.key)
                .join(decided, decided.c.id == items.c.decides_item_id)
                .order_by(items.c.id)
            )
        ).all()
    assert len(links) == 2 + 3 + 12
    assert all(minutes_key == agenda_key for minutes_key, agenda_key in links)
