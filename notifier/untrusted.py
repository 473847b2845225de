"""Scraped text and links are untrusted: the rules every output (feeds, pages, mail) applies on
top of its own escaping."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from notifier.urls import without_noise

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(value: str) -> str:
    """The text without the characters XML 1.0 (and so every feed reader) refuses."""
    return _NOT_XML.sub("", value)


def safe_url(url: str, fallback: str = "#") -> str:
    """The URL if it is http(s) (scraped links must not become javascript: or data: links),
    without the tracking and language parameters that name no other document ("utm_source=",
    "fbclid=", "la=da": ``notifier.urls``): a reader should not carry a newsletter's campaign
    tags to kl.dk. Only what is shown changes: the store keeps the link as found, and feed
    entries are identified by their item, never by this link, so an entry already published
    keeps its id."""
    if urlsplit(url.strip()).scheme not in ("http", "https"):
        return fallback
    return without_noise(url)
