"""kl.dk-like pages in shapes the other fixtures lack, each read as a careful reader would.

Newsletters whose rich text is <div>s and bare text rather than <p>s, sections inside list
items or a layout table, "Opdateret" beside "Publiceret"; listings whose files share one
paragraph or one table row, cards whose link wraps the date, and notes with other dates between
a meeting and its files. The markup is kl.dk's as its stored pages show it (docs/kl-dk.md);
the meetings, letters and sections are invented (the held-out evaluation pages are never a
fixture's source).
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from notifier.extract import extract, feed_links, listing_links
from notifier.models import Council, Document
from notifier.split import split

URL = "https://www.kl.dk/politik/kkr/kkr-sjaelland/flere-nyheder/nyhedsbrev-december-2026"
TITLE = "Nyhedsbrev KKR Sjælland december 2026"
HERO = f'<div class="page-hero"><p>3. december 2026</p><h1>{TITLE}</h1></div>'


def newsletter(main: str) -> Document:
    html = (
        '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Nyhed | KL</title>'
        '</head><body><header class="site-header"><a href="/">KL</a></header>'
        f'<main id="indhold">{main}</main><footer><p>KL · Weidekampsgade 10</p></footer>'
        "</body></html>"
    )
    return extract(html.encode(), url=URL, content_type="text/html", council=Council.SJAELLAND)


def items_of(document: Document) -> dict[str, str]:
    return {item.title: item.text for item in split(document)}


def test_rich_text_in_divs_and_bare_text_keeps_its_sentences_whole() -> None:
    body = (
        '<div class="rte"><div>KKR Sjælland holdt møde den 1. december 2026.</div>'
        "<div><strong>Ny sundhedsaftale</strong></div>"
        '<div>KKR <strong>godkendte</strong> udkastet til <a href="/media/ab12cd34/aftale.pdf">'
        "sundhedsaftalen</a> for 2027.</div>"
        "<h2>Movias trafikbestilling</h2>Movias <em>budget</em> for de regionale buslinjer "
        "blev drøftet.<br>Næste drøftelse er i februar.</div>"
    )
    items = items_of(newsletter(HERO + body))
    assert list(items) == ["Ny sundhedsaftale", "Movias trafikbestilling"], items
    assert "KKR godkendte udkastet til sundhedsaftalen for 2027." in items["Ny sundhedsaftale"]
    # The text beside the heading is one block; its <br> is a line break, as on the page.
    assert (
        "Movias budget for de regionale buslinjer blev drøftet.\nNæste drøftelse er i februar."
        in items["Movias trafikbestilling"]
    )


def test_sections_inside_list_items_or_a_layout_table_are_sections() -> None:
    sections = (
        ("Ny sundhedsaftale", "KKR godkendte udkastet til den nye sundhedsaftale."),
        ("Movias trafikbestilling", "KKR drøftede Movias budget for buslinjerne."),
    )
    in_list = "".join(f"<li><h3>{t}</h3><p>{text}</p></li>" for t, text in sections)
    in_table = "".join(f"<h2>{t}</h2><p>{text}</p>" for t, text in sections)
    for body in (
        f'<ul class="news">{in_list}</ul>',
        f'<table class="layout"><tr><td>{in_table}</td></tr></table>',
    ):
        items = items_of(newsletter(HERO + body))
        assert list(items) == [t for t, _ in sections], body
        for title, text in sections:
            assert items[title] == f"{title}\n\n{text}"


def test_a_list_item_holding_a_list_or_paragraphs_is_not_run_together() -> None:
    body = (
        "<h2>Ny sundhedsaftale</h2><p>På mødet drøftede KKR Sjælland blandt andet:</p><ul>"
        "<li>Sundhed<ul><li>Sundhedsaftalen 2027-2030</li><li>Praksisplanen</li></ul></li>"
        "<li><p>Øget søgning</p><p>til uddannelserne</p></li></ul>"
    )
    text = items_of(newsletter(HERO + body))["Ny sundhedsaftale"]
    assert "• Sundhed\n\n• Sundhedsaftalen 2027-2030\n\n• Praksisplanen" in text
    assert "• Øget søgning til uddannelserne" in text


@pytest.mark.parametrize(
    "hero",
    [
        f"<div><p>Opdateret 5. december 2026 · Publiceret 3. december 2026</p><h1>{TITLE}</h1>"
        "</div>",
        f"<div><p>Opdateret: 05.12.2026</p><p>Publiceret: 03.12.2026</p><h1>{TITLE}</h1></div>",
        f"<div><h1>{TITLE}</h1><p>Opdateret 5. december 2026</p><p>Publiceret 3. december 2026</p>"
        "</div>",
    ],
)
def test_the_date_is_when_the_page_was_published_not_updated(hero: str) -> None:
    document = newsletter(hero + "<h2>Ny sundhedsaftale</h2><p>KKR godkendte udkastet.</p>")
    assert document.date == date(2026, 12, 3)
    assert list(items_of(document)) == ["Ny sundhedsaftale"]
    assert "Publiceret" not in document.text and "Opdateret" not in document.text


NEWS = "https://www.kl.dk/politik/kkr/kkr-sjaelland/flere-nyheder"
NEWS_PATTERN = re.compile(r"/politik/kkr/kkr-sjaelland/flere-nyheder/[^/?#]+/?$")


def listing(body: str, *, base: str = NEWS, pattern: re.Pattern[str] | None = NEWS_PATTERN):
    html = (
        '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"></head><body><main>'
        f"<h1>Flere nyheder</h1><p>Nyheder og nyhedsbreve fra KKR Sjælland.</p>{body}</main>"
        "</body></html>"
    )
    links = listing_links(html.encode(), base_url=base, pattern=pattern)
    return [(link.url.removeprefix(base), link.text, link.date) for link in links]


def test_a_listed_article_is_dated_by_its_publication_not_its_update() -> None:
    body = (
        f'<ul><li><h3><a href="{NEWS}/a">Nyhedsbrev december</a></h3>'
        "<p>Opdateret 5. december 2026 · Publiceret 3. december 2026</p></li></ul>"
    )
    assert listing(body) == [("/a", "Nyhedsbrev december", date(2026, 12, 3))]


MEETINGS = "https://www.kl.dk/politik/kkr/kkr-midtjylland/moedemateriale"
MEDIA = re.compile(r"/media/[^?#]+\.pdf(?:\?.*)?$", re.IGNORECASE)
K = "https://www.kl.dk"


def files(body: str) -> list[tuple[str, str, date | None]]:
    found = listing(body, base=K, pattern=MEDIA)
    return [(url.removeprefix("/media/"), text, day) for url, text, day in found]


def test_files_sharing_a_paragraph_are_not_dated_by_each_others_names() -> None:
    body = (
        "<h3>17. april 2024</h3><p>"
        '<a href="/media/a1/dagsorden.pdf">Dagsorden</a><br>'
        '<a href="/media/a2/bilag.pdf">Bilag 1 Notat om aftalen af 12. marts 2024</a></p>'
        "<h3>6. februar 2024</h3><p>"
        '<a href="/media/b1/dagsorden.pdf">Dagsorden</a> | '
        '<a href="/media/b2/referat.pdf">Referat af 6. februar 2024</a></p>'
    )
    assert files(body) == [
        ("a1/dagsorden.pdf", "Dagsorden", date(2024, 4, 17)),
        ("a2/bilag.pdf", "Bilag 1 Notat om aftalen af 12. marts 2024", date(2024, 4, 17)),
        ("b1/dagsorden.pdf", "Dagsorden", date(2024, 2, 6)),
        ("b2/referat.pdf", "Referat af 6. februar 2024", date(2024, 2, 6)),
    ]


def test_a_table_row_dates_every_file_listed_in_it() -> None:
    body = (
        "<table><thead><tr><th>Møde</th><th>Materiale</th></tr></thead><tbody>"
        '<tr><td>17.04.2024</td><td><ul><li><a href="/media/a1/dagsorden.pdf">Dagsorden</a></li>'
        '<li><a href="/media/a2/bilag.pdf">Bilag 1</a></li></ul></td></tr>'
        '<tr><td>06.02.2024</td><td><ul><li><a href="/media/b1/referat.pdf">Referat</a></li>'
        "</ul></td></tr></tbody></table>"
    )
    assert files(body) == [
        ("a1/dagsorden.pdf", "Dagsorden", date(2024, 4, 17)),
        ("a2/bilag.pdf", "Bilag 1", date(2024, 4, 17)),
        ("b1/referat.pdf", "Referat", date(2024, 2, 6)),
    ]


def test_a_card_link_wrapping_its_date_is_named_without_it() -> None:
    body = "".join(
        f'<div class="news-item"><a href="{NEWS}/{slug}"><span class="date">{day}</span>'
        f'<span class="title">{title}</span></a></div>'
        for slug, day, title in (
            ("a", "3. december 2026", "Nyhedsbrev december"),
            ("b", "01.10.2026", "Nyhedsbrev oktober"),
        )
    )
    assert listing(body) == [
        ("/a", "Nyhedsbrev december", date(2026, 12, 3)),
        ("/b", "Nyhedsbrev oktober", date(2026, 10, 1)),
    ]


def test_other_dates_between_a_meeting_and_its_files_do_not_date_them() -> None:
    body = (
        "<h2>Mødemateriale 2026</h2>"
        "<p>KKR Midtjylland holder møde torsdag den 12. marts 2026 kl. 13.30 – 16.00 i Skive</p>"
        "<p>Rådet skal blandt andet tale om:</p><ul>"
        "<li>Nye regionale buslinjer</li>"
        "<li>Det fælles møde med regionsrådet 2. februar 2026</li></ul>"
        "<p>Materialet blev sendt ud den 5. marts 2026. Her er dagsorden og bilag.</p><ul>"
        '<li><a href="/media/a1/dagsorden.pdf">Dagsorden</a></li></ul>'
        "<p>KKR Midtjylland holdt møde onsdag den 21. januar 2026 kl. 9.00 – 11.30.</p>"
        '<ul><li><a href="/media/b1/referat.pdf">Referat</a></li></ul>'
        "<h2>Mødemateriale 2025</h2><p>26.11.2025</p>"
        '<ul><li><a href="/media/c1/referat.pdf">Referat</a></li></ul><p>10.09.2025</p>'
        '<ul><li><a href="/media/d1/referat.pdf">Referat</a></li></ul>'
    )
    assert files(body) == [
        ("a1/dagsorden.pdf", "Dagsorden", date(2026, 3, 12)),
        ("b1/referat.pdf", "Referat", date(2026, 1, 21)),
        ("c1/referat.pdf", "Referat", date(2025, 11, 26)),
        ("d1/referat.pdf", "Referat", date(2025, 9, 10)),
    ]


def test_a_page_header_outside_main_gives_the_title_and_date() -> None:
    sections = "<h2>Ny sundhedsaftale</h2><p>KKR godkendte udkastet til den nye sundhedsaftale.</p>"
    for header in ("header", "div"):
        html = (
            '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8">'
            "<title>Nyhedsbrev | KL</title></head><body>"
            '<header class="site-header"><h1 class="logo"><a href="/">KL</a></h1><nav>'
            '<a href="/politik">Politik</a></nav></header>'
            f'<{header} class="page-header"><p>KKR</p><p>3. december 2026</p><h1>{TITLE}</h1>'
            f"<p>KKR Sjælland holdt møde den 1. december 2026.</p></{header}>"
            f"<main>{sections}</main><footer><p>KL · Weidekampsgade 10</p></footer></body></html>"
        )
        document = extract(html.encode(), url=URL, content_type="text/html")
        assert (document.title, document.date) == (TITLE, date(2026, 12, 3)), header
        assert list(items_of(document)) == ["Ny sundhedsaftale"]


@pytest.mark.parametrize("line", ["3/12-2026", "Publiceret 3/12 2026", "d. 3/12-26"])
def test_a_date_written_day_slash_month_dash_year_is_read(line: str) -> None:
    document = newsletter(
        f"<div><p>{line}</p><h1>{TITLE}</h1></div><h2>Trafik</h2><p>Movias budget.</p>"
    )
    assert document.date == date(2026, 12, 3)
    assert line not in document.text


def test_back_to_top_links_and_heading_colons_are_not_content() -> None:
    body = (
        '<p>I dette nyhedsbrev:</p><ul><li><a href="#s1">Sundhed</a></li>'
        '<li><a href="#s2">Trafik</a></li></ul>'
        '<h2 id="s1">Sundhed:</h2><p>KKR godkendte udkastet til sundhedsaftalen.</p>'
        '<p><a href="#top">Tilbage til toppen</a></p>'
        '<h2 id="s2">Trafik</h2><p>Movias budget blev drøftet.</p><p><a href="#">Til top ↑</a></p>'
    )
    assert items_of(newsletter(HERO + body)) == {
        "Sundhed": "Sundhed\n\nKKR godkendte udkastet til sundhedsaftalen.",
        "Trafik": "Trafik\n\nMovias budget blev drøftet.",
    }


def test_a_listed_article_named_only_by_its_card_or_attributes_and_dated_by_its_time() -> None:
    body = (
        f'<ul><li><time datetime="2026-12-03T10:00:00+01:00">I dag</time>'
        f'<h3>Nyhedsbrev december</h3><p>KKR drøftede sundhed.</p><a href="{NEWS}/a">Læs mere</a>'
        f'</li><li><time datetime="2026-11-30">3 dage siden</time><a href="{NEWS}/b" '
        'aria-label="Nyhedsbrev november"><img src="/media/x/foto.jpg" alt=""></a></li>'
        f'<li><p>1. oktober 2026</p><a href="{NEWS}/c" title="Nyhedsbrev oktober">'
        '<img src="/media/y/foto.jpg" alt=""></a></li></ul>'
    )
    assert listing(body) == [
        ("/a", "Nyhedsbrev december", date(2026, 12, 3)),
        ("/b", "Nyhedsbrev november", date(2026, 11, 30)),
        ("/c", "Nyhedsbrev oktober", date(2026, 10, 1)),
    ]


def test_a_files_name_loses_its_size_and_type_labels() -> None:
    body = (
        "<p>KKR Midtjylland holdt møde den 21. januar 2026.</p><ul>"
        '<li><a href="/media/a1/dagsorden.pdf">Dagsorden.pdf (245 KB)</a></li>'
        '<li><a href="/media/a2/notat.pdf">Busplan Vestjylland (pdf)</a></li>'
        '<li><a href="/media/a3/bilag.pdf">Bilag 2 - Notat [PDF, 1,2 MB]</a></li></ul>'
    )
    assert [text for _, text, _ in files(body)] == [
        "Dagsorden",
        "Busplan Vestjylland",
        "Bilag 2 - Notat",
    ]


def test_feed_titles_with_markup_or_escaped_entities_read_as_plain_text() -> None:
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        f"<item><title>Sundhed &amp;amp; omsorg &amp;#8211; KKR</title><link>{NEWS}/a</link>"
        "<pubDate>Thu, 03 Dec 2026 10:00:00 +0100</pubDate></item>"
        f"<item><title><![CDATA[Klima & <em>miljø</em>]]></title><link>{NEWS}/b</link>"
        "<pubDate>Tue, 01 Dec 2026 10:00:00 +0100</pubDate></item></channel></rss>"
    )
    links = feed_links(rss.encode(), base_url=f"{NEWS}/rss")
    assert [link.text for link in links] == ["Sundhed & omsorg – KKR", "Klima & miljø"]


def test_relative_links_resolve_against_the_pages_base_element() -> None:
    head = '<base href="/">'
    body = (
        "<p>KKR Midtjylland holdt møde den 21. januar 2026.</p>"
        '<ul><li><a href="media/a1/dagsorden.pdf">Dagsorden</a></li></ul>'
    )
    html = f"<html><head>{head}</head><body><main><h1>Mødemateriale</h1>{body}</main></body></html>"
    found = listing_links(html.encode(), base_url=MEETINGS, pattern=MEDIA)
    assert [link.url for link in found] == [f"{K}/media/a1/dagsorden.pdf"]
    document = extract(
        f"<html><head>{head}</head><body><main><h1>{TITLE}</h1><h2>Trafik</h2>{body}</main>"
        "</body></html>".encode(),
        url=URL,
        content_type="text/html",
    )
    assert document.links == (f"{K}/media/a1/dagsorden.pdf",)


def test_one_file_linked_with_and_without_its_format_parameter_is_listed_once() -> None:
    body = (
        "<p>KKR Sjælland holdt møde den 17. april 2024.</p><ul>"
        '<li><a href="/media/a1/dagsorden.pdf?format=noformat">Dagsorden</a></li></ul>'
        '<p>Se også <a href="/media/a1/dagsorden.pdf">dagsordenen</a> og '
        '<a href="/media/a1/dagsorden.pdf?format=noformat&amp;">dagsorden (pdf)</a>.</p>'
    )
    assert files(body) == [("a1/dagsorden.pdf?format=noformat", "Dagsorden", date(2024, 4, 17))]


@pytest.mark.parametrize("gap", ["<br><br>", "<br />&nbsp;<br />", "<br>\n<br>\n<br>"])
def test_sections_in_one_paragraph_split_by_blank_lines_are_sections(gap: str) -> None:
    sections = (
        ("Ny sundhedsaftale", "KKR godkendte udkastet til den nye sundhedsaftale."),
        ("Movias trafikbestilling", f"KKR drøftede Movias budget.{gap}Sagen kommer igen i juni."),
    )
    body = "<p>" + gap.join(f"<strong>{t}</strong><br>{text}" for t, text in sections) + "</p>"
    items = items_of(newsletter(HERO + body))
    assert list(items) == [t for t, _ in sections]
    assert items["Ny sundhedsaftale"].endswith("KKR godkendte udkastet til den nye sundhedsaftale.")
    assert items["Movias trafikbestilling"].endswith(
        "KKR drøftede Movias budget.\n\nSagen kommer igen i juni."
    )


@pytest.mark.parametrize(
    ("head", "line"),
    [
        ('<meta property="article:published_time" content="2026-12-02T23:00:00Z">', ""),
        ("", '<time datetime="2026-12-02T23:30:00+00:00">3. december 2026</time>'),
        ("", "<p>03. 12. 2026 - kl. 10:15</p>"),
        ("", "<p>Publiceret 3.dec.2026</p>"),
    ],
)
def test_the_date_is_the_danish_day_however_it_is_written(head: str, line: str) -> None:
    html = (
        f'<html><head><meta charset="utf-8">{head}</head><body><main><article>{line}'
        f"<h1>{TITLE}</h1><h2>Trafik</h2><p>Movias budget blev drøftet.</p></article></main>"
        "</body></html>"
    )
    document = extract(html.encode(), url=URL, content_type="text/html")
    assert document.date == date(2026, 12, 3)


@pytest.mark.parametrize(
    "heading", ["Læs flere nyheder", "Andre nyhedsbreve", "Nyheder fra KKR Sjælland"]
)
def test_a_closing_list_of_links_to_other_pages_is_not_a_section(heading: str) -> None:
    others = (
        f"<h2>{heading}</h2><ul>"
        f'<li><a href="{NEWS}/nyhedsbrev-oktober-2026">Nyhedsbrev oktober 2026</a></li>'
        f'<li><a href="{NEWS}/nyhedsbrev-september-2026">Nyhedsbrev september 2026</a></li></ul>'
    )
    files_section = (
        '<h2>Materiale fra mødet</h2><ul><li><a href="/media/ab12cd34/referat.pdf">'
        "Referat fra mødet 1. december 2026</a></li></ul>"
    )
    body = "<h2>Trafik</h2><p>Movias budget blev drøftet.</p>" + files_section + others
    assert list(items_of(newsletter(HERO + body))) == ["Trafik", "Materiale fra mødet"]


def test_without_a_date_line_a_date_inside_a_section_does_not_date_the_page() -> None:
    plan = (
        "<h2>Mødeplan 2027</h2><p>KKR Sjælland mødes i 2027 på disse datoer:</p>"
        "<ul><li>3. februar 2027</li><li>14. april 2027</li></ul>"
    )
    assert newsletter(f"<h1>{TITLE}</h1>{plan}").date is None
    lead = "<p>KKR Sjælland holdt møde den 1. december 2026 i Sorø.</p>"
    assert newsletter(f"<h1>{TITLE}</h1>{lead}{plan}").date == date(2026, 12, 1)


def test_text_made_bold_by_its_style_heads_a_section_like_strong() -> None:
    body = (
        "<p>KKR Sjælland holdt møde den 1. december 2026.</p>"
        "<p><strong>Ny sundhedsaftale</strong></p><p>KKR godkendte udkastet til aftalen.</p>"
        '<p><span style="font-weight: bold;">Movias trafikbestilling</span></p>'
        "<p>Movias budget blev drøftet af rådet.</p>"
        '<p><span style="font-size:12pt;font-weight:700">Praktikpladser</span><br>'
        "Fordelingen blev godkendt.</p>"
    )
    assert list(items_of(newsletter(HERO + body))) == [
        "Ny sundhedsaftale",
        "Movias trafikbestilling",
        "Praktikpladser",
    ]


def test_a_file_linked_as_here_is_named_by_the_sentence_around_it() -> None:
    body = (
        "<h2>Mødemateriale 2026</h2><p>KKR Midtjylland mødes den 12. marts 2026, og på "
        "dagsordenen er blandt andet:</p><ul>"
        "<li>Budgettet for de regionale buslinjer i 2027</li>"
        "<li>Den fælles plan for cykelstier mellem byerne. Planen kan læses "
        '<a href="/media/cyk3l/cykelstiplan.pdf">her</a></li></ul>'
        "<p>Her er dagsorden og bilag.</p><ul>"
        '<li><a href="/media/a1/dagsorden.pdf">Dagsorden</a></li></ul>'
    )
    assert files(body) == [
        (
            "cyk3l/cykelstiplan.pdf",
            "Den fælles plan for cykelstier mellem byerne. Planen kan læses her",
            date(2026, 3, 12),
        ),
        ("a1/dagsorden.pdf", "Dagsorden", date(2026, 3, 12)),
    ]


CARDS = "".join(
    f'<article class="card"><time datetime="{stamp}">{shown}</time><h3><a href="{NEWS}/{slug}">'
    f"{title}</a></h3><p>{teaser}</p></article>"
    for stamp, shown, slug, title, teaser in (
        ("2026-10-14", "14. oktober 2026", "okt", "Nyhedsbrev oktober", "KKR drøftede klima."),
        ("2026-09-01", "1. september 2026", "sep", "Nyhedsbrev september", "KKR drøftede job."),
    )
)


@pytest.mark.parametrize("box", ["Seneste nyheder", "Mere fra KKR Sjælland"])
def test_other_articles_beside_the_page_are_neither_its_date_nor_its_sections(box: str) -> None:
    page = (
        f"<article>{HERO}<h2>Ny sundhedsaftale</h2><p>KKR godkendte udkastet.</p>"
        f"<h2>Trafik</h2><p>Movias budget blev drøftet.</p></article>"
        f"<section><h2>{box}</h2>{CARDS}</section>"
    )
    document = newsletter(page)
    assert document.date == date(2026, 12, 3)
    assert items_of(document) == {
        "Ny sundhedsaftale": "Ny sundhedsaftale\n\nKKR godkendte udkastet.",
        "Trafik": "Trafik\n\nMovias budget blev drøftet.",
    }


def test_a_quotes_attribution_in_its_footer_stays_with_the_quote() -> None:
    quote = (
        '<blockquote><p>"Vi er glade for aftalen," siger formanden.</p>'
        "<footer>Mikael Smed, formand for KKR Sjælland</footer></blockquote>"
    )
    body = f"<h2>Ny sundhedsaftale</h2><p>KKR godkendte udkastet.</p>{quote}"
    text = items_of(newsletter(HERO + body))["Ny sundhedsaftale"]
    assert "Mikael Smed, formand for KKR Sjælland" in text


def test_sub_headings_under_a_meeting_do_not_undate_its_files() -> None:
    body = (
        "<h2>Mødemateriale 2024</h2><h3>Møde den 17. april 2024</h3>"
        '<h4>Dagsorden</h4><ul><li><a href="/media/a1/dagsorden.pdf">Dagsorden</a></li></ul>'
        '<h4>Bilag</h4><ul><li><a href="/media/a2/bilag.pdf">Bilag 1 Notat</a></li></ul>'
        "<h2>Mødemateriale 2023</h2><p>KKR Midtjylland holdt møde den 22. november 2023.</p>"
        '<h3>Bilag</h3><ul><li><a href="/media/b1/bilag.pdf">Bilag 2 Notat</a></li></ul>'
        '<h2>Andet materiale</h2><ul><li><a href="/media/c1/folder.pdf">Folder</a></li></ul>'
    )
    assert files(body) == [
        ("a1/dagsorden.pdf", "Dagsorden", date(2024, 4, 17)),
        ("a2/bilag.pdf", "Bilag 1 Notat", date(2024, 4, 17)),
        ("b1/bilag.pdf", "Bilag 2 Notat", date(2023, 11, 22)),
        ("c1/folder.pdf", "Folder", None),
    ]
    second = (
        "<h2>Mødemateriale 2024</h2><p>KKR Sjælland holdt møde den 17. april 2024.</p>"
        '<h3>Bilag</h3><ul><li><a href="/media/a1/bilag.pdf">Bilag 1</a></li></ul>'
        "<p>KKR Midtjylland holdt møde den 31. januar 2024.</p>"
        '<h3>Bilag</h3><ul><li><a href="/media/b1/bilag.pdf">Bilag 1</a></li></ul>'
    )
    assert [day for _, _, day in files(second)] == [date(2024, 4, 17), date(2024, 1, 31)]


def test_a_bold_lead_with_no_text_under_it_is_not_a_section() -> None:
    lead = (
        "KKR Sjælland holdt møde den 1. december 2026 i Sorø, hvor rådet blandt andet drøftede "
        "sundhedsaftalen og Movias trafikbestilling"
    )
    body = (
        f"<p><strong>{lead}</strong></p><h2>Ny sundhedsaftale</h2><p>KKR godkendte udkastet.</p>"
        "<h2>Trafik</h2><p>Movias budget blev drøftet.</p><p><b>Kontakt: Hanne Hansen</b></p>"
    )
    items = items_of(newsletter(HERO + body))
    assert list(items) == ["Ny sundhedsaftale", "Trafik"]
    assert items["Trafik"].endswith("Kontakt: Hanne Hansen")


@pytest.mark.parametrize(
    ("head", "h2", "h3"),
    [
        ("<title>Nyhed - KL</title>", "h2", "h3"),
        (
            '<title>KL</title><meta property="og:title" content="Nyhedsbrev KKR Sjælland, december '
            '2026">',
            "h2",
            "h2",
        ),
    ],
)
def test_without_an_h1_the_heading_over_the_page_is_its_title(head: str, h2: str, h3: str) -> None:
    html = (
        f'<html><head><meta charset="utf-8">{head}</head><body><main><p>3. december 2026</p>'
        f"<{h2}>{TITLE}</{h2}><p>KKR Sjælland holdt møde den 1. december 2026.</p>"
        f"<{h3}>Ny sundhedsaftale</{h3}><p>KKR godkendte udkastet.</p>"
        f"<{h3}>Trafik</{h3}><p>Movias budget blev drøftet.</p></main></body></html>"
    )
    document = extract(html.encode(), url=URL, content_type="text/html")
    assert document.title in (TITLE, "Nyhedsbrev KKR Sjælland, december 2026")
    assert document.date == date(2026, 12, 3)
    assert list(items_of(document)) == ["Ny sundhedsaftale", "Trafik"]


def test_sections_each_in_an_article_of_their_own_are_kept() -> None:
    """Some pages put the title in an <article> of its own and each section in another: those
    articles are the page, not teasers beside it."""
    page = (
        f"<article>{HERO}</article>"
        "<article><h2>Ny sundhedsaftale</h2><p>KKR godkendte udkastet.</p></article>"
        "<article><h2>Trafik</h2><p>Movias budget blev drøftet.</p></article>"
    )
    document = newsletter(page)
    assert document.date == date(2026, 12, 3)
    assert items_of(document) == {
        "Ny sundhedsaftale": "Ny sundhedsaftale\n\nKKR godkendte udkastet.",
        "Trafik": "Trafik\n\nMovias budget blev drøftet.",
    }


SUNDHED = "<h2>Ny sundhedsaftale</h2><p>KKR godkendte udkastet.</p>"
TRAFIK = "<h2>Trafik</h2><p>Movias budget blev drøftet.</p>"


@pytest.mark.parametrize(
    "page",
    [
        f"<article>{HERO}{SUNDHED}</article><article>{TRAFIK}</article>",
        f'<article>{HERO}<h2 class="label">Indhold</h2></article><article>{SUNDHED}</article>'
        f"<article>{TRAFIK}</article>",
        f"<article>{HERO}<h2>Nyt fra mødet den 1. december</h2></article>"
        f"<div><article>{SUNDHED}</article><article>{TRAFIK}</article></div>",
    ],
)
def test_articles_beside_the_titles_are_dropped_only_when_they_are_teasers(page: str) -> None:
    """Another <article> is another page's teaser when its heading links to that page; one
    that is a section of this page stays, even when the title's article has a heading too."""
    items = items_of(newsletter(page))
    assert "Trafik" in items and "Ny sundhedsaftale" in items, items


