"""What every console page needs: the parts it works with, who is signed in, and one way to
render a page, answer a form and record an action.

A signed-in user is a live session (``store.admin``) whose cookie carries a signed random token,
for an address that is still listed in ``admin.addresses``: taking an address off the list
ends its access at its next request. Every form carries a CSRF field (``web.csrf``); every
action is written to the audit log. Pages are never cached and never indexed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import Environment
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from notifier.compose import FREQUENCY_NAMES, Composer
from notifier.config import Settings, SourceConfig
from notifier.models import Council, Topic
from notifier.pipeline import SourceSummary
from notifier.store import AuditEntry, Store
from notifier.subscriptions import Subscriptions
from notifier.web.csrf import FIELD, Csrf
from notifier.web.ratelimit import RateLimiter

log = logging.getLogger(__name__)

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
COOKIE = "kkr_admin"
PREFIX = "/admin"
MAX_FIELDS = 40
Poll = Callable[[SourceConfig], Awaitable[SourceSummary]]
Send = Callable[[], Awaitable[None]]

# What a redirect after an action may say (by code, so no text from a URL reaches a page).
NOTICES = {
    "added": "Abonnenten er oprettet.",
    "saved": "Ændringerne er gemt.",
    "unsubscribed": "Abonnenten er afmeldt.",
    "purged": "Abonnenten og alt, hvad der var gemt om personen, er slettet.",
    "corrected": "Emnerne er rettet. Overblik og feeds følger rettelsen.",
    "unchanged": "Rettelsen er gemt; emnerne var allerede sådan.",
    "document_released": "Dokumentet er frigivet: dets punkter kommer med i de næste overblik.",
    "document_dismissed": "Dokumentet er afvist: dets punkter sendes ikke til nogen.",
    "released": "Kilden er frigivet og hentet.",
    "discarded": "Kildens tilbageholdte ændringer er kasseret og hentet som nyt udgangspunkt.",
    "polled": "Kilden er hentet.",
    "polling": "Kilden hentes stadig. Se dens status om lidt.",
    "busy": "Kilden hentes allerede lige nu. Se dens status om lidt.",
    "test_sent": "Testoverblikket er lagt i udbakken til dig. Det står øverst herunder.",
    "test_empty": "Der er ingen punkter at lave et testoverblik af endnu.",
    "signed_out": "Du er logget ud.",
}

# The audit log's actions in Danish.
ACTIONS = {
    "sign_in": "Loggede ind",
    "sign_out": "Loggede ud",
    "subscriber.add": "Oprettede abonnent",
    "subscriber.change": "Rettede abonnent",
    "subscriber.unsubscribe": "Afmeldte abonnent",
    "subscriber.export": "Hentede abonnentens data",
    "subscriber.purge": "Slettede abonnent",
    "item.correct": "Rettede emner",
    "document.release": "Frigav dokument",
    "document.dismiss": "Afviste dokument",
    "source.release": "Frigav kilde",
    "source.discard": "Kasserede kildens ændringer",
    "source.poll": "Hentede kilde",
    "test_digest": "Sendte testoverblik",
}


FIELDS = {
    "name": "navn",
    "topics": "emner",
    "councils": "KKR'er",
    "frequency": "hyppighed",
    "keywords": "egne ord",
    "excluded": "udelukkede ord",
    "paused_until": "pause til",
}


def describe(entry: AuditEntry, topic_names: Mapping[str, str]) -> str:
    """An audit entry's details in Danish words."""
    detail = entry.detail

    def names(ids: object, *, topics: bool = True) -> str:
        if ids is None:
            return "ingen"
        if not isinstance(ids, list):
            return str(ids)
        # Only topic ids have names: a subscriber's own word is shown as written.
        shown = (topic_names.get(str(i), str(i)) if topics else str(i) for i in ids)
        return ", ".join(shown) or "ingen"

    if entry.action == "item.correct":
        return f"{names(detail.get('before'))} → {names(detail.get('after'))}"
    if "items" in detail:
        return f"{detail['items']} punkter"
    parts = []
    for key, change in detail.items():
        if isinstance(change, dict):
            before, after = change.get("before"), change.get("after")
            topics = key == "topics"
            parts.append(
                f"{FIELDS.get(key, key)}: {names(before, topics=topics)} → "
                f"{names(after, topics=topics)}"
            )
        else:
            parts.append(f"{FIELDS.get(key, key)}: {change}")
    return "; ".join(parts)


def when(moment: datetime | None) -> str:
    """A time as the secretariat reads it: Copenhagen time, day first."""
    if moment is None:
        return "–"
    return moment.astimezone(COPENHAGEN).strftime("%d.%m.%Y %H:%M")


