"""split() on hand-made documents: identity, heading fallbacks, link_decisions."""

from __future__ import annotations

import dataclasses

import pytest

from notifier.models import Document, DocumentKind, Item
from notifier.split import Split, link_decisions, point_summary, split, split_document

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


def plain_newsletter(text: str) -> Document:
    """A newsletter whose markup gave no sections: they come from its text."""
    return Document(
        url="https://www.kl.dk/n/",
        kind=DocumentKind.NEWSLETTER,
        title="Nyhedsbrev KKR Nordjylland",
        date=None,
        text=text,
    )


def test_a_greeting_in_a_newsletter_of_plain_text_closes_nothing() -> None:
    text = (
        "Nyhedsbrev KKR Nordjylland\n\nGodt nytår!\n\n"
        "Mangel på arbejdskraft\n\nKKR drøftede opkvalificering af ledige i regionen.\n\n"
        "Klima\n\nKKR fulgte op på DK2020-planerne i alle kommuner.\n\n"
        "Med venlig hilsen\n\nJens Jensen\n\nFormand for KKR Nordjylland"
    )
    items = split(plain_newsletter(text))
    assert [i.title for i in items] == ["Mangel på arbejdskraft", "Klima"]
    assert items[1].text.endswith("Formand for KKR Nordjylland")


def test_newsletter_sections_from_text_when_markup_has_none() -> None:
    text = (
        "Nyhedsbrev KKR Nordjylland\n\nKKR holdt møde i Aalborg.\n\n"
        "Mangel på arbejdskraft\n\nKKR drøftede opkvalificering af ledige i regionen.\n\n"
        "Klima\n\nKKR fulgte op på DK2020-planerne i alle kommuner."
    )
    document = plain_newsletter(text)
    assert [i.title for i in split(document)] == ["Mangel på arbejdskraft", "Klima"]
    # Without a lead, the first heading-like paragraph is a section's heading, not a lead.
    without_lead = dataclasses.replace(
        document,
        text=text.replace("KKR holdt møde i Aalborg.\n\n", "").replace(
            "Mangel på arbejdskraft",
            "Det nære sundhedsvæsen\n\nKKR godkendte sundhedsaftalen i "
            "dag.\n\nMangel på arbejdskraft",
        ),
    )
    assert [i.title for i in split(without_lead)] == [
        "Det nære sundhedsvæsen",
        "Mangel på arbejdskraft",
        "Klima",
    ]


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


def test_link_decisions_among_agendas_sharing_numbers() -> None:
    """A meeting's supplementary agenda numbers from 1 again: the minutes point goes to the
    agenda point of its number whose title is like its own, wherever that agenda is listed."""
    agenda_items = [
        dataclasses.replace(item("1", "Klimaplaner i kommunerne", None), key="a"),
        dataclasses.replace(item("2", "Budget for 2022", None), key="b"),
        dataclasses.replace(item("1", "Praktikpladser til erhvervsuddannelserne", None), key="c"),
    ]
    minutes = [
        item("1", "Klimaplaner i kommunerne", None),
        item("2", "Budget for 2022", None),
        # renumbered in the minutes, and no case number: its title, like no other's
        item("3", "Praktikpladser til erhvervsuddannelser", None),
    ]
    assert link_decisions(agenda_items, minutes) == {"1": "a", "2": "b", "3": "c"}
    assert link_decisions(agenda_items[::-1], minutes) == {"1": "a", "2": "b", "3": "c"}
    minutes[0] = item("1", "Praktikpladser til erhvervsuddannelserne", None)
    # Point 1 takes c by its number; point 3, like c alone, finds it taken.
    assert link_decisions(agenda_items, minutes) == {"1": "c", "2": "b"}