@pytest.mark.parametrize(
    "body",
    [
        "<h2>Ny sundhedsaftale</h2><p>KKR godkendte udkastet.</p><h3>Det videre forløb</h3>"
        "<p>Aftalen sendes til kommunalbestyrelserne.</p>",
        "<h2>Indhold</h2><h3>Ny sundhedsaftale</h3><p>KKR godkendte udkastet.</p>"
        "<h3>Trafik</h3><p>Movias budget blev drøftet.</p>",
    ],
)
def test_without_an_h1_a_named_pages_section_or_contents_label_is_not_its_title(body: str) -> None:
    """A page named in its <title> keeps that name: its one <h2> over <h3>s is a section, and
    kl.dk's bare "Indhold" label is no title."""
    html = (
        f'<html><head><meta charset="utf-8"><title>{TITLE} | KL</title></head><body><main>'
        f"<p>3. december 2026</p>{body}</main></body></html>"
    )
    document = extract(html.encode(), url=URL, content_type="text/html")
    assert document.title == TITLE
    assert "Ny sundhedsaftale" in items_of(document)


@pytest.mark.parametrize(
    ("heading", "link"),
    [
        ("Nye udpegninger", "Movias bestyrelse: Borgmester Anne Hansen"),
        ("Materiale fra mødet", "Dagsorden og referat"),
        ("Læs mere", "Sundhedsaftalen 2027-2030"),
    ],
)
def test_a_closing_list_of_links_under_a_heading_of_its_own_is_a_section(
    heading: str, link: str
) -> None:
    """Only a heading that names other news or pages ("Læs flere nyheder") makes a closing list
    of links a teaser box; under any other heading the links are the section's content."""
    box = f'<h2>{heading}</h2><ul><li><a href="/politik/kkr/kkr-sjaelland/x">{link}</a></li></ul>'
    items = items_of(newsletter(HERO + TRAFIK + box))
    assert items.get(heading) == f"{heading}\n\n• {link}", items


