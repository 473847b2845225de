"""Builds RFC 5322 messages as bytes, cheaply and without header injection.

The standard library's ``EmailMessage`` picks transfer encodings by scanning every part and
costs more than rendering a digest, so the multipart body is assembled here directly: the text
part is UTF-8 quoted-printable, the HTML part base64 (both C-speed ``binascii``), and the
boundary starts with ``=_``, which neither encoding can ever produce. Header values are stripped
of CR/LF and other control characters, non-ASCII text becomes RFC 2047 encoded words, and
addresses go through ``email.headerregistry.Address``, so a subscriber's name or a scraped
title can never add a header or a recipient.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
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
    local, _, domain = address.addr_spec.rpartition("@")
    if not local or not local.isascii() or _CONTROL.search(address.addr_spec):
        raise ValueError(f"not a deliverable email address: {address.addr_spec!r}")
    # Headers are ASCII: an internationalised domain goes in its IDNA form.
    domain = domain.encode("idna").decode("ascii")
    return formataddr((name, f"{local}@{domain}"), charset="utf-8")


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
    text: str,
    html: str | None,
    message_id: str,
    date: datetime,
    headers: Mapping[str, str] = {},
) -> bytes:
    """A complete message: multipart/alternative (text, HTML) or text/plain alone.

    ``message_id`` is the bare ``left@right`` id; the header gets the angle brackets.
    ``headers`` adds headers such as Reply-To, List-Id and List-Unsubscribe.
    """
    if not _MESSAGE_ID.match(message_id):
        raise ValueError(f"not a valid Message-ID: {message_id!r}")
    lines = [
        f"From: {_format_configured(sender)}",
        f"To: {format_address(recipient)}",
        f"Subject: {header_value('Subject', subject)}",
        f"Date: {format_datetime(date)}",
        f"Message-ID: <{message_id}>",
    ]
    for name, value in headers.items():
        if not _HEADER_NAME.match(name):
            raise ValueError(f"not a valid header name: {name!r}")
        if name.lower() in ("reply-to", "cc", "bcc", "sender"):
            lines.append(f"{name}: {format_address(value)}")
        else:
            lines.append(f"{name}: {header_value(name, value)}")
    lines.append("MIME-Version: 1.0")
    if html is None:
        lines += _part_headers("text/plain")
        head = "\r\n".join(lines).encode("ascii")
        return head + b"\r\n\r\n" + _qp(text)
    boundary = "=_" + hashlib.sha1(message_id.encode()).hexdigest()[:24]
    lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    head = "\r\n".join(lines).encode("ascii")
    delimiter = b"\r\n--" + boundary.encode() + b"\r\n"
    return b"".join(
        (
            head,
            b"\r\n\r\nThis is a MIME message.",
            delimiter,
            _PART_TEXT,
            _qp(text),
            delimiter,
            _PART_HTML,
            _base64(html),
            b"\r\n--",
            boundary.encode(),
            b"--\r\n",
        )
    )


def _part_headers(content_type: str) -> list[str]:
    return [
        f"Content-Type: {content_type}; charset=utf-8",
        "Content-Transfer-Encoding: quoted-printable",
    ]


_PART_TEXT = ("\r\n".join(_part_headers("text/plain")) + "\r\n\r\n").encode("ascii")
_PART_HTML = (
    "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
).encode("ascii")


def _base64(text: str) -> bytes:
    """Base64 in 76-character lines: for HTML, whose long inlined-style lines make
    quoted-printable slower to produce and no more readable."""
    encoded = binascii.b2a_base64(text.encode("utf-8"), newline=False)
    return b"\r\n".join(_BASE64_LINE.findall(encoded))  # cut in C, not line by line in Python


_BASE64_LINE = re.compile(rb".{1,76}", re.DOTALL)


def _qp(text: str) -> bytes:
    """UTF-8 quoted-printable with CRLF line ends; a leading "." is safe (SMTP dot-stuffs)."""
    normalized = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    if not normalized.endswith("\r\n"):
        return binascii.b2a_qp(normalized.encode("utf-8"), istext=True)
    # Quoted-printable encodes each line on its own (when every line ends in CRLF), and the
    # digests of one run share most of their lines: each line is encoded once.
    return b"\r\n".join(map(_qp_line, normalized.split("\r\n")))


@functools.lru_cache(maxsize=16384)
def _qp_line(line: str) -> bytes:
    """One line, encoded as it is inside a text (followed by CRLF, which is cut off again)."""
    return binascii.b2a_qp((line + "\r\n").encode("utf-8"), istext=True)[:-2] if line else b""
