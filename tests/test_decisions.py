"""A minutes point is linked to the agenda point it decides, and only while it does: an agenda
point's archive entry shows the decisions linked to it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from notifier.models import Council, Document, DocumentKind, EventType, Item, Meeting
from notifier.plan import Extracted, plan_source, wanted
from notifier.store import Store
from tests.factories import COPENHAGEN, Spec, SpecClassifier, publish, source_for

DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
AGENDA = [
    Spec(title="Status for klima VIP-projekterne", number="3.2", case_number="SAG-2021-01954"),
    Spec(title="Budget for det regionale uddannelsesudvalg", number="3.3"),
]


# The minutes point's own text, kept when its title is replaced: without it, a point under
# another title is another point (told new, the one it replaces removed), not a change.
_RECORD = (
    "Sekretariatet orienterede om sagen og de drøftelser, der har været i "
    "kommunaldirektørkredsen og i de faglige netværk siden sidste møde."
)


def _minutes(first_title: str) -> list[Spec]:
    return [
        Spec(
            title=first_title,
            text=_RECORD,
            number="3.2",
            beslutning="KKR tog orienteringen til efterretning.",
        ),
        Spec(title=AGENDA[1].title, number="3.3", beslutning="Godkendt."),
    ]


async def _deciding(store: Store, agenda_item: int) -> set[int]:
    """The other items whose events make up the agenda point's archive entry."""
    events = await store.archive.point(agenda_item, types=list(EventType))
    return {event.item_id for event in events if event.item_id not in (None, agenda_item)}


async def test_a_minutes_point_that_no_longer_decides_loses_its_link(store: Store) -> None:
    told = await publish(store, AGENDA, day=DAY, now=NOW)
    agenda = {snapshot.number: snapshot.item_id for snapshot in told}
    first = await publish(
        store,
        _minutes(AGENDA[0].title),
        kind=DocumentKind.MINUTES,
        day=DAY,
        now=NOW + timedelta(days=1),
    )
    minutes = {snapshot.number: snapshot.item_id for snapshot in first}
    assert await _deciding(store, agenda["3.2"]) == {minutes["3.2"]}
    assert await _deciding(store, agenda["3.3"]) == {minutes["3.3"]}

    # The minutes are republished with point 3.2 replaced by an unrelated matter (no case
    # number, a title unlike the agenda's 3.2): it decides nothing on this agenda any more.
    await publish(
        store,
        _minutes("Orientering om ny vejvisning ved motorvejen"),
        kind=DocumentKind.MINUTES,
        day=DAY,
        now=NOW + timedelta(days=2),
    )
    assert await _deciding(store, agenda["3.2"]) == set()
    assert await _deciding(store, agenda["3.3"]) == {minutes["3.3"]}  # untouched, still linked


async def test_minutes_decide_the_points_of_a_supplementary_agenda_numbered_anew(
    store: Store,
) -> None:
    """A meeting's supplementary agenda (tillægsdagsorden) numbers its points from 1 again. Its
    point 1 must not take the decision of the main agenda's point 1: before, agenda points were
    told apart by key, unique only within one document, and the minutes' point 1 decided the
    supplement's point (its event named that point and carried its topics)."""
    main = [
        Spec(title="Klimaplaner i kommunerne", number="1", case_number="SAG-2021-01954"),
        Spec(title="Budget for det regionale uddannelsesudvalg", number="2"),
    ]
    extra = [
        Spec(
            title="Praktikpladser til erhvervsuddannelserne",
            number="1",
            case_number="SAG-2021-02111",
        )
    ]
    told = await publish(store, main, day=DAY, now=NOW)
    told += await publish(
        store, extra, day=DAY, title="Tillægsdagsorden", supplementary=True, now=NOW
    )
    agenda = {snapshot.title: snapshot.item_id for snapshot in told}
    minutes = [
        Spec(
            title=spec.title,
            number=str(n),
            case_number=spec.case_number,
            beslutning="Godkendt.",
        )
        for n, spec in enumerate([*main, *extra], start=1)
    ]
    decided = await publish(
        store, minutes, kind=DocumentKind.MINUTES, day=DAY, now=NOW + timedelta(days=1)
    )
    by_title = {snapshot.title: snapshot for snapshot in decided if snapshot.decides_title}
    assert {title: s.decides_title for title, s in by_title.items()} == {
        spec.title: spec.title for spec in [*main, *extra]
    }
    for title, agenda_item in agenda.items():
        assert await _deciding(store, agenda_item) == {by_title[title].item_id}