@pytest.mark.parametrize("line", ["Publiceret 3. december 2026", "Dato: 3. december 2026"])
def test_a_labelled_date_line_at_the_end_dates_the_page(line: str) -> None:
    body = f"<h1>{TITLE}</h1><p>KKR drøftede en række emner.</p>{SUNDHED}{TRAFIK}<p>{line}</p>"
    assert newsletter(body).date == date(2026, 12, 3)


def test_a_signature_after_a_blank_line_is_not_a_section() -> None:
    signature = "<p>Med venlig hilsen<br><br><strong>Mikael Smed</strong><br>Formand</p>"
    items = items_of(newsletter(HERO + TRAFIK + signature))
    assert list(items) == ["Trafik"]
    assert "Mikael Smed" in items["Trafik"]


def test_a_meeting_without_files_does_not_date_the_next_meetings_files() -> None:
    body = (
        "<p>KKR Sjælland møde den 10. december 2026</p>"
        "<p>Materialet offentliggøres en uge før mødet.</p>"
        "<p>KKR Sjælland møde den 17. september 2026</p>"
        '<ul><li><a href="/media/a1/dagsorden.pdf">Dagsorden</a></li></ul>'
    )
    assert files(body) == [("a1/dagsorden.pdf", "Dagsorden", date(2026, 9, 17))]


