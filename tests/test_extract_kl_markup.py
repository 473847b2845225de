"""kl.dk's page chrome, date formats and file lists, as the stored copies of its pages show them
(docs/kl-dk.md): the chrome never becomes content, and both of kl.dk's date forms are read."""

from __future__ import annotations

import re
from datetime import date

import pytest

from notifier.extract import extract, listing_links
from notifier.extract.infer import infer_kind
from notifier.models import DocumentKind
from notifier.split import split

BASE = "https://www.kl.dk/politik/kkr/kkr-sjaelland"


def page(hero: str, body: str) -> bytes:
    return (
        "<html><head><title>Side | KL</title></head><body>"
        '<a href="#indhold">Gå til hovedindhold</a>'
        '<div class="top"><a href="/log-ind">Log ind</a></div>'
        f'<main id="indhold"><div class="hero">{hero}</div>'
        f'<div class="body"><h2>Indhold</h2>{body}</div></main>'
        "<div><button>×</button><a href=/log-ind>Log ind</a></div></body></html>"
    ).encode()


TAGS = '<div class="tags"><a href="/politik/kkr">KKR</a> <a href="/politik">Politik</a></div>'
ARTICLE_BODY = (
    "<h2>Sundhedsaftalen</h2><p>KKR Sjælland drøftede udkastet til den nye sundhedsaftale.</p>"
    "<h2>Movia</h2><p>KKR Sjælland drøftede Movias budget og de regionale buslinjer.</p>"
)


@pytest.mark.parametrize("date_line", ["07. september 2021", "7. september 2021", "07.09.21"])
def test_article_chrome_is_not_content_and_the_date_is_read(date_line: str) -> None:
    hero = (
        f"{TAGS}<p>{date_line}</p><h1>Nyhedsbrev KKR Sjælland september 2021</h1>"
        "<p>KKR Sjælland holdt møde den 1. september 2021.</p><p>Ældre end 12 mdr.</p>"
    )
    document = extract(
        page(hero, ARTICLE_BODY), url=f"{BASE}/flere-nyheder/nyhedsbrev-sep", content_type=None
    )
    assert document.kind is DocumentKind.NEWSLETTER
    assert document.title == "Nyhedsbrev KKR Sjælland september 2021"
    assert document.date == date(2021, 9, 7)
    paragraphs = document.text.split("\n\n")
    assert paragraphs[0] == document.title
    assert paragraphs[1].startswith("KKR Sjælland holdt møde")
    for chrome in ("KKR", "Politik", "Indhold", "Ældre end 12 mdr.", "Log ind", "×"):
        assert chrome not in paragraphs
    assert "Gå til hovedindhold" not in document.text
    assert [item.title for item in split(document)] == ["Sundhedsaftalen", "Movia"]
    assert "https://www.kl.dk/politik" not in document.links


def test_a_page_that_ages_past_twelve_months_reads_the_same() -> None:
    hero = f"{TAGS}<h1>Trafik, infrastruktur, klima og miljø</h1><p>KKR Sjælland varetager …</p>"
    url = f"{BASE}/trafik-infrastruktur-klima-og-miljoe"
    young = extract(page(hero, ARTICLE_BODY), url=url, content_type=None)
    aged_hero = hero + '<p class="label">Ældre end 12 mdr.</p>'
    aged = extract(page(aged_hero, ARTICLE_BODY), url=url, content_type=None)
    assert aged.text == young.text
    assert young.kind is DocumentKind.OTHER


def test_long_text_above_the_title_is_kept() -> None:
    intro = "KKR Sjælland samler borgmestrene i regionen. " * 4
    hero = f"<p>{intro.strip()}</p><h1>Om KKR Sjælland</h1>"
    document = extract(page(hero, ARTICLE_BODY), url=f"{BASE}/om-kkr", content_type=None)
    assert intro.strip() in document.text


