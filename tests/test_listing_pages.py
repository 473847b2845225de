"""A listing's next page, as its pager names it: the listing's first page holds only its newest
entries, and the pipeline follows the next one when more unseen entries may sit there.

The pagers are the shapes Umbraco, Sitecore, WordPress and Drupal give kl.dk-like listings
("…/flere-nyheder/2", "?page=2", "Næste side »", rel="next", "›" with an aria-label, numbered
links with the current page as a <span>), in <nav> and "pagination" blocks that are chrome to
the reading of documents; a page's own links to documents are as on
https://www.kl.dk/politik/kkr/kkr-sjaelland/flere-nyheder (docs/kl-dk.md).
"""

from __future__ import annotations

import pytest

from notifier.extract.links import listing_page
from tests.test_unseen_feeds import ARTICLE, ENTRY, KL, NEWS, listing, shipped_pattern

PATTERN = shipped_pattern("sjaelland-nyheder")


def page_of(pager: str, *, url: str = NEWS, number: int = 1) -> tuple[list[str], str | None]:
    body = listing(f"<ul>{ENTRY.format(href=ARTICLE)}</ul>{pager}")
    found = listing_page(body, base_url=url, pattern=PATTERN, first_url=NEWS, number=number)
    return [link.url for link in found.links], found.next_url


@pytest.mark.parametrize(
    ("pager", "expected"),
    [
        # Numbered pages and a next link at addresses shaped like an article's.
        (
            '<div class="paging"><a href="{news}/2">2</a> <a href="{news}/3">3</a> '
            '<a href="{news}/side-2">Næste side</a></div>',
            "{news}/side-2",
        ),
        (
            '<ul class="page-numbers"><li><span>1</span></li><li><a href="{news}/2">2</a></li>'
            '<li><a href="{news}/3">3</a></li></ul>',
            "{news}/2",
        ),
        ('<p><a href="{news}/side-2">Næste side »</a></p>', "{news}/side-2"),
        (
            '<p><a href="{news}/side-2" rel="next"><span class="icon"></span></a></p>',
            "{news}/side-2",
        ),
        ('<p><a href="{news}/aeldre" aria-label="Ældre nyheder">›</a></p>', "{news}/aeldre"),
        # In a <nav> (chrome to the documents' reading), relative, by query.
        (
            '<nav class="pagination" aria-label="Sider"><a href="?page=2" aria-label="Side 2">2'
            '</a><a href="?page=2" aria-label="Næste side">»</a></nav>',
            "{news}?page=2",
        ),
        # rel=next in the head, as Sitecore and WordPress write it, wins over the pager.
        ('<link rel="next" href="{news}?side=2"><a href="{news}/2">2</a>', "{news}?side=2"),
        # A "load more" button at the listing's own address.
        ('<p><a class="btn" href="{news}?page=2">Vis flere</a></p>', "{news}?page=2"),
    ],
)
def test_a_listings_next_page_is_found_and_is_no_document(pager: str, expected: str) -> None:
    links, following = page_of(pager.format(news=NEWS))
    assert links == [ARTICLE]
    assert following == expected.format(news=NEWS)


@pytest.mark.parametrize(
    "pager",
    [
        # Back, first and last pages; the whole listing from a front page; other sections.
        '<p><a href="{news}?page=1">« Forrige</a> <a href="{news}?page=9">Sidste</a></p>',
        '<p><a href="{news}?page=9">»»</a></p>',
        '<p><a class="btn" href="{news}">Se alle nyheder</a> '
        '<a href="{news}">Flere nyheder</a></p>',
        '<p><a href="/politik/kkr/kkr-hovedstaden/flere-nyheder/2">2</a></p>',
        '<p><a href="/nyheder/side-2">Næste side</a></p>',
        # Another site, a file, a feed, this page itself, an article whose heading is "Næste".
        '<p><a href="https://example.org/flere-nyheder/2" rel="next">Næste</a></p>',
        '<p><a href="{news}/2/oversigt.pdf">Næste</a> <a href="{news}/rss.xml">Næste</a></p>',
        '<p><a href="{news}/?la=da">Næste</a></p>',
        '<ul><li><a href="{news}/naeste-skridt"><h3>Næste</h3></a></li></ul>',
        # Page 3 is not the next page of the first.
        '<p><a href="{news}/3">3</a></p>',
    ],
)
def test_links_that_are_not_the_next_page_are_not_followed(pager: str) -> None:
    assert page_of(pager.format(news=NEWS))[1] is None


def test_the_next_of_a_later_page_is_found_by_its_number() -> None:
    pager = (
        f'<ul class="pager"><li><a href="{NEWS}">1</a></li><li><span>2</span></li>'
        f'<li><a href="{NEWS}/3">3</a></li><li><a href="{NEWS}/4">4</a></li></ul>'
    )
    assert page_of(pager, url=f"{NEWS}/2", number=2)[1] == f"{NEWS}/3"
    # "kl.dk" is the site "www.kl.dk" is.
    pager = f'<a href="{KL.replace("www.", "")}/politik/kkr/kkr-sjaelland/flere-nyheder/3">3</a>'
    assert page_of(pager, url=f"{NEWS}/2", number=2)[1] is not None


def test_a_later_page_without_a_pattern_finds_the_articles_of_the_listing() -> None:
    """Found: without a link pattern a document is a page below the listing's; on
    "…/flere-nyheder/2" that was "…/flere-nyheder/2/…", so a second page found nothing."""
    body = listing(f"<ul>{ENTRY.format(href=ARTICLE)}</ul>")
    found = listing_page(body, base_url=f"{NEWS}/2", pattern=None, first_url=NEWS, number=2)
    assert [link.url for link in found.links] == [ARTICLE]


def test_an_area_named_aeldre_is_no_forward_link() -> None:
    """A link reading "Ældre" alone names the elderly area: a listing's filter or a theme page
    ("?emne=aeldre", "…/flere-nyheder/aeldre"), not "Ældre nyheder": the next page is "2"."""
    pager = (
        '<ul class="filters"><li><a href="?emne=sundhed">Sundhed</a></li>'
        '<li><a href="?emne=aeldre">Ældre</a></li>'
        f'<li><a href="{NEWS}/aeldre">Ældre</a></li></ul>'
        f'<nav class="pagination"><a href="{NEWS}/2">2</a><a href="{NEWS}/3">3</a></nav>'
    )
    assert page_of(pager)[1] == f"{NEWS}/2"
