"""Topics the secretariat chose for an item (conn-level helpers): every path that writes an
item's topics (a poll's changes, reclassification, the console) asks here first, so a
correction wins over the classifier for that item from then on."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.models import Evidence, TopicMatch
from notifier.store.schema import topic_corrections

CHOSEN = Evidence(term="", matched="valgt af sekretariatet", where="correction")


async def chosen(
    conn: AsyncConnection, item_ids: Collection[int] | None
) -> dict[int, tuple[str, ...]]:
    """The topic ids chosen for those of these items that were corrected (every corrected
    item's with None: the table is small, a list of every live item may not be)."""
    query = sa.select(topic_corrections.c.item_id, topic_corrections.c.topics)
    if item_ids is not None:
        if not item_ids:
            return {}
        query = query.where(topic_corrections.c.item_id.in_(list(item_ids)))
    return {row[0]: tuple(row[1]) for row in (await conn.execute(query)).all()}


def corrected(classified: Sequence[TopicMatch], topics: Sequence[str]) -> tuple[TopicMatch, ...]:
    """The chosen topics as matches: the classifier's own matches (score, evidence, strongest
    first) for the topics it found too, then one per added topic saying the secretariat chose
    it."""
    wanted = set(topics)
    kept = tuple(match for match in classified if match.topic in wanted)
    found = {match.topic for match in kept}
    added = tuple(
        TopicMatch(topic=topic, score=1.0, evidence=(CHOSEN,))
        for topic in dict.fromkeys(topics)
        if topic not in found
    )
    return kept + added


def override(
    classified: Sequence[TopicMatch], topics: tuple[str, ...] | None
) -> tuple[TopicMatch, ...]:
    """``classified`` unless the item was corrected (``topics`` is what was chosen)."""
    return tuple(classified) if topics is None else corrected(classified, topics)