def link_serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="admin-link")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(kw_only=True)
class Console:
    settings: Settings
    store: Store
    subscriptions: Subscriptions
    composer: Composer
    topics: list[Topic]
    csrf: Csrf
    env: Environment
    secret: str
    poll: Poll
    send_outbox: Send | None  # sends the outbox now (sign-in links must not wait for a round)
    ip_limit: RateLimiter
    address_limit: RateLimiter
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.links = link_serializer(self.secret)
        self.sessions = URLSafeTimedSerializer(self.secret, salt="admin-session")

    @property
    def secure(self) -> bool:
        return self.settings.web.base_url.startswith("https://")

    def now(self) -> datetime:
        return self.clock()

    def allowed(self, address: str) -> bool:
        return address.lower() in self.settings.admin.addresses

    @property
    def topic_names(self) -> dict[str, str]:
        return {topic.id: topic.name for topic in self.topics}

    async def user(self, request: Request) -> str | None:
        """The signed-in address, or None."""
        cookie = request.cookies.get(COOKIE, "")
        if not cookie:
            return None
        try:
            token = self.sessions.loads(cookie, max_age=int(self.settings.admin.session_max_age))
        except BadSignature:
            return None
        if not isinstance(token, str):
            return None
        address = await self.store.admin.session(token_hash(token), now=self.now())
        return address if address is not None and self.allowed(address) else None

    def render(
        self,
        request: Request,
        name: str,
        *,
        user: str | None,
        status: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        """A page from ``templates/web/admin``, with a CSRF field for its forms."""
        cookie = self.csrf.cookie_value(request)
        notice = NOTICES.get(request.query_params.get("ok", ""), "")
        html = self.env.get_template(f"web/admin/{name}").render(
            csrf_field=self.csrf.field_value(cookie),
            user=user,
            path=request.url.path,
            notice=notice,
            topics=self.topics,
            topic_names=self.topic_names,
            councils=list(Council),
            frequencies=FREQUENCY_NAMES,
            actions=ACTIONS,
            when=when,
            describe=lambda entry: describe(entry, self.topic_names),
            **context,
        )
        response = HTMLResponse(html, status_code=status)
        self.csrf.set_cookie(response, cookie)
        private(response)
        return response

    def message(
        self,
        request: Request,
        title: str,
        *lines: str,
        user: str | None = None,
        status: int = 200,
        link: tuple[str, str] | None = None,
    ) -> HTMLResponse:
        return self.render(
            request,
            "message.html.j2",
            user=user,
            status=status,
            title=title,
            lines=lines,
            link=link,
        )

    async def audit(
        self, user: str, action: str, target: str = "", detail: Mapping[str, Any] | None = None
    ) -> None:
        await self.store.admin.record(
            actor=user, action=action, target=target, detail=detail, now=self.now()
        )

    def spawn(self, job: Awaitable[Any]) -> asyncio.Task[Any]:
        """Run ``job`` beyond this request (a poll, a send), keeping a reference to it."""

        async def run() -> Any:
            return await job

        task = asyncio.ensure_future(run())
        self.tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def nudge(self) -> None:
        """Send the outbox now, in the background, if the app was given a way to."""
        if self.send_outbox is not None and self.settings.smtp.enabled:
            self.spawn(self.send_outbox())

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("console job failed", exc_info=task.exception())


def console_of(request: Request) -> Console:
    console = request.app.state.console
    assert isinstance(console, Console)
    return console


def private(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"


def redirect(path: str, **query: object) -> RedirectResponse:
    """A 303 to another console page after a form (``ok=`` picks a notice there)."""
    url = path + ("?" + urlencode(query) if query else "")
    response = RedirectResponse(url, status_code=303)
    private(response)
    return response


Page = Callable[[Request, Console, str], Awaitable[Response]]
Action = Callable[[Request, Console, str, FormData], Awaitable[Response]]


def page(handler: Page) -> Callable[[Request], Awaitable[Response]]:
    """A GET that needs a signed-in user (others are sent to sign in)."""

    async def endpoint(request: Request) -> Response:
        console = console_of(request)
        user = await console.user(request)
        if user is None:
            return redirect(f"{PREFIX}/log-ind")
        return await handler(request, console, user)

    return endpoint


def action(handler: Action) -> Callable[[Request], Awaitable[Response]]:
    """A POST from a console form: a valid CSRF field and a signed-in user, or nothing."""

    async def endpoint(request: Request) -> Response:
        console = console_of(request)
        form = await request.form(max_files=0, max_fields=MAX_FIELDS)
        if not console.csrf.valid(request, str(form.get(FIELD) or "")):
            return expired(request, console)
        user = await console.user(request)
        if user is None:
            return console.message(
                request,
                "Du er ikke logget ind",
                "Din session er udløbet, eller du er logget ud. Log ind igen.",
                status=403,
                link=(f"{PREFIX}/log-ind", "Log ind"),
            )
        return await handler(request, console, user, form)

    return endpoint


def expired(request: Request, console: Console) -> Response:
    return console.message(
        request,
        "Formularen er udløbet",
        "Siden var for gammel, eller din browser sendte ikke den cookie, formularen bruger "
        "til at beskytte dig. Gå tilbage, hent siden igen, og prøv en gang til.",
        status=403,
        link=(PREFIX, "Til konsollen"),
    )


def not_found(request: Request, console: Console, user: str, what: str) -> Response:
    return console.message(
        request,
        "Findes ikke",
        f"{what} findes ikke (længere).",
        user=user,
        status=404,
        link=(PREFIX, "Til konsollen"),
    )


def int_param(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
