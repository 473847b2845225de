"""Newsletter markup the kl.dk look-alike fixtures do not have, as a CMS plausibly writes it:
accordions, a <header> inside <main>, class names naming the social area, teaser boxes and
dates beside the article. Each page wraps its content in kl.dk-like chrome."""

from __future__ import annotations

from datetime import date

import pytest

from notifier.extract import extract
from notifier.models import Council, Document, DocumentKind
from notifier.split import split

URL = "https://www.kl.dk/politik/kkr/kkr-sjaelland/flere-nyheder/nyhedsbrev-december-2026"
TITLE = "Nyhedsbrev KKR Sjælland december 2026"
SECTIONS = {
    "Ny sundhedsaftale": "KKR Sjælland godkendte udkastet til den nye sundhedsaftale.",
    "Movias trafikbestilling": "KKR drøftede Movias budget og de regionale buslinjer.",
    "Praktikpladser på SOSU": "Fordelingen af praktikpladser for 2027 blev godkendt.",
}
RELATED = (
    '<aside class="related"><h2>Relaterede nyheder</h2><ul><li><time datetime="2026-10-14">'
    '14. oktober 2026</time> <a href="/x">Nyhedsbrev oktober</a></li></ul></aside>'
)


def page(main: str, *, before: str = "", url: str = URL) -> Document:
    html = (
        f'<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Forside | KL</title>'
        '</head><body><div id="CybotCookiebotDialog"><p>KL bruger cookies.</p></div>'
        '<header class="site-header"><a href="/">KL</a><a href="/log-ind">Log ind</a></header>'
        f'{before}<main id="indhold">{main}</main><footer><p>KL · Weidekampsgade 10</p>'
        "</footer></body></html>"
    )
    return extract(html.encode(), url=url, content_type="text/html", council=Council.SJAELLAND)


def hero(title: str = TITLE, day: str = "3. december 2026") -> str:
    return f'<div class="page-hero"><p>{day}</p><h1>{title}</h1></div>'


def h2_sections() -> str:
    return "".join(f"<h2>{title}</h2><p>{text}</p>" for title, text in SECTIONS.items())


def items_of(document: Document) -> dict[str, str]:
    return {item.title: item.text for item in split(document)}


def assert_sections(document: Document) -> None:
    items = items_of(document)
    assert list(items) == list(SECTIONS), items
    for title, text in SECTIONS.items():
        assert text in items[title]


@pytest.mark.parametrize(
    "title", ["Sundhed og klima på dagsorden i KKR Sjælland", "Referat af møde i KKR Sjælland"]
)
def test_news_whose_title_names_an_agenda_or_minutes_is_still_news(title: str) -> None:
    document = page(hero(title) + h2_sections())
    assert document.kind is DocumentKind.NEWSLETTER
    assert_sections(document)


def test_the_date_is_the_articles_not_a_related_articles_beside_it() -> None:
    main = (
        '<div class="page-hero"><p><time datetime="2026-12-03">3. december 2026</time></p>'
        f"<h1>{TITLE}</h1></div>{h2_sections()}"
    )
    document = page(main, before=RELATED)
    assert document.date == date(2026, 12, 3)
    assert_sections(document)


def test_a_header_inside_main_holds_the_title_and_date() -> None:
    main = f"<header><p>3. december 2026</p><h1>{TITLE}</h1></header>{h2_sections()}"
    document = page(main)
    assert (document.title, document.date) == (TITLE, date(2026, 12, 3))
    assert_sections(document)


def test_class_names_and_ids_naming_the_social_area_are_content() -> None:
    inner = "".join(
        f'<h2 id="{title.casefold().replace(" ", "-")}-socialomraadet">{title}</h2><p>{text}</p>'
        for title, text in SECTIONS.items()
    )
    main = f'{hero()}<div class="rte topic-sundheds-og-socialomraadet">{inner}</div>'
    assert_sections(page(main))
    # A class naming social media still marks chrome.
    shared = page(f'{hero()}{h2_sections()}<div class="social-links"><p>Del på LinkedIn</p></div>')
    assert "LinkedIn" not in shared.text


@pytest.mark.parametrize(
    "accordion",
    [
        '<div class="accordion"><h2><button aria-expanded="false">{title}</button></h2>'
        '<div class="accordion__panel"><p>{text}</p></div></div>',
        '<div class="accordion"><h3>{title}</h3><div class="accordion__panel" hidden>'
        "<p>{text}</p></div></div>",
        '<details><summary>{title}</summary><p aria-hidden="true">{text}</p></details>',
    ],
    ids=["button-heading", "hidden-panel", "details-summary"],
)
def test_accordions_keep_their_headings_and_collapsed_text(accordion: str) -> None:
    inner = "".join(accordion.format(title=t, text=x) for t, x in SECTIONS.items())
    assert_sections(page(hero() + inner))


