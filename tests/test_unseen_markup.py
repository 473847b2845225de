"""Markup that kl.dk's editors and CMS produce and the other fixtures lack, read as a careful
reader would: Word-pasted paragraphs wrapped in <span>s and bold by any style, year labels and
accordions between a meeting page's meetings, news cards that are one link, listing dates
given as "I dag" and "I går", headings ending in a full stop. The markup is kl.dk's as its
stored pages show it (docs/kl-dk.md); the meeting pages' meetings and text are invented (the
held-out evaluation pages are never a fixture's source)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from notifier.extract import extract, listing_links
from notifier.extract.worker import ExtractWorker
from tests.test_unseen_html import HERO, NEWS, NEWS_PATTERN, files, items_of, newsletter


def test_a_paragraph_in_a_span_with_one_bold_word_is_not_a_heading() -> None:
    """Pasted text arrives as "<p><span>…</span></p>": the span holds a bold word, it is not
    bold itself, so the paragraph is text of the section, not a heading of its own."""
    body = (
        "<h2>Trafik</h2><p>Movias budget blev drøftet.</p>"
        "<p><span>KKR drøftede <strong>Movias</strong> budget for de regionale buslinjer</span>"
        "</p><p><span>Næste drøftelse er i februar.</span></p>"
        "<h2>Sundhed</h2><p>KKR godkendte aftalen.</p>"
    )
    items = items_of(newsletter(HERO + body))
    assert list(items) == ["Trafik", "Sundhed"]
    assert "KKR drøftede Movias budget for de regionale buslinjer" in items["Trafik"]


def test_a_paragraph_in_a_span_opening_with_plain_text_is_not_split_into_sections() -> None:
    """One paragraph of lines divided by empty lines is split into sections only when its
    parts open with bold headings; a span holding bold further on opens with plain text."""
    body = (
        "<h2>Trafik</h2><p><span>Movias budget blev drøftet, og <b>KKR</b> bakkede op"
        "</span><br><br><span>Næste drøftelse er i februar</span><br><br>"
        "<span>Mødet sluttede med <b>en status</b></span></p>"
    )
    items = items_of(newsletter(HERO + body))
    assert list(items) == ["Trafik"]


@pytest.mark.parametrize(
    "label",
    [
        "<p><strong>2025</strong></p>",
        "<p><b>2025</b></p>",
        "<p>2025</p>",
        "<strong>2025</strong>",
        "<div><b>Mødemateriale 2025</b></div>",
        "<p><strong>Møder i 2025:</strong></p>",
    ],
)
def test_a_year_label_ends_the_last_meeting_of_the_year_after(label: str) -> None:
    """A meeting page may set the year over its meetings as a bold line, not a heading: the
    files under the next year's label are not the last meeting's above it."""
    body = (
        "<div><p>KKR Midtjylland holdt møde den 21. januar 2026.</p>"
        '<ul><li><a href="/media/a1/referat.pdf">Referat</a></li></ul>'
        f"{label}"
        '<ul><li><a href="/media/b1/referat.pdf">Referat</a></li></ul>'
        "<p>KKR Midtjylland holdt møde den 26. november 2025.</p>"
        '<ul><li><a href="/media/c1/referat.pdf">Referat</a></li></ul></div>'
    )
    assert [(url, day) for url, _, day in files(body)] == [
        ("a1/referat.pdf", date(2026, 1, 21)),
        ("b1/referat.pdf", None),
        ("c1/referat.pdf", date(2025, 11, 26)),
    ]


def test_a_year_in_a_line_of_text_ends_no_meeting() -> None:
    body = (
        "<div><p>KKR Midtjylland holdt møde den 21. januar 2026.</p>"
        '<ul><li><a href="/media/a1/dagsorden.pdf">Dagsorden</a></li></ul>'
        "<div>Referatet følger i <b>2026</b></div><p>Se <strong>2026</strong></p>"
        '<ul><li><a href="/media/a2/bilag.pdf">Bilag 1</a></li></ul></div>'
    )
    assert [day for _, _, day in files(body)] == [date(2026, 1, 21)] * 2


READ = date(2026, 12, 3)  # the day the listing was read


def dated(body: str) -> list[tuple[str, str, date | None]]:
    html = (
        '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"></head><body><main>'
        f"<h1>Flere nyheder</h1><p>Nyheder og nyhedsbreve fra KKR Sjælland.</p>{body}</main>"
        "</body></html>"
    )
    links = listing_links(html.encode(), base_url=NEWS, pattern=NEWS_PATTERN, today=READ)
    return [(link.url.removeprefix(NEWS), link.text, link.date) for link in links]


def test_entries_dated_today_or_yesterday_are_dated_from_the_day_read() -> None:
    """A listing may show the newest entries' dates as "I dag" and "I går" (a time beside
    them at most) with no <time> element: they are the day it was read, and the day before."""
    body = (
        f'<ul><li><a href="{NEWS}/a">Nyhedsbrev december</a><span>I dag kl. 10.15</span></li>'
        f'<li><a href="{NEWS}/b">Ny sundhedsaftale</a><p>I går</p>'
        "<p>KKR godkendte udkastet til sundhedsaftalen.</p></li>"
        f'<li><a href="{NEWS}/c">Trafikbestilling</a><span>For 3 dage siden</span></li>'
        f'<li><a href="{NEWS}/d">Praktikpladser</a>'
        "<p>I dag holdt KKR Sjælland møde om praktikpladser.</p></li>"
        f'<li><a href="{NEWS}/e">Nyhedsbrev november</a><span>26. november 2026</span></li></ul>'
        f'<div class="card"><a href="{NEWS}/f"><span>I går, 14:32</span>'
        "<span>Nyhedsbrev oktober</span></a></div>"
    )
    assert dated(body) == [
        ("/a", "Nyhedsbrev december", READ),
        ("/b", "Ny sundhedsaftale", date(2026, 12, 2)),
        ("/c", "Trafikbestilling", date(2026, 11, 30)),
        ("/d", "Praktikpladser", None),
        ("/e", "Nyhedsbrev november", date(2026, 11, 26)),
        ("/f", "Nyhedsbrev oktober", date(2026, 12, 2)),
    ]


def test_a_teaser_opening_on_a_bold_i_dag_is_not_dated_today() -> None:
    """A teaser may stress its first words ("<strong>I dag</strong> holdt KKR ..."): set apart
    by the markup they are no date line, and an entry of any age was dated the day read."""
    body = (
        f'<ul><li><a href="{NEWS}/a">Praktikpladser</a>'
        "<p><strong>I dag</strong> holdt KKR Sjælland møde om praktikpladser.</p></li>"
        f'<li><a href="{NEWS}/b"><h3>Busser</h3>'
        "<p><em>I går</em> vedtog regionsrådet budgettet for busserne.</p></a></li></ul>"
    )
    assert dated(body) == [("/a", "Praktikpladser", None), ("/b", "Busser", None)]


async def test_the_worker_dates_today_by_the_danish_day_the_listing_was_read() -> None:
    """A poll's clock is UTC; at 23:30 UTC on 2 December it is 3 December in Denmark."""
    body = f'<main><h1>Flere nyheder</h1><ul><li><a href="{NEWS}/a">Nyhedsbrev</a>'
    worker = ExtractWorker(timeout=10, memory_mb=256)
    try:
        links = await worker.listing_links(
            f"{body}<span>I dag</span></li></ul></main>".encode(),
            base_url=NEWS,
            pattern=NEWS_PATTERN,
            read_at=datetime(2026, 12, 2, 23, 30, tzinfo=UTC),
        )
    finally:
        worker.close()
    assert [(link.url, link.date) for link in links] == [(f"{NEWS}/a", READ)]


