"""Contact, share and subscribe boxes closing a page or a section are no news: no item of their
own, and no words of an excerpt. The stored text of every other item stays as it was.

The sections are KKR Sjælland's newsletter of November 2020 (/work/shared/seeds/000, from
https://www.kl.dk/politik/kkr/kkr-sjaelland/flere-nyheder/), reduced to two subjects. The
contact details are the KKR Sjælland secretariat's own, as its welcome brochure 2022-2026 sets
them (/work/shared/seeds/004: "Kontaktpersoner: / Jesper Bojer Jensen, chefkonsulent / Tlf.
4132 4706, JEBJ@kl.dk"); where kl.dk-style pages put them (a heading of their own closing the
page, or closing each section) is what a colleague's probe of real pages found.
"""

from __future__ import annotations

from datetime import date

import pytest

from notifier.config import IngestSettings
from notifier.diff import diff_items
from notifier.extract import extract
from notifier.judge import judge
from notifier.models import Council, Document, DocumentKind, Item, StoredItem
from notifier.plan import DocumentPlan, SourcePlan
from notifier.render import EXCERPT_CHARS, excerpt, shorten
from notifier.split import NO_SECTIONS, split
from notifier.store.documents import StoredDocument

URL = "https://www.kl.dk/politik/kkr/kkr-sjaelland/flere-nyheder/nyhedsbrev-kkr-sjaelland-november-2020"
TITLE = "Nyhedsbrev KKR Sjælland november 2020"
LEAD = "KKR Sjælland holdt møde den 11. november 2020."
HEALTH = "Samarbejde mellem region og kommuner"
HEALTH_TEXT = (
    "KKR Sjælland drøftede samarbejdet med Region Sjælland og perspektiver i de 12 fælles "
    "pejlemærker for et nært og sammenhængende sundhedsvæsen."
)
SKILLS = "DM i Skills 2022"
SKILLS_TEXT = "KKR Sjælland bakker op om, at DM i Skills holdes i Region Sjælland i 2022."
SECTIONS = f"<h2>{HEALTH}</h2><p>{HEALTH_TEXT}</p><h2>{SKILLS}</h2><p>{SKILLS_TEXT}</p>"
PERSON = "<p>Jesper Bojer Jensen, chefkonsulent</p><p>Tlf. 4132 4706, JEBJ@kl.dk</p>"


def page(main: str, *, url: str = URL) -> Document:
    html = (
        '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Nyhedsbrev | KL'
        '</title></head><body><header class="site-header"><a href="/">KL</a></header><main>'
        f'<div class="hero"><p>16. november 2020</p><h1>{TITLE}</h1></div><p>{LEAD}</p>'
        f"{main}</main><footer><p>KL · Weidekampsgade 10</p></footer></body></html>"
    )
    return extract(html.encode(), url=url, content_type="text/html", council=Council.SJAELLAND)


def items_of(document: Document) -> dict[str, str]:
    return {item.title: item.text for item in split(document)}


@pytest.mark.parametrize(
    "box",
    [
        f"<h2>Kontakt</h2>{PERSON}",
        f"<h2>Kontaktpersoner</h2>{PERSON}",
        f"<h3>Kontaktperson(er)</h3>{PERSON}",
        f"<p><strong>Kontaktpersoner:</strong></p>{PERSON}",  # the brochure's own label
        f"<h2>Yderligere oplysninger</h2>{PERSON}",
        f"<h2>Mere information</h2>{PERSON}",
        "<h2>Spørgsmål kan rettes til</h2><ul><li>Jesper Bojer Jensen</li><li>Chefkonsulent, "
        'KKR Sjælland</li><li>Tlf: +45 4132 4706</li><li><a href="mailto:JEBJ@kl.dk">'
        "JEBJ@kl.dk</a></li></ul>",
        # A box whose name is set bold over the details, under a label closing the section.
        '<div class="contact-box"><h3>Kontaktperson</h3><p><strong>Jesper Bojer Jensen'
        "</strong><br>Chefkonsulent<br>Tlf. 4132 4706<br>JEBJ@kl.dk</p></div>",
        # https://living-in.eu/smartcommunities/local-government-denmark closes on KL's own.
        "<h2>Contact person:</h2><p>Søren Madsen, Senior Consultant</p>",
    ],
)
def test_a_contact_box_closing_the_page_is_no_item(box: str) -> None:
    plain = items_of(page(SECTIONS))
    document = page(SECTIONS + box)
    items = items_of(document)
    assert list(items) == [HEALTH, SKILLS]
    assert items[HEALTH] == plain[HEALTH]  # its stored text, so its content hash, as before
    assert "Jesper Bojer Jensen" in document.text or "Søren Madsen" in document.text
    shown = excerpt(SKILLS, items[SKILLS], lines=True)
    assert shown == SKILLS_TEXT


