"""The fetcher against hostile or odd servers: redirects, internal addresses, sites with
subdomains, broken or bomb compression and trickling bodies.

Every server is real and listens on 127.0.0.1. Site names (www.kl.test, backoffice.kl.test) are
served by the same server: a transport sends every request to it with the name in the Host
header (as curl's --resolve does), and a resolver stands in for DNS, so nothing is looked up.
"""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from notifier.config import FetchSettings
from notifier.errors import FetchError
from notifier.fetch import Fetcher
from notifier.fetch.sites import on_site, site_of
from tests.test_fetch import Clock

PAGE = b"<html><body><p>hej</p></body></html>"


@dataclass
class Reply:
    status: int = 200
    body: bytes = PAGE
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float = 0.0  # seconds between single bytes of the body, 0 for all at once


@dataclass
class Routes:
    """Replies by (host, path); requests seen as (host, path) in order."""

    replies: dict[tuple[str, str], Reply] = field(default_factory=dict)
    seen: list[tuple[str, str]] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # Accept-Encoding of each request

    def add(self, url: str, reply: Reply | None = None) -> None:
        parts = httpx.URL(url)
        self.replies[(parts.host, parts.path)] = reply or Reply()

    def hits(self, url: str) -> int:
        parts = httpx.URL(url)
        return self.seen.count((parts.host, parts.path))


class Handler(BaseHTTPRequestHandler):
    routes: Routes

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        self.routes.seen.append((host, self.path))
        self.routes.accepted.append(self.headers.get("Accept-Encoding") or "")
        reply = self.routes.replies.get((host, self.path))
        if reply is None:
            reply = Reply(status=404, body=b"") if self.path != "/robots.txt" else Reply(body=b"")
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        try:
            if not reply.trickle:
                self.wfile.write(reply.body)
                return
            for byte in reply.body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(reply.trickle)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should


@pytest.fixture
def routes() -> Iterator[tuple[Routes, int]]:
    routes = Routes()
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (Handler,), {"routes": routes}))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield routes, int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


