"""Feed, OPML and calendar routes, with ETag / Last-Modified and 304 Not Modified."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifier.feeds import File
from notifier.web.site import site_of

CACHE_CONTROL = "public, max-age=300"


async def published_file(request: Request) -> Response:
    prefix = request.url.path.split("/")[1]
    files = await site_of(request).files.files()
    file = files.get(f"{prefix}/{request.path_params['path']}")
    if file is None:
        return Response("Ikke fundet\n", status_code=404, media_type="text/plain; charset=utf-8")
    return conditional(request, file)


def conditional(request: Request, file: File) -> Response:
    """The file, or 304 when the client's copy (by ETag, else by date) is current."""
    etag = file.etag
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if file.http_date is not None:
        headers["Last-Modified"] = file.http_date
    if _not_modified(request, etag, file):
        return Response(status_code=304, headers=headers)
    return Response(file.body, media_type=file.media_type, headers=headers)


def _not_modified(request: Request, etag: str, file: File) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        # RFC 9110: If-None-Match wins over If-Modified-Since; compare weakly.
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since and file.last_modified is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return file.last_modified.replace(microsecond=0) <= since
    return False


routes = [
    Route("/feeds/{path:path}", published_file, methods=["GET"]),
    Route("/kalender/{path:path}", published_file, methods=["GET"]),
]
