"""split() on hand-made documents: identity, heading fallbacks, link_decisions."""

from __future__ import annotations

from notifier.models import Document, DocumentKind, Item
from notifier.split import link_decisions, split

AGENDA_TEXT = """DAGSORDEN 2024

Indholdsfortegnelse

1. Godkendelse af dagsorden ........ 2

2. Sager ........ 2

2.1. Takster for botilbud ........ 2

2.2. Kollektiv trafik og busruter ........ 3

3. Eventuelt ........ 3

1. Godkendelse af dagsorden

Indstilling

Det indstilles, at dagsordenen godkendes.

2. Sager

2.1. Takster for botilbud

SAG-2024-00412 mlar

Indstilling

Det indstilles, at taksterne godkendes.

Sagsfremstilling

Der er tre forhold:

1. Overhead

2. Belægning

Beslutning

Godkendt.

2.2. Kollektiv trafik og busruter

SAG-2024-00500 jhan

Indstilling

Det indstilles, at KKR drøfter sagen.

3. Eventuelt"""


def agenda(text: str = AGENDA_TEXT, kind: DocumentKind = DocumentKind.AGENDA) -> Document:
    return Document(
        url="https://www.kl.dk/x.pdf", kind=kind, title="Dagsorden", date=None, text=text
    )


def test_agenda_points() -> None:
    items = split(agenda())
    assert [(i.key, i.title) for i in items] == [
        ("1", "Godkendelse af dagsorden"),
        ("2.1", "Takster for botilbud"),
        ("2.2", "Kollektiv trafik og busruter"),
        ("3", "Eventuelt"),
    ]
    point = items[1]
    assert point.case_number == "SAG-2024-00412"
    assert point.indstilling == "Det indstilles, at taksterne godkendes."
    assert point.beslutning == "Godkendt."
    assert "1. Overhead" in point.text and "2. Belægning" in point.text
    assert [i.procedural for i in items] == [True, False, False, True]
    assert [i.position for i in items] == [0, 1, 2, 3]


def test_keys_and_hashes_survive_rewrapping() -> None:
    rewrapped = AGENDA_TEXT.replace("at taksterne godkendes", "at  taksterne\ngodkendes")
    before, after = split(agenda()), split(agenda(rewrapped))
    assert [i.key for i in before] == [i.key for i in after]
    assert [i.content_hash for i in before] == [i.content_hash for i in after]


def test_newsletter_sections_from_markup() -> None:
    document = Document(
        url="https://www.kl.dk/n/",
        kind=DocumentKind.NEWSLETTER,
        title="Nyhedsbrev",
        date=None,
        text="unused",
        sections=(("Sundhed og ældre", "Tekst."), ("Sundhed og ældre", "Mere.")),
    )
    items = split(document)
    assert [i.key for i in items] == ["sundhed-og-aeldre", "sundhed-og-aeldre-2"]
    assert items[0].text == "Sundhed og ældre\n\nTekst."


def test_newsletter_sections_from_text_when_markup_has_none() -> None:
    text = (
        "Nyhedsbrev KKR Nordjylland\n\nKKR holdt møde i Aalborg.\n\n"
        "Mangel på arbejdskraft\n\nKKR drøftede opkvalificering af ledige i regionen.\n\n"
        "Klima\n\nKKR fulgte op på DK2020-planerne i alle kommuner."
    )
    document = Document(
        url="https://www.kl.dk/n/",
        kind=DocumentKind.NEWSLETTER,
        title="Nyhedsbrev KKR Nordjylland",
        date=None,
        text=text,
    )
    assert [i.title for i in split(document)] == ["Mangel på arbejdskraft", "Klima"]


def item(key: str, title: str, case: str | None) -> Item:
    return Item(key=key, position=0, title=title, text="", number=key, case_number=case)


def test_link_decisions_by_unique_case_number_then_number_and_title() -> None:
    agenda_items = [
        item("2.1", "Takster for botilbud", "SAG-1"),
        item("2.2", "Kollektiv trafik", "SAG-9"),
        item("2.3", "Klima", "SAG-9"),
    ]
    minutes = [
        item("2.4", "Takster for regionale botilbud", "SAG-1"),  # renumbered, same case
        item("2.2", "Kollektiv trafik og busruter", "SAG-9"),  # shared case: by number
        item("2.3", "Udpegninger", "SAG-9"),  # same number, different subject
    ]
    assert link_decisions(agenda_items, minutes) == {"2.4": "2.1", "2.2": "2.2"}
