"""A limit on what a client may post. Starlette reads a form's body whole into memory before
parsing it, and no form here needs more than a few KB, so a body is counted as it is read and
refused (413) once it passes ``web.max_form_bytes``: by its Content-Length before any of it is
read, or, sent chunked without one, at the chunk that passes the limit."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from notifier.web.admin.console import PREFIX, console_of
from notifier.web.site import site_of

TOO_LARGE = 413
_TITLE = "Formularen er for stor"
_TEXT = "Det, du sendte, fylder mere, end en formular her tager imod. Gå tilbage, og prøv igen."


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared > self.max_bytes:
                raise HTTPException(TOO_LARGE)
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise HTTPException(TOO_LARGE)
            return message

        await self.app(scope, limited_receive, send)


async def too_large(request: Request, exc: Exception) -> Response:
    """The answer to a body over the limit, as the site or the console says it. The connection
    is closed after it, so the server reads no more of the body either."""
    if request.url.path.startswith(PREFIX):
        link = (PREFIX, "Til konsollen")
        response: Response = console_of(request).message(
            request, _TITLE, _TEXT, status=TOO_LARGE, link=link
        )
    else:
        response = site_of(request).message(request, _TITLE, _TEXT, status=TOO_LARGE)
    response.headers["Connection"] = "close"
    return response


def _content_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit():
            return int(value)
    return 0
