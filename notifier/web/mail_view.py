"""A digest in the browser ("Se mailen i din browser"): the HTML of one stored message, reached
only through the signed link in that message (``Tokens.view_url``), so nobody can guess
another person's mail. The page is the mail's own HTML under a strict policy: no scripts, no
remote content, no forms, sandboxed, never cached or indexed, no Referer (the links in it are
the subscriber's own manage and unsubscribe links)."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from notifier.tokens import VIEW_PATH, TokenError
from notifier.web.site import site_of

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; "
    "sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation"
)


def html_of(body: bytes) -> str | None:
    """The HTML part of a stored message, or None when it has none."""
    message: EmailMessage = email.message_from_bytes(body, policy=email.policy.default)
    part = message.get_body(preferencelist=("html",))
    return str(part.get_content()) if part is not None else None


async def view(request: Request) -> Response:
    site = site_of(request)
    html = None
    try:
        message_id = site.tokens.read_view(request.path_params["token"])
    except TokenError:
        message_id = None
    if message_id is not None:
        body = await site.store.archive.message(message_id)
        html = html_of(body) if body is not None else None
    if html is None:
        return site.message(
            request,
            "Mailen findes ikke",
            "Linket er ugyldigt, eller mailen er slettet.",
            status=404,
            link=("/arkiv", "Til arkivet"),
        )
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": CSP,
            "Cache-Control": "no-store",
            "X-Robots-Tag": "noindex, nofollow",
        },
    )


routes = [Route(f"{VIEW_PATH}/{{token}}", view, methods=["GET"])]