def test_link_decisions_by_title_only_when_one_agenda_point_is_alike() -> None:
    agenda_items = [
        item("3.1", "Status for klima VIP-projekterne", None),
        item("3.2", "Regional udviklingsstrategi 2024", None),
        item("3.3", "Regional udviklingsstrategi 2025", None),
    ]
    minutes = [
        item("3.2", "Status for klima VIP-projekter", None),  # a point added before it
        item("3.4", "Regional udviklingsstrategi", None),  # alike two: none
    ]
    assert link_decisions(agenda_items, minutes) == {"3.2": "3.1"}
    # Titles alike but for a number name different subjects (found by review).
    budget = [item("4", "Budget 2025 for de fælleskommunale sekretariater", None)]
    renumbered = [item("5", "Budget 2024 for de fælleskommunale sekretariater", None)]
    assert link_decisions(budget, renumbered) == {}


def points(text: str, kind: DocumentKind = DocumentKind.AGENDA) -> list[tuple[object, ...]]:
    return [
        (i.key, i.title, i.case_number, i.indstilling, i.beslutning)
        for i in split(agenda(text, kind))
    ]


TAKSTER = ("2", "Takster for botilbud")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # "Punkt N." numbering, no case number on point 3
            "Punkt 1. Godkendelse af dagsorden\n\nIndstilling\n\nGodkendes.\n\n"
            "Punkt 2. Takster for botilbud\n\nSAG-2024-00412\n\nIndstilling\n\nGodkendes.\n\n"
            "Punkt 3. Kollektiv trafik\n\nMovia har sendt budgettet.\n\nPunkt 4. Eventuelt",
            [
                ("1", "Godkendelse af dagsorden", None, "Godkendes.", None),
                (*TAKSTER, "SAG-2024-00412", "Godkendes.", None),
                ("3", "Kollektiv trafik", None, None, None),
                ("4", "Eventuelt", None, None, None),
            ],
        ),
        (  # "Punkt N:" and no case numbers at all
            "Punkt 1: Godkendelse af dagsorden\n\nGodkendes.\n\nPunkt 2: Takster for botilbud\n\n"
            "Kommunerne skal godkende taksterne.\n\nPunkt 3: Eventuelt",
            [
                ("1", "Godkendelse af dagsorden", None, None, None),
                (*TAKSTER, None, None, None),
                ("3", "Eventuelt", None, None, None),
            ],
        ),
        (  # plain points followed by prose: none may be lost
            "1. Godkendelse af dagsorden\n\nDagsordenen godkendes.\n\n2. Takster for botilbud\n\n"
            "Kommunerne skal godkende taksterne.\n\n3. Eventuelt",
            [
                ("1", "Godkendelse af dagsorden", None, None, None),
                (*TAKSTER, None, None, None),
                ("3", "Eventuelt", None, None, None),
            ],
        ),
        (  # a numbered list inside a point without sub-points stays in it
            "1. Godkendelse af dagsorden\n\nIndstilling\n\nGodkendes.\n\n"
            "2. Takster for botilbud\n\nSAG-2024-00412\n\nDer er tre forhold:\n\n"
            "1. Overhead\n\n2. Belægning\n\n3. Kvalitet\n\n3. Eventuelt\n\nIndstilling\n\nIntet.",
            [
                ("1", "Godkendelse af dagsorden", None, "Godkendes.", None),
                (*TAKSTER, "SAG-2024-00412", None, None),
                ("3", "Eventuelt", None, "Intet.", None),
            ],
        ),
        (  # "Sagsnr." instead of SAG-, "2.1" without the final dot
            "2. Sager\n\n2.1 Klima\n\nSagsnr.: 24/01235\n\nIndstilling\n\nKKR drøfter.",
            [("2.1", "Klima", "24/01235", "KKR drøfter.", None)],
        ),
    ],
)
def test_agenda_layouts(text: str, expected: list[tuple[object, ...]]) -> None:
    assert points(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # Beslutning before Indstilling and Sagsfremstilling
        "1. Godkendelse af dagsorden\n\nBeslutning\n\nGodkendt.\n\n2. Takster for botilbud\n\n"
        "SAG-2024-00412\n\nBeslutning\n\nKKR godkendte taksterne.\n\nIndstilling\n\nGodkendes.\n\n"
        "Sagsfremstilling\n\nDer er tre forhold.",
        # run-in section headings
        "1. Godkendelse af dagsorden\n\nBeslutning: Godkendt.\n\n2. Takster for botilbud\n\n"
        "Indstilling: Godkendes.\n\nBeslutning: KKR godkendte taksterne.",
        # numbers without a dot, confirmed by the section that follows
        "1 Godkendelse af dagsorden\n\nBeslutning\n\nGodkendt.\n\n2 Takster for botilbud\n\n"
        "Indstilling\n\nGodkendes.\n\nBeslutning\n\nKKR godkendte taksterne.",
    ],
)
def test_minutes_layouts(text: str) -> None:
    found = points(text, DocumentKind.MINUTES)
    assert [(key, title, beslutning) for key, title, _, _, beslutning in found] == [
        ("1", "Godkendelse af dagsorden", "Godkendt."),
        (*TAKSTER, "KKR godkendte taksterne."),
    ]
    assert found[1][3] == "Godkendes."


