"""kl.dk-like pages in markup the other fixtures lack: a meeting page whose accordion or
headings give a meeting's "Bilag" a toggle or heading of its own beside the meeting's, and
newsletters whose lists are lines without bullets.

The text is invented (the held-out evaluation pages are never a fixture's source); the markup
around it is what Umbraco and other CMSs produce for such content."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from notifier.extract import extract
from notifier.feed_entries import Entry
from notifier.models import Council, ItemSnapshot
from notifier.split import split_document
from notifier.web.cards import card
from tests.test_unseen_html import HERO, files, items_of, newsletter

# A meeting page set as an accordion, as headings or as <details>: a toggle or heading per
# meeting, and beside some of them one of the meeting's own "Bilag" (invented meetings).
_TOGGLE = '<div class="accordion__item"><button aria-expanded="false" aria-controls="p{n}">'
_PANEL = '</button><div id="p{n}" hidden>{files}</div></div>'


def _details(label: str, links: str, n: int) -> str:
    return f"<details><summary>{label}</summary>{links}</details>"


def _buttons(label: str, links: str, n: int) -> str:
    return _TOGGLE.format(n=n) + label + _PANEL.format(n=n, files=links)


def _headings(label: str, links: str, n: int) -> str:
    return f"<h3>{label}</h3>{links}"


@pytest.mark.parametrize("part", [_details, _buttons, _headings], ids=["details", "buttons", "h3"])
def test_a_meetings_bilag_beside_its_meeting_keeps_the_meetings_date(
    part: Callable[[str, str, int], str],
) -> None:
    """ "Bilag" or "Bilag til dagsorden" beside the meeting's own toggle or heading opens that
    meeting's papers; a toggle or heading naming something else ("Temamøde om sundhed") or
    many meetings' papers ("Referater") does not take the date of the meeting before it."""
    sections = [
        ("Møde den 11. marts 2026", "a1/dagsorden.pdf", "Dagsorden"),
        ("Bilag", "a2/bilag.pdf", "Bilag 1 Plan for cykelstier"),
        ("Møde den 21. januar 2026", "b1/dagsorden.pdf", "Dagsorden"),
        ("Bilag til dagsorden", "b2/bilag.pdf", "Bilag 2 Busplan 2026"),
        ("Temamøde om klima", "c1/program.pdf", "Program"),
        ("Møde den 26. november 2025", "d1/dagsorden.pdf", "Dagsorden"),
        ("Referater", "d2/referat.pdf", "Referat 10. september 2025"),
    ]
    body = "".join(
        part(label, f'<ul><li><a href="/media/{path}">{name}</a></li></ul>', n)
        for n, (label, path, name) in enumerate(sections)
    )
    assert [(url, day) for url, _, day in files(f'<div class="accordion">{body}</div>')] == [
        ("a1/dagsorden.pdf", date(2026, 3, 11)),
        ("a2/bilag.pdf", date(2026, 3, 11)),
        ("b1/dagsorden.pdf", date(2026, 1, 21)),
        ("b2/bilag.pdf", date(2026, 1, 21)),
        ("c1/program.pdf", None),
        ("d1/dagsorden.pdf", date(2025, 11, 26)),
        ("d2/referat.pdf", date(2025, 9, 10)),
    ]


# An invented newsletter: the council's input to a strategy as lines without bullets (one <br>
# or one <p> per item, as editors paste a list), then a decision over a list of short names.
MARCH = "https://kkr.example/nyheder/nyhedsbrev-fra-kkr-midtjylland-marts-2026"
_INPUT = (
    "Strategien bør gøre det lettere for unge at tage en uddannelse tæt på, hvor de bor",
    "Der bør være mål for den kollektive trafik, som kan følges fra år til år",
    "Kommunerne ønsker at blive inddraget tidligt i arbejdet med de nye mål",
)
_CLUSTERS = ("Holstebro", "Struer", "Lemvig")


def _march(markup: str) -> list[tuple[str, str]]:
    """The newsletter's sections as a subscriber reads them in the archive: (title, excerpt)."""
    body = (
        '<div class="page-header"><p class="date">18. marts 2026</p>'
        "<h1>Nyhedsbrev fra KKR Midtjylland marts 2026</h1></div>"
        "<p>KKR Midtjylland holdt møde den 12. marts 2026 i Skive.</p>"
        "<p><strong>Input til den regionale udviklingsstrategi</strong></p>"
        "<p>KKR Midtjylland gav følgende input til strategien:</p>"
        + markup.format(*_INPUT)
        + "<p><strong>Nye buslinjer i Vestjylland</strong></p>"
        "<p>KKR Midtjylland anbefalede kommunerne at betale for nye linjer mellem:</p>"
        + markup.format(*_CLUSTERS)
        + "<p>Billetpriserne drøftes på næste møde.</p>"
    )
    page = (
        '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"></head><body>'
        f"<main>{body}</main></body></html>"
    )
    document = extract(page.encode(), url=MARCH, content_type="text/html", council=None)
    moment = datetime(2026, 3, 18, tzinfo=UTC)
    cards = []
    for n, item in enumerate(split_document(document).items):
        snapshot = ItemSnapshot(
            item_id=n,
            version_id=n,
            council=Council.MIDTJYLLAND,
            document_id=1,
            document_url=document.url,
            document_title=document.title,
            document_kind=document.kind,
            document_date=document.date,
            number=None,
            title=item.title,
            text=item.text,
        )
        cards.append(card(Entry(snapshot=snapshot, published=moment, updated=moment), {}))
    return [(shown.heading, shown.excerpt) for shown in cards]


