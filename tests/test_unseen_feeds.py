"""Listings and feeds in shapes the fixture site lacks: which links are documents, in which form.

Addresses and wording are kl.dk's as its stored pages show them (docs/kl-dk.md): the news
listing https://www.kl.dk/politik/kkr/kkr-sjaelland/flere-nyheder and its articles
…/flere-nyheder/<slug>, linked with and without "/", from "www.kl.dk" and "kl.dk"; the meeting
page https://www.kl.dk/politik/kkr/kkr-hovedstaden/moedemateriale and its PDFs under /media/.
Pagination, tracking and language parameters, Danish feed dates and enclosures are what other
CMSs (Umbraco, Sitecore, .NET feeds written with a Danish culture: "tir, 14 maj 2024") put
around the same links.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from notifier.config import load_settings
from notifier.extract import listing_links
from tests.site import SHIPPED

KL = "https://www.kl.dk"
NEWS = f"{KL}/politik/kkr/kkr-sjaelland/flere-nyheder"
ARTICLE = f"{NEWS}/nyhedsbrev-kkr-sjaelland-juni-2021"


def shipped_pattern(source_id: str) -> re.Pattern[str]:
    [value] = [s.link_pattern for s in load_settings(SHIPPED).sources if s.id == source_id]
    assert value is not None
    return re.compile(value)


def listing(body: str) -> bytes:
    return (
        '<!DOCTYPE html><html lang="da"><head><title>Flere nyheder | KL</title></head><body>'
        '<header><a href="/">KL</a></header><main><h1>Flere nyheder</h1>'
        f"{body}</main><footer><p>KL · Weidekampsgade 10</p></footer></body></html>"
    ).encode()


def rss(items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Nyheder fra KKR Sjælland</title><link>{NEWS}</link>{items}</channel></rss>"
    ).encode()


ENTRY = (
    '<li><p>16. juni 2021</p><h3><a href="{href}">Nyhedsbrev KKR Sjælland, juni 2021</a></h3>'
    "<p>KKR Sjælland drøftede sundhedsaftalen.</p></li>"
)


@pytest.mark.parametrize(
    "paging",
    [
        # Numbered pages and a next link at addresses shaped like an article's.
        '<div class="paging"><a href="{news}/2">2</a> <a href="{news}/3">3</a> '
        '<a href="{news}/side-2">Næste side</a></div>',
        '<ul class="page-numbers"><li><span>1</span></li><li><a href="{news}/2">2</a></li></ul>',
        '<p><a href="{news}/side-2">Næste side »</a></p>',
        '<p><a href="{news}/side-2" rel="next"><span class="icon"></span></a></p>',
        '<p><a href="{news}/aeldre" aria-label="Ældre nyheder">›</a></p>',
        '<p><a class="btn" href="{news}/alle">Se alle nyheder</a></p>',
    ],
)
def test_the_listings_own_pages_are_not_articles_whatever_their_address(paging: str) -> None:
    """Found: under the shipped pattern ("…/flere-nyheder/<slug>") "…/flere-nyheder/2" and
    "…/side-2" were articles, in a pagination block whose class is not "pagination"."""
    body = listing(f"<ul>{ENTRY.format(href=ARTICLE)}</ul>{paging.format(news=NEWS)}")
    for pattern in (shipped_pattern("sjaelland-nyheder"), None):
        links = listing_links(body, base_url=NEWS, pattern=pattern)
        assert [(link.url, link.date) for link in links] == [(ARTICLE, date(2021, 6, 16))]


def test_an_article_named_a_number_or_next_in_its_heading_is_still_an_article() -> None:
    body = listing(
        f'<ul><li><a href="{NEWS}/naeste-skridt"><h3>Næste</h3><p>1. marts 2024</p></a></li></ul>'
    )
    links = listing_links(body, base_url=NEWS, pattern=shipped_pattern("sjaelland-nyheder"))
    assert [link.text for link in links] == ["Næste"]


@pytest.mark.parametrize(
    "query", ["?la=da", "?utm_source=nyhedsbrev&utm_medium=email", "?fbclid=IwAR0x", "/?la=da"]
)
def test_an_article_linked_with_a_language_or_tracking_parameter_is_found(query: str) -> None:
    """Found: the shipped patterns end in "<slug>/?$", so an article linked "…?la=da" or with
    campaign tracking was no document at all."""
    body = listing(f"<ul>{ENTRY.format(href=ARTICLE + query)}</ul>")
    links = listing_links(body, base_url=NEWS, pattern=shipped_pattern("sjaelland-nyheder"))
    assert [link.date for link in links] == [date(2021, 6, 16)]
    # ... but a print or page parameter still names no article of its own.
    body = listing(f"<ul>{ENTRY.format(href=ARTICLE + '?print=1')}</ul>")
    assert listing_links(body, base_url=NEWS, pattern=shipped_pattern("sjaelland-nyheder")) == []


def test_one_article_linked_in_every_form_is_listed_once() -> None:
    """Found: "http" against "https", tracking and language parameters and an upper-case path
    each made the same article a second document (fetched and planned twice)."""
    forms = [
        ARTICLE,
        ARTICLE.replace("https:", "http:"),
        ARTICLE + "?utm_source=nyhedsbrev",
        ARTICLE + "/?la=da",
        ARTICLE.replace("/politik/kkr/kkr-sjaelland", "/Politik/KKR/KKR-Sjaelland"),
        ARTICLE.replace("www.", "") + "#indhold",
    ]
    entries = "".join(ENTRY.format(href=href) for href in forms)
    for pattern in (shipped_pattern("sjaelland-nyheder"), None):
        links = listing_links(listing(f"<ul>{entries}</ul>"), base_url=NEWS, pattern=pattern)
        assert [link.url for link in links] == [ARTICLE]


def test_without_a_pattern_the_site_is_its_host_in_any_spelling() -> None:
    """Found: a listing without a pattern refused its own site's links from "kl.dk" or
    "WWW.KL.DK" when it was read at "www.kl.dk" (docs/kl-dk.md: both forms are linked)."""
    page = f"{KL}/politik/kkr/kkr-hovedstaden/moedemateriale"
    body = listing(
        "<p>KKR Hovedstaden holdt møde den 19. april 2021.</p><ul>"
        '<li><a href="https://kl.dk/media/24712/dagsorden.pdf">Dagsorden</a></li>'
        '<li><a href="https://WWW.KL.DK/media/24980/referat.pdf">Referat</a></li>'
        '<li><a href="https://www.ft.dk/media/1/bilag.pdf">Folketingets bilag</a></li></ul>'
    )
    links = listing_links(body, base_url=page, pattern=None)
    assert [(link.text, link.date) for link in links] == [
        ("Dagsorden", date(2021, 4, 19)),
        ("Referat", date(2021, 4, 19)),
    ]
