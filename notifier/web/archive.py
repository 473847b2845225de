"""The public archive: the newest items, filtered by topic and council with GET parameters."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifier.feeds import FEED_SIZE, FeedSpec, calendar_path
from notifier.models import Council
from notifier.web.site import site_of


async def archive(request: Request) -> Response:
    site = site_of(request)
    names = site.topic_names
    topic = request.query_params.get("emne") or None
    council_id = request.query_params.get("kkr") or None
    # An unknown value is treated as no filter: the page still shows something useful.
    topic = topic if topic in names else None
    council = Council(council_id) if council_id in set(Council) else None
    chosen = FeedSpec(slug="arkiv", title="Arkiv", topic=topic, council=council)
    entries = chosen.select(await site.files.entries())
    feed_slug = (
        "/".join(
            part
            for part in (
                f"kkr/{council.value}" if council else "",
                f"emne/{topic}" if topic else "",
            )
            if part
        )
        or "alle"
    )
    return site.page(
        request,
        "archive.html.j2",
        entries=entries,
        topic_names=names,
        chosen_topic=topic,
        chosen_council=council,
        limit=FEED_SIZE,
        feed_slug=feed_slug,
        calendar=calendar_path(council),
    )


async def index(request: Request) -> Response:
    site = site_of(request)
    return site.page(request, "index.html.j2", specs=site.renderer.specs)


routes = [
    Route("/", index, methods=["GET"]),
    Route("/arkiv", archive, methods=["GET"]),
]
