"""Signing in to the console: a single-use link mailed to an address in ``admin.addresses``.

No passwords to keep. The sign-in form answers alike whether or not the address may sign in
(and no sooner than ``FLOOR``), so it tells a stranger nothing. The link is signed and
short-lived (``admin.link_max_age``), and it is spent when used: the store marks it used in the
same transaction that opens the session. Opening the link only shows a button; the POST behind
it signs in, so a mail scanner that fetches links spends nothing.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime, timedelta

from itsdangerous import BadSignature
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifier.compose import Composer
from notifier.config import Settings
from notifier.errors import SubscriberError
from notifier.store import Store
from notifier.subscriptions import normalize_email
from notifier.web.admin.console import (
    COOKIE,
    MAX_FIELDS,
    PREFIX,
    Console,
    console_of,
    expired,
    link_serializer,
    redirect,
    token_hash,
)
from notifier.web.csrf import FIELD

FLOOR = 0.2  # seconds; well above what either answer takes


async def signin_form(request: Request) -> Response:
    console = console_of(request)
    if await console.user(request) is not None:
        return redirect(PREFIX)
    return console.render(request, "signin.html.j2", user=None, email="", error="")


async def send_link(request: Request) -> Response:
    console = console_of(request)
    form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    if not console.csrf.valid(request, str(form.get(FIELD) or "")):
        return expired(request, console)
    if not console.settings.smtp.enabled:
        return console.message(
            request,
            "Login er lukket",
            "Konsollen sender login-links med mail, og der er ikke sat mail op (smtp.host).",
            status=503,
        )
    client = request.client.host if request.client else "unknown"
    if not console.ip_limit.allow(client):
        return _too_many(request, console)
    raw = str(form.get("email") or "").strip()[:320]
    try:
        address = normalize_email(raw)
    except SubscriberError:
        return console.render(
            request,
            "signin.html.j2",
            user=None,
            status=400,
            email=raw,
            error="Skriv en gyldig e-mailadresse.",
        )
    if not console.address_limit.allow(address):
        return _too_many(request, console)
    started = asyncio.get_running_loop().time()
    if console.allowed(address):
        await _issue(console, address)
    left = FLOOR - (asyncio.get_running_loop().time() - started)
    if left > 0:
        await asyncio.sleep(left)
    minutes = int(console.settings.admin.link_max_age // 60)
    return console.message(
        request,
        "Tjek din indbakke",
        f"Har {address} adgang til konsollen, har vi sendt et link til at logge ind med.",
        f"Linket virker i {minutes} minutter og kun én gang.",
    )


async def _issue(console: Console, address: str) -> None:
    await issue_link(
        console.store,
        console.settings,
        address,
        secret=console.secret,
        composer=console.composer,
        now=console.now(),
    )
    console.nudge()


async def issue_link(
    store: Store,
    settings: Settings,
    address: str,
    *,
    secret: str,
    composer: Composer | None,
    now: datetime,
) -> str:
    """Make a sign-in link for ``address`` and remember it; with a composer, queue the mail that
    carries it too. Returns the link (``notifier console link`` prints it)."""
    nonce = secrets.token_urlsafe(24)
    token = link_serializer(secret).dumps(nonce)
    link = f"{settings.web.base_url}{PREFIX}/log-ind/{token}"
    minutes = int(settings.admin.link_max_age // 60)
    message = None
    if composer is not None:
        message = composer.signin_link(address, link=link, minutes=minutes, now=now)
    await store.admin.issue_link(
        nonce_hash=token_hash(nonce),
        email=address,
        expires_at=now + timedelta(seconds=settings.admin.link_max_age),
        message=message,
        now=now,
    )
    return link


def _nonce(console: Console, token: str) -> str | None:
    try:
        nonce = console.links.loads(token, max_age=int(console.settings.admin.link_max_age))
    except BadSignature:
        return None
    return nonce if isinstance(nonce, str) else None


async def link_page(request: Request) -> Response:
    console = console_of(request)
    nonce = _nonce(console, request.path_params["token"])
    address = None
    if nonce is not None:
        address = await console.store.admin.link_email(token_hash(nonce), now=console.now())
    if address is None or not console.allowed(address):
        return _bad_link(request, console)
    return console.render(request, "signin_link.html.j2", user=None, email=address)


async def sign_in(request: Request) -> Response:
    console = console_of(request)
    form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    if not console.csrf.valid(request, str(form.get(FIELD) or "")):
        return expired(request, console)
    nonce = _nonce(console, request.path_params["token"])
    if nonce is None:
        return _bad_link(request, console)
    token = secrets.token_urlsafe(32)
    now = console.now()
    max_age = console.settings.admin.session_max_age
    address = await console.store.admin.sign_in(
        nonce_hash=token_hash(nonce),
        token_hash=token_hash(token),
        expires_at=now + timedelta(seconds=max_age),
        now=now,
    )
    if address is None or not console.allowed(address):
        return _bad_link(request, console)
    response = redirect(PREFIX)
    response.set_cookie(
        COOKIE,
        console.sessions.dumps(token),
        max_age=int(max_age),
        path=PREFIX,
        secure=console.secure,
        httponly=True,
        samesite="strict",
    )
    return response


async def sign_out(request: Request) -> Response:
    console = console_of(request)
    form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    if not console.csrf.valid(request, str(form.get(FIELD) or "")):
        return expired(request, console)
    user = await console.user(request)
    if user is not None:
        token = console.sessions.loads(request.cookies[COOKIE])
        await console.store.admin.sign_out(token_hash(token), actor=user, now=console.now())
    response = redirect(f"{PREFIX}/log-ind", ok="signed_out")
    response.delete_cookie(COOKIE, path=PREFIX, secure=console.secure, httponly=True)
    return response


def _bad_link(request: Request, console: Console) -> Response:
    return console.message(
        request,
        "Linket virker ikke",
        "Linket er ugyldigt, udløbet eller allerede brugt. Bed om et nyt.",
        status=400,
        link=(f"{PREFIX}/log-ind", "Bed om et nyt link"),
    )


def _too_many(request: Request, console: Console) -> Response:
    response = console.message(
        request,
        "For mange forsøg",
        "Der er bedt om for mange login-links på kort tid. Vent en time, og prøv igen.",
        status=429,
    )
    response.headers["Retry-After"] = "3600"
    return response


routes = [
    Route(f"{PREFIX}/log-ind", signin_form, methods=["GET"]),
    Route(f"{PREFIX}/log-ind", send_link, methods=["POST"]),
    Route(f"{PREFIX}/log-ind/{{token}}", link_page, methods=["GET"]),
    Route(f"{PREFIX}/log-ind/{{token}}", sign_in, methods=["POST"]),
    Route(f"{PREFIX}/log-ud", sign_out, methods=["POST"]),
]