def test_an_article_whose_only_heading_is_its_contact_box_is_the_article() -> None:
    """A kl.dk news article is paragraphs, then its contact box: the box was the page's one
    section, so its one item, and the article itself was in no item at all."""
    article = f"<p>{HEALTH_TEXT}</p><p>{SKILLS_TEXT}</p>"
    document = page(f"{article}<h2>Yderligere oplysninger</h2>{PERSON}")
    assert document.kind is DocumentKind.NEWSLETTER
    [item] = split(document)
    assert (item.key, item.title) == (NO_SECTIONS, TITLE)
    assert HEALTH_TEXT in item.text and "JEBJ@kl.dk" in item.text
    assert excerpt(item.title, item.text, lines=True) == f"{LEAD} {HEALTH_TEXT} {SKILLS_TEXT}"


@pytest.mark.parametrize(
    "closing",
    [
        "<h3>Kontakt</h3><p>Jesper Bojer Jensen, chefkonsulent, tlf. 4132 4706</p>",
        "<p>Spørgsmål kan rettes til chefkonsulent Jesper Bojer Jensen, tlf. 4132 4706, "
        "JEBJ@kl.dk</p>",
        "<p><strong>Kontakt:</strong> Jesper Bojer Jensen</p>",
        f"<p>Kontaktpersoner:</p>{PERSON}<p><a href='/nyhed'>Læs mere</a></p>",
    ],
)
def test_a_contact_box_closing_a_section_stays_in_its_text_and_out_of_its_excerpt(
    closing: str,
) -> None:
    """Each section closed by who to ask, as kl.dk's newsletters close some: the item keeps the
    words (a version is a hash of the text: cut, every stored section closing with one would
    be told again as changed), its excerpt shows the subject only."""
    skills = f"<h2>{SKILLS}</h2><p>{SKILLS_TEXT}</p>{closing}"
    document = page(f"<h2>{HEALTH}</h2><p>{HEALTH_TEXT}</p>{closing}{skills}")
    items = items_of(document)
    assert list(items) == [HEALTH, SKILLS]
    assert "Jesper Bojer Jensen" in items[SKILLS]
    assert excerpt(HEALTH, items[HEALTH], lines=True) == HEALTH_TEXT
    assert excerpt(SKILLS, items[SKILLS], lines=True) == SKILLS_TEXT


@pytest.mark.parametrize(
    "sentence",
    [
        "Kontakt chefkonsulent Jesper Bojer Jensen for mere om pejlemærkerne.",
        # https://regionsyddanmark.dk/om-region-syddanmark/presse-og-nyheder/presseinvitationer/
        # presseinvitation-folg-regionalvalget-i-regionshuset: who to ask, inside the news.
        "Tilmelding til valgaftenen er nødvendig og kan ske til presserådgiver Carsten Bruun, "
        "telefon 20 26 33 92 eller carsten.bruun@rsyd.dk senest onsdag den 12. november kl. 12.",
        # https://www.landdistrikterne.dk/presse/
        "Er du journalist, og har du spørgsmål, kan du ringe til kommunikations- og "
        "pressekonsulent Eva Østergaard på telefon 5385 0136 eller mail eoe@landdistrikterne.dk.",
    ],
)
def test_a_sentence_naming_someone_to_ask_is_content(sentence: str) -> None:
    document = page(f"<h2>{HEALTH}</h2><p>{HEALTH_TEXT}</p><p>{sentence}</p>")
    [item] = split(document)
    shown = f"{HEALTH_TEXT} {sentence}"
    assert excerpt(HEALTH, item.text, lines=True) == shorten(shown, EXCERPT_CHARS)


