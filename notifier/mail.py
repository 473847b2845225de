"""Builds RFC 5322 messages as bytes, cheaply and without header injection.

The standard library's ``EmailMessage`` picks transfer encodings by scanning every part and
costs more than rendering a digest, so the multipart body is assembled here directly: both parts
are UTF-8 quoted-printable (C-speed ``binascii``, line by line), and the boundary starts with
``=_``, which quoted-printable can never produce. A digest shared by many subscribers is encoded
once (``Prepared``): only the lines holding their name and links are encoded per subscriber.
Every message comes out canonical (CRLF line ends only, ending in CRLF), as the outbox stores
it. Header values are stripped of CR/LF and other control characters, non-ASCII text becomes
RFC 2047 encoded words, and addresses go through ``email.headerregistry.Address``, so a
subscriber's name or a scraped title can never add a header or a recipient.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.charset import Charset
from email.header import Header
from email.headerregistry import Address, HeaderRegistry
from email.utils import format_datetime, formataddr
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")
_HEADER_NAME = re.compile(r"^[!-9;-~]+$")  # RFC 5322 ftext
_MESSAGE_ID = re.compile(r"^[!-;=?-~]+@[!-;=?-~]+$")  # no spaces, no angle brackets
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_SIMPLE_ADDRESS = re.compile(rf"({_ATOM}(?:\.{_ATOM})*)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\Z")
_PREFIX_LENGTH = 2  # room for ": "
_WORD_BYTES = 42  # 56 base64 characters: an encoded word stays within 76
_REGISTRY = HeaderRegistry()
_UTF8 = Charset("utf-8")  # formataddr would make one for every non-ASCII name


def clean(value: str) -> str:
    """One line of text: every control character (CR, LF, tab, ...) becomes one space."""
    return _CONTROL.sub(" ", value).strip()


def header_value(name: str, value: str) -> str:
    """A header value safe to write after ``name:``; folded; encoded words when not ASCII."""
    value = clean(value)
    if value.isascii() and len(name) + _PREFIX_LENGTH + len(value) <= 998:
        return value  # the hard line limit; folding at 78 is only a recommendation
    if value.isascii():
        return Header(value, "us-ascii", header_name=name).encode(linesep="\r\n")
    return encoded_words(value)


def encoded_words(value: str) -> str:
    """RFC 2047 base64 encoded words, folded, never splitting a UTF-8 character.

    ``email.header.Header`` does the same but measures every candidate split and costs more
    than the rest of the message.
    """
    data = value.encode("utf-8")
    words, start = [], 0
    while start < len(data):
        end = min(start + _WORD_BYTES, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # continuation byte: back off
            end -= 1
        words.append(f"=?utf-8?b?{binascii.b2a_base64(data[start:end], newline=False).decode()}?=")
        start = end
    return "\r\n ".join(words)


def mailbox(name: str, email: str) -> Address:
    """An Address for a subscriber; their name may hold anything, it cannot add a header."""
    simple = _SIMPLE_ADDRESS.match(email)
    if simple:
        # A plain dot-atom address parses to itself: skip the parser, which costs more than
        # the rest of a digest's headers.
        return Address(display_name=clean(name), username=simple[1], domain=simple[2])
    return Address(display_name=clean(name), addr_spec=clean(email))


@functools.lru_cache(maxsize=64)
def _format_configured(address: str) -> str:
    return format_address(_parse_one(address, strict=True))


def format_address(address: str | Address) -> str:
    """``Name <user@example.org>`` with the name quoted or encoded; refuses anything but one
    well-formed address (so "x <a@b>, evil@c" is an error, not two recipients)."""
    if isinstance(address, str):
        address = _parse_one(address, strict=True)
    name = clean(address.display_name)
    spec = address.addr_spec
    local, _, domain = spec.rpartition("@")
    if not local or not local.isascii() or _CONTROL.search(spec):
        raise ValueError(f"not a deliverable email address: {spec!r}")
    return formataddr((name, f"{local}@{_idna(domain)}"), charset=_UTF8)


@functools.lru_cache(maxsize=1024)
def _idna(domain: str) -> str:
    """Headers are ASCII: an internationalised domain goes in its IDNA form (cached: a run's
    recipients share a few domains, and the codec is Python)."""
    return domain.encode("idna").decode("ascii")


def ascii_domain(address: str) -> str:
    """``address`` (one, as ``format_address`` accepts it) with an internationalised domain in
    its IDNA form, the rest as written: the SMTP envelope and headers only carry ASCII."""
    domain = _parse_one(address, strict=True).domain
    if domain.isascii():
        return address
    head, _, tail = address.rpartition("@" + domain)
    return head + "@" + _idna(domain) + tail


def addr_spec(address: str) -> str:
    """The bare ``user@domain`` of a From-style address, for the SMTP envelope."""
    return str(_parse_one(address, strict=False).addr_spec)


def _parse_one(value: str, *, strict: bool) -> Address:
    parsed: Any = _REGISTRY("To", clean(value))
    addresses: tuple[Address, ...] = parsed.addresses
    if len(addresses) != 1 or (strict and parsed.defects):
        raise ValueError(f"not one valid email address: {value!r}")
    return addresses[0]


def build_message(
    *,
    sender: str,
    recipient: str | Address,
    subject: str,
    text: str | QuotedPrintable,
    html: str | QuotedPrintable | None,
    message_id: str,
    date: datetime,
    headers: Mapping[str, str] = {},
) -> bytes:
    """A complete message: multipart/alternative (text, HTML) or text/plain alone.

    ``message_id`` is the bare ``left@right`` id; the header gets the angle brackets.
    ``headers`` adds headers such as Reply-To, List-Id and List-Unsubscribe. ``text`` and
    ``html`` may come encoded already (``Prepared.fill``).
    """
    if not _MESSAGE_ID.match(message_id):
        raise ValueError(f"not a valid Message-ID: {message_id!r}")
    lines = [
        f"From: {_format_configured(sender)}",
        f"To: {format_address(recipient)}",
        _header("Subject", subject),
        f"Date: {_date_value(date)}",
        f"Message-ID: <{message_id}>",
        *[_header(name, value) for name, value in headers.items()],
        "MIME-Version: 1.0",
    ]
    if html is None:
        lines += _part_headers("text/plain")
        head = "\r\n".join(lines).encode("ascii")
        body = _encoded(text)
        return head + b"\r\n\r\n" + (body if body.endswith(b"\r\n") else body + b"\r\n")
    boundary = "=_" + hashlib.sha1(message_id.encode()).hexdigest()[:24]
    lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    delimiter = b"\r\n--" + boundary.encode() + b"\r\n"
    return b"".join(
        (
            "\r\n".join(lines).encode("ascii"),
            b"\r\n\r\nThis is a MIME message.",
            delimiter,
            _PART_TEXT,
            *_pieces(text),
            delimiter,
            _PART_HTML,
            *_pieces(html),
            b"\r\n--",
            boundary.encode(),
            b"--\r\n",
        )
    )


@functools.lru_cache(maxsize=1024)
def _header(name: str, value: str) -> str:
    """The header line ``name: value``, made safe; cached, as a run's messages share most of
    their headers (List-Id, the subject of a shared digest), and a cached line is made alike."""
    if not _HEADER_NAME.match(name):
        raise ValueError(f"not a valid header name: {name!r}")
    if name.lower() in ("reply-to", "cc", "bcc", "sender"):
        return f"{name}: {format_address(value)}"
    return f"{name}: {header_value(name, value)}"


_dated: tuple[datetime, str] | None = None


def _date_value(date: datetime) -> str:
    """``format_datetime(date)``, kept for the last date: a run dates its messages with one
    datetime. Kept by identity, as equal datetimes may differ in zone and so in the header."""
    global _dated
    last = _dated  # one read: planning threads may share it
    if last is None or last[0] is not date:
        last = _dated = (date, format_datetime(date))
    return last[1]


def _part_headers(content_type: str) -> list[str]:
    return [
        f"Content-Type: {content_type}; charset=utf-8",
        "Content-Transfer-Encoding: quoted-printable",
    ]


_PART_TEXT = ("\r\n".join(_part_headers("text/plain")) + "\r\n\r\n").encode("ascii")
_PART_HTML = ("\r\n".join(_part_headers("text/html")) + "\r\n\r\n").encode("ascii")


@dataclass(frozen=True, eq=False)
class QuotedPrintable:
    """A text already encoded by ``_qp`` (or ``Prepared.fill``, which gives the same bytes),
    in pieces: ``build_message`` joins them into the message at once, where joining them here
    first would copy each digest's 100 KB once more."""

    pieces: tuple[bytes, ...]  # ``data`` is their concatenation
    # Long runs of ``data`` that every fill of the same Prepared holds, in order: the outbox
    # stores them once for all the messages that hold them (store/outbox_parts.py).
    shared: tuple[bytes, ...] = ()

    @functools.cached_property
    def data(self) -> bytes:
        return b"".join(self.pieces)


