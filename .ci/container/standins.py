"""Local stand-ins for kl.dk in the container tests, run with the image's own Python.

    python standins.py site PORT            the fixture site (a kl.dk look-alike) from the package
    python standins.py slow HANG_PORT BUSY_PORT

`slow` makes polls that are still running when the service is stopped: on HANG_PORT every
request is read and never answered (the fetch waits for its read timeout), on BUSY_PORT every
request gets 503 with a Retry-After of a minute (the fetch sleeps before its retry). robots.txt
is a quick 404 on both, so the polls get as far as their pages. Each request is printed as
"hold PATH" or "busy PATH", which is how the test knows the polls are in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import http.server
import sys
from importlib.resources import files

RETRY_AFTER = 60  # seconds; longer than any stop grace period


def serve_site(port: int) -> None:
    root = files("notifier") / "demo_data" / "site"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    print(f"site: serving {root} on :{port}", flush=True)
    http.server.ThreadingHTTPServer(("0.0.0.0", port), handler).serve_forever()


async def _request_path(reader: asyncio.StreamReader) -> str:
    request_line = (await reader.readline()).decode("latin-1").split()
    while (await reader.readline()) not in (b"\r\n", b"\n", b""):
        pass
    return request_line[1] if len(request_line) > 1 else "?"


async def _answer(writer: asyncio.StreamWriter, status: str, headers: str = "") -> None:
    writer.write(
        f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n{headers}\r\n".encode()
    )
    await writer.drain()
    writer.close()


async def _hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    path = await _request_path(reader)
    if path == "/robots.txt":
        await _answer(writer, "404 Not Found")
        return
    print(f"hold {path}", flush=True)
    with contextlib.suppress(ConnectionError):
        await reader.read()  # until the client gives up


async def _busy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    path = await _request_path(reader)
    if path == "/robots.txt":
        await _answer(writer, "404 Not Found")
        return
    print(f"busy {path}", flush=True)
    await _answer(writer, "503 Service Unavailable", f"Retry-After: {RETRY_AFTER}\r\n")


async def serve_slow(hang_port: int, busy_port: int) -> None:
    hang = await asyncio.start_server(_hang, "0.0.0.0", hang_port)
    busy = await asyncio.start_server(_busy, "0.0.0.0", busy_port)
    print(f"slow: hanging on :{hang_port}, busy on :{busy_port}", flush=True)
    async with hang, busy:
        await asyncio.gather(hang.serve_forever(), busy.serve_forever())


def main(argv: list[str]) -> None:
    match argv:
        case ["site", port]:
            serve_site(int(port))
        case ["slow", hang_port, busy_port]:
            asyncio.run(serve_slow(int(hang_port), int(busy_port)))
        case _:
            sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