def test_tillaegsdagsorden_continues_the_numbering() -> None:
    text = "2. Orienteringssager\n\n2.3. Udpegning til NT\n\nSAG-2024-01611\n\nBaggrund\n\nTekst."
    assert [key for key, *_ in points(text)] == ["2.3"]


# --- the table of contents as the plan, and the problems a split reports ----------------------

CONTENTS = """DAGSORDEN 2024

KKR MIDTJYLLAND

Indholdsfortegnelse

1. Godkendelse af referat og dagsorden ........ 2

1.1. Godkendelse af referat ........ 2

1.2. Godkendelse af dagsorden ........ 2

3. Sager til beslutning ........ 9

3.1. Rammeaftale for det specialiserede socialområde og specialundervisningsområdet med
styringsaftale ........ 4

3.2. Status for klima-VIP-projekterne ........ 12

5. KKR ........ 5

"""

BODY = """1. Godkendelse af referat og dagsorden

1.1. Godkendelse af referat

SAG-2024-01611 pth

Indstilling

Det indstilles, at referatet godkendes.

1.2. Godkendelse af dagsorden

SAG-2024-01611 pth

Indstilling

Det indstilles, at dagsordenen godkendes.

3. Sager til beslutning

3.1. Rammeaftale for det specialiserede socialområde og specialundervisningsområdet med

styringsaftale

SAG-2024-00412 mlar

Baggrund

Rammeaftalen skal godkendes hvert andet år.

Indstilling

Det indstilles, at KKR godkender rammeaftalen.

Beslutning

Godkendt.

Vedlagte bilag:

Udkast til rammeaftale

3.2. Status for klima VIP-projekterne

SAG-2024-00500 jhan

Sagsfremstilling

Der er tre forhold:

1. Overhead

2. Belægning

5. KKR

Intet."""


def split_text(text: str, kind: DocumentKind = DocumentKind.AGENDA) -> Split:
    return split_document(agenda(text, kind))


def test_the_table_of_contents_is_the_plan() -> None:
    """A whole group skipped (1.2 then 3.1), a ToC title wrapped onto a second line, a heading
    wrapped onto two paragraphs, a ToC title hyphenated differently, page numbers that lie."""
    result = split_text(CONTENTS + BODY)
    assert [(i.key, i.title) for i in result.items] == [
        ("1.1", "Godkendelse af referat"),
        ("1.2", "Godkendelse af dagsorden"),
        (
            "3.1",
            "Rammeaftale for det specialiserede socialområde og specialundervisningsområdet "
            "med styringsaftale",
        ),
        ("3.2", "Status for klima VIP-projekterne"),
        ("5", "KKR"),
    ]
    assert result.problems == ()
    point = result.items[2]
    assert (point.indstilling, point.beslutning) == (
        "Det indstilles, at KKR godkender rammeaftalen.",
        "Godkendt.",
    )
    assert "1. Overhead" in result.items[3].text and "KKR" not in result.items[3].text


