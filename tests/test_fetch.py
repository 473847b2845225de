"""The fetcher against a scripted HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notifier.config import FetchSettings
from notifier.errors import FetchError
from notifier.fetch import Fetcher, Validators


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"<html><body>hej</body></html>"
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False


@dataclass
class Script:
    """Replies per path, consumed in order (the last one repeats); requests as received."""

    replies: dict[str, list[Reply]] = field(default_factory=dict)
    seen: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))


class ScriptedHandler(BaseHTTPRequestHandler):
    script: Script

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.script.seen[self.path].append(dict(self.headers.items()))
        queue = self.script.replies.get(self.path) or [Reply(status=404, body=b"")]
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(reply.body), 4096):
                chunk = reply.body[start : start + 4096]
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()
    script.replies["/robots.txt"] = [Reply(body=b"User-agent: *\nDisallow: /private\n")]
    handler = type("Handler", (ScriptedHandler,), {"script": script})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    finally:
        httpd.shutdown()
        httpd.server_close()


class Clock:
    """Records the sleeps the fetcher asks for instead of sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def fetcher(clock: Clock, **settings: object) -> Fetcher:
    defaults: dict[str, object] = {
        "per_host_delay": 0,
        "backoff": 0.5,
        "retries": 2,
        "allowed_private_networks": ["127.0.0.0/8"],
    }
    return Fetcher(
        FetchSettings.model_validate(defaults | settings), sleep=clock.sleep, clock=clock.monotonic
    )


async def test_conditional_request_costs_a_304(server: tuple[str, Script]) -> None:
    base, script = server
    headers = {"ETag": '"v1"', "Last-Modified": "Mon, 19 Apr 2021 08:00:00 GMT"}
    script.replies["/page"] = [Reply(headers=headers), Reply(status=304, body=b"", headers=headers)]
    async with fetcher(Clock()) as client:
        first = await client.get(f"{base}/page")
        second = await client.get(f"{base}/page", validators=first.validators)
    assert first.status == 200 and first.body.startswith(b"<html>")
    assert first.validators == Validators(etag='"v1"', last_modified=headers["Last-Modified"])
    assert second.not_modified and second.body == b""
    sent = script.seen["/page"][1]
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == headers["Last-Modified"]


async def test_user_agent_names_the_service_and_a_contact(server: tuple[str, Script]) -> None:
    base, script = server
    script.replies["/page"] = [Reply()]
    async with fetcher(Clock(), contact_url="https://example.org/contact") as client:
        await client.get(f"{base}/page")
    agent = script.seen["/page"][0]["User-Agent"]
    assert agent.startswith("KKR-Notifier/") and "https://example.org/contact" in agent


async def test_5xx_is_retried_with_backoff(server: tuple[str, Script]) -> None:
    base, script = server
    script.replies["/flaky"] = [Reply(status=503), Reply(status=502), Reply()]
    clock = Clock()
    async with fetcher(clock) as client:
        response = await client.get(f"{base}/flaky")
    assert response.status == 200 and response.requests == 4  # robots.txt + 3 tries
    assert clock.sleeps == [0.5, 1.0]


async def test_429_honours_retry_after(server: tuple[str, Script]) -> None:
    base, script = server
    script.replies["/busy"] = [Reply(status=429, headers={"Retry-After": "7"}), Reply()]
    clock = Clock()
    async with fetcher(clock) as client:
        assert (await client.get(f"{base}/busy")).status == 200
    assert clock.sleeps == [7.0]


async def test_retry_after_is_capped(server: tuple[str, Script]) -> None:
    base, script = server
    script.replies["/busy"] = [Reply(status=503, headers={"Retry-After": "86400"}), Reply()]
    clock = Clock()
    async with fetcher(clock, max_retry_after=60) as client:
        await client.get(f"{base}/busy")
    assert clock.sleeps == [60.0]


async def test_other_4xx_is_not_retried(server: tuple[str, Script]) -> None:
    base, script = server
    script.replies["/gone"] = [Reply(status=410)]
    async with fetcher(Clock()) as client:
        with pytest.raises(FetchError) as caught:
            await client.get(f"{base}/gone")
    assert caught.value.status == 410 and caught.value.requests == 2  # robots.txt + one try
    assert len(script.seen["/gone"]) == 1


async def test_persistent_5xx_gives_up_after_the_retries(server: tuple[str, Script]) -> None:
    base, script = server
    script.replies["/down"] = [Reply(status=500)]
    async with fetcher(Clock(), retries=3) as client:
        with pytest.raises(FetchError, match="HTTP 500"):
            await client.get(f"{base}/down")
    assert len(script.seen["/down"]) == 4


async def test_robots_txt_is_honoured_and_cached(server: tuple[str, Script]) -> None:
    base, script = server
    script.replies["/page"] = [Reply()]
    async with fetcher(Clock()) as client:
        with pytest.raises(FetchError, match=r"robots\.txt"):
            await client.get(f"{base}/private/agenda.pdf")
        await client.get(f"{base}/page")
    assert "/private/agenda.pdf" not in script.seen
    assert len(script.seen["/robots.txt"]) == 1


@pytest.mark.parametrize("chunked", [False, True])
async def test_oversized_bodies_are_refused(server: tuple[str, Script], chunked: bool) -> None:
    base, script = server
    script.replies["/big"] = [Reply(body=b"x" * 50_000, chunked=chunked)]
    async with fetcher(Clock(), max_body_bytes=10_000) as client:
        with pytest.raises(FetchError, match="larger than 10000 bytes"):
            await client.get(f"{base}/big")


async def test_requests_to_one_host_are_spaced(server: tuple[str, Script]) -> None:
    base, script = server
    script.replies["/a"] = [Reply()]
    clock = Clock()
    async with fetcher(clock, per_host_delay=2.0) as client:
        for _ in range(3):
            await client.get(f"{base}/a")
    # robots.txt, then three pages: each start waits for the previous start + 2 s
    assert clock.sleeps == [2.0, 2.0, 2.0]


async def test_connection_refused_is_a_fetch_error() -> None:
    clock = Clock()
    async with fetcher(clock, respect_robots=False, retries=1) as client:
        with pytest.raises(FetchError, match="connection failed"):
            await client.get("http://127.0.0.1:9/nothing-listens-here")
    assert clock.sleeps == [0.5]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:0x50/nyhed",  # httpx.InvalidURL, which is no httpx.HTTPError
        "http://127.0.0.1:99999/x",  # the socket layer's OverflowError, in an ExceptionGroup
        "http://xn--zz.dk/x",  # an IDNAError (a UnicodeError) while encoding the host
    ],
)
async def test_a_url_nothing_can_fetch_is_a_fetch_error_for_that_url(url: str) -> None:
    async with fetcher(Clock(), respect_robots=False) as client:
        with pytest.raises(FetchError, match="request failed") as raised:
            await client.get(url)
    assert raised.value.url == url
