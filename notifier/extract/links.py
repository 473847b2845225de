"""Links to documents: from an HTML listing page, or from an RSS/Atom feed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser

from notifier.errors import ExtractError
from notifier.extract.dates import parse_danish_date
from notifier.extract.html import main_content, parse_tree, remove_chrome

_ROW_TAGS = frozenset({"li", "tr", "article", "p", "dd", "dt"})


@dataclass(frozen=True, kw_only=True)
class Link:
    url: str  # absolute, fragment removed
    text: str
    date: date | None  # a date shown next to the link, if any


def listing_links(body: bytes, *, base_url: str, pattern: re.Pattern[str] | None) -> list[Link]:
    """Links in the main content of a listing page, in page order, each URL once.

    Without a pattern: same host, and either a PDF or a page below the listing's own path.
    """
    tree = parse_tree(body, None)
    remove_chrome(tree)
    root = main_content(tree)
    base = urlsplit(base_url)
    below = base.path.rstrip("/") + "/"
    links: dict[str, Link] = {}
    for anchor in root.css("a[href]"):
        href = (anchor.attributes.get("href") or "").strip()
        if not href or href.startswith(("mailto:", "javascript:", "tel:", "#")):
            continue
        url = urldefrag(urljoin(base_url, href)).url
        if pattern is not None:
            if not pattern.search(url):
                continue
        else:
            parts = urlsplit(url)
            is_pdf = parts.path.casefold().endswith(".pdf")
            is_article = parts.path.startswith(below) and len(parts.path) > len(below)
            if parts.netloc != base.netloc or not (is_pdf or is_article):
                continue
        if url in links:
            continue
        row = anchor.parent
        while row is not None and row.tag not in _ROW_TAGS and row is not root:
            row = row.parent
        shown = parse_danish_date(row.text()) if row is not None and row is not root else None
        links[url] = Link(url=url, text=" ".join(anchor.text().split()), date=shown)
    return list(links.values())


def feed_links(body: bytes, *, base_url: str) -> list[Link]:
    """One link per RSS/Atom entry; relative entry links are resolved against base_url."""
    feed = feedparser.parse(body, response_headers={"content-location": base_url})
    if feed.bozo and not feed.entries:
        raise ExtractError(f"not a readable feed ({feed.get('bozo_exception')})")
    links = []
    for entry in feed.entries:
        href = entry.get("link")
        if not href:
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        links.append(
            Link(
                url=urldefrag(urljoin(base_url, href)).url,
                text=" ".join(str(entry.get("title", "")).split()),
                date=date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday) if stamp else None,
            )
        )
    return links
