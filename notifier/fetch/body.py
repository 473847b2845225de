"""A response body read within a size cap, decompressed here rather than by httpx.

httpx inflates each chunk whole, so a small gzip bomb can become hundreds of megabytes before
anyone counts. Here the compressed stream is inflated in bounded steps and the cap applies to
the decompressed bytes, and a corrupt encoding is a FetchError that says so.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterator

from notifier.errors import FetchError

# What the fetcher asks for; anything else a server sends anyway is refused.
ACCEPT_ENCODING = "gzip, deflate"
_STEP = 1 << 20  # inflate at most this much per call, so the cap is checked as it grows


class _Inflater:
    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        # gzip: gzip header; deflate: zlib header (RFC 9110), some servers send raw deflate.
        self._wbits = 31 if encoding in ("gzip", "x-gzip") else 15
        self._zlib = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Inflate in steps of at most _STEP bytes; bytes after the end are ignored."""
        if not self._started and self._wbits == 15 and data:
            self._started = True
            if (data[0] & 0x0F) != 8:  # no zlib header: raw deflate
                self._zlib = zlib.decompressobj(-15)
        while not self._zlib.eof:
            chunk = self._zlib.decompress(data, _STEP)
            data = self._zlib.unconsumed_tail
            if not chunk and not data:
                return
            yield chunk

    def finish(self) -> None:
        if not self._zlib.eof:
            raise zlib.error("stream ended early")


async def read_body(
    raw_chunks: AsyncIterator[bytes], *, encoding: str | None, limit: int, url: str
) -> bytes:
    """The decoded body, or FetchError for one over ``limit`` bytes or badly encoded."""
    name = (encoding or "identity").strip().lower()
    inflater = None if name in ("", "identity") else _inflater(name, url)
    chunks: list[bytes] = []
    size = 0
    try:
        async for raw in raw_chunks:
            for chunk in inflater.feed(raw) if inflater else [raw]:
                size += len(chunk)
                if size > limit:
                    raise FetchError(_too_large(limit, inflater), url=url, status=200)
                chunks.append(chunk)
        if inflater:
            inflater.finish()
    except zlib.error as exc:
        raise FetchError(f"bad {name} encoding in the response ({exc})", url=url) from None
    return b"".join(chunks)


def _inflater(name: str, url: str) -> _Inflater:
    if name not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(f"unsupported Content-Encoding {name!r}", url=url)
    return _Inflater(name)


def _too_large(limit: int, inflater: _Inflater | None) -> str:
    unpacked = f" once decompressed ({inflater.encoding})" if inflater else ""
    return f"body larger than {limit} bytes{unpacked}"