def test_breadcrumbs_without_nav_markup_are_not_a_lead_or_a_section() -> None:
    hero = (
        '<ol class="crumbs"><li><a href="/">Forside</a></li><li><a href="/politik">Politik</a>'
        '</li><li><a href="/politik/kkr">KKR</a></li></ol>'
        "<p>16. november 2020</p><h1>Nyhedsbrev KKR Sjælland november 2020</h1>"
    )
    document = extract(page(hero, ARTICLE_BODY), url=f"{BASE}/flere-nyheder/n", content_type=None)
    assert "Forside" not in document.text and "• Politik" not in document.text
    assert document.date == date(2020, 11, 16)
    assert [item.title for item in split(document)] == ["Sundhedsaftalen", "Movia"]


def file_item(href: str, name: str) -> str:
    return f'<li><a href="{href}"><span>PDF</span>\n<span>{name}</span></a></li>'


def test_meeting_files_take_the_meetings_date_and_their_names_lose_badge_and_extension() -> None:
    """kl.dk's file list (a PDF badge and the file's name in the link) under meeting paragraphs;
    the meetings and files are invented."""
    body = (
        "<h2>Mødedatoer</h2><h3>2026</h3><ul><li>Torsdag den 12. marts</li></ul>"
        "<h2>Mødemateriale 2026</h2>"
        "<p>KKR Midtjylland holder møde den 12. marts 2026 kl. 13.30 – 16.00 i Skive</p>"
        "<p>Her finder du dagsorden og bilag.</p><ul>"
        + file_item("/media/k3m9/dagsorden.pdf?format=noformat", "Dagsorden.pdf")
        + file_item(
            "/media/k4m9/bilag-3-2-busplan.pdf?format=noformat", "Bilag 3.2 Plan for busserne.pdf"
        )
        + "</ul><p>KKR Midtjylland holdt møde den 21. januar 2026.</p><ul>"
        + file_item(
            "https://backoffice.kl.dk/media/k1m9/referat.pdf", "Referat KKR Midtjylland.pdf"
        )
        + "</ul><h2>Mødemateriale 2025</h2><ul>"
        + file_item("/media/25901/bilag.pdf", "Bilag til mødet.pdf")
        + "</ul>"
    )
    body_bytes = page(f"{TAGS}<h1>Mødemateriale</h1>", body)
    links = listing_links(
        body_bytes, base_url=f"{BASE}/moedemateriale", pattern=re.compile(r"/media/.+\.pdf")
    )
    assert [(link.url, link.text, link.date) for link in links] == [
        (
            "https://www.kl.dk/media/k3m9/dagsorden.pdf?format=noformat",
            "Dagsorden",
            date(2026, 3, 12),
        ),
        (
            "https://www.kl.dk/media/k4m9/bilag-3-2-busplan.pdf?format=noformat",
            "Bilag 3.2 Plan for busserne",
            date(2026, 3, 12),
        ),
        (
            "https://backoffice.kl.dk/media/k1m9/referat.pdf",
            "Referat KKR Midtjylland",
            date(2026, 1, 21),
        ),
        # A new section heading without a date: the last meeting's date does not carry over.
        ("https://www.kl.dk/media/25901/bilag.pdf", "Bilag til mødet", None),
    ]


