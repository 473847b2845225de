"""What went to whom: the outbox's messages (per subscriber, per digest round, or all), what
each digest told, and the mail itself.

A mail's HTML is shown on a page of its own, served under a CSP sandbox with no scripts, in a
unique origin that can read nothing of the console's; remote images are not loaded.
"""

from __future__ import annotations

from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from notifier.web.admin.console import COPENHAGEN, PREFIX, Console, not_found, page, private

HOME = f"{PREFIX}/udsendelser"
KINDS = {
    "digest": "Overblik",
    "test": "Testoverblik",
    "confirm": "Bekræftelse",
    "alert": "Driftsalarm",
    "signin": "Login-link",
}
STATES = {"pending": "Venter", "sent": "Sendt", "failed": "Fejlet"}
# The mail's HTML may style itself; nothing else (no scripts, no remote images, no forms).
MAIL_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "form-action 'none'; base-uri 'none'"
)


@page
async def messages(request: Request, console: Console, user: str) -> Response:
    kind = request.query_params.get("type") or None
    recipient = request.query_params.get("modtager", "").strip()[:320] or None
    run_at = _time(request.query_params.get("runde"))
    found = await console.store.send_log.messages(
        kind=kind if kind in KINDS else None,
        recipient=recipient,
        created_at=run_at,
        limit=500 if run_at else 100,
    )
    return console.render(
        request,
        "messages.html.j2",
        user=user,
        title="Udsendelser",
        messages=found,
        runs=[] if run_at else await console.store.send_log.runs(),
        run_at=run_at,
        kind=kind or "",
        recipient=recipient or "",
        kinds=KINDS,
        states=STATES,
    )


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
        # The page shows the round in Copenhagen time: a moment at the calendar's very edge
        # (9999-12-31T23:59+00:00) has none, and is no round anyway.
        parsed.astimezone(COPENHAGEN)
    except (ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo is not None else None


@page
async def message(request: Request, console: Console, user: str) -> Response:
    found = await console.store.send_log.message(request.path_params["id"])
    if found is None:
        return not_found(request, console, user, "Mailen")
    sent, body = found
    parsed = _parse(body)
    text = parsed.get_body(preferencelist=("plain",))
    return console.render(
        request,
        "sent.html.j2",
        user=user,
        title=sent.subject,
        sent=sent,
        told=await console.store.send_log.told_in(sent.id),
        text=text.get_content() if text is not None else "",
        has_html=parsed.get_body(preferencelist=("html",)) is not None,
        headers=[(name, str(parsed[name])) for name in ("From", "To", "Date", "Message-ID")],
        kinds=KINDS,
        states=STATES,
    )


@page
async def message_html(request: Request, console: Console, user: str) -> Response:
    found = await console.store.send_log.message(request.path_params["id"])
    html = None
    if found is not None:
        part = _parse(found[1]).get_body(preferencelist=("html",))
        html = part.get_content() if part is not None else None
    if html is None:
        return not_found(request, console, user, "Mailens HTML")
    response = HTMLResponse(html)
    response.headers["Content-Security-Policy"] = MAIL_CSP
    private(response)
    return response


def _parse(body: bytes) -> EmailMessage:
    parsed = message_from_bytes(body, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


routes = [
    Route(HOME, messages, methods=["GET"]),
    Route(f"{HOME}/{{id:id}}", message, methods=["GET"]),
    Route(f"{HOME}/{{id:id}}/html", message_html, methods=["GET"]),
]
