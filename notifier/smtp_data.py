"""A message as SMTP's DATA carries it: canonical CRLF lines, dot-stuffed once, terminated.

The outbox stores bodies canonical (``canonical``), so sending only dot-stuffs them
(``data_block``). Both are single C-level passes over the bytes (``count``, ``replace``) where
a regular-expression rewrite of every line would be many times slower; a body that is not
canonical (stored before this rule) is still normalised on the way out.
"""

from __future__ import annotations

import re

_LINE_END = re.compile(rb"\r\n|\r|\n")
CRLF = b"\r\n"


def is_canonical(body: bytes) -> bool:
    """Every CR and LF is part of a CRLF pair, and the message ends with one."""
    pairs = body.count(CRLF)
    return body.count(b"\r") == pairs == body.count(b"\n") and body.endswith(CRLF)


def canonical(body: bytes) -> bytes:
    """Bare CRs and LFs become CRLF, and the message ends with CRLF (as it arrives)."""
    if is_canonical(body):
        return body
    body = _LINE_END.sub(CRLF, body)
    return body if body.endswith(CRLF) else body + CRLF


def data_block(body: bytes) -> bytes:
    """What follows the server's 354 for a ``canonical`` body: every line that starts with "."
    given one more (RFC 5321 4.5.2), then the terminating "." line."""
    stuffed = body.replace(b"\r\n.", b"\r\n..")
    if stuffed.startswith(b"."):
        stuffed = b"." + stuffed
    return stuffed + b".\r\n"
