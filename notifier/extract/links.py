"""Links to documents: from an HTML listing page, or from an RSS/Atom feed."""

from __future__ import annotations

import contextlib
import dataclasses
import email.utils
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from notifier.errors import ExtractError
from notifier.extract.dates import (
    is_date_line,
    parse_danish_date,
    relative_days,
)
from notifier.extract.entries import (
    context_dates,
    entry_cards,
    entry_date,
    entry_row,
    relative_line,
)
from notifier.extract.html import drop_page_header, main_content, parse_tree, remove_chrome
from notifier.extract.paging import is_paging, next_page
from notifier.urls import site, without_noise

# kl.dk file lists show a type badge before the file name and keep its extension:
# "PDF Dagsorden KKR Sjælland 17. april 2024.pdf".
_FILE_BADGE = re.compile(r"^(?:pdf|docx?|xlsx?|pptx?)\s+", re.IGNORECASE)
_FILE_EXTENSION = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?)$", re.IGNORECASE)
# ... and CMSs add the type or size after it: "(245 KB)", "(pdf)", "[PDF, 1,2 MB]".
_FILE_LABEL = re.compile(
    r"\s*[(\[]\s*(?:pdf|docx?|xlsx?|pptx?)?[\s,;-]*(?:\d+(?:[.,]\d+)?\s*(?:[kmg]b|bytes?))?\s*[)\]]$",
    re.IGNORECASE,
)
# A link that names no document ("Læs mere", "Læs hele nyheden", "her"): its entry's heading
# or the sentence around it does. "Se referatet" names one: its kind.
_GENERIC = re.compile(
    r"^(?:(?:læs|se|gå til)(?:\s+(?:mere|hele|nyheden|artiklen|nyhedsbrevet|videre|her))*"
    r"|(?:klik\s+)?her|link|pdf|hent|download)\W*$",
    re.IGNORECASE,
)
# What a link holds when it is a whole card rather than a line of text.
_CARD_BLOCKS = "h1, h2, h3, h4, h5, h6, p, div"
# A listing's own feed is no document, whatever the source's pattern lets through.
_FEED = re.compile(r"\.(?:xml|rss|atom)$|/(?:rss|feed)/?$", re.IGNORECASE)
# What browsers strip from both ends of an href (C0 controls and space) and remove inside it.
_EDGES = "".join(map(chr, range(0x21)))
_INSIDE = re.compile(r"[\t\n\r]")
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def resolve(base_url: str, href: str) -> str | None:
    """The absolute http(s) URL an href leads to, as a browser resolves it, without fragment.

    Relative, root-relative ("/media/1.pdf"), protocol-relative ("//www.kl.dk/...") and absolute
    hrefs with query strings all work; None for other schemes (mailto:, javascript:, data:) and
    for hrefs no browser could follow ("http://[::1", a port such as ":0x50" or ":99999"), so
    one bad link never costs the page.
    Control characters and spaces left inside are percent-encoded.
    """
    href = _INSIDE.sub("", href.strip(_EDGES))
    if not href or href.startswith("#"):
        return None
    try:
        url = urldefrag(urljoin(base_url, href)).url
        parts = urlsplit(url)
        host = parts.hostname
        # urlsplit checks the port only when it is read: "127.0.0.1:0x50" and ":99999" pass
        # the split and fail the fetch; no browser could follow them either.
        port = parts.port
    except ValueError:  # an invalid IPv6 host or port
        return None
    if parts.scheme not in ("http", "https") or not host or port == 0:
        return None
    return _UNSAFE.sub(
        lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8", "surrogatepass")), url
    )


def page_base(tree: LexborHTMLParser, url: str) -> str:
    """What the page's relative links resolve against: its <base href>, else its own URL."""
    base = tree.css_first("base[href]")
    return (resolve(url, base.attributes.get("href") or "") if base else None) or url


def _same_file(url: str) -> str:
    """One file whatever its link adds: the parameters of ``without_noise``; "…/<slug>/"
    serves the page "…/<slug>" does, "kl.dk" the host "www.kl.dk" does and "http" the page
    "https" does (docs/kl-dk.md: every form is linked); kl.dk's paths are the same in any
    case ("/Kommunalpolitik1/…" and "/kommunalpolitik1/…")."""
    parts = urlsplit(without_noise(url))
    path = parts.path.rstrip("/").casefold() or "/"
    return urlunsplit(parts._replace(scheme="https", netloc=site(parts.netloc), path=path))


def link_text(text: str) -> str:
    """Anchor or entry text on one line, without characters feeds and mails cannot carry."""
    return " ".join(_CONTROL.sub("", text).split())


def _file_name(text: str) -> str:
    """A file-list entry's name without its type badge, extension, type and size labels."""
    name = _FILE_BADGE.sub("", text)
    if (label := _FILE_LABEL.search(name)) and re.search(r"\w", label.group()):
        name = name[: label.start()]
    name = _FILE_EXTENSION.sub("", name).strip()
    return name or text


