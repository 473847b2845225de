"""A listing's own pages: which links lead to them (never documents), and which one is next.

A listing's first page holds its newest entries; older ones sit on "…/flere-nyheder/2",
"?page=2" or behind "Næste side »". The pipeline follows the next page only when this one may
not show everything unseen (``notifier.listing_walk``); here is only how a page names it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from notifier.urls import same_site, without_noise

# The listing's own pages and "more" buttons, named by their text ("2", "Side 3", "Næste side »",
# "« Forrige", "Vis flere", "Se alle nyheder", "Flere nyheder").
_PAGING = re.compile(
    r"^(?:side\s+)?\d{1,3}$|^[«»‹›<>←→…|.\s]+$"
    r"|^[«‹<←]?\s*(?:næste|forrige|sidste|første|ældre|nyere)(?:\s+(?:side|sider|nyheder))?"
    r"\s*[»›>→]?$"
    r"|^(?:vis|se|hent|indlæs)\s+(?:flere|alle|mere)(?:\s+nyheder)?$"
    r"|^(?:flere|alle|ældre|nyere)\s+nyheder$",
    re.IGNORECASE,
)
# Forward to the next page, by name or arrow: "Næste", "Næste side »", "Ældre nyheder", "›".
# Not "»»" or "Sidste" (the last page) nor "Forrige"/"Nyere" (back). "Ældre" alone is an area
# (a listing's filter "?emne=aeldre", a theme page), forward only with what it names or an arrow.
_FORWARD = re.compile(
    r"^(?:gå\s+til\s+)?(?:næste(?:\s+(?:side|sider|nyheder|artikler|indlæg))?"
    r"|ældre(?:\s+(?:side|sider|nyheder|artikler|indlæg))?(?=\s*[»›>→])"
    r"|ældre\s+(?:sider|nyheder|artikler|indlæg))\s*[»›>→]?$"
    r"|^[»›>→]$|^(?:next|older)(?:\s+(?:page|posts|entries))?\s*[»›>→]?$",
    re.IGNORECASE,
)
# A page's number in a numbered pager: "3", "Side 3", aria-label "Gå til side 3".
_NUMBER = re.compile(r"^(?:gå\s+til\s+)?(?:side\s+)?(\d{1,3})$", re.IGNORECASE)
# A "load more" button: the next page at the listing's own address with another query.
_MORE = re.compile(r"^(?:vis|indlæs|hent|se)\s+(?:flere|mere)(?:\s+nyheder)?$", re.IGNORECASE)
# Files and feeds are never pages of the listing, whatever their link says.
_NOT_A_PAGE = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|xml|rss|atom)$", re.IGNORECASE)
_HEADINGS = "h1, h2, h3, h4, h5, h6"


def is_paging(anchor: LexborNode) -> bool:
    """A link to another page of the listing ("2", "Næste side »", "Flere nyheder", rel="next"),
    whatever its address: "…/flere-nyheder/2" is shaped like an article's."""
    if {"next", "prev", "previous"} & _rels(anchor):
        return True
    if anchor.css_first(f"{_HEADINGS}, img") is not None:
        return False
    return bool(_PAGING.match(_label(anchor)))


def next_page(
    tree: LexborHTMLParser,
    *,
    page_url: str,
    first_url: str,
    number: int,
    resolve: Callable[[str], str | None],
) -> str | None:
    """The address of the page after this one (the ``number``-th of the listing at
    ``first_url``), or None.

    Read from the whole page, chrome included: pagers sit in <nav> or a "pagination" block. In
    order of trust: a rel="next" link on the same site; a forward link ("Næste side »",
    "Ældre nyheder", "›") or the link numbered ``number + 1``, within the listing's own address
    ("…/flere-nyheder/2", "…/flere-nyheder?page=2"); a "Vis flere" button at the listing's own
    path. A heading inside a link makes it an article ("<a><h3>Næste skridt</h3></a>").
    """
    here = _page_key(page_url)
    scope = _path(first_url)
    found: dict[str, str] = {}  # kind -> first URL of that kind
    for node in tree.css("link[rel][href], a[href]"):
        url = resolve(node.attributes.get("href") or "")
        if url is None or not same_site(url, first_url) or _page_key(url) == here:
            continue
        if _NOT_A_PAGE.search(urlsplit(url).path):
            continue
        rels = _rels(node)
        if "next" in rels:
            found.setdefault("rel", url)
            continue
        if node.tag != "a" or rels & {"prev", "previous"} or node.css_first(_HEADINGS):
            continue
        label = _label(node)
        path = _path(url)
        within = path == scope or path.startswith(scope.rstrip("/") + "/")
        numbered = _NUMBER.match(label)
        if within and _FORWARD.match(label):
            found.setdefault("forward", url)
        elif within and numbered and int(numbered.group(1)) == number + 1:
            found.setdefault("number", url)
        elif path == scope and _MORE.match(label):
            found.setdefault("more", url)
    kinds = ("rel", "forward", "number", "more")
    return next((found[kind] for kind in kinds if kind in found), None)


def _rels(node: LexborNode) -> set[str]:
    return set((node.attributes.get("rel") or "").lower().split())


def _label(anchor: LexborNode) -> str:
    """What a link says: its text, else its aria-label or title, else an icon's alt text."""
    text = " ".join(anchor.text(separator=" ").split())
    if text:
        return text
    for name in ("aria-label", "title"):
        if label := (anchor.attributes.get(name) or "").strip():
            return " ".join(label.split())
    image = anchor.css_first("img[alt]")
    return " ".join((image.attributes.get("alt") or "").split()) if image is not None else ""


def _path(url: str) -> str:
    return urlsplit(url).path.rstrip("/").casefold() or "/"


def _page_key(url: str) -> str:
    """A page whatever its link adds: noise parameters, a trailing slash, case."""
    parts = urlsplit(without_noise(url))
    return f"{_path(url)}?{parts.query}"