def shared_runs(*values: str | QuotedPrintable | None) -> tuple[bytes, ...]:
    """The shared runs of encoded parts, in the order the parts go into a message."""
    return tuple(run for v in values if isinstance(v, QuotedPrintable) for run in v.shared)


def _encoded(value: str | QuotedPrintable) -> bytes:
    return value.data if isinstance(value, QuotedPrintable) else _qp(value)


def _pieces(value: str | QuotedPrintable) -> tuple[bytes, ...]:
    return value.pieces if isinstance(value, QuotedPrintable) else (_qp(value),)


def _qp(text: str) -> bytes:
    """UTF-8 quoted-printable with CRLF line ends (soft breaks too); a leading "." is safe
    (SMTP dot-stuffs)."""
    normalized = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    # Quoted-printable encodes each line on its own, and the digests of one run share most of
    # their lines: each line is encoded once.
    return b"\r\n".join(map(_qp_line, normalized.split("\r\n")))


def _qp_one(line: str) -> bytes:
    """One line, encoded as it is inside a text (followed by CRLF, which is cut off again, so
    its soft breaks are CRLF and trailing white space is encoded even on the last line)."""
    return binascii.b2a_qp((line + "\r\n").encode("utf-8"), istext=True)[:-2] if line else b""


_qp_line = functools.lru_cache(maxsize=16384)(_qp_one)