def test_a_link_naming_its_document_after_a_verb_keeps_its_name() -> None:
    """A link "Se referatet" names the file (its kind is read from it); only "Læs mere",
    "her" and the like name nothing and give way to the entry's heading."""
    body = (
        "<div><h3>KKR Sjælland møde 17. april 2024</h3>"
        '<p><a href="/media/a1/r.pdf">Se referatet</a></p></div>'
        "<div><h3>Nyhedsbrev april 2024</h3>"
        '<p><a href="/media/a2/n.pdf">Læs mere</a></p></div>'
    )
    assert [text for _, text, _ in files(body)] == ["Se referatet", "Nyhedsbrev april 2024"]


def test_a_bold_heading_split_into_several_runs_is_one_heading() -> None:
    """Editors split one bold line into runs ("<strong>Nye </strong><strong>cykelstier
    </strong>", as Word and pasting write it), or wrap it in a styled span: still the heading,
    as kl.dk's newsletters set theirs in bold, not a line of the section before. (Invented
    sections.)"""
    body = (
        "<p><strong>Flere praktikpladser til de unge</strong></p>"
        "<p>KKR Midtjylland vil samarbejde med erhvervsskolerne om praktikpladser.</p>"
        "<p><strong>Nye </strong><strong>cykelstier</strong></p>"
        "<p>Skive lægger anlæg for de første stier.</p>"
        "<p><strong>Fælles mål for </strong> <b>busserne</b><br>"
        "KKR Midtjylland har godkendt målene for 2027.</p>"
        '<p><span style="font-size: 12pt;"><b>Besøg fra regionen</b></span><br>'
        "Regionsrådets formand deltog i mødet.</p>"
    )
    items = items_of(newsletter(HERO + body))
    assert list(items) == [
        "Flere praktikpladser til de unge",
        "Nye cykelstier",
        "Fælles mål for busserne",
        "Besøg fra regionen",
    ], items
    assert items["Nye cykelstier"] == "Nye cykelstier\n\nSkive lægger anlæg for de første stier."