TOGGLE = '<button aria-expanded="false" aria-controls="panel">'


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "<details><summary>KKR Midtjylland møde 21. januar 2026</summary>",
            "</details><details><summary>Ekstraordinært KKR-møde</summary>",
        ),
        (
            f'<div class="item">{TOGGLE}KKR Midtjylland møde 21. januar 2026</button><div>',
            f'</div></div><div class="item">{TOGGLE}Ekstraordinært KKR-møde</button><div>',
        ),
        (
            "<details><summary>Mødemateriale 2026</summary>"
            "<p>KKR Midtjylland holdt møde den 21. januar 2026.</p>",
            "</details><details><summary>Temamøder</summary>",
        ),
    ],
    ids=["details", "buttons", "dated-inside"],
)
def test_an_accordion_toggle_without_a_date_ends_its_siblings_meeting(
    first: str, second: str
) -> None:
    """A meeting page set as an accordion, a panel per meeting or year: the files of a panel
    whose toggle names no day are not the meeting's of the panel before it."""
    end = "</details>" if first.startswith("<details>") else "</div></div>"
    body = (
        f'<div class="accordion">{first}<ul><li><a href="/media/a1/referat.pdf">Referat</a>'
        f'</li></ul>{second}<ul><li><a href="/media/b1/referat.pdf">Referat</a></li></ul>'
        f"{end}</div>"
    )
    assert [(url, day) for url, _, day in files(body)] == [
        ("a1/referat.pdf", date(2026, 1, 21)),
        ("b1/referat.pdf", None),
    ]