def test_without_a_table_of_contents_numbering_may_skip_a_group() -> None:
    result = split_text(BODY)
    assert [i.key for i in result.items] == ["1.1", "1.2", "3.1", "3.2", "5"]
    assert result.items[2].title.endswith("specialundervisningsområdet med styringsaftale")
    assert result.problems == ()


def test_case_worker_initials_never_reach_the_text() -> None:
    items = split_text(CONTENTS + BODY).items
    assert [i.case_number for i in items[:3]] == [
        "SAG-2024-01611",
        "SAG-2024-01611",
        "SAG-2024-00412",
    ]
    for item, initials in zip(items, ("pth", "pth", "mlar", "jhan"), strict=False):
        assert item.text.split("\n\n")[0] == item.case_number
        assert initials not in item.text


def test_a_point_missing_from_the_body_is_reported() -> None:
    body = BODY.replace("3.2. Status for klima VIP-projekterne\n\nSAG-2024-00500 jhan\n\n", "")
    result = split_text(CONTENTS + body)
    assert [i.key for i in result.items] == ["1.1", "1.2", "3.1", "5"]
    assert result.problems[0] == "ToC lists 3.2 not found in the body"


def test_a_heading_the_contents_do_not_list_is_reported() -> None:
    extra = "3.3. Udpegning til NT\n\nIndstilling\n\nKKR udpeger.\n\n5. KKR"
    result = split_text(CONTENTS + BODY.replace("5. KKR", extra))
    assert [i.key for i in result.items] == ["1.1", "1.2", "3.1", "3.2", "5"]
    assert result.problems == ("heading 3.3 (Udpegning til NT) inside 3.2 is not in the ToC",)


def test_a_heading_the_contents_do_not_list_with_its_own_case_number_is_a_point() -> None:
    extra = "3.3. Udpegning til NT\n\nSAG-2024-00777 abc\n\nIndstilling\n\nKKR udpeger.\n\n5. KKR"
    result = split_text(CONTENTS + BODY.replace("5. KKR", extra))
    assert [i.key for i in result.items] == ["1.1", "1.2", "3.1", "3.2", "3.3", "5"]
    assert result.items[4].case_number == "SAG-2024-00777"
    assert result.problems == ()


def test_a_point_holding_two_decisions_is_reported() -> None:
    text = (
        "1. Godkendelse af dagsorden\n\nBeslutning\n\nGodkendt.\n\n2. Takster for botilbud\n\n"
        "Beslutning\n\nGodkendt.\n\nTakster 2025 for de regionale botilbud\n\nBeslutning\n\n"
        "KKR godkendte taksterne."
    )
    result = split_text(text, DocumentKind.MINUTES)
    assert [i.key for i in result.items] == ["1", "2"]
    assert result.problems == ("2 has Beslutning twice: a point swallowed?",)


def test_without_contents_a_gap_inside_a_group_is_reported() -> None:
    text = BODY.replace("3.2. Status", "3.4. Status")
    assert split_text(text).problems == ("numbering skips 3.2, 3.3 (between 3.1 and 3.4)",)


def test_an_agenda_without_points_is_reported() -> None:
    assert split_text("DAGSORDEN\n\nMødet er aflyst.").problems == ("no agenda points found",)


def test_numbering_restarts_after_a_part_line() -> None:
    contents = (
        "Indholdsfortegnelse\n\n1. Godkendelse af dagsorden ..... 2\n\n2. Klima ..... 3\n\n"
        "Tillægsdagsorden ..... 4\n\n1. Udpegning til NT ..... 4\n\n"
    )
    body = (
        "1. Godkendelse af dagsorden\n\nIndstilling\n\nGodkendes.\n\n2. Klima\n\n"
        "SAG-2024-00001\n\nIndstilling\n\nDrøftes.\n\nTillægsdagsorden\n\n1. Udpegning til NT\n\n"
        "SAG-2024-00002\n\nIndstilling\n\nKKR udpeger."
    )
    for text in (contents + body, body):
        result = split_text(text)
        assert [(i.key, i.number, i.indstilling) for i in result.items] == [
            ("1", "1", "Godkendes."),
            ("2", "2", "Drøftes."),
            ("1-2", "1", "KKR udpeger."),
        ]
        assert result.problems == ()


