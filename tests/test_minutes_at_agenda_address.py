"""The minutes of a meeting published where its agenda was, or read as minutes after the agenda
was stored, are a document of their own: they decide the agenda's points, they do not replace
them. Municipal agenda systems keep one address for a meeting's agenda and its minutes (Stevns'
stevns.dk/dagsorden/<udvalg>-<dag> pages, Holbæk's dagsordner.holbaek.dk/committee_<n>/
agenda_<n>/ pages, both "Referat" once the meeting is held).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from notifier.models import DocumentKind, EventType
from notifier.store import Store
from tests.factories import Spec, publish

DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
URL = "http://127.0.0.1/dagsorden/byraadet-23-11-2026"
AGENDA = [
    Spec(title="Vejplan for midtbyen", number="1", indstilling="At planen godkendes."),
    Spec(title="Salg af grund ved havnen", number="2", indstilling="At salget godkendes."),
]
MINUTES = [
    Spec(
        title=spec.title,
        number=spec.number,
        indstilling=spec.indstilling,
        beslutning="Godkendt.",
    )
    for spec in AGENDA
]


async def test_minutes_at_their_agenda_s_address_decide_its_points(store: Store) -> None:
    # Found by URL, the minutes were taken for the stored agenda: its points were changed into
    # the minutes' ("[Ændret]"), the document became the minutes, and with no agenda left in
    # the meeting no decision was linked nor told.
    told = await publish(store, AGENDA, day=DAY, url=URL, now=NOW)
    agenda = {snapshot.number: snapshot.item_id for snapshot in told}
    later = NOW + timedelta(days=1)
    await publish(store, MINUTES, kind=DocumentKind.MINUTES, day=DAY, url=URL, now=later)
    decided = await store.archive.since(0, types=[EventType.ITEM_DECIDED])
    assert sorted((e.snapshot.number, e.snapshot.decides_item_id) for e in decided) == sorted(
        agenda.items()
    )
    # The agenda's points stand as they were told.
    changed = await store.archive.since(0, types=[EventType.ITEM_CHANGED, EventType.ITEM_REMOVED])
    assert [e.item_id for e in changed if e.item_id in agenda.values()] == []


async def test_the_same_agenda_at_its_address_is_still_the_same_document(store: Store) -> None:
    # Still: an agenda read again at its address (retitled, its date moved) is the stored one.
    await publish(store, AGENDA, day=DAY, url=URL, now=NOW)
    moved = DAY + timedelta(days=1)
    told = await publish(store, AGENDA, day=moved, url=URL, now=NOW + timedelta(hours=1))
    assert [snapshot.number for snapshot in told] == []