def test_front_page_news_rows_keep_their_short_dates() -> None:
    body = (
        "<h2>Seneste nyt</h2><ul>"
        '<li><p>03.05.17</p><p>Dagsorden/mødereferat</p><h3><a href="/politik/kkr/kkr-sjaelland/'
        'flere-nyheder/referat-maj">Referat af møde i KKR Sjælland den 1. maj 2017</a></h3>'
        "<p>KKR Sjælland holdt møde den 1. maj 2017.</p></li>"
        '<li><p>20.02.17</p><h3><a href="/nyhed/2017/februar/hjaelpemidler">Fælles indkøb af '
        "hjælpemidler</a></h3></li></ul>"
        '<p><a href="/politik/kkr/kkr-sjaelland/flere-nyheder">Flere nyheder</a></p>'
    )
    links = listing_links(
        page(f"{TAGS}<h1>KKR Sjælland</h1>", body),
        base_url=BASE,
        pattern=re.compile(r"/flere-nyheder/[^/]+$|/nyhed/\d{4}/"),
    )
    assert [(link.text, link.date) for link in links] == [
        ("Referat af møde i KKR Sjælland den 1. maj 2017", date(2017, 5, 3)),
        ("Fælles indkøb af hjælpemidler", date(2017, 2, 20)),
    ]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (f"{BASE}/flere-nyheder/nyhedsbrev-kkr-sjaelland-marts-2026", DocumentKind.NEWSLETTER),
        ("https://www.kl.dk/nyhed/2018/januar/nyt-formandskab/", DocumentKind.NEWSLETTER),
        (
            "https://www.kl.dk/nyheder/kkr/kkr-sjaelland/fokus-paa-psykiatri",
            DocumentKind.NEWSLETTER,
        ),
        (
            "http://www.kl.dk/Kommunalpolitik1/Kommunekontaktrad/KKR-Sjaelland/Fokus-id245123/",
            DocumentKind.NEWSLETTER,
        ),
        (f"{BASE}/sundheds-og-socialomraadet", DocumentKind.OTHER),
        (f"{BASE}/vaekst-beskaeftigelse-uddannelse-og-integration", DocumentKind.OTHER),
    ],
)
def test_kind_from_kl_dks_addresses(url: str, kind: DocumentKind) -> None:
    assert infer_kind("Fokus på psykiatri", url, is_pdf=False) == (kind, False)


NEWS = re.compile(r"/flere-nyheder/[^/?#]+/?$")
FILES = re.compile(r"/media/.+\.pdf")


def dated(body: str, pattern: re.Pattern[str], path: str = "flere-nyheder") -> list[object]:
    found = listing_links(
        page(f"{TAGS}<h1>Liste</h1>", body), base_url=f"{BASE}/{path}", pattern=pattern
    )
    return [(link.url.rsplit("/", 1)[1], link.text, link.date) for link in found]


def test_a_cards_date_is_its_own_whether_above_or_below_its_title() -> None:
    news = f"{BASE}/flere-nyheder"
    body = (
        f'<div class="card"><h3><a href="{news}/a">Nyhedsbrev april</a></h3><p>17. april 2024</p>'
        f"<p>KKR drøftede mødet den 12. marts 2024.</p></div>"
        f'<div class="card"><time>6. februar 2024</time><h3><a href="{news}/b">Nyhedsbrev '
        f"februar</a></h3></div>"
        f'<ul><li><p>April 2017</p><h3><a href="{news}/c">Uden fuld dato</a></h3></li>'
        f'<li><p>03.05.17</p><h3><a href="{news}/d">Referat af møde den 1. maj 2017</a></h3>'
        "</li></ul>"
    )
    assert dated(body, NEWS) == [
        ("a", "Nyhedsbrev april", date(2024, 4, 17)),
        ("b", "Nyhedsbrev februar", date(2024, 2, 6)),
        ("c", "Uden fuld dato", None),  # not the date of the card before it
        ("d", "Referat af møde den 1. maj 2017", date(2017, 5, 3)),
    ]


def test_a_picture_link_before_the_title_link_does_not_blank_the_title() -> None:
    news = f"{BASE}/flere-nyheder"
    body = (
        f'<div><a href="{news}/a"><img alt=""></a><p>16. juni 2021</p>'
        f'<h3><a href="{news}/a">Nyhedsbrev juni 2021</a></h3></div>'
    )
    assert dated(body, NEWS) == [("a", "Nyhedsbrev juni 2021", date(2021, 6, 16))]