def test_an_accordion_of_a_meetings_parts_keeps_its_date() -> None:
    """Toggles inside the meeting's panel, or after the meeting's paragraph, open parts of
    that meeting ("Bilag", "Præsentationer")."""
    body = (
        "<details><summary>Møde den 6. februar 2024</summary>"
        '<ul><li><a href="/media/a1/dagsorden.pdf">Dagsorden</a></li></ul>'
        "<details><summary>Bilag</summary>"
        '<ul><li><a href="/media/a2/bilag.pdf">Bilag 1</a></li></ul></details></details>'
        "<p>KKR Sjælland holdt møde den 17. april 2024.</p>"
        "<details><summary>Bilag</summary>"
        '<ul><li><a href="/media/b1/bilag.pdf">Bilag 1</a></li></ul></details>'
        "<details><summary>Præsentationer</summary>"
        '<ul><li><a href="/media/b2/oplaeg.pdf">Oplæg</a></li></ul></details>'
    )
    assert [day for _, _, day in files(body)] == [date(2024, 2, 6)] * 2 + [date(2024, 4, 17)] * 2


def test_cards_that_are_one_link_are_dated_by_their_own_date_line() -> None:
    """A news card set as one link (tag, heading, teaser, date line inside it): its date is
    its date line, not a day its teaser names, and a card showing no date takes none from
    the card before it."""
    cards = (
        ("a", "Nyhedsbrev december", "KKR holdt møde den 1. december 2026.", "3. december 2026"),
        ("b", "Nyhedsbrev oktober", "KKR drøftede budgettet.", "1. oktober 2026"),
        ("c", "Temamøde om sundhed", "KKR inviterer til temamøde.", ""),
    )
    body = "".join(
        f'<a class="card" href="{NEWS}/{slug}"><div class="card__body">'
        f'<span class="tag">Nyhed</span><h3>{title}</h3><p>{teaser}</p>'
        f'<span class="card__date">{day}</span></div></a>'
        for slug, title, teaser, day in cards
    )
    assert dated(f'<div class="cards">{body}</div>') == [
        ("/a", "Nyhedsbrev december", date(2026, 12, 3)),
        ("/b", "Nyhedsbrev oktober", date(2026, 10, 1)),
        ("/c", "Temamøde om sundhed", None),
    ]


@pytest.mark.parametrize(
    "style", ["FONT-WEIGHT: bold", "font-weight:600", "font-weight: 800; font-size: 12pt"]
)
def test_a_heading_bold_by_any_bold_style_heads_a_section(style: str) -> None:
    """Word and older editors write the style in capitals ("FONT-WEIGHT: bold") or as a
    number other than 700; the line is bold all the same."""
    body = (
        "<p><strong>Ny sundhedsaftale</strong></p><p>KKR godkendte udkastet til aftalen.</p>"
        f'<p><span style="{style}">Movias trafikbestilling</span></p>'
        "<p>KKR drøftede Movias budget for de regionale buslinjer.</p>"
    )
    assert list(items_of(newsletter(HERO + body))) == [
        "Ny sundhedsaftale",
        "Movias trafikbestilling",
    ]


SUNDHED_BOLD = "<p><strong>Ny sundhedsaftale</strong></p><p>KKR godkendte udkastet til aftalen.</p>"
PRAKTIK_BOLD = "<p><strong>Praktikpladser</strong></p><p>Fordelingen blev godkendt af rådet.</p>"