def test_bold_links_and_introductions_are_not_headings() -> None:
    (first, first_text), (second, second_text), (third, third_text) = SECTIONS.items()
    inner = (
        "<p><strong>På mødet drøftede KKR Sjælland blandt andet:</strong></p>"
        f"<ul><li>{first}</li><li>{second}</li></ul>"
        f"<p><strong>{first}:</strong></p><p>{first_text}</p>"
        '<p><strong><a href="/media/1/aftale.pdf">Læs mere om sundhedsaftalen her</a></strong></p>'
        f"<p><strong>{second}</strong></p><p>{second_text}</p>"
        f"<p><strong>{third}</strong></p><p>{third_text}</p>"
    )
    items = items_of(page(hero() + inner))
    assert list(items) == list(SECTIONS), items
    assert "Læs mere om sundhedsaftalen her" in items[first]


def test_captions_footers_and_teaser_boxes_in_the_content_are_not_news() -> None:
    inner = (
        f"<article>{hero()}{h2_sections()}"
        "<figure><figcaption>Foto: Colourbox</figcaption></figure>"
        "<footer><p>Emner: Sundhed, Trafik</p></footer></article>"
        '<div class="c-teaser-list"><h2>Relaterede nyheder</h2><ul>'
        '<li><a href="/y">Nyhedsbrev KKR Nordjylland oktober</a></li></ul></div>'
    )
    document = page(inner)
    assert_sections(document)
    for chrome in ("Colourbox", "Emner:", "Relaterede nyheder", "Nordjylland oktober"):
        assert chrome not in document.text


def test_a_date_in_a_section_stays_in_its_text() -> None:
    # The page shows no date of its own: a date line is looked for right below the title only.
    inner = (
        "<h2>Mødeplan 2027</h2><p>KKR Sjælland mødes på disse datoer:</p>"
        "<ul><li>3. februar 2027</li><li>14. april 2027</li></ul>"
    )
    document = page(f"<h1>{TITLE}</h1>{h2_sections()}{inner}")
    assert "3. februar 2027" in items_of(document)["Mødeplan 2027"]


def test_headings_every_section_repeats_are_parts_of_sections() -> None:
    inner = "".join(
        f"<h2>{title}</h2><h3>Baggrund</h3><p>{text}</p><h3>Beslutning</h3>"
        f"<p>KKR tog orienteringen om {title.casefold()} til efterretning.</p>"
        for title, text in SECTIONS.items()
    )
    items = items_of(page(hero() + inner))
    assert list(items) == list(SECTIONS), items
    assert "Beslutning\n\nKKR tog orienteringen om ny sundhedsaftale" in items["Ny sundhedsaftale"]


def test_an_accordions_toggles_are_its_headings_but_a_show_more_button_is_not() -> None:
    inner = "".join(
        f'<button aria-expanded="false" aria-controls="p{n}">{title}</button>'
        f'<div id="p{n}" hidden><p>{text}</p></div>'
        for n, (title, text) in enumerate(SECTIONS.items())
    )
    document = page(hero() + inner + '<button aria-expanded="false">Vis mere</button>')
    assert_sections(document)
    assert "Vis mere" not in document.text


def test_a_hidden_menu_in_the_content_stays_chrome() -> None:
    document = page(hero() + '<nav hidden><a href="/menu">Menupunkt</a></nav>' + h2_sections())
    assert_sections(document)
    assert "Menupunkt" not in document.text


def test_a_deeper_heading_inside_a_section_is_part_of_it() -> None:
    # An <h3> the editor set inside one section: it was split off as a section of its own,
    # and the subscriber got "Det videre forløb" as a subject.
    title, text = next(iter(SECTIONS.items()))
    main = h2_sections().replace(
        f"<p>{text}</p>", f"<p>{text}</p><h3>Det videre forløb</h3><p>Aftalen sendes i høring.</p>"
    )
    document = page(hero() + main)
    assert_sections(document)
    assert "Det videre forløb\n\nAftalen sendes i høring." in items_of(document)[title]


def test_deeper_headings_under_group_headings_are_the_sections() -> None:
    # <h2> groups the subjects, each an <h3>: the subjects are the sections, and the group
    # heading, with no text of its own, is no item.
    subjects = "".join(f"<h3>{title}</h3><p>{text}</p>" for title, text in SECTIONS.items())
    document = page(hero() + "<h2>Sundhed og trafik</h2>" + subjects)
    assert list(items_of(document)) == [*SECTIONS]