@pytest.mark.parametrize(
    "signature",
    [
        "<p>Anne Holm<br>Formand for KKR Midtjylland</p>"
        "<p>Peter Bach Nielsen<br>Næstformand for KKR Midtjylland</p>",
        "<p><strong>Anne Holm</strong><br>Formand for KKR Midtjylland</p>"
        "<p><strong>Peter Bach Nielsen</strong><br>Næstformand for KKR Midtjylland</p>",
    ],
)
def test_a_letter_without_headings_is_one_item_whatever_signs_it(signature: str) -> None:
    """A chair's Christmas letter (invented): a salutation, paragraphs, a valediction and the
    names and roles that sign it. Those short lines are no headings: the letter is one item,
    not a section per signer."""
    letter = (
        "<p>Kære medlemmer</p>"
        "<p>Året er gået hurtigt, og der er sket meget i vores kommuner.</p>"
        "<p>Rådet har mødtes fem gange. Planen for de regionale buslinjer er vedtaget.</p>"
        "<p>Vi siger tak til alle for et godt samarbejde i det forløbne år.</p>"
        f"<p>Glædelig jul og godt nytår</p>{signature}"
    )
    items = split(newsletter(HERO + letter))
    assert [item.title for item in items] == [TITLE]
    assert "Planen for de regionale buslinjer er vedtaget." in items[0].text
    assert "Næstformand for KKR Midtjylland" in items[0].text


