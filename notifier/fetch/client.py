"""Polite, guarded HTTP: conditional GET, per-site limits, robots.txt, retries with backoff,
redirects followed by hand, a total deadline and a size cap.

Politeness is per site (www.kl.dk and backoffice.kl.dk share one budget of concurrency and
spacing); robots.txt is per host, as the standard says. Redirects are followed here, one hop at
a time, so each hop is checked like a first request: same site or configured, a permitted
address, robots.txt. Every waiting point (the spacing, retry backoff, Retry-After) is a plain
await, so cancelling a poll stops it at once.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
import urllib.request
import urllib.robotparser
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

from notifier import __version__
from notifier.config import FetchSettings
from notifier.errors import FetchError
from notifier.fetch.body import ACCEPT_ENCODING, read_body
from notifier.fetch.sites import AddressGuard, Resolver, host_of, on_site, site_of, system_resolver
from notifier.models import Validators

log = logging.getLogger(__name__)

ROBOTS_TTL = 3600.0
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DRAIN_BYTES = 65536
_MAX_REDIRECTS = 5  # also RFC 9309's minimum for robots.txt


@dataclass(frozen=True, kw_only=True)
class Response:
    url: str  # after redirects
    status: int  # 200 or 304
    body: bytes = b""
    content_type: str | None = None
    validators: Validators = field(default_factory=Validators)
    requests: int = 1  # HTTP requests this took, retries, redirects and robots.txt included

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class _Site:
    """Politeness state shared by every host of one site."""

    semaphore: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0


@dataclass
class _Robots:
    parser: urllib.robotparser.RobotFileParser
    expires: float


@dataclass
class _Cost:
    requests: int = 0


class Fetcher:
    """One per process; share it between sources so per-site limits hold across them."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        resolve: Resolver = system_resolver,
    ) -> None:
        """``transport``, ``sleep``, ``clock`` and ``resolve`` (name -> addresses) replace the
        real ones in tests."""
        self._settings = settings
        self._sleep = sleep
        self._clock = clock
        self._sites: dict[str, _Site] = {}
        self._robots: dict[str, _Robots] = {}
        self._guard = AddressGuard(settings.allowed_private_networks, resolve=resolve)
        # Behind a proxy the connected peer is the proxy, not the site: check names only.
        self._check_peer = not urllib.request.getproxies()
        self.user_agent = f"KKR-Notifier/{__version__} (+{settings.contact_url})"
        self._client = httpx.AsyncClient(
            transport=transport,
            headers={"User-Agent": self.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(
                settings.read_timeout, connect=settings.connect_timeout, pool=None
            ),
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def get(self, url: str, *, validators: Validators | None = None) -> Response:
        """GET with retries and checked redirects; raises FetchError saying why it gave up."""
        cost = _Cost()
        headers: dict[str, str] = {}
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        try:
            hops = [url]
            while True:
                raw = await self._get_one(hops[-1], headers, cost)
                if raw.status not in _REDIRECTS:
                    return Response(
                        url=raw.url,
                        status=raw.status,
                        body=raw.body,
                        content_type=raw.content_type,
                        validators=raw.validators,
                        requests=cost.requests,
                    )
                hops.append(self._redirect(hops, raw))
        except FetchError as exc:
            exc.requests = cost.requests
            raise
        except Exception as exc:
            # A URL httpx or the socket layer cannot use (httpx.InvalidURL is no HTTPError; a
            # port above 65535 fails in connect()) is that one URL's failure: as a FetchError
            # it costs only its document, not the whole poll. Logged with the traceback, since
            # it may be a bug of ours rather than a bad link.
            log.warning("fetch failed unexpectedly", exc_info=True, extra={"url": url})
            cause: BaseException = exc
            while isinstance(cause, BaseExceptionGroup) and len(cause.exceptions) == 1:
                cause = cause.exceptions[0]  # anyio's group hides the reason the operator needs
            raise FetchError(
                f"request failed: {type(cause).__name__}: {cause}", url=url, requests=cost.requests
            ) from exc

    def _redirect(self, hops: list[str], raw: _Raw) -> str:
        """The next hop of a redirect, or FetchError if it may not be followed."""
        origin, current = hops[0], hops[-1]
        target = _location(current, raw.location or "")
        if target is None:
            raise FetchError(f"HTTP {raw.status} redirect without a usable Location", url=current)
        if target in hops:
            chain = " -> ".join([*hops[hops.index(target) :], target])
            raise FetchError(f"redirect loop: {chain}", url=origin, status=raw.status)
        if len(hops) > _MAX_REDIRECTS:
            raise FetchError(
                f"more than {_MAX_REDIRECTS} redirects (the last to {target})",
                url=origin,
                status=raw.status,
            )
        host = host_of(target)
        if site_of(host) != site_of(host_of(origin)) and not any(
            on_site(host, site) for site in self._settings.redirect_sites
        ):
            raise FetchError(
                f"redirect to {target} refused: not on the site {site_of(host_of(origin))} "
                "(other sites may be allowed in fetch.redirect_sites)",
                url=origin,
                status=raw.status,
            )
        return target

    async def _get_one(self, url: str, headers: dict[str, str], cost: _Cost) -> _Raw:
        """One URL (no redirects followed): guard, robots.txt, then tries with backoff."""
        await self._guard.check(url)
        if self._settings.respect_robots:
            await self._check_robots(url, cost)
        site = self._site(url)
        delay = self._settings.backoff
        for attempt in range(self._settings.retries + 1):
            cost.requests += 1
            last = attempt == self._settings.retries
            try:
                response = await self._request(url, site, headers)
            except httpx.TimeoutException:
                if last:
                    raise FetchError("timed out", url=url) from None
                await self._sleep(delay)
            except httpx.TransportError as exc:
                if last:
                    raise FetchError(f"connection failed: {exc}", url=url) from None
                await self._sleep(delay)
            except httpx.HTTPError as exc:  # a malformed URL or response
                raise FetchError(f"request failed: {exc}", url=url) from None
            else:
                if response.status in (200, 304) or response.status in _REDIRECTS:
                    return response
                if response.status not in _RETRY_STATUSES or last:
                    raise FetchError(f"HTTP {response.status}", url=url, status=response.status)
                await self._sleep(max(delay, self._retry_after(response.retry_after)))
            delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    async def _request(self, url: str, site: _Site, headers: dict[str, str]) -> _Raw:
        async with site.semaphore:
            await self._wait_turn(site)
            limit = self._settings.total_timeout
            try:
                # The deadline starts once the request may go: waiting for a turn is not the
                # server's slowness. A server still sending after it will not do better on a
                # retry, so this is final.
                async with asyncio.timeout(limit):
                    return await self._exchange(url, headers)
            except TimeoutError:
                raise FetchError(
                    f"gave up after {limit:g} s (fetch.total_timeout): the server sends too slowly",
                    url=url,
                ) from None

    async def _exchange(self, url: str, headers: dict[str, str]) -> _Raw:
        async with self._client.stream("GET", url, headers=headers) as response:
            if self._check_peer:
                stream = response.extensions.get("network_stream")
                if stream is not None:
                    self._guard.check_peer(url, stream.get_extra_info("server_addr"))
            if response.status_code != 200:
                await _drain(response)
                return _Raw.from_response(response, b"")
            limit = self._settings.max_body_bytes
            declared = response.headers.get("Content-Length")
            encoding = response.headers.get("Content-Encoding")
            if not encoding and declared and declared.isdigit() and int(declared) > limit:
                raise FetchError(f"body larger than {limit} bytes", url=url, status=200)
            body = await read_body(response.aiter_raw(), encoding=encoding, limit=limit, url=url)
            return _Raw.from_response(response, body)

    async def _wait_turn(self, site: _Site) -> None:
        """Space request starts to one site at least per_host_delay apart."""
        async with site.lock:
            now = self._clock()
            wait = site.next_start - now
            site.next_start = max(now, site.next_start) + self._settings.per_host_delay
        if wait > 0:
            await self._sleep(wait)

    def _retry_after(self, value: str | None) -> float:
        if not value:
            return 0.0
        if value.strip().isdigit():
            seconds = float(value.strip())
        else:
            try:
                parsed = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return 0.0
            seconds = parsed.timestamp() - time.time()
        return min(max(seconds, 0.0), self._settings.max_retry_after)

    def _site(self, url: str) -> _Site:
        key = site_of(host_of(url))
        if key not in self._sites:
            self._sites[key] = _Site(asyncio.Semaphore(self._settings.per_host_concurrency))
        return self._sites[key]

    async def _check_robots(self, url: str, cost: _Cost) -> None:
        """Raise FetchError if the host's robots.txt forbids the URL."""
        host = host_of(url)
        robots = self._robots.get(host)
        if robots is None or self._clock() >= robots.expires:
            robots = self._robots[host] = await self._load_robots(url, cost)
        if not robots.parser.can_fetch(self.user_agent, url):
            raise FetchError("disallowed by robots.txt", url=url)

    async def _load_robots(self, url: str, cost: _Cost) -> _Robots:
        parts = httpx.URL(url)
        robots_url = str(parts.copy_with(path="/robots.txt", query=None, fragment=None))
        parser = urllib.robotparser.RobotFileParser(robots_url)
        hops = [robots_url]
        try:
            for _ in range(_MAX_REDIRECTS + 1):
                cost.requests += 1
                raw = await self._request(hops[-1], self._site(hops[-1]), {})
                if raw.status not in _REDIRECTS:
                    break
                hops.append(self._redirect(hops, raw))
                await self._guard.check(hops[-1])
            else:
                raise FetchError("too many redirects", url=robots_url)
        except (httpx.HTTPError, FetchError) as exc:
            # An unreachable robots.txt is no permission to hammer: treat as allow but
            # retry the lookup on the next poll rather than caching the failure for long.
            log.warning("robots.txt unreachable", extra={"url": robots_url, "error": str(exc)})
            parser.parse([])
            return _Robots(parser, self._clock() + 60)
        if raw.status == 200:
            parser.parse(raw.body.decode("utf-8", "replace").splitlines())
        elif raw.status in (401, 403):
            parser.parse(["User-agent: *", "Disallow: /"])
        else:
            parser.parse([])
        return _Robots(parser, self._clock() + ROBOTS_TTL)


async def _drain(response: httpx.Response) -> None:
    """Read a small error or redirect body, so the connection can serve the next request."""
    size = 0
    async for chunk in response.aiter_raw():
        size += len(chunk)
        if size > _DRAIN_BYTES:
            return


def _location(current: str, location: str) -> str | None:
    """The absolute http(s) URL a Location header points to, without fragment."""
    try:
        target = urldefrag(urljoin(current, location.strip())).url
        parts = urlsplit(target)
        host = parts.hostname
    except ValueError:
        return None
    return target if location.strip() and parts.scheme in ("http", "https") and host else None


@dataclass(frozen=True, kw_only=True)
class _Raw:
    url: str
    status: int
    body: bytes
    content_type: str | None
    validators: Validators
    retry_after: str | None
    location: str | None

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
            location=response.headers.get("Location"),
        )
