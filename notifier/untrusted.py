"""Scraped text and links are untrusted: the two rules every output (feeds, pages, mail) applies
on top of its own escaping."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(value: str) -> str:
    """The text without the characters XML 1.0 (and so every feed reader) refuses."""
    return _NOT_XML.sub("", value)


def safe_url(url: str, fallback: str = "#") -> str:
    """The URL if it is http(s); scraped links must not become javascript: or data: links."""
    return url if urlsplit(url.strip()).scheme in ("http", "https") else fallback