def test_a_bare_list_of_points_on_the_cover_is_the_plan_when_the_body_has_them() -> None:
    cover = (
        "DAGSORDEN\n\nDagsordenpunkter:\n\n1. Godkendelse af dagsorden\n\n2. Takster for botilbud"
        "\n\n3. Eventuelt\n\n"
    )
    body = (
        "1. Godkendelse af dagsorden\n\nIndstilling\n\nGodkendes.\n\n2. Takster for botilbud\n\n"
        "Taksterne stiger.\n\n1. Overhead\n\n2. Belægning\n\n3. Eventuelt\n\nIntet."
    )
    result = split_text(cover + body)
    assert [(i.key, i.text) for i in result.items] == [
        ("1", "Indstilling\n\nGodkendes."),
        ("2", "Taksterne stiger.\n\n1. Overhead\n\n2. Belægning"),
        ("3", "Intet."),
    ]


def test_split_is_split_document_without_problems() -> None:
    document = agenda(CONTENTS + BODY)
    assert split(document) == split_document(document).items


def test_point_summary_leaves_out_what_has_its_own_field() -> None:
    items = split_text(CONTENTS + BODY, DocumentKind.MINUTES).items
    assert point_summary(items[2].text) == "Rammeaftalen skal godkendes hvert andet år."
    assert point_summary(items[3].text) == "Der er tre forhold:\n\n1. Overhead\n\n2. Belægning"
    assert point_summary(items[0].text) == ""  # only an Indstilling


def test_point_summary_leaves_out_the_route_of_a_municipal_case() -> None:
    text = (
        "Sagsnr. 283288\n\nSagsgang og sagstype\n\nKF, ØK, BY. Beslutningssag.\n\n"
        "Forventet sagsgang: Økonomiudvalget, Byrådet\n\nBeslutningskompetence\n\nByrådet\n\n"
        "Sagsfremstilling\n\nKommunen køber grunden ved havnen."
    )
    assert point_summary(text) == "Kommunen køber grunden ved havnen."


@pytest.mark.parametrize("route", ["BY", "ØK, BY", "TMU → ØK → BY", "ØU/BY"])
def test_point_summary_leaves_out_a_route_run_in_after_a_heading(route: str) -> None:
    # Brønderslev's byråd opens each point "Resume" over "Sagsforløb: BY": the committees the
    # case goes through, which the excerpt showed as its first word ("BY Det fremgår ...").
    text = f"Resume\n\nSagsforløb: {route}\n\nSagsfremstilling\n\nDet fremgår af loven."
    assert point_summary(text) == "Det fremgår af loven."
    assert point_summary("Baggrund: EU har vedtaget et direktiv.") == (
        "EU har vedtaget et direktiv."
    )


@pytest.mark.parametrize(
    "header",
    [
        "Sagsnr.: 24/01235\n\nSagsbehandler: Jens Hansen",
        "Sagsnr.: 24/01235\n\nSagsansvarlig: ANB",
        "SAG-2024-01611\n\nANB",  # the initials set in a column of their own
        "SAG-2024-01611\n\n/pth",
    ],
)
def test_point_summary_leaves_out_the_case_worker(header: str) -> None:
    # The case worker is named beside the case number, not in what the point is about.
    text = f"{header}\n\nSagsfremstilling\n\nKommunen skal lægge budget."
    assert point_summary(text) == "Kommunen skal lægge budget."


def test_point_summary_keeps_a_short_paragraph_not_under_the_case_number() -> None:
    assert point_summary("Baggrund\n\nKL\n\nTekst her.") == "KL\n\nTekst her."