@dataclass(frozen=True, kw_only=True)
class Link:
    url: str  # absolute, fragment removed
    text: str
    date: date | None  # a date shown next to the link, if any


@dataclass(frozen=True, kw_only=True)
class ListingPage:
    links: list[Link]
    next_url: str | None  # the listing's next page, when this page links one


def listing_page(
    body: bytes,
    *,
    base_url: str,
    pattern: re.Pattern[str] | None,
    today: date | None = None,
    first_url: str | None = None,
    number: int = 1,
) -> ListingPage:
    """``listing_links`` of the ``number``-th page of the listing at ``first_url`` (this page
    by default), and the address of the page after it (``paging.next_page``)."""
    try:
        return _listing_links(
            body,
            base_url=base_url,
            pattern=pattern,
            today=today,
            first_url=first_url or base_url,
            number=number,
        )
    except ExtractError:
        raise
    except Exception as exc:  # a parser bug on odd input must fail this page, not the poll
        raise ExtractError(
            f"could not read listing {base_url}: {type(exc).__name__}: {exc}"
        ) from exc


def listing_links(
    body: bytes, *, base_url: str, pattern: re.Pattern[str] | None, today: date | None = None
) -> list[Link]:
    """Links in the main content of a listing page, in page order, each URL once.

    Without a pattern: same host, and either a PDF or a page below the listing's own path.
    A link's date is the one shown in its entry (a news entry's date line: the list item,
    card or table row holding the link), besides the link's own text; failing that, the last
    date in the text above it within the same section, because kl.dk's meeting pages state
    the meeting once ("KKR Nordjylland holdt møde den 12. marts 2024") and then list its files;
    failing that, a date in the link's text. A bilag's name ("Referat fra Sundhedsklyngen 2.
    marts 2024") does not date the meeting it is listed under. An entry dated "I dag" or "I
    går" is dated from today, the day the page was read in Denmark, when it is given.
    """
    return listing_page(body, base_url=base_url, pattern=pattern, today=today).links


def _listing_links(
    body: bytes,
    *,
    base_url: str,
    pattern: re.Pattern[str] | None,
    today: date | None,
    first_url: str,
    number: int,
) -> ListingPage:
    tree = parse_tree(body, None)
    target = page_base(tree, base_url)
    # Before the chrome goes: pagers are <nav> or "pagination" blocks.
    following = next_page(
        tree,
        page_url=base_url,
        first_url=first_url,
        number=number,
        resolve=lambda href: resolve(target, href),
    )
    remove_chrome(tree)
    root = main_content(tree)
    drop_page_header(root)
    # Without a pattern, documents are below the listing's first page, not "…/flere-nyheder/2".
    base = urlsplit(first_url)
    below = base.path.rstrip("/").casefold() + "/"
    found: list[tuple[LexborNode, str]] = []
    for anchor in root.css("a[href]"):
        url = resolve(target, anchor.attributes.get("href") or "")
        if url is None or _FEED.search(urlsplit(url).path):
            continue
        # A file is no page of the listing, even linked by its number ("Bilag <a>2</a>").
        if not _FILE_EXTENSION.search(urlsplit(url).path) and is_paging(anchor):
            continue
        if pattern is not None:
            # "…/<slug>?la=da" is the article a pattern ending in "<slug>/?$" names.
            if not (pattern.search(url) or pattern.search(without_noise(url))):
                continue
        else:
            parts = urlsplit(url)
            path = parts.path.casefold()
            is_pdf = path.endswith(".pdf")
            is_article = path.startswith(below) and len(path) > len(below)
            if site(parts.netloc) != site(base.netloc) or not (is_pdf or is_article):
                continue
        found.append((anchor, url))
    cards = entry_cards(found, root)
    documents = {anchor.mem_id for anchor, _ in found}
    context = context_dates(root, set(cards.values()), documents)
    links: dict[str, Link] = {}
    for anchor, url in found:
        own = anchor.text(separator=" ")
        # A card that is one link (heading, date and teaser inside it) is named by its heading.
        row = entry_row(anchor, root)
        text = _file_name(link_text(_name(anchor, cards.get(anchor.mem_id), row)))
        key = _same_file(url)
        if key in links:  # a picture's link first, the title's after it
            if not links[key].text:
                links[key] = dataclasses.replace(links[key], text=text)
            continue
        shown = None
        for entry in (cards.get(anchor.mem_id), row, entry_row(anchor, root, "tr")):
            if shown is None and entry is not None:
                shown = entry_date(entry, documents, today)
        # A link that is a card (its heading, teaser and date line inside it) is its own
        # entry; a day in a file's name ("Bilag 1 Notat af 12. marts 2024") is not.
        if shown is None and anchor.css_first(_CARD_BLOCKS) is not None:
            shown = entry_date(anchor, set(), today, lines_only=True)
        shown = shown or context.get(anchor.mem_id) or parse_danish_date(own)
        shown = shown or _relative(anchor, today)
        links[key] = Link(url=url, text=text, date=shown)
    return ListingPage(links=list(links.values()), next_url=following)


