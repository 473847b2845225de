"""Polite HTTP: conditional GET, per-host limits, robots.txt, retries with backoff, size cap.

Everything about being a good citizen on kl.dk lives here, so the pipeline only asks for a URL
and gets bytes, a 304, or a FetchError that says why.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
import urllib.robotparser
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from notifier import __version__
from notifier.config import FetchSettings
from notifier.errors import FetchError
from notifier.models import Validators

log = logging.getLogger(__name__)

ROBOTS_TTL = 3600.0
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, kw_only=True)
class Response:
    url: str
    status: int  # 200 or 304
    body: bytes = b""
    content_type: str | None = None
    validators: Validators = field(default_factory=Validators)
    requests: int = 1  # HTTP requests this took, retries included

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class _Host:
    semaphore: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0
    robots: urllib.robotparser.RobotFileParser | None = None
    robots_expires: float = 0.0


class Fetcher:
    """One per process; share it between sources so per-host limits hold across them."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
        self._clock = clock
        self._hosts: dict[str, _Host] = {}
        self.user_agent = f"KKR-Notifier/{__version__} (+{settings.contact_url})"
        self._client = httpx.AsyncClient(
            transport=transport,
            headers={"User-Agent": self.user_agent},
            timeout=httpx.Timeout(
                settings.read_timeout, connect=settings.connect_timeout, pool=None
            ),
            follow_redirects=True,
            max_redirects=5,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def get(self, url: str, *, validators: Validators | None = None) -> Response:
        """GET with retries; raises FetchError after the last try or on a non-retryable error."""
        host = self._host(url)
        requests = 0
        if self._settings.respect_robots:
            requests += await self._check_robots(url, host)
        headers: dict[str, str] = {}
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        delay = self._settings.backoff
        for attempt in range(self._settings.retries + 1):
            requests += 1
            last = attempt == self._settings.retries
            try:
                response = await self._request(url, host, headers)
            except httpx.TimeoutException:
                if last:
                    raise FetchError("timed out", url=url, requests=requests) from None
                await self._sleep(delay)
            except httpx.TransportError as exc:
                if last:
                    raise FetchError(
                        f"connection failed: {exc}", url=url, requests=requests
                    ) from None
                await self._sleep(delay)
            else:
                if response.status in (200, 304):
                    return Response(
                        url=response.url,
                        status=response.status,
                        body=response.body,
                        content_type=response.content_type,
                        validators=response.validators,
                        requests=requests,
                    )
                if response.status not in _RETRY_STATUSES or last:
                    raise FetchError(
                        f"HTTP {response.status}",
                        url=url,
                        status=response.status,
                        requests=requests,
                    )
                await self._sleep(max(delay, self._retry_after(response.retry_after)))
            delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    async def _request(self, url: str, host: _Host, headers: dict[str, str]) -> _Raw:
        async with host.semaphore:
            await self._wait_turn(host)
            async with self._client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return _Raw.from_response(response, b"")
                if response.status_code != 200:
                    return _Raw.from_response(response, b"")
                declared = response.headers.get("Content-Length")
                limit = self._settings.max_body_bytes
                if declared and declared.isdigit() and int(declared) > limit:
                    raise FetchError(f"body larger than {limit} bytes", url=url, status=200)
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise FetchError(f"body larger than {limit} bytes", url=url, status=200)
                    chunks.append(chunk)
                return _Raw.from_response(response, b"".join(chunks))

    async def _wait_turn(self, host: _Host) -> None:
        """Space request starts to one host at least per_host_delay apart."""
        async with host.lock:
            now = self._clock()
            wait = host.next_start - now
            host.next_start = max(now, host.next_start) + self._settings.per_host_delay
        if wait > 0:
            await self._sleep(wait)

    def _retry_after(self, value: str | None) -> float:
        if not value:
            return 0.0
        if value.strip().isdigit():
            seconds = float(value.strip())
        else:
            parsed = email.utils.parsedate_to_datetime(value) if value else None
            if parsed is None:
                return 0.0
            seconds = parsed.timestamp() - time.time()
        return min(max(seconds, 0.0), self._settings.max_retry_after)

    def _host(self, url: str) -> _Host:
        netloc = urlsplit(url).netloc
        if netloc not in self._hosts:
            self._hosts[netloc] = _Host(asyncio.Semaphore(self._settings.per_host_concurrency))
        return self._hosts[netloc]

    async def _check_robots(self, url: str, host: _Host) -> int:
        """Raise FetchError if robots.txt forbids the URL; return the requests it cost."""
        requests = 0
        if host.robots is None or self._clock() >= host.robots_expires:
            parts = urlsplit(url)
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            parser = urllib.robotparser.RobotFileParser(robots_url)
            requests = 1
            try:
                raw = await self._request(robots_url, host, {})
            except (httpx.HTTPError, FetchError) as exc:
                # An unreachable robots.txt is no permission to hammer: treat as allow but
                # retry the lookup on the next poll rather than caching the failure for long.
                log.warning("robots.txt unreachable", extra={"url": robots_url, "error": str(exc)})
                parser.parse([])
                host.robots, host.robots_expires = parser, self._clock() + 60
                return requests
            if raw.status == 200:
                parser.parse(raw.body.decode("utf-8", "replace").splitlines())
            elif raw.status in (401, 403):
                parser.parse(["User-agent: *", "Disallow: /"])
            else:
                parser.parse([])
            host.robots, host.robots_expires = parser, self._clock() + ROBOTS_TTL
        if not host.robots.can_fetch(self.user_agent, url):
            raise FetchError("disallowed by robots.txt", url=url, requests=requests)
        return requests


@dataclass(frozen=True, kw_only=True)
class _Raw:
    url: str
    status: int
    body: bytes
    content_type: str | None
    validators: Validators
    retry_after: str | None

    @classmethod
    def from_response(cls, response: httpx.Response, body: bytes) -> _Raw:
        return cls(
            url=str(response.url),
            status=response.status_code,
            body=body,
            content_type=response.headers.get("Content-Type"),
            validators=Validators(
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
            ),
            retry_after=response.headers.get("Retry-After"),
        )
