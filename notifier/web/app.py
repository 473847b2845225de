"""The app factory. Mount the result under uvicorn::

    app = create_app(runtime, scheduler_running=scheduler.running)
    await uvicorn.Server(uvicorn.Config(app, host=settings.web.host, port=settings.web.port,
                                        proxy_headers=True)).serve()

Behind a reverse proxy, start uvicorn with ``proxy_headers`` and ``forwarded_allow_ips`` so the
per-IP signup limit sees the client's address rather than the proxy's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from notifier import feeds
from notifier.health import JobHealth
from notifier.runtime import Runtime
from notifier.web import admin, archive, mail_view, manage, ops, subscribe
from notifier.web import feeds as feed_routes
from notifier.web.body_limit import TOO_LARGE, BodyLimit, too_large
from notifier.web.csrf import Csrf
from notifier.web.file_cache import FileCache
from notifier.web.ratelimit import RateLimiter
from notifier.web.site import Site

HOUR = 3600.0


def create_app(
    runtime: Runtime,
    *,
    scheduler_running: Callable[[], bool] = lambda: True,
    health: JobHealth | None = None,
    send_outbox: Callable[[], Awaitable[None]] | None = None,
) -> Starlette:
    """The ASGI app: feeds, subscription pages, archive, the console, /healthz, /readyz and
    /metrics. ``health``: the service's jobs, for /readyz and /metrics. ``send_outbox`` sends
    the outbox at once (the service's own send job, so sends never overlap); the console calls
    it after queueing a sign-in link or a test digest, which otherwise go with the next round
    of sending."""
    settings = runtime.settings
    csrf = Csrf(runtime.secret, secure=settings.web.base_url.startswith("https://"))
    renderer = feeds.FeedRenderer(
        base_url=settings.web.base_url, topics=runtime.topics, env=runtime.templates
    )
    site = Site(
        settings=settings,
        store=runtime.store,
        subscriptions=runtime.subscriptions,
        topics=runtime.topics,
        tokens=runtime.tokens,
        csrf=csrf,
        renderer=renderer,
        files=FileCache(runtime.store, renderer),
        env=runtime.templates,
        ip_limit=RateLimiter(capacity=settings.web.signups_per_ip_per_hour, period=HOUR),
        address_limit=RateLimiter(capacity=settings.web.signups_per_address_per_hour, period=HOUR),
        scheduler_running=scheduler_running,
        health=health if health is not None else JobHealth(),
    )
    app = Starlette(
        routes=[
            *archive.routes,
            *feed_routes.routes,
            *subscribe.routes,
            *manage.routes,
            *mail_view.routes,
            *admin.routes,
            *ops.routes,
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(BodyLimit, max_bytes=settings.web.max_form_bytes),
        ],
        exception_handlers={TOO_LARGE: too_large},
    )
    app.state.site = site
    app.state.console = admin.Console(
        settings=settings,
        store=runtime.store,
        subscriptions=runtime.subscriptions,
        composer=runtime.composer,
        topics=runtime.topics,
        csrf=csrf,
        env=runtime.templates,
        secret=runtime.secret,
        poll=lambda source: runtime.pipeline.poll(source),
        send_outbox=send_outbox,
        ip_limit=RateLimiter(capacity=settings.admin.signins_per_hour, period=HOUR),
        address_limit=RateLimiter(capacity=settings.admin.signins_per_hour, period=HOUR),
    )
    return app


class SecurityHeaders:
    """Headers for every HTML page: no scripts or framing, and no Referer, because the
    subscription pages carry signed links in their URLs. Token pages are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = scope["path"].startswith("/abonnement")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", _CSP),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                ]
                if private:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


_CSP = (
    b"default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
    b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