def test_point_summary_keeps_a_word_under_the_case_number_and_one_run_in_abbreviation() -> None:
    # Initials are set in one case: a word under the case number is the point's text, and an
    # abbreviation run in after a heading other than "Sagsforløb" is what the section says.
    assert point_summary("SAG-2024-01611\n\nTakst\n\nTaksten stiger.") == (
        "Takst\n\nTaksten stiger."
    )
    assert point_summary("Økonomi: EU\n\nMidlerne kommer fra EU.") == (
        "EU\n\nMidlerne kommer fra EU."
    )


def test_point_summary_of_run_in_sections() -> None:
    item = Item(
        key="2",
        position=0,
        title="Takster",
        text="SAG-2024-00001 ab\n\nResumé: Taksterne stiger.\n\nIndstilling: Godkendes.\n\n"
        "Beslutning: Godkendt.\n\nBilag\n\nTakstoversigt",
    )
    assert point_summary(item.text) == "Taksterne stiger."


QUOTED = """Dagsorden

Indhold

1. Status for klima VIP-projekterne 2

2. »Sammen om velfærd« - KL-udspil 3

3. § 17, stk. 4-udvalg om rekruttering 4

{body}"""

QUOTED_BODY = """1. Status for klima VIP-projekterne

SAG-2024-01611 pth

Indstilling

Det indstilles, at KKR tager status til efterretning.

2. »Sammen om velfærd« - KL-udspil

SAG-2024-02200 jra

Indstilling

Det indstilles, at KKR drøfter udspillet.

3. § 17, stk. 4-udvalg om rekruttering

SAG-2024-03300 mlh

Indstilling

Det indstilles, at KKR nedsætter udvalget."""


@pytest.mark.parametrize("text", [QUOTED_BODY, QUOTED.format(body=QUOTED_BODY)])
def test_a_title_may_open_with_a_quotation_mark_or_a_section_sign(text: str) -> None:
    result = split_text(text)
    assert [(i.key, i.title, i.case_number) for i in result.items] == [
        ("1", "Status for klima VIP-projekterne", "SAG-2024-01611"),
        ("2", "»Sammen om velfærd« - KL-udspil", "SAG-2024-02200"),
        ("3", "§ 17, stk. 4-udvalg om rekruttering", "SAG-2024-03300"),
    ]
    assert result.problems == ()


@pytest.mark.parametrize(
    "label", ["Sagsnr.: ", "Sags-ID: ", "Sag nr. ", "Sagsnummer: ", "Sag: ", ""]
)
def test_a_case_number_may_carry_a_label(label: str) -> None:
    text = QUOTED_BODY.replace("SAG-", f"{label}SAG-").replace("\n\nSAG", "\nSAG")
    result = split_text(text)
    assert [(i.title, i.case_number) for i in result.items] == [
        ("Status for klima VIP-projekterne", "SAG-2024-01611"),
        ("»Sammen om velfærd« - KL-udspil", "SAG-2024-02200"),
        ("§ 17, stk. 4-udvalg om rekruttering", "SAG-2024-03300"),
    ]
    assert all("pth" not in i.text and "jra" not in i.text for i in result.items)


PROGRAMME = """3. Sager til drøftelse

3.1. Temadrøftelse om rekruttering

SAG-2024-01611 pth

Program for temadrøftelsen:

10.00 Velkomst

10.15 Oplæg ved direktøren

11.30 Drøftelse

Indstilling

Det indstilles, at KKR drøfter rekrutteringen.

3.2. Status for klima VIP-projekterne

SAG-2024-02200 jra

Indstilling

Det indstilles, at KKR tager status til efterretning."""


@pytest.mark.parametrize(
    "contents",
    [
        "",
        "Indhold\n\n3.1. Temadrøftelse om rekruttering 2\n\n"
        "3.2. Status for klima VIP-projekterne 3\n\n",
    ],
)
def test_times_of_a_programme_are_not_points(contents: str) -> None:
    result = split_text(contents + PROGRAMME)
    assert [(i.key, i.indstilling) for i in result.items] == [
        ("3.1", "Det indstilles, at KKR drøfter rekrutteringen."),
        ("3.2", "Det indstilles, at KKR tager status til efterretning."),
    ]
    assert "11.30 Drøftelse" in result.items[0].text
    assert result.problems == ()