@pytest.mark.parametrize(
    "markup",
    ["<p>{}<br>{}<br>{}</p>", "<p>{}</p><p>{}</p><p>{}</p>", "<div>{}<br>\n{}<br>\n{}</div>"],
)
def test_a_list_without_bullets_reads_as_items_in_an_excerpt(markup: str) -> None:
    """Each item of a list set as lines or paragraphs without bullets ends where the page
    ends it (a semicolon or full stop), rather than running into the next as one sentence;
    the sentence after the list starts a sentence of its own."""
    shown = dict(_march(markup))
    assert list(shown) == [
        "Input til den regionale udviklingsstrategi",
        "Nye buslinjer i Vestjylland",
    ]
    for title, items in zip(shown, (_INPUT, _CLUSTERS), strict=True):
        text = shown[title].removesuffix(" …")
        for item in items:
            if item in text and not text.endswith(item):
                assert re.search(re.escape(item) + r"[;.] ", text), (item, text)
    assert "Lemvig. Billetpriserne drøftes" in shown["Nye buslinjer i Vestjylland"]


@pytest.mark.parametrize("after", ["", "\n", " "])
def test_a_line_break_is_a_line_whatever_source_whitespace_follows_it(after: str) -> None:
    """A <br> breaks the line the same whether the CMS writes a newline after it or not: the
    lines of an address or of a list without bullets are not joined into one."""
    lines = _CLUSTERS
    markup = f"<br>{after}".join(lines)
    for holder in (f"<p>{markup}</p>", f"<div>{markup}</div>"):
        page = newsletter(HERO + f"<h2>Buslinjer</h2><p>KKR anbefaler linjer mellem:</p>{holder}")
        [text] = items_of(page).values()
        assert "\n".join(lines) in text, (holder, text)


# Boxes of sharing buttons as CMSs write them, after invented sections.
_SHARING = [
    '<div class="article-footer"><p>Del artiklen:</p><a href="https://www.facebook.com/sharer/'
    'sharer.php?u=https%3A%2F%2Fwww.kl.dk">Del på Facebook</a> <a href="https://twitter.com/'
    'intent/tweet?url=x">Del på Twitter</a></div>',
    '<ul class="tools"><li>Del</li><li><a href="https://www.linkedin.com/shareArticle?mini=true">'
    'LinkedIn</a></li><li><a href="mailto:?subject=Nyhedsbrev">E-mail</a></li></ul>',
    '<p><a href="https://www.facebook.com/sharer.php?u=x"><img alt="Facebook" src="/fb.svg">'
    "</a></p>",
]


@pytest.mark.parametrize("sharing", _SHARING)
def test_sharing_buttons_are_no_part_of_the_last_section(sharing: str) -> None:
    """A box of buttons sharing the page, whatever its class is called, is chrome: its label
    and buttons are not the last section's text, nor its share addresses the page's links. A
    link to the council's own page on a network is content."""
    body = (
        "<h2>Nye cykelstier</h2><p>KKR Sjælland drøftede planen for cykelstier mellem "
        "byerne.</p><h2>Ungdomsråd i alle kommuner</h2><p>Rådet vil samle de unges forslag. "
        'Følg arbejdet på <a href="https://www.facebook.com/ungdomsraad">Facebook</a>.'
        f"</p>{sharing}"
    )
    document = newsletter(HERO + body)
    items = items_of(document)
    assert list(items) == ["Nye cykelstier", "Ungdomsråd i alle kommuner"]
    assert items["Ungdomsråd i alle kommuner"].endswith("Følg arbejdet på Facebook.")
    assert document.links == ("https://www.facebook.com/ungdomsraad",)


@pytest.mark.parametrize(
    "box",
    [
        '<div class="text"><p>{}</p><p><a href="https://www.facebook.com/sharer/sharer.php?u=x">'
        "Del</a></p></div>",
        '<div><p>{}</p><a href="https://twitter.com/intent/tweet?url=x">Del på X</a></div>',
    ],
)
def test_a_short_section_beside_a_share_button_keeps_its_text(box: str) -> None:
    """A share button in the box of a short section's text: the box was taken for the
    buttons' (short, no heading inside it) and the section's text went with it."""
    text = "Næste møde er den 4. maj 2024 i Ringsted."
    body = (
        "<h2>Nye cykelstier</h2><p>KKR Sjælland drøftede planen for cykelstier mellem "
        f"byerne.</p><h2>Næste møde</h2>{box.format(text)}"
    )
    items = items_of(newsletter(HERO + body))
    assert list(items) == ["Nye cykelstier", "Næste møde"]
    assert items["Næste møde"].endswith(text)
