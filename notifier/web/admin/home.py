"""The console's front page, its audit log, and "send me a test digest".

A test digest is a digest of the newest items (whatever their topics and councils), composed
like any digest and sent through the outbox like any mail, to the signed-in address only: kind
"test", tied to no subscriber, so no send log, no cursor and no subscriber is touched.
"""

from __future__ import annotations

from datetime import datetime

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifier.digest import DIGEST_EVENTS, Entry, Plan, Reason
from notifier.models import ALL, Event, EventType, Frequency, Subscriber, SubscriberState
from notifier.web.admin.console import PREFIX, Console, action, page, redirect

TEST_ITEMS = 15  # items in a test digest
EVENT_WINDOW = 500  # newest item events looked through for them


@page
async def home(request: Request, console: Console, user: str) -> Response:
    store = console.store
    people = await console.subscriptions.all()
    states = await store.sources.states()
    return console.render(
        request,
        "home.html.j2",
        user=user,
        title="Konsol",
        active=sum(p.state is SubscriberState.ACTIVE for p in people),
        pending=sum(p.state is SubscriberState.PENDING for p in people),
        outbox=await store.outbox.depth(),
        unhealthy=[s for s in states if s.state != "ok" or s.consecutive_failures],
        held=len(await store.review.held()),
        recent=await store.admin.log(limit=10),
    )


@page
async def audit_log(request: Request, console: Console, user: str) -> Response:
    return console.render(
        request,
        "log.html.j2",
        user=user,
        title="Log over handlinger",
        entries=await console.store.admin.log(limit=500),
    )


def sample(events: list[Event], recipient: str, *, limit: int, now: datetime) -> Plan:
    """A digest of the newest items with at least one topic: each item once, as it stands."""
    entries: list[Entry] = []
    seen: set[int] = set()
    for event in events:  # newest first
        snap = event.snapshot
        if snap.item_id in seen:
            continue
        seen.add(snap.item_id)
        if snap.procedural or not snap.topics:
            continue
        if event.type is EventType.ITEM_DECIDED:
            reason = Reason.DECIDED
        elif event.type is EventType.ITEM_CHANGED and snap.old is not None:
            reason = Reason.CHANGED
        else:
            reason = Reason.NEW
        entries.append(
            Entry(
                snapshot=snap,
                reason=reason,
                topics=snap.topic_ids,
                old=snap.old if reason is Reason.CHANGED else None,
            )
        )
        if len(entries) == limit:
            break
    reader = Subscriber(
        id=0,
        email=recipient,
        name="",
        topics=(ALL,),
        councils=(ALL,),
        frequency=Frequency.DAILY,
        state=SubscriberState.ACTIVE,
        created_at=now,
        confirmed_at=now,
        unsubscribed_at=None,
        event_cursor=0,
        token_generation=0,
        # A reader of everything: no own words to match or exclude, never paused.
        keywords=(),
        excluded=(),
        paused_until=None,
        first_digest=False,
    )
    last = max((event.id for event in events), default=0)
    return Plan(subscriber=reader, entries=tuple(entries), after_event=0, until_event=last)


@action
async def test_digest(request: Request, console: Console, user: str, form: FormData) -> Response:
    now = console.now()
    events = await console.store.archive.latest(types=DIGEST_EVENTS, limit=EVENT_WINDOW)
    plan = sample(events, user, limit=min(TEST_ITEMS, console.settings.digest.max_items), now=now)
    if not plan.entries:
        return redirect(PREFIX, ok="test_empty")
    message = console.composer.test_digest(plan, recipient=user, now=now)
    await console.store.outbox.enqueue([message], now=now)
    await console.audit(user, "test_digest", "", {"items": len(plan.entries)})
    console.nudge()
    return redirect(f"{PREFIX}/udsendelser", ok="test_sent")


routes = [
    Route(PREFIX, home, methods=["GET"]),
    Route(f"{PREFIX}/log", audit_log, methods=["GET"]),
    Route(f"{PREFIX}/testoverblik", test_digest, methods=["POST"]),
]
