"""Minutes and agenda layouts probed in a second round from real Danish municipal agendas and
minutes (stored copies of their public pages): each test renders paragraphs to a PDF, reads it
back through extract() and split_document(), and names where the layout was seen. Each failed
before the change it was written for.
"""

from __future__ import annotations

import pytest

from notifier.split import point_summary
from tests.test_probed_layouts import PROSE, text_pdf

CASE_FIELDS = (
    # Egebjerg's minutes (docplayer.dk/2007834): "J.nr.: ... Sagsid.: ... Initialer: ... Åben
    # sag" on one line under the heading.
    "J.nr.: 00.01.00-A00-{n}-02 Sagsid.: 02/123{n} Initialer: abc Åben sag",
    # Skive's Økonomiudvalg (docplayer.dk/2556987): "Sagsnr ... Dok.nr ... Sagsbeh. Jens Jørgen
    # Iversen ÅBENT".
    "Sagsnr 00.30.00-S55-{n}-14 Dok.nr 12345/14 Sagsbeh. Jens Jørgen Iversen ÅBENT",
    # The case worker named in full after the journal and case numbers.
    "J.nr.: 00.01.00-A00-{n}-20 Sagsid.: 20/123{n} Sagsbehandler: Jens Jørgen Iversen",
)


@pytest.mark.parametrize("fields", CASE_FIELDS)
def test_a_case_number_line_with_further_fields_is_no_part_of_the_title(fields: str) -> None:
    # Municipal templates set the document's number, the case worker and whether the point is
    # open on the case number's line; with a name it ran past 60 characters, was no case line,
    # and was joined to the title as its second line.
    titles = ["Budgetopfølgning pr. 31. marts", "Salg af grund ved Mosevej", "Vejplan 2015"]
    paragraphs = ["Økonomiudvalget", "Referat"]
    for number, title in enumerate(titles, 1):
        paragraphs += [f"{number}. {title}", fields.format(n=number), "Sagsfremstilling", PROSE]
        paragraphs += ["Beslutning", "Godkendt."]
    split = text_pdf(paragraphs)
    assert [(i.number, i.title) for i in split.items] == [
        (str(n), t) for n, t in enumerate(titles, 1)
    ]
    assert all(i.case_number for i in split.items)
    assert [i.beslutning for i in split.items] == ["Godkendt."] * 3
    excerpt = point_summary(split.items[0].text, split.items[0].beslutning)
    assert excerpt == PROSE  # who handles the case is no part of what the point is about


HEDENSTED = [
    ("1", "Godkendelse af dagsorden", "00.01.00-A00-11-24"),
    ("2", "Godkendelse af referat", "00.01.00-A00-12-24"),
    ("3", "Lokal Fællesvarme - udmøntning af midler", "13.03.00-Ø60-7-25"),
]


def _hedensted(theme: str, recommends: list[str]) -> list[str]:
    paragraphs = ["Det fælles landdistriktsråd", "Referat"]
    for number, title, case in HEDENSTED:
        paragraphs += [f"{number}. {title}", f"Sagsnr.: {case}", "Beslutningstema"]
        paragraphs += [theme.format(title=title), "Historik", PROSE, "Sagsfremstilling", PROSE]
        paragraphs += [*recommends, "Beslutning", "Godkendt."]
    return paragraphs


def test_beslutningstema_and_historik_head_sections_not_more_of_the_title() -> None:
    # Hedensted's and Fredensborg's templates open a point with "Beslutningstema" (what the
    # council is asked to decide), Hedensted's tell the case's "Historik" (hedensted.dk, Det
    # fælles landdistriktsråd 31. august 2023; fredensborg.dk, Byrådet 23. februar 2015, nr.
    # 25). Neither was a section: "Beslutningstema" and the title set again under it were read
    # as more of the title ("Godkendelse af dagsorden Beslutningstema Godkendelse af dagsorden").
    split = text_pdf(_hedensted("{title}", ["Indstilling", "At dagsordenen godkendes."]))
    assert [(i.number, i.title) for i in split.items] == [(n, t) for n, t, _ in HEDENSTED]
    assert [i.case_number for i in split.items] == [c for _, _, c in HEDENSTED]
    assert [i.beslutning for i in split.items] == ["Godkendt."] * 3
    assert "Historik" not in point_summary(split.items[2].text, split.items[2].beslutning)


