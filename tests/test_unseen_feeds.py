"""Listings and feeds in shapes the fixture site lacks: which links are documents, in which form.

Addresses are shaped as kl.dk's stored pages show them (docs/kl-dk.md): the news listing
https://www.kl.dk/politik/kkr/kkr-sjaelland/flere-nyheder and its articles
…/flere-nyheder/<slug>, linked with and without "/", from "www.kl.dk" and "kl.dk"; the shipped
meeting-page source of KKR Hovedstaden and its PDFs under /media/. The article and its listing
entry are invented (no held-out page's address or text).
Pagination, tracking and language parameters, Danish feed dates and enclosures are what other
CMSs (Umbraco, Sitecore, .NET feeds written with a Danish culture: "tir, 14 maj 2024") put
around the same links.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from notifier.config import load_settings
from notifier.extract import feed_links, listing_links
from notifier.pipeline import Pipeline
from notifier.runtime import Runtime
from tests.site import SHIPPED, Site

KL = "https://www.kl.dk"
NEWS = f"{KL}/politik/kkr/kkr-sjaelland/flere-nyheder"
ARTICLE = f"{NEWS}/nyhedsbrev-kkr-sjaelland-marts-2026"


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
    '<li><p>18. marts 2026</p><h3><a href="{href}">Nyhedsbrev KKR Sjælland, marts 2026</a></h3>'
    "<p>KKR Sjælland drøftede praksisplanen.</p></li>"
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
        assert [(link.url, link.date) for link in links] == [(ARTICLE, date(2026, 3, 18))]


def test_an_article_named_a_number_or_next_in_its_heading_is_still_an_article() -> None:
    body = listing(
        f'<ul><li><a href="{NEWS}/naeste-skridt"><h3>Næste</h3><p>1. marts 2024</p></a></li></ul>'
    )
    links = listing_links(body, base_url=NEWS, pattern=shipped_pattern("sjaelland-nyheder"))
    assert [link.text for link in links] == ["Næste"]
    # Files linked by their numbers ("Bilag: 1, 2") are files, not pages of the listing.
    page = f"{KL}/politik/kkr/kkr-hovedstaden/moedemateriale"
    body = listing(
        "<p>KKR Hovedstaden holdt møde den 19. april 2021.</p><p>Bilag: "
        '<a href="/media/1/bilag-1.pdf">1</a>, <a href="/media/2/bilag-2.pdf">2</a></p>'
    )
    links = listing_links(
        body, base_url=page, pattern=shipped_pattern("hovedstaden-moedemateriale")
    )
    assert [link.url for link in links] == [
        f"{KL}/media/1/bilag-1.pdf",
        f"{KL}/media/2/bilag-2.pdf",
    ]


@pytest.mark.parametrize(
    "query", ["?la=da", "?utm_source=nyhedsbrev&utm_medium=email", "?fbclid=IwAR0x", "/?la=da"]
)
def test_an_article_linked_with_a_language_or_tracking_parameter_is_found(query: str) -> None:
    """Found: the shipped patterns end in "<slug>/?$", so an article linked "…?la=da" or with
    campaign tracking was no document at all."""
    body = listing(f"<ul>{ENTRY.format(href=ARTICLE + query)}</ul>")
    links = listing_links(body, base_url=NEWS, pattern=shipped_pattern("sjaelland-nyheder"))
    assert [link.date for link in links] == [date(2026, 3, 18)]
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


@pytest.mark.parametrize(
    ("stated", "day"),
    [
        ("tir, 14 maj 2024 10:00:00 +0200", date(2024, 5, 14)),  # RFC 822 in Danish
        ("ma, 14 okt 2024 09:00:00 +0200", date(2024, 10, 14)),
        ("15. marts 2024", date(2024, 3, 15)),
        ("14-05-2024", date(2024, 5, 14)),  # feedparser: 20 May 2014
        ("14.05.2024 10:00", date(2024, 5, 14)),
        ("Fri, 15 Mar 2024 00:00:00 +0100", date(2024, 3, 15)),
    ],
)
def test_a_feed_entry_dated_in_danish_has_its_day(stated: str, day: date) -> None:
    """Found: a feed written with a Danish culture ("maj", "okt") or a Danish date was
    undated, and "14-05-2024" was read by feedparser as 20 May 2014."""
    body = rss(
        f"<item><title>Nyhed</title><link>{ARTICLE}</link><pubDate>{stated}</pubDate></item>"
    )
    assert [link.date for link in feed_links(body, base_url=f"{NEWS}/rss")] == [day]


def test_feed_entries_linking_one_article_in_several_forms_are_one_link() -> None:
    """Found: the feed kept "…/<slug>/", "…/<slug>", "kl.dk" and "?utm_source" as four
    documents, which the listing's reading counts as one."""
    forms = [ARTICLE + "/", ARTICLE, ARTICLE.replace("www.", ""), ARTICLE + "?utm_source=rss"]
    items = "".join(
        f"<item><title>Marts {n}</title><link>{f}</link></item>" for n, f in enumerate(forms)
    )
    links = feed_links(rss(items), base_url=f"{NEWS}/rss")
    assert [(link.url, link.text) for link in links] == [(ARTICLE + "/", "Marts 0")]