@pytest.mark.parametrize(
    ("heading", "text"),
    [
        ("Kontakt til borgerne", "Kommunerne vil styrke den digitale kontakt til borgerne."),
        ("Kontaktforløb", "Jobcentrene holder færre kontaktforløb med de ledige i 2021."),
        ("Kontakt", "KKR Sjælland vil have tættere kontakt til Region Sjælland om psykiatrien."),
        ("Spørgsmål og svar", "Hvornår træder aftalen i kraft? Den 1. januar 2021."),
        ("Nyhedsbrev om klima", "KL udgiver et nyhedsbrev om klimaplaner hver måned."),
        ("Movia", "Trafikselskabet Movia, tlf. 3613 1415, har nyt budget."),
        # "Følg os" on a journey, not on a network: the heading of a subject.
        ("Følg os på vej mod 2030", "KKR Sjælland sætter mål for klimaet frem mod 2030."),
        ("Følg os på rejsen", "Vi fortæller løbende om projektet."),
        # A one-word heading over a line opening with a capital and a number is news, not a
        # person's name over how to reach them.
        ("Hotline", "Ring på 70 11 12 13"),
    ],
)
def test_a_subject_named_like_a_box_is_still_an_item(heading: str, text: str) -> None:
    document = page(f"{SECTIONS}<h2>{heading}</h2><p>{text}</p>")
    assert list(items_of(document)) == [HEALTH, SKILLS, heading]


@pytest.mark.parametrize(
    "box",
    [
        '<h2>Del artiklen</h2><p><a href="https://www.facebook.com/sharer">Facebook</a> '
        '<a href="https://www.linkedin.com/shareArticle">LinkedIn</a></p>',
        "<h2>Abonnér på nyhedsbrevet</h2><p>Få nyhedsbrevet fra KKR Sjælland i din indbakke.</p>"
        '<p><a href="/tilmeld">Tilmeld dig her</a></p>',
        "<h2>Tilmeld dig nyhedsbrevet</h2><p>Skriv din e-mail</p>",
        '<h2>Følg os på LinkedIn</h2><p><a href="https://www.linkedin.com/company/kl">KL</a></p>',
    ],
)
def test_a_share_or_subscribe_box_under_its_own_heading_is_no_item(box: str) -> None:
    assert list(items_of(page(SECTIONS + box))) == [HEALTH, SKILLS]


def _stored(item: Item, number: int) -> StoredItem:
    return StoredItem(
        id=number,
        key=item.key,
        position=item.position,
        number=None,
        title=item.title,
        text=item.text,
        content_hash=item.content_hash,
        version_id=number,
    )


def test_an_article_whose_contact_box_was_its_item_is_not_a_broken_page() -> None:
    """Stored before this rule, the article above was one item, its contact box ("Yderligere
    oplysninger"); read again it is the page's one item. Its box leaves as an item.removed
    (its entry goes from the feeds; no mail tells a removal) and the article comes as new: an
    edit, not a page rendered without its body that the judge holds as broken, and no churn
    that would make the source suspect."""
    article = f"<p>{HEALTH_TEXT}</p><p>{SKILLS_TEXT}</p>"
    document = page(f"{article}<h2>Yderligere oplysninger</h2>{PERSON}")
    box = Item(
        key="yderligere-oplysninger",
        position=0,
        title="Yderligere oplysninger",
        text="Yderligere oplysninger\n\nJesper Bojer Jensen, chefkonsulent\n\n"
        "Tlf. 4132 4706, JEBJ@kl.dk",
    )
    items = split(document)
    diff = diff_items([_stored(box, 1)], items)
    assert [old.key for old in diff.removed] == [box.key]
    assert [item.key for item in diff.new] == [NO_SECTIONS]
    known = StoredDocument(
        id=1,
        source_id="kkr-sjaelland",
        key="k",
        url=URL,
        kind=DocumentKind.NEWSLETTER,
        council=Council.SJAELLAND,
        title=TITLE,
        date=date(2020, 11, 16),
        content_hash="old",
        meeting_id=None,
        supplementary=False,
    )
    plan = DocumentPlan(
        document=document, items=items, key="k", content_hash="new", stored=known, diff=diff
    )
    source = SourcePlan(
        source_id="kkr-sjaelland",
        council=Council.SJAELLAND,
        documents=[plan],
        stored_items=8,
        stored_documents=8,
    )
    assert judge(source, IngestSettings(suspect_share=0.2, suspect_min_items=8)) is None
    assert source.churn == 1  # the article, new; not its box