# Runs shorter than this are stored with each message: a reference would save little.
SHARED_MIN = 1024


class Prepared:
    """A text with placeholders, encoded (``_qp``) once: ``fill`` encodes only the lines that
    hold a placeholder, and gives the same bytes as ``_qp`` of the filled-in text.

    ``placeholders`` matches the placeholders (no line break in them); a value put in for one
    must hold no CR or LF (the caller falls back to ``_qp`` for those). A text holding a CR is
    filled in first and encoded whole (a CR, an empty value and an LF would make one line end).
    """

    def __init__(self, text: str, placeholders: re.Pattern[str]) -> None:
        self._whole = placeholders.split(text) if "\r" in text else None
        self._parts: list[bytes | list[str]] = []  # encoded runs of lines, or a line's pieces
        self._shared: tuple[bytes, ...] = ()
        if self._whole is not None:
            return
        run: list[str] = []
        for line in text.split("\n"):
            if placeholders.search(line) is None:
                run.append(line)
                continue
            if run:
                self._parts.append(_qp_run(run))
                run = []
            self._parts.append(placeholders.split(line))
        if run:
            self._parts.append(_qp_run(run))
        self._shared = tuple(
            part for part in self._parts if isinstance(part, bytes) and len(part) >= SHARED_MIN
        )
        # The parts with the line ends between them, as ``fill`` hands them on.
        self._pieces = [piece for part in self._parts for piece in (b"\r\n", part)][1:]

    def fill(self, values: Mapping[str, str]) -> QuotedPrintable:
        if self._whole is not None:
            whole = _qp("".join([values.get(part, part) for part in self._whole]))
            return QuotedPrintable((whole,))
        pieces = [
            piece
            if isinstance(piece, bytes)
            else _qp_one("".join([values.get(value, value) for value in piece]))
            for piece in self._pieces
        ]
        return QuotedPrintable(tuple(pieces), shared=self._shared)


def _qp_run(lines: list[str]) -> bytes:
    """Lines encoded as ``_qp`` does, in one call (quoted-printable encodes line by line)."""
    return binascii.b2a_qp(("\r\n".join(lines) + "\r\n").encode("utf-8"), istext=True)[:-2]