def test_names_signing_a_newsletter_in_bold_are_not_sections() -> None:
    body = (
        TRAFIK + "<h2>Ny sundhedsaftale</h2><p>KKR godkendte udkastet.</p><p>Med venlig hilsen</p>"
        "<p><strong>Mikael Smed</strong><br>Formand for KKR Sjælland</p>"
    )
    items = items_of(newsletter(HERO + body))
    assert list(items) == ["Trafik", "Ny sundhedsaftale"]
    assert items["Ny sundhedsaftale"].endswith("Mikael Smed\n\nFormand for KKR Sjælland")


def test_a_news_article_closed_by_a_list_of_its_files_is_one_item() -> None:
    """A news article whose one heading is the box of its files ("YDERLIGERE MATERIALE" on
    https://www.kl.dk/nyhed/2017/november/valg-til-kkr-2018-2022/): the text before it is the
    article, not a lead summing up sections, and must not be dropped for the list of files."""
    files = "".join(
        f'<li><a href="/media/{n}/{n}.pdf"><span>PDF</span> <span>{name}</span></a></li>'
        for n, name in (
            ("a1", "Brev til de nyvalgte kommunalbestyrelser"),
            ("a2", "Valggrundlag og -proces for valg til kommunekontaktråd (KKR)"),
        )
    )
    body = (
        "<p>Orientering om valg af medlemmer til KKR for valgperioden 2018-2022.</p>"
        "<p>KL har den 27. november 2017 orienteret medlemmerne af de nyvalgte "
        "kommunalbestyrelser om valget af medlemmer til KKR.</p>"
        "<p>Du kan se brevet til de nyvalgte kommunalbestyrelser i bilaget nederst på siden.</p>"
        f'<div class="files"><h2>YDERLIGERE MATERIALE</h2><ul>{files}</ul></div>'
    )
    items = split(newsletter(HERO + body))
    assert [item.title for item in items] == [TITLE]
    assert "KL har den 27. november 2017 orienteret" in items[0].text
    assert "Brev til de nyvalgte kommunalbestyrelser" in items[0].text


def test_a_heading_over_a_group_of_sections_is_not_an_empty_item() -> None:
    """A heading set right above deeper ones groups them, as kl.dk's topic pages do: it heads
    no text of its own, so it is no item; the sections under it are. (Invented headings.)"""
    body = (
        "<h2>Veje og busser</h2><h3>Busdrift</h3>"
        "<p>KKR drøftede budgettet for busserne.</p><h3>Vejprojekter</h3>"
        "<p>KKR prioriterede projekterne.</p><h2>Klima og miljø</h2>"
        "<h3>Tværkommunalt samarbejde</h3><p>KKR drøftede klimaplanerne.</p>"
        "<h2>Mødeplan 2027</h2><p>KKR mødes fem gange i 2027.</p>"
    )
    assert items_of(newsletter(HERO + body)) == {
        "Busdrift": "Busdrift\n\nKKR drøftede budgettet for busserne.",
        "Vejprojekter": "Vejprojekter\n\nKKR prioriterede projekterne.",
        # One section under its heading: titled by both (found by review: "Sundhed" over a lone
        # "Kort fortalt" was lost).
        "Klima og miljø: Tværkommunalt samarbejde": (
            "Klima og miljø: Tværkommunalt samarbejde\n\nKKR drøftede klimaplanerne."
        ),
        "Mødeplan 2027": "Mødeplan 2027\n\nKKR mødes fem gange i 2027.",
    }


