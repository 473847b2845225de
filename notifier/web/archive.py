"""The public archive: the front page (a topic × council grid of feeds and a search box), the
newest points or a full-text search filtered by topic and council, and a page per point."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from notifier import feed_entries
from notifier.feeds import FEED_SIZE, FeedSpec, calendar_path
from notifier.models import Council
from notifier.web.cards import card, point
from notifier.web.site import Site, site_of

PAGE_SIZE = 20
MAX_QUERY = 200
MAX_PAGE = 100


def _filters(site: Site, request: Request) -> tuple[str | None, Council | None]:
    topic = request.query_params.get("emne") or None
    council_id = request.query_params.get("kkr") or None
    # An unknown value is treated as no filter: the page still shows something useful.
    topic = topic if topic in site.topic_names else None
    council = Council(council_id) if council_id in set(Council) else None
    return topic, council


def _feed_slug(topic: str | None, council: Council | None) -> str:
    parts = (f"kkr/{council.value}" if council else "", f"emne/{topic}" if topic else "")
    return "/".join(part for part in parts if part) or "alle"


async def archive(request: Request) -> Response:
    site = site_of(request)
    topic, council = _filters(site, request)
    query = " ".join(request.query_params.get("q", "").split())[:MAX_QUERY]
    newest_first = request.query_params.get("sortering") == "dato"
    try:
        page = min(max(int(request.query_params.get("side", "1")), 1), MAX_PAGE)
    except ValueError:
        page = 1
    total = None
    if query:
        found = await site.store.search.search(
            query,
            types=feed_entries.FEED_EVENTS,
            topic=topic,
            council=council,
            newest_first=newest_first,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        by_id = {entry.item_id: entry for entry in feed_entries.fold(found.events).entries}
        entries = [by_id[item_id] for item_id in found.item_ids if item_id in by_id]
        total = found.total
    else:
        chosen = FeedSpec(slug="arkiv", title="Arkiv", topic=topic, council=council)
        entries = chosen.select(await site.files.entries())
    names = site.topic_names
    return site.page(
        request,
        "archive.html.j2",
        cards=[card(entry, names) for entry in entries],
        query=query,
        total=total,
        page=page,
        pages=-(-total // PAGE_SIZE) if total else 0,
        newest_first=newest_first,
        chosen_topic=topic,
        chosen_council=council,
        limit=FEED_SIZE,
        feed_slug=_feed_slug(topic, council),
        calendar=calendar_path(council),
    )


async def item_page(request: Request) -> Response:
    site = site_of(request)
    item_id = request.path_params["item_id"]
    events = await site.store.archive.point(item_id, types=feed_entries.FEED_EVENTS)
    # A minutes point that decides an agenda point is shown on that point's page.
    decides = [e.snapshot.decides_item_id for e in events if e.item_id == item_id]
    agenda = [found for found in decides if found is not None]
    if agenda:
        return RedirectResponse(f"/punkt/{agenda[-1]}", status_code=301)
    for entry in feed_entries.fold(events).entries:
        if entry.item_id == item_id:
            return site.page(request, "point.html.j2", point=point(entry, site.topic_names))
    return site.message(
        request,
        "Punktet findes ikke",
        "Punktet er fjernet, eller adressen er forkert.",
        status=404,
        link=("/arkiv", "Til arkivet"),
    )


async def index(request: Request) -> Response:
    site = site_of(request)
    rows = [(None, "Alle emner"), *((t.id, t.name) for t in site.topics)]
    columns: list[tuple[Council | None, str]] = [(None, "Alle KKR'er")]
    columns += [(council, council.danish_name) for council in Council]
    grid = [
        (name, [(column, _feed_slug(topic, council)) for council, column in columns])
        for topic, name in rows
    ]
    return site.page(request, "index.html.j2", grid=grid, columns=[c for _, c in columns])


routes = [
    Route("/", index, methods=["GET"]),
    Route("/arkiv", archive, methods=["GET"]),
    Route("/punkt/{item_id:id}", item_page, methods=["GET"]),
]