def test_a_bold_heading_ending_in_a_full_stop_heads_a_section_among_bold_headings() -> None:
    """An editor ended one heading with a full stop; the page's other headings are bold
    lines too, and it stands between the text above and a paragraph of its own."""
    body = (
        f"{SUNDHED_BOLD}<p><strong>Movias trafikbestilling.</strong></p>"
        f"<p>KKR drøftede Movias budget for de regionale buslinjer.</p>{PRAKTIK_BOLD}"
    )
    items = items_of(newsletter(HERO + body))
    assert list(items) == ["Ny sundhedsaftale", "Movias trafikbestilling", "Praktikpladser"]
    assert "Movias budget" in items["Movias trafikbestilling"]
    assert "Movias" not in items["Ny sundhedsaftale"]


@pytest.mark.parametrize(
    "emphasis",
    [
        # right under a heading: the section's lead, in bold
        "<p><strong>Ny sundhedsaftale</strong></p><p><strong>KKR godkendte aftalen.</strong></p>"
        "<p>Aftalen gælder fra 2027.</p>",
        # before the list it introduces
        f"{SUNDHED_BOLD}<p><strong>Aftalen skal nu godkendes.</strong></p>"
        "<ul><li>Kommunalbestyrelserne</li><li>Regionsrådet</li></ul>",
        # much longer than the page's headings
        f"{SUNDHED_BOLD}<p><strong>Kommunerne skal nu behandle aftalen i alle "
        "kommunalbestyrelser.</strong></p><p>Fristen er i marts.</p>",
        # more than one sentence
        f"{SUNDHED_BOLD}<p><strong>Fristen er kort. Svar nu.</strong></p>"
        "<p>Fristen er i marts.</p>",
        # a short sentence of emphasis between paragraphs, as short as the page's headings
        f"{SUNDHED_BOLD}<p><strong>Det er en historisk aftale.</strong></p>"
        "<p>Den gælder fra 2027.</p>",
        f"{SUNDHED_BOLD}<p><strong>Husk at melde dig til.</strong></p>"
        "<p>Tilmelding sker på kl.dk.</p>",
    ],
    ids=["under-heading", "before-list", "long", "two-sentences", "emphasis", "reminder"],
)
def test_a_bold_sentence_for_emphasis_heads_nothing(emphasis: str) -> None:
    items = items_of(newsletter(HERO + emphasis + PRAKTIK_BOLD))
    assert list(items) == ["Ny sundhedsaftale", "Praktikpladser"]


def test_a_bold_sentence_heads_nothing_where_headings_are_real_headings() -> None:
    body = (
        "<h2>Ny sundhedsaftale</h2><p>KKR godkendte udkastet til aftalen.</p>"
        "<p><strong>Aftalen gælder nu.</strong></p><p>Den gælder fra 2027.</p>"
        "<h2>Praktikpladser</h2><p>Fordelingen blev godkendt af rådet.</p>"
    )
    assert list(items_of(newsletter(HERO + body))) == ["Ny sundhedsaftale", "Praktikpladser"]


@pytest.mark.parametrize("heading", ["Emner", "Relaterede emner", "Tags"])
def test_a_closing_list_of_the_subjects_a_page_is_filed_under_is_not_a_section(
    heading: str,
) -> None:
    """The subjects a page is filed under, as links to their pages, would put a section of
    nothing but topic names ("Sundhed", "Trafik") into those topics."""
    subjects = "".join(
        f'<li><a href="/emner/{slug}">{name}</a></li>'
        for slug, name in (("sundhed", "Sundhed"), ("trafik", "Kollektiv trafik"))
    )
    body = f"{SUNDHED_BOLD}{PRAKTIK_BOLD}<h2>{heading}</h2><ul>{subjects}</ul>"
    assert list(items_of(newsletter(HERO + body))) == ["Ny sundhedsaftale", "Praktikpladser"]