def test_one_paragraph_of_a_lead_then_bold_headed_parts_is_split_into_sections() -> None:
    """The older pages' one <p> of sections divided by empty lines (as in the test above) may
    open with the lead kl.dk's newsletters put before their sections (the day the council
    met); two signers after a valediction are still no sections. (Invented text.)"""
    body = (
        "<p>KKR Midtjylland holdt møde den 12. marts 2026.<br><br>"
        "<strong>Flere praktikpladser</strong><br>KKR vil samarbejde med skolerne.<br><br>"
        "<strong>Nye cykelstier</strong><br>Skive lægger anlæg for de første stier.<br><br>"
        "Med venlig hilsen<br><br><strong>Anne Holm</strong><br>Formand<br><br>"
        "<strong>Peter Bach Nielsen</strong><br>Næstformand</p>"
    )
    items = items_of(newsletter(HERO + body))
    assert list(items) == ["Flere praktikpladser", "Nye cykelstier"], items
    assert items["Flere praktikpladser"] == (
        "Flere praktikpladser\n\nKKR vil samarbejde med skolerne."
    )
    assert items["Nye cykelstier"].endswith("Peter Bach Nielsen\n\nNæstformand")


@pytest.mark.parametrize(
    "files_list",
    [
        '<ul><li><a href="/media/b1/referat.pdf">Referat</a></li></ul>',
        '<p><a href="/media/b1/referat.pdf">Referat</a></p>',
    ],
)
def test_a_meeting_pages_only_file_is_dated_by_its_meeting_not_the_first_date_on_it(
    files_list: str,
) -> None:
    """A meeting page with one file so far (the coming meeting's material not yet out): the
    file's entry is its list item or paragraph, not the whole page, whose first date is another
    meeting's. (Invented meetings in a meeting page's layout.)"""
    body = (
        "<div><h2>Mødedatoer</h2><h3>2026</h3><ul><li>Onsdag den 21. januar</li>"
        "<li>Torsdag den 12. marts</li></ul>"
        "<p>KKR Midtjylland holder møde den 12. marts 2026 kl. 13.30 – 16.00 i Skive</p>"
        "<p>Materialet til mødet lægges her en uge før.</p>"
        "<p>KKR Midtjylland holdt møde den 21. januar 2026 kl. 9.00 – 11.30.</p>"
        f"<p>Her er referatet.</p>{files_list}</div>"
    )
    assert files(body) == [("b1/referat.pdf", "Referat", date(2026, 1, 21))]


def test_a_list_of_coming_meeting_dates_dates_no_file() -> None:
    """The "Mødedatoer" of a meeting page list the year's meetings as bullets; written with
    their year, they are still a schedule, not the meeting the files below belong to.
    (Invented meetings in a meeting page's layout.)"""
    schedule = (
        "<ul><li>Onsdag den 21. januar 2026</li><li>Torsdag den 12. marts 2026</li>"
        "<li>Tirsdag den 24. november 2026</li></ul>"
    )
    body = (
        f"<h2>Mødedatoer 2026</h2>{schedule}<h3>Referater</h3>"
        '<ul><li><a href="/media/a1/referat.pdf">Referat</a></li>'
        '<li><a href="/media/a2/bilag.pdf">Bilag 1</a></li></ul>'
        "<h2>Mødemateriale 2026</h2><p>KKR Midtjylland holdt møde den 21. januar 2026.</p>"
        f"<p><strong>Kommende møder</strong></p>{schedule}"
        '<ul><li><a href="/media/b1/referat.pdf">Referat</a></li>'
        '<li><a href="/media/b2/bilag.pdf">Bilag 1</a></li></ul>'
    )
    assert [(url, day) for url, _, day in files(body)] == [
        ("a1/referat.pdf", None),
        ("a2/bilag.pdf", None),
        ("b1/referat.pdf", date(2026, 1, 21)),
        ("b2/bilag.pdf", date(2026, 1, 21)),
    ]


@pytest.mark.parametrize(
    ("stated", "first"),
    [
        ("KKR Midtjylland holder møde den 4.-5. juni 2026 i Ebeltoft", date(2026, 6, 4)),
        ("KKR Midtjylland holdt møde 29. april – 1. maj 2026", date(2026, 4, 29)),
        ("Møde den 9. og 10. september 2025", date(2025, 9, 9)),
        ("Møde den 30. december - 2. januar 2026", date(2025, 12, 30)),
    ],
)
def test_a_meeting_over_two_days_is_dated_by_its_first(stated: str, first: date) -> None:
    """A meeting paragraph on a meeting page may state a range of days: the meeting, and its
    files, are of the first day, not the last one that the range's month and year follow.
    (Invented meetings.)"""
    body = f'<p>{stated}</p><ul><li><a href="/media/a1/dagsorden.pdf">Dagsorden</a></li></ul>'
    assert files(body) == [("a1/dagsorden.pdf", "Dagsorden", first)]


def test_a_publication_line_at_the_end_outweighs_an_update_line_under_the_title() -> None:
    """The page's date is when it was published (as with both lines under the title, above):
    an "Opdateret" line under the title is only the page's date until a "Publiceret" line at
    its end says when it was published."""
    body = (
        f"<h1>{TITLE}</h1><p>Opdateret 5. december 2026</p>{SUNDHED}{TRAFIK}"
        "<p>Publiceret 3. december 2026</p>"
    )
    assert newsletter(body).date == date(2026, 12, 3)


def test_a_listed_articles_date_line_outweighs_a_day_its_teaser_names() -> None:
    """News entries carry a teaser that names the meeting they report (a meeting's day in the
    teaser, the entry's own short date line after it); a card may show its date line, or its
    <time>, after the teaser. The entry's date is the line's, not the teaser's. (Invented
    entries.)"""
    body = (
        f'<div class="card"><h3><a href="{NEWS}/a">Referat af mødet i KKR Sjælland</a></h3>'
        "<p>KKR Sjælland mødtes den 7. oktober 2026 i Ringsted.</p>"
        '<span class="date">15.10.26</span></div>'
        f'<div class="card"><h3><a href="{NEWS}/b">Nyhedsbrev september</a></h3>'
        "<p>KKR drøftede mødet den 2. september 2026.</p>"
        '<time datetime="2026-09-08">I går</time></div>'
    )
    assert listing(body) == [
        ("/a", "Referat af mødet i KKR Sjælland", date(2026, 10, 15)),
        ("/b", "Nyhedsbrev september", date(2026, 9, 8)),
    ]