def test_a_feed_entry_that_only_encloses_its_pdf_leads_to_the_pdf() -> None:
    """Found: an agenda published as an RSS item with only <enclosure url="….pdf"> (or an Atom
    entry with only rel="enclosure") was dropped: feedparser gives such an entry no link."""
    pdf = f"{KL}/media/24712/dagsorden-kkr-hovedstaden-19-april-2021.pdf"
    body = rss(
        "<item><title>Dagsorden KKR Hovedstaden 19. april 2021</title>"
        f'<enclosure url="{pdf}" type="application/pdf" length="245760"/>'
        "<pubDate>Mon, 12 Apr 2021 09:00:00 +0200</pubDate></item>"
    )
    links = feed_links(body, base_url=f"{KL}/rss")
    assert [(link.url, link.date) for link in links] == [(pdf, date(2021, 4, 12))]
    atom = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>KKR</title>'
        '<entry><title>Referat</title><link rel="enclosure" type="application/pdf" '
        'href="/media/24980/referat.pdf"/><updated>2021-04-20T09:00:00+02:00</updated></entry>'
        '<entry><title>Nyhed</title><link rel="enclosure" href="/media/1/foto.pdf"/>'
        f'<link rel="alternate" href="{ARTICLE}"/></entry></feed>'
    ).encode()
    links = feed_links(atom, base_url=f"{KL}/feed")
    assert [link.url for link in links] == [f"{KL}/media/24980/referat.pdf", ARTICLE]


async def test_a_polled_feed_fetches_an_enclosed_pdf_and_each_article_once(
    site: Site, database_url: str, tmp_path: Path
) -> None:
    """Over HTTP on 127.0.0.1, the real poll: the feed's enclosure is fetched and read as a
    document, and an entry repeating a newsletter with "/" and a tracking parameter costs no
    second request."""
    settings = site.settings(database_url, tmp_path)
    feed = site.root / "politik/kkr/kkr-syddanmark/flere-nyheder/rss.xml"
    news = "/politik/kkr/kkr-syddanmark/flere-nyheder/nyhedsbrev-kkr-syddanmark-marts-2024"
    agenda = "/media/24712/dagsorden-kkr-hovedstaden-19-april-2021.pdf"
    entries = (
        f"<item><title>Nyhedsbrev igen</title><link>{news}/?utm_source=rss</link></item>"
        f'<item><title>Dagsorden</title><enclosure url="{agenda}" type="application/pdf"/>'
        "<pubDate>Mon, 12 Apr 2021 09:00:00 +0200</pubDate></item>"
    )
    site.edit(feed, "</channel>", entries + "</channel>")
    async with Runtime(settings) as runtime:
        poller: Pipeline = runtime.pipeline
        summary = await poller.poll(settings.source("syddanmark-nyheder-rss"))
        assert summary.state == "ok" and summary.errors == [], summary.to_json()
        assert summary.documents_new == 3, summary.to_json()
        # robots.txt, the feed, its two newsletters and the PDF: the repeat is not asked for.
        assert summary.requests == 5, summary.to_json()
        repeat = f"{site.url}{news}/?utm_source=rss"
        assert await runtime.store.polls.fetch_states([repeat]) == {}
        assert list(await runtime.store.polls.fetch_states([f"{site.url}{agenda}"])) == [
            f"{site.url}{agenda}"
        ]