def test_a_closing_section_of_links_about_subjects_to_come_is_a_section() -> None:
    """ "Emner på næste møde" over links to the pages of what KKR will take up is news, not
    the subjects the page is filed under."""
    subjects = "".join(
        f'<li><a href="https://www.kl.dk/kommunale-opgaver/{slug}/">{name}</a></li>'
        for slug, name in (("klima", "Fælles klimaplan"), ("sundhed", "Ny sundhedsaftale"))
    )
    body = f"{SUNDHED_BOLD}{PRAKTIK_BOLD}<h2>Emner på næste møde</h2><ul>{subjects}</ul>"
    items = items_of(newsletter(HERO + body))
    assert list(items) == ["Ny sundhedsaftale", "Praktikpladser", "Emner på næste møde"]


MEETINGS_URL = "https://www.kl.dk/politik/kkr/kkr-midtjylland/moedemateriale"
ACCORDION = (
    '<h2><button aria-expanded="false" aria-controls="p24">Mødemateriale 2026</button></h2>'
    '<div id="p24" hidden><p>KKR Midtjylland holdt møde den 21. januar 2026.</p>'
    '<ul><li><a href="/media/a1/referat.pdf">Referat</a></li></ul></div>'
    '<h2><button aria-expanded="false" aria-controls="p23">Mødemateriale 2025</button></h2>'
    '<div id="p23" aria-hidden="true"><p>KKR Midtjylland holdt møde den 26. november 2025.</p>'
    '<ul><li><a href="/media/b1/referat.pdf">Referat</a></li></ul></div>'
)


def meeting_page(content: str) -> bytes:
    """A meeting page with no <main>, <article> or role to say where its content is."""
    return (
        '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"></head><body>'
        '<header><button aria-expanded="false" aria-controls="menu">Kommuner og regioner'
        '</button><div id="menu" hidden><ul><li><a href="/politik">Politik</a></li></ul></div>'
        '</header><div class="wrapper"><div class="col"><h1>Mødemateriale</h1>'
        f"<p>Her finder du dagsordener og referater fra rådets møder.</p>{content}</div></div>"
        "<footer><p>KL · Weidekampsgade 10</p></footer></body></html>"
    ).encode()


def test_collapsed_accordion_panels_are_content_without_a_main_element() -> None:
    """Without <main>, hidden elements were all taken for chrome: a meeting page whose years
    are collapsed panels listed no file. A panel a toggle named like a heading opens is
    content; the menu a toggle in the page's header opens is not."""
    body = meeting_page(ACCORDION)
    links = listing_links(body, base_url=MEETINGS_URL, pattern=re.compile(r"/media/"))
    assert [(link.url.removeprefix("https://www.kl.dk/media/"), link.date) for link in links] == [
        ("a1/referat.pdf", date(2026, 1, 21)),
        ("b1/referat.pdf", date(2025, 11, 26)),
    ]
    document = extract(body, url=MEETINGS_URL, content_type="text/html")
    assert "Mødemateriale 2025" in document.text and "26. november 2025" in document.text
    assert "Politik" not in document.text and "Kommuner og regioner" not in document.text


def test_a_file_link_holding_blocks_is_dated_by_its_meeting_not_its_name() -> None:
    """A file list whose links hold <div>s (badge, name) is no card: the day a bilag's name
    gives is not its meeting's."""
    body = (
        "<p>KKR Midtjylland holdt møde den 21. januar 2026.</p><ul>"
        '<li><a href="/media/a1/bilag.pdf"><div>PDF</div>'
        "<div>Bilag 1 Notat af 3. marts 2026.pdf</div></a></li></ul>"
    )
    assert files(body) == [("a1/bilag.pdf", "Bilag 1 Notat af 3. marts 2026", date(2026, 1, 21))]


@pytest.mark.parametrize(
    "topic", ["<p><strong>Økonomiaftale 2027</strong></p>", "<p><b>Budget 2027</b></p>"]
)
def test_a_bold_topic_naming_a_year_ends_no_meeting(topic: str) -> None:
    """A meeting's files grouped under a bold topic naming a year are still the meeting's: it is
    no year label over the next year's meetings."""
    body = (
        "<div><p>KKR Midtjylland holdt møde den 21. januar 2026.</p>"
        '<ul><li><a href="/media/a1/dagsorden.pdf">Dagsorden</a></li></ul>'
        f"{topic}"
        '<ul><li><a href="/media/a2/notat.pdf">Notat om aftalen</a></li></ul></div>'
    )
    assert [day for _, _, day in files(body)] == [date(2026, 1, 21)] * 2
