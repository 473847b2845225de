"""What every route needs, built once by ``create_app``: settings, database, links, templates."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import HTMLResponse

from notifier import feeds
from notifier.config import Settings
from notifier.models import Council, Frequency, Topic
from notifier.store import events as store_events
from notifier.tokens import Tokens
from notifier.untrusted import clean_text, safe_url
from notifier.web.csrf import Csrf
from notifier.web.ratelimit import RateLimiter

FREQUENCY_NAMES = {
    Frequency.IMMEDIATE: "Straks, når der er nyt",
    Frequency.DAILY: "Dagligt overblik",
    Frequency.WEEKLY: "Ugentligt overblik",
}


def templates(templates_dir: Path) -> Environment:
    """Pages and mails: ``*.html.j2`` autoescaped, ``*.txt.j2`` not; XML-invalid characters
    are dropped from every value either way."""
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        finalize=lambda value: clean_text(value) if isinstance(value, str) else value,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_url"] = safe_url
    return env


class FileCache:
    """The rendered feeds and calendars, rebuilt when a new event has been stored."""

    def __init__(self, engine: AsyncEngine, renderer: feeds.FeedRenderer) -> None:
        self._engine = engine
        self._renderer = renderer
        self._lock = asyncio.Lock()
        self._event_id = -1
        self._files: dict[str, feeds.File] = {}
        self._entries: list[feeds.Entry] = []

    async def files(self) -> dict[str, feeds.File]:
        await self._refresh()
        return self._files

    async def entries(self) -> list[feeds.Entry]:
        await self._refresh()
        return self._entries

    async def _refresh(self) -> None:
        # Every change to items or meetings appends an event, so the newest event id says
        # whether what we rendered is still current.
        async with self._lock, self._engine.connect() as conn:
            event_id = await store_events.last_id(conn)
            if event_id != self._event_id:
                state = await feeds.recent(conn)
                self._files = await feeds.build_files(conn, self._renderer, state)
                self._entries = state.entries
                self._event_id = event_id


@dataclass(kw_only=True)
class Site:
    settings: Settings
    engine: AsyncEngine
    topics: list[Topic]
    tokens: Tokens
    csrf: Csrf
    renderer: feeds.FeedRenderer
    files: FileCache
    env: Environment
    ip_limit: RateLimiter
    address_limit: RateLimiter
    scheduler_running: Callable[[], bool]
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