def test_kompetence_heads_who_decides_and_is_a_word_of_the_text_over_anything_else() -> None:
    # Fredensborg's "Kompetence" over "Økonomiudvalget." (Økonomiudvalget 22. januar 2018, nr.
    # 2) is left out of the excerpt; a theme "Kompetence" in a list under the Sagsfremstilling
    # cut the excerpt off at the list's lead-in, and "Historiker Bo Lidegaard ..." lost its
    # first word as a heading "Historik".
    themes = [
        "Planen bygger på tre temaer, som hver har sin egen indsats:",
        "Kompetence",
        "Medarbejderne skal have bedre muligheder for efteruddannelse i 2025.",
        "Rekruttering",
        "Kommunen vil ansætte flere elever og fastholde de nyuddannede.",
    ]
    historian = "Historiker Bo Lidegaard holder oplæg om det danske demokrati på mødet."
    paragraphs = ["Byrådet", "Referat", "1. Kompetenceplan for ældreplejen", "Sagsnr.: 20/1231"]
    paragraphs += ["Sagsfremstilling", *themes, "Beslutning", "Godkendt."]
    paragraphs += ["2. Temamøde om demokrati", "Sagsnr.: 20/1232", "Sagsfremstilling"]
    paragraphs += [historian, PROSE, "Kompetence", "Økonomiudvalget.", "Beslutning", "Godkendt."]
    first, second = text_pdf(paragraphs).items
    assert point_summary(first.text, first.beslutning) == "\n\n".join(themes)
    assert point_summary(second.text, second.beslutning) == f"{historian}\n\n{PROSE}"
    assert [first.beslutning, second.beslutning] == ["Godkendt."] * 2


def test_who_recommends_alone_on_its_line_heads_the_recommendation() -> None:
    # Hedensted heads the recommendation "Administrationen indstiller" on a line of its own
    # with the "at ..." lines under it, and no Indstilling heading: it was no recommendation.
    recommends = ["Administrationen indstiller", "at dagsordenen godkendes"]
    split = text_pdf(_hedensted("Det fælles landdistriktsråd skal tage stilling.", recommends))
    assert [i.indstilling for i in split.items] == [
        "Administrationen indstiller\n\nat dagsordenen godkendes"
    ] * 3
    assert [i.beslutning for i in split.items] == ["Godkendt."] * 3


def test_who_recommends_in_the_case_text_is_no_recommendation() -> None:
    # Still: a line of the Sagsfremstilling ending on "indstiller" with text after it tells of
    # another's recommendation.
    paragraphs = ["Byrådet", "Referat", "1. Handicappolitik", "Sagsnr.: 20/1234"]
    paragraphs += ["Sagsfremstilling", "Handicaprådet indstiller", PROSE, "Beslutning", "Godkendt."]
    split = text_pdf(paragraphs)
    assert [i.indstilling for i in split.items] == [None]


ATTACHMENTS = (
    # Stevns (stevns.dk/dagsorden/kommunalbestyrelsen-22-01-2020, point 302).
    "udkast._planstrategi_2020_21.12.2019.pdf",
    # Roskilde (roskilde.dk, Kultur- og Idrætsudvalget 3. april 2019, pkt. 44).
    "Arbejdsplan_2019.pdf Vision_og_strategi_2019-21.pdf",
)


@pytest.mark.parametrize("files", ATTACHMENTS)
def test_the_attachments_listed_under_a_heading_are_no_part_of_its_title(files: str) -> None:
    # Agenda systems list a point's attachments by their file names under its heading: the
    # line was joined to the title as its second line.
    titles = ["Åben dagsorden - godkendelse", "Planstrategi 2020"]
    paragraphs = ["Kommunalbestyrelsen", "Referat"]
    for number, title in enumerate(titles, 301):
        paragraphs += [f"{number}. {title}", files, "Sagsnr.: 20/1234", "Resume", PROSE]
        paragraphs += ["Beslutning", "Godkendt."]
    split = text_pdf(paragraphs)
    assert [i.title for i in split.items] == titles