def test_a_date_set_in_a_box_of_its_own_above_entries_dates_them() -> None:
    """Several entries may share one date (the items of one meeting under one date line): a
    listing that sets the date once, in a <div> or <time> of its own above the entries it
    dates, dates each of them. (Invented entries.)"""
    body = (
        '<div class="news-list__date">22.04.2026</div><ul>'
        f'<li><h3><a href="{NEWS}/a">Ny plan for cykelstier</a></h3><p>Oplæg.</p></li>'
        f'<li><h3><a href="{NEWS}/b">Referat af mødet</a></h3></li></ul>'
        '<time class="news-list__date">11.02.2026</time><ul>'
        f'<li><h3><a href="{NEWS}/c">Praktikpladser</a></h3></li></ul>'
    )
    assert [(url, day) for url, _, day in listing(body)] == [
        ("/a", date(2026, 4, 22)),
        ("/b", date(2026, 4, 22)),
        ("/c", date(2026, 2, 11)),
    ]


def test_one_article_linked_with_and_without_its_slash_or_www_is_listed_once() -> None:
    """kl.dk links one page both as "…/<slug>/" and "…/<slug>", and on "www.kl.dk" and
    "kl.dk" (https://www.kl.dk/politik/kkr/kkr-nordjylland/ and https://kl.dk/politik/kkr/
    kkr-sjaelland are both stored): a card's picture and title linked in two forms are one
    entry, under the first form."""
    body = (
        f'<ul><li><a href="{NEWS}/a/"><img src="/media/x/foto.jpg" alt=""></a><p>6. februar 2026'
        f'</p><h3><a href="{NEWS}/a">Nyhedsbrev februar</a></h3></li><li><p>1. februar 2026</p>'
        '<h3><a href="https://kl.dk/politik/kkr/kkr-sjaelland/flere-nyheder/b">Nyhed B</a></h3>'
        f'<a href="{NEWS}/b">Læs mere</a></li></ul>'
    )
    assert listing(body) == [
        ("/a/", "Nyhedsbrev februar", date(2026, 2, 6)),
        ("https://kl.dk/politik/kkr/kkr-sjaelland/flere-nyheder/b", "Nyhed B", date(2026, 2, 1)),
    ]


def test_a_greeting_that_opens_a_newsletter_closes_nothing() -> None:
    """ "Godt nytår!" over January's sections, or a Christmas greeting in the middle of a page,
    is no letter's close: the bold headings after it still head sections. Only a valediction
    followed by nothing but the few short lines signing it closes a letter."""
    body = (
        "<p>Godt nytår!</p><p>Her er årets første nyhedsbrev fra KKR Sjælland.</p>"
        "<p><strong>Sundhedsaftale</strong></p><p>KKR godkendte udkastet til sundhedsaftale.</p>"
        "<p>Glædelig jul og godt nytår fra formandskabet.</p>"
        "<p><strong>Beskæftigelse</strong></p><p>Ledigheden falder i alle 17 kommuner.</p>"
    )
    assert list(items_of(newsletter(HERO + body))) == ["Sundhedsaftale", "Beskæftigelse"]
    signed = (
        body + "<p><strong>Med venlig hilsen</strong></p>"
        "<p><strong>Mikael Smed</strong><br>Formand for KKR Sjælland</p>"
    )
    items = items_of(newsletter(HERO + signed))
    assert list(items) == ["Sundhedsaftale", "Beskæftigelse"]
    assert items["Beskæftigelse"].endswith("Mikael Smed\n\nFormand for KKR Sjælland")


def test_an_update_stamp_on_a_meeting_page_dates_none_of_its_files() -> None:
    """'Opdateret 17. marts 2026' in a box of its own between a meeting's paragraph and its
    files says when the page changed: the files stay under the meeting's day (found by
    review; a bilag would otherwise join a meeting on a day with none). (Invented meeting.)"""
    body = (
        "<p>KKR Midtjylland holdt møde den 12. marts 2026 kl. 13.30 – 16.00.</p>"
        '<div class="meta"><span>Opdateret 17. marts 2026</span></div>'
        '<ul><li><a href="/media/a1/dagsorden.pdf">Dagsorden</a></li>'
        '<li><a href="/media/a2/bilag-1.pdf">Bilag 1</a></li></ul>'
    )
    html = f"<html><body><main><h1>Mødemateriale</h1>{body}</main></body></html>"
    found = listing_links(html.encode(), base_url=MEETINGS, pattern=MEDIA)
    assert [(link.url.rsplit("/", 1)[1], str(link.date)) for link in found] == [
        ("dagsorden.pdf", "2026-03-12"),
        ("bilag-1.pdf", "2026-03-12"),
    ]


def test_a_letter_signed_by_two_with_a_line_on_whom_to_ask() -> None:
    """Found by the second review: the chair and vice-chair sign (name, role, municipality
    each), then a line says whom to ask. None of those lines heads a section."""
    body = (
        TRAFIK + "<h2>Klimaplaner</h2><p>KKR fulgte op på DK2020-planerne.</p>"
        "<p>Med venlig hilsen</p>"
        "<p><strong>Mikael Smed</strong><br>Formand for KKR Sjælland<br>Holbæk Kommune</p>"
        "<p><strong>John Schmidt Andersen</strong><br>Næstformand<br>Slagelse Kommune</p>"
        "<p>Spørgsmål kan rettes til sekretariatet på kkrsjaelland@kl.dk.</p>"
    )
    items = items_of(newsletter(HERO + body))
    assert list(items) == ["Trafik", "Klimaplaner"]
    assert "John Schmidt Andersen" in items["Klimaplaner"]


def test_a_dato_box_over_a_meetings_files_dates_them() -> None:
    """'Dato: 17. april 2024' in a box of its own above a meeting's files is the meeting's
    day (found by the second review); only an update or publication stamp is not."""
    body = (
        '<div class="meeting"><div>Dato: 17. april 2024</div>'
        '<ul><li><a href="/media/a1/dagsorden.pdf">Dagsorden</a></li></ul></div>'
    )
    html = f"<html><body><main><h1>Mødemateriale</h1>{body}</main></body></html>"
    found = listing_links(html.encode(), base_url=MEETINGS, pattern=MEDIA)
    assert [str(link.date) for link in found] == ["2024-04-17"]