class ToLoopback(httpx.AsyncBaseTransport):
    """Sends every request to the test server on 127.0.0.1, whatever host the URL names."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        routed = httpx.Request(
            request.method,
            request.url.copy_with(host="127.0.0.1", port=self._port),
            headers=request.headers,
            stream=request.stream,
            extensions=request.extensions,
        )
        return await self._inner.handle_async_request(routed)

    async def aclose(self) -> None:
        await self._inner.aclose()


def fetcher(
    port: int,
    *,
    clock: Clock | None = None,
    addresses: dict[str, str] | None = None,
    **settings: object,
) -> Fetcher:
    """A fetcher whose names resolve through ``addresses`` (default: everything is public)."""
    clock = clock or Clock()
    table = addresses or {}

    async def resolve(host: str) -> list[str]:
        return [table.get(host, "198.51.100.7" if host.endswith(".test") else "127.0.0.1")]

    defaults: dict[str, object] = {
        "per_host_delay": 0,
        "backoff": 0.5,
        "retries": 2,
        "allowed_private_networks": ["127.0.0.0/8", "198.51.100.0/24"],
    }
    return Fetcher(
        FetchSettings.model_validate(defaults | settings),
        transport=ToLoopback(port),
        sleep=clock.sleep,
        clock=clock.monotonic,
        resolve=resolve,
    )


@pytest.mark.parametrize(
    ("host", "site"),
    [
        ("www.kl.dk", "kl.dk"),
        ("kl.dk", "kl.dk"),
        ("backoffice.kl.dk", "kl.dk"),
        ("WWW.KL.DK.", "kl.dk"),
        ("www.bbc.co.uk", "bbc.co.uk"),
        ("evil.co.uk", "evil.co.uk"),
        ("someone.github.io", "someone.github.io"),
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "localhost"),
    ],
)
def test_a_site_is_a_registrable_domain(host: str, site: str) -> None:
    assert site_of(host) == site


def test_a_configured_site_covers_its_subdomains_only() -> None:
    assert on_site("backoffice.kl.dk", "www.kl.dk")
    assert on_site("kl.dk", "kl.dk")
    assert not on_site("notkl.dk", "kl.dk")
    assert not on_site("kl.dk.evil.example", "kl.dk")


async def test_a_redirect_to_a_subdomain_is_followed(routes: tuple[Routes, int]) -> None:
    script, port = routes
    target = "http://backoffice.kl.test/media/abc/dagsorden.pdf"
    script.add("http://www.kl.test/media/1/dagsorden.pdf", Reply(302, b"", {"Location": target}))
    script.add(target, Reply(body=b"%PDF-1.4 ..."))
    async with fetcher(port) as client:
        response = await client.get("http://www.kl.test/media/1/dagsorden.pdf")
    assert response.url == target and response.body == b"%PDF-1.4 ..."
    # robots.txt of both hosts, both documents
    assert response.requests == 4
    assert script.hits("http://backoffice.kl.test/robots.txt") == 1


async def test_robots_txt_of_the_redirect_target_is_honoured(routes: tuple[Routes, int]) -> None:
    script, port = routes
    target = "http://backoffice.kl.test/private/notat.pdf"
    script.add("http://www.kl.test/notat", Reply(301, b"", {"Location": target}))
    script.add(
        "http://backoffice.kl.test/robots.txt", Reply(body=b"User-agent: *\nDisallow: /private")
    )
    script.add(target)
    async with fetcher(port) as client:
        with pytest.raises(FetchError, match=r"robots\.txt") as caught:
            await client.get("http://www.kl.test/notat")
    assert caught.value.url == target
    assert script.hits(target) == 0


async def test_a_redirect_to_another_site_is_refused(routes: tuple[Routes, int]) -> None:
    script, port = routes
    script.add("http://www.kl.test/nyheder", Reply(302, b"", {"Location": "http://evil.test/x"}))
    script.add("http://evil.test/x")
    async with fetcher(port) as client:
        with pytest.raises(FetchError) as caught:
            await client.get("http://www.kl.test/nyheder")
    assert str(caught.value).startswith("redirect to http://evil.test/x refused")
    assert "kl.test" in str(caught.value) and "fetch.redirect_sites" in str(caught.value)
    assert script.hits("http://evil.test/x") == 0
    async with fetcher(port, redirect_sites=["evil.test"]) as client:
        assert (await client.get("http://www.kl.test/nyheder")).url == "http://evil.test/x"


async def test_redirect_loops_and_chains_are_clear_failures(routes: tuple[Routes, int]) -> None:
    script, port = routes
    script.add("http://www.kl.test/a", Reply(302, b"", {"Location": "/b"}))
    script.add("http://www.kl.test/b", Reply(302, b"", {"Location": "http://kl.test/a"}))
    script.add("http://kl.test/a", Reply(302, b"", {"Location": "http://www.kl.test/a"}))
    for hop in range(8):
        script.add(f"http://www.kl.test/c{hop}", Reply(307, b"", {"Location": f"/c{hop + 1}"}))
    async with fetcher(port) as client:
        with pytest.raises(FetchError) as loop:
            await client.get("http://www.kl.test/a")
        with pytest.raises(FetchError) as chain:
            await client.get("http://www.kl.test/c0")
    assert str(loop.value) == (
        "redirect loop: http://www.kl.test/a -> http://www.kl.test/b -> http://kl.test/a"
        " -> http://www.kl.test/a"
    )
    assert str(chain.value).startswith("more than 5 redirects")
    assert script.hits("http://www.kl.test/c6") == 0


async def test_internal_addresses_are_refused_unless_allowed(routes: tuple[Routes, int]) -> None:
    script, port = routes
    script.add("http://127.0.0.1/side")
    async with fetcher(port, allowed_private_networks=[]) as client:
        with pytest.raises(FetchError, match=r"127\.0\.0\.1 is a loopback address"):
            await client.get("http://127.0.0.1/side")
    assert script.seen == []  # not even robots.txt


async def test_a_redirect_to_an_internal_address_is_refused(routes: tuple[Routes, int]) -> None:
    """Same site by name, but the name resolves to a private address; or a configured site
    on a loopback address that is not allowed."""
    script, port = routes
    inside = "http://intranet.kl.test/admin"
    script.add("http://www.kl.test/a", Reply(302, b"", {"Location": inside}))
    script.add("http://127.0.0.1/b", Reply(302, b"", {"Location": "http://127.0.0.2/admin"}))
    async with fetcher(
        port,
        addresses={"intranet.kl.test": "10.20.30.40"},
        allowed_private_networks=["127.0.0.1/32", "198.51.100.0/24"],
        redirect_sites=["127.0.0.2"],
    ) as client:
        with pytest.raises(FetchError) as named:
            await client.get("http://www.kl.test/a")
        with pytest.raises(FetchError) as literal:
            await client.get("http://127.0.0.1/b")
    assert str(named.value).startswith(
        "refused: intranet.kl.test resolves to 10.20.30.40, a private address"
    )
    assert str(literal.value).startswith("refused: 127.0.0.2 is a loopback address")
    assert ("intranet.kl.test", "/admin") not in script.seen
    assert ("127.0.0.2", "/admin") not in script.seen


async def test_the_connected_address_is_checked_too(routes: tuple[Routes, int]) -> None:
    """A name that resolved to a public address at the check but led to a loopback one on
    connecting (DNS rebinding) gets no body read."""
    script, port = routes
    script.add("http://www.kl.test/side")
    async with fetcher(
        port, addresses={"www.kl.test": "93.184.216.34"}, allowed_private_networks=[]
    ) as client:
        with pytest.raises(FetchError, match=r"127\.0\.0\.1, a loopback address"):
            await client.get("http://www.kl.test/side")


async def test_subdomains_share_one_budget_and_keep_their_own_robots(
    routes: tuple[Routes, int],
) -> None:
    script, port = routes
    for url in ("http://www.kl.test/a", "http://backoffice.kl.test/b", "http://other.test/c"):
        script.add(url)
    clock = Clock()
    async with fetcher(port, clock=clock, per_host_delay=2.0) as client:
        await client.get("http://www.kl.test/a")
        await client.get("http://backoffice.kl.test/b")
        await client.get("http://other.test/c")
    robots = [host for host, path in script.seen if path == "/robots.txt"]
    assert robots == ["www.kl.test", "backoffice.kl.test", "other.test"]
    # kl.test's four requests (robots, page, robots, page) each wait 2 s for the previous one,
    # also across its two hosts; other.test's first request waits for nobody.
    assert clock.sleeps == [2.0, 2.0, 2.0, 2.0]


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(PAGE)),
        ("deflate", zlib.compress(PAGE)),
        ("deflate", zlib.compress(PAGE, wbits=-15)),
        ("identity", PAGE),
    ],
)
async def test_compressed_bodies_are_decoded(
    routes: tuple[Routes, int], encoding: str, body: bytes
) -> None:
    script, port = routes
    script.add("http://www.kl.test/side", Reply(body=body, headers={"Content-Encoding": encoding}))
    async with fetcher(port) as client:
        assert (await client.get("http://www.kl.test/side")).body == PAGE
    assert set(script.accepted) == {"gzip, deflate"}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"this is not gzip at all", "bad gzip encoding in the response"),
        (gzip.compress(PAGE)[:-12], "bad gzip encoding in the response (stream ended early)"),
    ],
)
async def test_a_bad_gzip_encoding_is_a_clear_failure(
    routes: tuple[Routes, int], body: bytes, reason: str
) -> None:
    script, port = routes
    script.add("http://www.kl.test/side", Reply(body=body, headers={"Content-Encoding": "gzip"}))
    async with fetcher(port) as client:
        with pytest.raises(FetchError) as caught:
            await client.get("http://www.kl.test/side")
    assert str(caught.value).startswith(reason)


async def test_a_gzip_bomb_counts_against_the_cap_once_inflated(routes: tuple[Routes, int]) -> None:
    """A 100 KB response that inflates to 100 MB stops at the cap (1 MB here)."""
    script, port = routes
    bomb = gzip.compress(b"\0" * 100_000_000, compresslevel=9)
    assert len(bomb) < 200_000
    script.add("http://www.kl.test/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    async with fetcher(port, max_body_bytes=1_000_000) as client:
        with pytest.raises(FetchError) as caught:
            await client.get("http://www.kl.test/bomb")
    assert str(caught.value) == "body larger than 1000000 bytes once decompressed (gzip)"


async def test_an_unasked_encoding_is_refused(routes: tuple[Routes, int]) -> None:
    script, port = routes
    script.add("http://www.kl.test/side", Reply(body=b"...", headers={"Content-Encoding": "br"}))
    async with fetcher(port) as client:
        with pytest.raises(FetchError, match="unsupported Content-Encoding 'br'"):
            await client.get("http://www.kl.test/side")


async def test_a_trickle_is_cut_off_and_does_not_hold_the_site(
    routes: tuple[Routes, int],
) -> None:
    """One byte every 0.2 s for a 300-byte page (a minute): the read timeout never fires,
    the total deadline does, once, without retries; a healthy page of the same site behind it
    in the queue (one request at a time) is served right after."""
    script, port = routes
    script.add("http://www.kl.test/slow", Reply(body=b"x" * 300, trickle=0.2))
    script.add("http://backoffice.kl.test/fast")
    async with fetcher(
        port, total_timeout=1, read_timeout=5, per_host_concurrency=1, respect_robots=False
    ) as client:
        started = time.monotonic()
        slow, fast = await asyncio.gather(
            client.get("http://www.kl.test/slow"),
            client.get("http://backoffice.kl.test/fast"),
            return_exceptions=True,
        )
        elapsed = time.monotonic() - started
    assert isinstance(slow, FetchError)
    assert str(slow) == ("gave up after 1 s (fetch.total_timeout): the server sends too slowly")
    assert slow.requests == 1 and script.hits("http://www.kl.test/slow") == 1
    assert not isinstance(fast, BaseException) and fast.body == PAGE
    assert elapsed < 3