@pytest.mark.parametrize(
    "heading",
    [
        "Beslutning i KKR",
        "Beslutning i KKR Sjælland den 17. april 2024:",
        "Beslutninger",
        # The decision went into the Indstilling, and the point had no Beslutning:
        "Beslutning fra KKR Sjælland",
        "Beslutning fra mødet den 17. april 2024",
        "Beslutning den 17. april 2024",
        "BESLUTNING PÅ MØDET:",
        # The council named first: the decision stayed in the text, and no problem was raised.
        "KKR's beslutning",
        "KKRs beslutning:",
    ],
)
def test_a_decision_heading_may_name_who_decided(heading: str) -> None:
    text = QUOTED_BODY.replace(
        "Det indstilles, at KKR drøfter udspillet.",
        f"Det indstilles, at KKR drøfter udspillet.\n\n{heading}\n\nKKR drøftede udspillet.",
    )
    result = split_text(text, DocumentKind.MINUTES)
    assert [i.beslutning for i in result.items] == [None, "KKR drøftede udspillet.", None]
    assert result.items[1].indstilling == "Det indstilles, at KKR drøfter udspillet."


def test_pkt_numbers_a_point() -> None:
    text = QUOTED_BODY.replace("1. Status", "Pkt. 1. Status").replace("2. »", "Pkt. 2 »")
    assert [i.key for i in split_text(text).items] == ["1", "2", "3"]


LIST_WITH_PROSE = "\n\n".join(
    f"{number}. {title}\n\nProjektet følger den aftalte plan, og der er afsat midler til "
    "det videre arbejde i alle kommuner i regionen."
    for number, title in enumerate(
        [
            "Fælles klima- og energiplaner (DK2020)",
            "Fælles indsats for bioaffald",
            "100% grønne drivmidler i 2030",
            "Cirkulære indkøb",
            "Grønne pendlervaner",
        ],
        1,
    )
)


def test_a_numbered_list_with_paragraphs_between_its_items_stays_in_its_point() -> None:
    # No table of contents: "4. Cirkulære indkøb" must not end group 3, whose 3.3 follows.
    text = f"""3. Sager til drøftelse

3.1. Takster for de regionale botilbud

SAG-2024-01611 pth

Indstilling

Det indstilles, at KKR godkender taksterne.

3.2. Status for klima VIP-projekterne

SAG-2024-02200 jra

Sagsfremstilling

Status for de enkelte projekter er følgende.

{LIST_WITH_PROSE}

Indstilling

Det indstilles, at KKR tager status til efterretning.

3.3. Turismesamarbejde

SAG-2024-03300 mlh

Indstilling

Det indstilles, at KKR drøfter samarbejdet.

4. Udpegninger

4.1. Greater Copenhagen EU Office

SAG-2024-04400 ssan

Indstilling

Det indstilles, at KKR udpeger et medlem.

5. Eventuelt"""
    result = split_text(text)
    assert [i.key for i in result.items] == ["3.1", "3.2", "3.3", "4.1", "5"]
    assert "5. Grønne pendlervaner" in result.items[1].text
    assert result.problems == ()


def test_a_last_point_of_one_word_and_a_full_stop_is_a_point() -> None:
    text = QUOTED_BODY + "\n\n4. Eventuelt.\n\nIntet."
    result = split_text(text)
    assert [(i.key, i.title) for i in result.items][-1] == ("4", "Eventuelt.")
    assert "Intet." in result.items[-1].text and "Eventuelt" not in result.items[-2].text


def _case_point(heading: str, case: str = "SAG-2021-01954 ihe") -> str:
    return (
        f"{heading}\n\n{case}\n\nBaggrund\n\nKKR Hovedstaden drøftede sagen på sidste møde.\n\n"
        "Indstilling\n\nDet indstilles, at KKR Hovedstaden tager orienteringen til efterretning."
    )