def test_a_bilag_named_with_a_date_or_a_number_belongs_to_the_meeting_above_it() -> None:
    body = (
        "<p>KKR Sjælland holdt møde den 17. april 2024.</p><ul>"
        + file_item(
            "/media/a/referat-klynge.pdf", "Bilag 4 Referat fra Sundhedsklyngen 2. marts 2024.pdf"
        )
        + file_item("/media/b/budgetnotat.pdf", "Bilag 4.1.12 Budgetnotat.pdf")
        + "</ul><details><summary>Møde den 6. februar 2024</summary><ul>"
        + file_item("/media/c/dagsorden.pdf", "Dagsorden.pdf")
        + "</ul></details><table><tr><td>19.06.2024</td>"
        '<td><a href="/media/d/dagsorden.pdf">Dagsorden</a></td>'
        '<td><a href="/media/e/referat.pdf">Referat</a></td></tr></table>'
    )
    assert [(name, when) for name, _, when in dated(body, FILES, "moedemateriale")] == [
        ("referat-klynge.pdf", date(2024, 4, 17)),
        ("budgetnotat.pdf", date(2024, 4, 17)),
        ("dagsorden.pdf", date(2024, 2, 6)),
        ("dagsorden.pdf", date(2024, 6, 19)),
        ("referat.pdf", date(2024, 6, 19)),
    ]


def test_an_accordion_or_a_list_item_naming_the_meeting_dates_its_files() -> None:
    body = (
        '<div class="accordion"><button aria-expanded="false">Møde den 17. april 2024</button>'
        "<div hidden><ul>"
        + file_item("/media/a/dagsorden.pdf", "Dagsorden.pdf")
        + file_item("/media/b/referat.pdf", "Referat.pdf")
        + "</ul></div></div><ul><li>Møde den 6. februar 2024<ul>"
        + file_item("/media/c/dagsorden.pdf", "Dagsorden.pdf")
        + file_item("/media/d/referat.pdf", "Referat.pdf")
        + "</ul></li></ul>"
    )
    assert [when for _, _, when in dated(body, FILES, "moedemateriale")] == [
        date(2024, 4, 17),
        date(2024, 4, 17),
        date(2024, 2, 6),
        date(2024, 2, 6),
    ]


def test_pages_of_the_listing_and_its_feed_are_not_documents() -> None:
    news = f"{BASE}/flere-nyheder"
    body = (
        f'<ul><li><p>1. marts 2024</p><h3><a href="{news}/a">Nyhed A</a></h3></li></ul>'
        f'<div class="pagination"><a href="{news}/2">2</a> <a href="{news}/side-2">Næste side</a>'
        f'</div><p><a href="{news}/rss.xml">RSS</a></p>'
    )
    assert dated(body, NEWS) == [("a", "Nyhed A", date(2024, 3, 1))]


@pytest.mark.parametrize(
    ("cover", "kind"),
    [
        ("DAGSORDEN 2021\n\nKKR HOVEDSTADEN\n\nDato: 19-04-2021 10:00", DocumentKind.AGENDA),
        ("REFERAT 2021\n\nKKR HOVEDSTADEN", DocumentKind.MINUTES),
        # The compounds of municipal agenda systems (docplayer.dk: "Mødereferat Bestyrelsen").
        ("Mødereferat\n\nBestyrelsen", DocumentKind.MINUTES),
        ("Beslutningsreferat fra mødet i KKR Nordjylland", DocumentKind.MINUTES),
        ("Beslutningsprotokol\n\nKKR Midtjylland", DocumentKind.MINUTES),
        ("Mødedagsorden\n\nKKR Syddanmark", DocumentKind.AGENDA),
        # The first of the words wins: a point approving the minutes before is no minutes.
        ("Dagsorden\n\n1. Godkendelse af referat", DocumentKind.AGENDA),
        ("Velkommen til KKR Sjælland\n\nReferatet af mødet er udsendt", DocumentKind.OTHER),
    ],
)
def test_kind_from_a_pdf_cover(cover: str, kind: DocumentKind) -> None:
    assert infer_kind(cover, "https://www.kl.dk/media/1/x.pdf", is_pdf=True) == (kind, False)
