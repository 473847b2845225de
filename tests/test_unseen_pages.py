"""kl.dk pages rebuilt around the text of their stored copies, in markup the other fixtures
lack: a meeting page whose accordion or headings give a meeting's "Bilag" a toggle or heading
of its own beside the meeting's, and newsletters whose lists are lines without bullets.

Each test names the stored page its wording comes from; the markup around it is what Umbraco
and other CMSs produce for such content."""

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

# https://www.kl.dk/politik/kkr/kkr-hovedstaden/moedemateriale: "Mødemateriale 2024", a meeting
# per paragraph ("KKR Hovedstaden holder møde den 19. april 2024 ..."), "Herunder ses dagsorden
# og bilag." over the files.
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
        ("Møde den 19. april 2024", "a1/dagsorden.pdf", "Dagsorden"),
        ("Bilag", "a2/bilag.pdf", "Bilag 1 Energi på Tværs"),
        ("Møde den 6. februar 2024", "b1/dagsorden.pdf", "Dagsorden"),
        ("Bilag til dagsorden", "b2/bilag.pdf", "Bilag 2 Mobilitetsplan 2024"),
        ("Temamøde om sundhed", "c1/program.pdf", "Program"),
        ("Møde den 24. november 2023", "d1/dagsorden.pdf", "Dagsorden"),
        ("Referater", "d2/referat.pdf", "Referat 8. september 2023"),
    ]
    body = "".join(
        part(label, f'<ul><li><a href="/media/{path}">{name}</a></li></ul>', n)
        for n, (label, path, name) in enumerate(sections)
    )
    assert [(url, day) for url, _, day in files(f'<div class="accordion">{body}</div>')] == [
        ("a1/dagsorden.pdf", date(2024, 4, 19)),
        ("a2/bilag.pdf", date(2024, 4, 19)),
        ("b1/dagsorden.pdf", date(2024, 2, 6)),
        ("b2/bilag.pdf", date(2024, 2, 6)),
        ("c1/program.pdf", None),
        ("d1/dagsorden.pdf", date(2023, 11, 24)),
        ("d2/referat.pdf", date(2023, 9, 8)),
    ]


# https://www.kl.dk/politik/kkr/kkr-sjaelland/flere-nyheder/nyhedsbrev-fra-kkr-sjaelland-august-2021-1/
# (its input to the contract a list; here set as the lines without bullets editors paste, one
# <br> or one <p> per item) and .../nyhedsbrev-kkr-sjaelland-juni-2021/ (its paragraphs).
AUGUST = (
    "https://www.kl.dk/politik/kkr/kkr-sjaelland/flere-nyheder/"
    "nyhedsbrev-fra-kkr-sjaelland-august-2021-1/"
)
_INPUT = (
    "Bæredygtighed/grøn omstilling og herunder FN’s verdensmål bør være i fokus i EHSJ’s tilbud "
    "til virksomhederne",
    "Der bør sættes delmål, så udviklingen kan følges",
    "Der bør være øget fokus på effekt i forhold til EHSJ’s ydelser",
)
_CLUSTERS = ("Fødevarer", "Miljøteknologi", "Life science")


def _august(markup: str) -> list[tuple[str, str]]:
    """The newsletter's sections as a subscriber reads them in the archive: (title, excerpt)."""
    body = (
        '<div class="page-header"><p class="date">07. september 2021</p>'
        "<h1>Nyhedsbrev fra KKR Sjælland august 2021</h1></div>"
        "<p>KKR Sjælland holdt møde den 30. august 2021.</p>"
        "<p><strong>Resultatkontrakt 2022 mellem KKR Sjælland og Erhvervshus Sjælland</strong></p>"
        "<p>KKR Sjælland drøftede og gav følgende input til resultatkontrakt 2022:</p>"
        + markup.format(*_INPUT)
        + "<p><strong>Etablering af regionale klyngekontorer</strong></p>"
        "<p>KKR Sjælland besluttede at anbefale kommunerne at bidrage til klyngekontorer for:</p>"
        + markup.format(*_CLUSTERS)
        + "<p>Holmene og Lynetteholm drøftes på næste møde.</p>"
    )
    page = (
        '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"></head><body>'
        f"<main>{body}</main></body></html>"
    )
    document = extract(page.encode(), url=AUGUST, content_type="text/html", council=None)
    moment = datetime(2021, 9, 7, tzinfo=UTC)
    cards = []
    for n, item in enumerate(split_document(document).items):
        snapshot = ItemSnapshot(
            item_id=n,
            version_id=n,
            council=Council.SJAELLAND,
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
    shown = dict(_august(markup))
    assert list(shown) == [
        "Resultatkontrakt 2022 mellem KKR Sjælland og Erhvervshus Sjælland",
        "Etablering af regionale klyngekontorer",
    ]
    for title, items in zip(shown, (_INPUT, _CLUSTERS), strict=True):
        text = shown[title].removesuffix(" …")
        for item in items:
            if item in text and not text.endswith(item):
                assert re.search(re.escape(item) + r"[;.] ", text), (item, text)
    assert "Life science. Holmene og Lynetteholm" in shown["Etablering af regionale klyngekontorer"]


@pytest.mark.parametrize("after", ["", "\n", " "])
def test_a_line_break_is_a_line_whatever_source_whitespace_follows_it(after: str) -> None:
    """A <br> breaks the line the same whether the CMS writes a newline after it or not: the
    lines of an address or of a list without bullets are not joined into one."""
    lines = _CLUSTERS
    markup = f"<br>{after}".join(lines)
    for holder in (f"<p>{markup}</p>", f"<div>{markup}</div>"):
        page = newsletter(HERO + f"<h2>Klyngekontorer</h2><p>KKR anbefaler:</p>{holder}")
        [text] = items_of(page).values()
        assert "\n".join(lines) in text, (holder, text)


# https://www.kl.dk/politik/kkr/kkr-sjaelland/flere-nyheder/nyhedsbrev-kkr-sjaelland-juni-2021/
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
        "<h2>Holmene og Lynetteholm</h2><p>KKR Sjælland drøftede de planlagte store "
        "anlægsprojekter.</p><h2>Arbejdet i vækstteam Sjælland</h2><p>Regeringen har nedsat syv "
        'vækstteams. Følg arbejdet på <a href="https://www.facebook.com/vaekstteam">Facebook</a>.'
        f"</p>{sharing}"
    )
    document = newsletter(HERO + body)
    items = items_of(document)
    assert list(items) == ["Holmene og Lynetteholm", "Arbejdet i vækstteam Sjælland"]
    assert items["Arbejdet i vækstteam Sjælland"].endswith("Følg arbejdet på Facebook.")
    assert document.links == ("https://www.facebook.com/vaekstteam",)


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
        "<h2>Holmene og Lynetteholm</h2><p>KKR Sjælland drøftede de planlagte store "
        f"anlægsprojekter.</p><h2>Næste møde</h2>{box.format(text)}"
    )
    items = items_of(newsletter(HERO + body))
    assert list(items) == ["Holmene og Lynetteholm", "Næste møde"]
    assert items["Næste møde"].endswith(text)
