"""What every route needs, built once by ``create_app`` from the runtime."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import HTMLResponse

from notifier import feeds
from notifier.compose import FREQUENCY_NAMES
from notifier.config import Settings
from notifier.health import JobHealth
from notifier.models import Council, Topic
from notifier.store import Store
from notifier.subscriptions import Subscriptions
from notifier.tokens import Tokens
from notifier.web.csrf import Csrf
from notifier.web.file_cache import FileCache
from notifier.web.ratelimit import RateLimiter


@dataclass(kw_only=True)
class Site:
    settings: Settings
    store: Store
    subscriptions: Subscriptions
    topics: list[Topic]
    tokens: Tokens
    csrf: Csrf
    renderer: feeds.FeedRenderer
    files: FileCache
    env: Environment
    ip_limit: RateLimiter
    address_limit: RateLimiter
    scheduler_running: Callable[[], bool]
    health: JobHealth = field(default_factory=JobHealth)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def topic_names(self) -> dict[str, str]:
        return {topic.id: topic.name for topic in self.topics}

    def page(
        self,
        request: Request,
        name: str,
        *,
        status: int = 200,
        form: bool = False,
        **context: Any,
    ) -> HTMLResponse:
        """A page from ``templates/web``; a page with a form gets a CSRF field and its cookie
        (only those: the public pages stay free of cookies and cacheable)."""
        cookie = self.csrf.cookie_value(request) if form else ""
        html = self.env.get_template(f"web/{name}").render(
            csrf_field=self.csrf.field_value(cookie) if form else "",
            topics=self.topics,
            councils=list(Council),
            frequencies=FREQUENCY_NAMES,
            path=request.url.path,
            **context,
        )
        response = HTMLResponse(html, status_code=status)
        if form:
            self.csrf.set_cookie(response, cookie)
        return response

    def message(
        self,
        request: Request,
        title: str,
        *lines: str,
        status: int = 200,
        link: tuple[str, str] | None = None,
    ) -> HTMLResponse:
        """A short page that says one thing (confirmation, error)."""
        return self.page(
            request, "message.html.j2", status=status, title=title, lines=lines, link=link
        )


def site_of(request: Request) -> Site:
    site = request.app.state.site
    assert isinstance(site, Site)
    return site