@pytest.mark.parametrize("end", ["?", "!"])
def test_a_title_wrapped_onto_a_line_ending_in_a_question_mark_is_one_title(end: str) -> None:
    # The heading's second line set as a paragraph of its own: the question mark that ends
    # the title does not make it text, nor leave it in the point's text.
    text = "\n\n".join(
        [
            _case_point("1. Godkendelse af dagsorden"),
            _case_point(f"2. Hvordan styrker vi rekrutteringen til\n\nældreplejen i kommunen{end}"),
            _case_point("3. Regional rammeaftale på danskuddannelsesområdet"),
        ]
    )
    result = split_text(text)
    assert [(i.key, i.title) for i in result.items] == [
        ("1", "Godkendelse af dagsorden"),
        ("2", f"Hvordan styrker vi rekrutteringen til ældreplejen i kommunen{end}"),
        ("3", "Regional rammeaftale på danskuddannelsesområdet"),
    ]
    assert "ældreplejen" not in result.items[1].text
    assert result.problems == ()


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Sag {}.", DocumentKind.AGENDA),
        ("Sag {}:", DocumentKind.AGENDA),
        ("Ad punkt {}.", DocumentKind.MINUTES),
        ("Ad pkt. {}", DocumentKind.MINUTES),
    ],
)
def test_sag_and_ad_punkt_number_a_point(label: str, kind: DocumentKind) -> None:
    # "Sag 2. ..." in some agendas, "Ad punkt 2." in minutes: no point was found at all.
    titles = ["Godkendelse af dagsorden", "Status for klima VIP-projekterne", "Eventuelt"]
    text = "\n\n".join(
        _case_point(f"{label.format(number)} {title}", f"SAG-2021-0195{number}")
        for number, title in enumerate(titles, 1)
    )
    result = split_text(text, kind)
    assert [(i.key, i.title, i.case_number) for i in result.items] == [
        (str(number), title, f"SAG-2021-0195{number}") for number, title in enumerate(titles, 1)
    ]
    assert result.problems == ()


def test_a_title_opening_in_lower_case_is_a_point_when_its_case_number_follows() -> None:
    # "2. e-Sundhed ..." was lost inside point 1; a list item in lower case ("2. tager
    # orienteringen til efterretning") has no case number after it and stays in its point.
    text = "\n\n".join(
        [
            _case_point("1. Godkendelse af dagsorden")
            + "\n\nDet indstilles, at KKR:\n\n1. godkender aftalen\n\n2. tager orienteringen til "
            "efterretning\n\nBeslutning\n\nGodkendt.",
            _case_point("2. e-Sundhed og digitale løsninger", "SAG-2021-01955"),
            _case_point("3. Regional rammeaftale på danskuddannelsesområdet", "SAG-2021-01956"),
        ]
    )
    result = split_text(text, DocumentKind.MINUTES)
    assert [(i.key, i.title, i.case_number) for i in result.items] == [
        ("1", "Godkendelse af dagsorden", "SAG-2021-01954"),
        ("2", "e-Sundhed og digitale løsninger", "SAG-2021-01955"),
        ("3", "Regional rammeaftale på danskuddannelsesområdet", "SAG-2021-01956"),
    ]
    assert "2. tager orienteringen" in result.items[0].text
    assert result.problems == ()


def test_a_journal_number_labelled_sag_is_the_case_number_not_the_title() -> None:
    # "Sag: 21/01234" ran into the title ("Godkendelse af dagsorden Sag: 21/01234"), and the
    # point had no case number.
    text = "\n\n".join(
        _case_point(f"{number}. {title}", f"Sag: 21/0123{number}")
        for number, title in enumerate(["Godkendelse af dagsorden", "Status for klima"], 1)
    )
    result = split_text(text)
    assert [(i.title, i.case_number) for i in result.items] == [
        ("Godkendelse af dagsorden", "21/01231"),
        ("Status for klima", "21/01232"),
    ]