def _name(anchor: LexborNode, card: LexborNode | None, row: LexborNode | None) -> str:
    """What a link names: the heading inside it (a card that is one link), its text or its
    label, else the heading of its entry ("<h3>Nyhedsbrev december</h3> ... <a>Læs mere</a>"),
    else the sentence it ends ("Analysen kan findes <a>her</a>")."""
    heading = anchor.css_first("h1, h2, h3, h4, h5, h6")
    if heading is not None:
        return heading.text(separator=" ")
    own = _undated(anchor)
    # Not a picture's alt text: it describes the photo ("Foto fra mødet"), not the article.
    for name in (own, anchor.attributes.get("aria-label"), anchor.attributes.get("title")):
        if name and name.strip() and not _GENERIC.match(name.strip()):
            return name
    headings = card.css("h1, h2, h3, h4, h5, h6") if card is not None else []
    if len(headings) == 1:
        return headings[0].text(separator=" ")
    around = row.text(separator=" ") if row is not None else ""
    if row is not None and len(row.css("a[href]")) == 1 and len(around) <= 200:
        return around
    return own


def _undated(anchor: LexborNode) -> str:
    """A link's text without a date shown inside it, apart from its name ("<a><span>3. december
    2026</span><span>Nyhedsbrev december</span></a>")."""
    parts = [node.text_content or "" for node in anchor.traverse(include_text=True)]
    text = " ".join(p for p in parts if not _date_part(p))
    return text if text.strip() else anchor.text(separator=" ")


def _relative(anchor: LexborNode, today: date | None) -> date | None:
    """A day inside the link counted from today: "<a><span>I går</span><span>Nyhedsbrev
    december</span></a>"."""
    return relative_line(anchor, today) if today is not None else None


def _date_part(text: str) -> bool:
    """A piece of a link's text that only dates it: "3. december 2026", "I dag"."""
    return len(text) <= 60 and (is_date_line(text) or relative_days(text) is not None)


def feed_links(body: bytes, *, base_url: str) -> list[Link]:
    """One link per RSS/Atom entry; relative entry links are resolved against base_url."""
    import feedparser  # here: it takes longer to import than the rest of extraction together

    try:
        feed = feedparser.parse(body, response_headers={"content-location": base_url})
    except Exception as exc:  # feedparser is lenient, but a bug on odd input must not escape
        raise ExtractError(f"not a readable feed ({type(exc).__name__}: {exc})") from exc
    if feed.bozo and not feed.entries:
        raise ExtractError(f"not a readable feed ({feed.get('bozo_exception')})")
    links: dict[str, Link] = {}
    for entry in feed.entries:
        url = resolve(base_url, _entry_link(entry))
        # One document whatever form each entry links it by ("…/a/" and "…/a", "http", "www.").
        if url is None or _same_file(url) in links:
            continue
        text = link_text(_plain(str(entry.get("title", ""))))
        links[_same_file(url)] = Link(url=url, text=text, date=_entry_date(entry))
    return list(links.values())


def _entry_link(entry: Any) -> str:
    """An entry's link; failing one, the file it encloses: an agenda published as an RSS item
    with only an <enclosure url="….pdf">, or an Atom entry with only <link rel="enclosure">."""
    if link := str(entry.get("link") or "").strip():
        return link
    for found in [*(entry.get("links") or []), *(entry.get("enclosures") or [])]:
        if href := str(found.get("href") or found.get("url") or "").strip():
            return href
    return ""


def _plain(title: str) -> str:
    """A feed title as text: feeds put markup in titles ("Klima & <em>miljø</em>") and escape
    entities twice ("Sundhed &amp;amp; omsorg"), which feedparser hands on as it found them."""
    if "<" not in title and "&" not in title:
        return title
    body = LexborHTMLParser(f"<body>{title}</body>").body
    return body.text() if body is not None else title


def _entry_date(entry: Any) -> date | None:
    """The day an entry was published, as its feed states it: feedparser's parsed times are
    UTC, so a date-only item at local midnight ("+0100") would read as the day before."""
    for key in ("published", "updated"):
        stated = str(dict.get(entry, key) or "").strip()
        if not stated:
            continue
        with contextlib.suppress(TypeError, ValueError, IndexError):
            return email.utils.parsedate_to_datetime(stated).date()
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(stated.replace("Z", "+00:00")).date()
        # Before feedparser's reading: a CMS formatting its dates in Danish ("tir, 14 maj 2024
        # 10:00:00 +0200", "15. marts 2024", "14-05-2024") is read by none of the above, and
        # feedparser reads "14-05-2024" as 20 May 2014.
        if day := parse_danish_date(stated):
            return day
    # dict.get: FeedParserDict.get("updated_parsed") warns when it falls back to published.
    stamp = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    try:
        return date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday) if stamp else None
    except (AttributeError, TypeError, ValueError):
        return None