def _meeting_document(kind: DocumentKind, specs: list[Spec]) -> Extracted:
    items = [
        Item(
            key=spec.number or spec.title,
            position=position,
            title=spec.title,
            text=spec.text,
            number=spec.number,
            case_number=spec.case_number,
            beslutning=spec.beslutning,
        )
        for position, spec in enumerate(specs)
    ]
    document = Document(
        url=f"http://127.0.0.1/{kind.value}.pdf",
        kind=kind,
        title=f"{kind.value} {DAY}",
        date=DAY,
        text="\n\n".join(f"{item.title}\n{item.text}" for item in items),
        content_type="application/pdf",
        meeting=Meeting(
            council=Council.HOVEDSTADEN,
            starts_at=datetime(DAY.year, DAY.month, DAY.day, 10, tzinfo=COPENHAGEN),
            place="Virtuelt via Teams",
        ),
    )
    return Extracted(document=document, items=items, ref=wanted(document, Council.HOVEDSTADEN))


async def test_minutes_listed_before_their_agenda_in_one_poll_decide_its_points(
    store: Store,
) -> None:
    """Found by a review: a listing shows the newest first, the minutes before the agenda. Both
    new in one poll, the minutes were stored first, found no agenda points, and their
    decisions were never linked nor told (nor on later polls: the minutes did not change)."""
    source = source_for(Council.HOVEDSTADEN)
    start = await store.polls.begin(source, owner="test", now=NOW, ttl=timedelta(minutes=5))
    assert start is not None
    extracted = [
        _meeting_document(DocumentKind.MINUTES, _minutes(AGENDA[0].title)),
        _meeting_document(DocumentKind.AGENDA, AGENDA),
    ]
    known = await store.polls.lookup(source.id, [found.ref for found in extracted if found.ref])
    plan = plan_source(
        source_id=source.id,
        council=source.council,
        extracted=extracted,
        known=known,
        classifier=SpecClassifier(AGENDA),
        topic_count=6,
    )
    await store.polls.finish(
        source,
        previous=start.state,
        plan=plan,
        fetched=[],
        errors=[],
        failed=False,
        owner="test",
        now=NOW,
    )
    decided = await store.archive.since(0, types=[EventType.ITEM_DECIDED])
    assert sorted(e.snapshot.number for e in decided) == ["3.2", "3.3"]
    for event in decided:
        assert event.snapshot.decides_item_id is not None
        assert await _deciding(store, event.snapshot.decides_item_id) == {event.item_id}


async def test_held_minutes_tell_their_decisions_once_let_through_or_released(
    store: Store,
) -> None:
    """Minutes held by the quality gate are linked to their agenda points, but nothing is told;
    once they pass the gate (or the operator releases them) their decisions are told with them,
    once each. Before, only item.new went out: no follower of the agenda point heard of the
    decision (it goes with the agenda point's topics)."""
    told = await publish(store, AGENDA, day=DAY, now=NOW)
    agenda = {snapshot.number: snapshot.item_id for snapshot in told}
    minutes = _minutes(AGENDA[0].title)
    problem = ["numbering skips 3.1"]

    async def decided(after: int) -> list[tuple[str | None, int | None]]:
        events = await store.archive.since(after, types=[EventType.ITEM_DECIDED])
        return sorted((e.snapshot.number, e.snapshot.decides_item_id) for e in events)

    before = await store.archive.last_event_id()
    later = NOW + timedelta(days=1)
    await publish(store, minutes, kind=DocumentKind.MINUTES, day=DAY, now=later, problems=problem)
    assert await decided(before) == []  # held: nothing told
    # Let through by the next poll, which also edits 3.3's decision: told once, not twice.
    edited = [minutes[0], Spec(title=AGENDA[1].title, number="3.3", beslutning="Godkendt igen.")]
    await publish(store, edited, kind=DocumentKind.MINUTES, day=DAY, now=later + timedelta(hours=1))
    assert await decided(before) == [("3.2", agenda["3.2"]), ("3.3", agenda["3.3"])]

    # Held again, then released by the operator.
    before = await store.archive.last_event_id()
    await publish(
        store,
        minutes,
        kind=DocumentKind.MINUTES,
        day=DAY,
        now=later + timedelta(hours=2),
        problems=problem,
    )
    [held] = await store.review.held()
    await store.review.release(held.id, now=later + timedelta(hours=3))
    assert await decided(before) == [("3.2", agenda["3.2"]), ("3.3", agenda["3.3"])]