@pytest.mark.parametrize("run_in", [False, True])
def test_a_decision_headed_by_the_body_s_meeting_and_the_point(run_in: bool) -> None:
    # Ballerup heads each body's decision with its meeting, the day and the point's number
    # ("Økonomiudvalgets møde 22. november 2005 Punkt 2:", then "Kommunalbestyrelsens møde 28.
    # november 2005 Punkt 2:", docplayer.dk/4018936; "Kommunalbestyrelsens møde 25. september
    # 2006 Punkt 1: Ovennævnte ...", docplayer.dk/2950314): no decision was read, and the
    # decisions ran on in the Indstilling.
    titles = ["Ny styrelsesvedtægt - endelig vedtagelse", "Etablering af Grønt Råd"]
    paragraphs = ["Kommunalbestyrelsen", "Referat"]
    for number, title in enumerate(titles, 2):
        paragraphs += [f"{number}. {title}", "Økonomiudvalget den 25. oktober 2005, pkt. 3"]
        paragraphs += ["Resumé", PROSE, "Økonomiudvalgets møde 23. maj 2006 blev aflyst."]
        paragraphs += ["Indstilling", "Direktionen indstiller, at sagen godkendes."]
        for body, day, decision in (
            ("Økonomiudvalgets", "22. november 2005", "Anbefales."),
            ("Kommunalbestyrelsens", "28. november 2005", "Godkendt."),
        ):
            label = f"{body} møde {day} Punkt {number}:"
            paragraphs += [f"{label} {decision}"] if run_in else [label, decision]
    split = text_pdf(paragraphs)
    assert [i.title for i in split.items] == titles
    assert [i.beslutning for i in split.items] == ["Godkendt."] * 2
    assert [i.indstilling for i in split.items] == [
        "Direktionen indstiller, at sagen godkendes."
    ] * 2
    assert split.problems == ()
    # the sentence about a meeting in the Resumé is text
    assert "blev aflyst" in point_summary(split.items[0].text, split.items[0].beslutning)


def test_a_committee_heading_in_capitals_between_points_ends_the_point_before() -> None:
    # Ballerup's council minutes group the points by the committee that prepared them, under
    # its name in capitals ("ØKONOMIUDVALGET" before "2.", docplayer.dk/4018936 and 2950314):
    # the name was read as the last line of the decision before it. Decisions written in
    # capitals stay whole, also one naming a body ("OVERSENDES TIL BYRÅDET").
    groups = [
        (None, [("1", "Meddelelser", "Ingen meddelelser.")]),
        ("ØKONOMIUDVALGET", [("2", "Budgetopfølgning", "OVERSENDES TIL BYRÅDET")]),
        ("SOCIAL- OG SUNDHEDSUDVALGET", [("3", "Frit valg priser", "GODKENDT.")]),
        ("UDVALGET FOR TEKNIK OG MILJØ", [("4", "Vejadgang til Lyfa", "Godkendt.")]),
    ]
    paragraphs = ["Kommunalbestyrelsen", "Referat"]
    for committee, points in groups:
        paragraphs += [committee] if committee else []
        for number, title, decision in points:
            paragraphs += [f"{number}. {title}", "Sagsnr.: 05/1234", "Resumé", PROSE]
            paragraphs += ["Beslutning", decision]
    split = text_pdf(paragraphs)
    expected = [point for _, points in groups for point in points]
    assert [(i.number, i.title, i.beslutning) for i in split.items] == expected


@pytest.mark.parametrize(
    "note",
    ["Afbud fra Jens Hansen (V), stedfortræder Ib Olsen (V)", "Fraværende Mette Holm og Ib Hansen"],
)
def test_who_sent_word_opening_a_decision_without_a_colon_is_no_part_of_it(note: str) -> None:
    # Minutes note who sent word and who stood in over the decision with no label before a
    # colon (Roskilde's "Fraværende: Evan Lynnerup (V) - Marianne Kiærulff (V) mødte som
    # stedfortræder." has one; "Afbud fra ..., stedfortræder ..." has none): the note was read
    # as the decision's first paragraph. Alone, it is what was recorded, and a sentence stays.
    paragraphs = ["Byrådet", "Referat", "1. Budget 2006", "Sagsnr.: 05/1234", "Resumé", PROSE]
    paragraphs += ["Beslutning", note, "Godkendt."]
    paragraphs += ["2. Fraværende", "Sagsnr.: 05/1235", "Resumé", PROSE, "Beslutning", note]
    paragraphs += ["3. Salg af grund", "Sagsnr.: 05/1236", "Resumé", PROSE, "Beslutning"]
    paragraphs += ["Afbud fra borgmesteren blev taget til efterretning.", "Godkendt."]
    split = text_pdf(paragraphs)
    assert [i.beslutning for i in split.items] == [
        "Godkendt.",
        note,
        "Afbud fra borgmesteren blev taget til efterretning.\n\nGodkendt.",
    ]
