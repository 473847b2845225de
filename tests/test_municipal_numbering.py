"""Point numbers as municipal agenda systems give them: numbered on through the year (a
committee's points 129 to 166), and, in Rødovre's minutes, set under the title ("Sag nr. 130").

Each test renders the text to PDF and reads it back through extract() and split_document(),
the whole path a real document takes, and names where the layout was seen.
"""

from __future__ import annotations

import pytest

from notifier.split import Split
from tests.agenda_layouts import paragraphs_split


def text_pdf(paragraphs: list[str], *, kind: str = "referat") -> Split:
    """With a word processor's margins (2.5 cm): a line within 2 cm of a page's edge past the
    first page is taken for a running line."""
    return paragraphs_split(paragraphs, kind=kind, margin=25, width=165)


PROSE = (
    "Forslaget har været i offentlig høring i fire uger, og der er indkommet to høringssvar, "
    "som forvaltningen har behandlet i sagsfremstillingen nedenfor."
)
TITLES = (
    "Analyse af daginstitutionsstrukturen",
    "Tillæg 1 til Lokalplan 145 - endelig vedtagelse",
    "Anlægsbevilling til overdækning af hockeybanen",
    "Budget 2026 for fællesudgifterne",
)


def test_points_numbered_on_through_the_year_past_99() -> None:
    # Municipal minutes number their points on through the year: Egebjerg's Kommunalbestyrelse
    # 89 to 103 (docplayer.dk/2007834), Rødovre's Kommunalbestyrelse 129 to 138 (rk.dk/politik/
    # kommunalbestyrelsen/visning/moede/KB-UID183461-1). A number of three digits was no
    # point's: every point from 100 on was lost inside point 99.
    numbers = ["98", "99", "100", "101"]
    paragraphs = ["Kommunalbestyrelsen", "Referat"]
    for number, title in zip(numbers, TITLES, strict=True):
        paragraphs += [f"{number}. {title}", "Sagsnr. 21/12345", "Indstilling"]
        paragraphs += ["Forvaltningen indstiller, at sagen godkendes.", "Beslutning", "Godkendt."]
        paragraphs += ["Sagsfremstilling", PROSE]
    split = text_pdf(paragraphs)
    assert [(i.number, i.title) for i in split.items] == list(zip(numbers, TITLES, strict=True))
    assert [i.beslutning for i in split.items] == ["Godkendt."] * 4
    assert split.problems == ()


def test_contents_of_points_numbered_past_99() -> None:
    # The same with a table of contents, as Egebjerg's ("99. Analyse af
    # daginstitutionsstruktur...x", docplayer.dk/2007834), here with arabic page numbers.
    numbers = ["99", "100", "101", "102"]
    points = list(zip(numbers, TITLES, strict=True))
    contents = [f"{n}. {t} ........ {k}" for k, (n, t) in enumerate(points, 2)]
    paragraphs = ["Kommunalbestyrelsen", "Dagsorden", "Indholdsfortegnelse", "\n".join(contents)]
    for number, title in points:
        paragraphs += [f"{number}. {title}", "Sagsnr. 21/12345", "Indstilling"]
        paragraphs += ["Forvaltningen indstiller, at sagen godkendes.", "Sagsfremstilling", PROSE]
    split = text_pdf(paragraphs, kind="dagsorden")
    assert [(i.number, i.title) for i in split.items] == points
    assert all(i.text.count("Indstilling") == 1 for i in split.items)
    assert split.problems == ()


RØDOVRE = [
    ("129", "Spørgetid", "Taget til efterretning."),
    (
        "130",
        "Tillæg 1 til Lokalplan 145 Udvidelse af delområde F og G - endelig vedtagelse",
        "Godkendt.",
    ),
    ("131", "Anlægsbevilling til overdækning af hockeybanen", "Godkendt."),
]


@pytest.mark.parametrize("apart", [False, True])
def test_a_point_numbered_under_its_title(apart: bool) -> None:
    # Rødovre's minutes head a point with its title and set its number under it, "Sag nr. 130"
    # (rk.dk/politik/kommunalbestyrelsen/visning/moede/KB-UID183461-1), with the committees'
    # decisions before the council's. No line opened with a number: no point was found.
    paragraphs = [
        "Kommunalbestyrelsen",
        "24-09-2019",
        "Fraværende",
        "Britt Jensen (A), sag 129-138",
    ]
    paragraphs += ["Sager 129 - 138"]
    for number, title, decision in RØDOVRE:
        heading = [title, f"Sag nr. {number}"] if apart else [f"{title}\nSag nr. {number}"]
        paragraphs += [*heading, "Beslutningskompetence: KB", "Sagens kerne", PROSE]
        paragraphs += ["Indstilling", "Teknisk Forvaltning indstiller,", "at sagen godkendes."]
        paragraphs += ["Økonomiudvalget, 18. september 2019, pkt. 153:", "Indstilles godkendt."]
        paragraphs += ["Beslutning", decision, "Sagsfremstilling", PROSE]
    split = text_pdf(paragraphs)
    assert [(i.number, i.title, i.beslutning) for i in split.items] == RØDOVRE
    assert [i.indstilling for i in split.items] == [
        "Teknisk Forvaltning indstiller,\n\nat sagen godkendes."
    ] * 3
    assert split.problems == ()


def test_a_case_number_after_sag_nr_under_a_numbered_heading_stays_a_case_number() -> None:
    # "Sag nr." is the case number's label in other templates: under a numbered heading it is
    # one, and the heading keeps its number.
    paragraphs = ["Referat"]
    for n, title in enumerate(TITLES[:3], 1):
        paragraphs += [
            f"{n}. {title}",
            f"Sag nr. {n}45",
            "Indstilling",
            "Det indstilles, at sagen godkendes.",
        ]
    split = text_pdf(paragraphs)
    assert [(i.number, i.title, i.case_number) for i in split.items] == [
        (str(n), title, f"{n}45") for n, title in enumerate(TITLES[:3], 1)
    ]


@pytest.mark.parametrize("style", ["Nr.{n} - {t}", "Nr. {n} {t}", "{n}) {t}", "Ad {n}) {t}"])
def test_a_point_numbered_nr_or_with_a_parenthesis(style: str) -> None:
    # Fredensborg's minutes number a point "Nr.60 - Godkendelse af dagsordenen" (fredensborg.dk/
    # politik/dagsordener-og-referater/oekonomiudvalget/2015/marts/23--marts-2015--referat/60);
    # board minutes number theirs "1)" or "Ad 1)". None was read as a number: no point was
    # found. A list numbered so inside the Indstilling stays in it.
    numbers = ["60", "61", "62"]
    paragraphs = ["Økonomiudvalget", "Referat"]
    for number, title in zip(numbers, TITLES, strict=False):
        paragraphs += [style.format(n=number, t=title), "Sagsnr. 21/12345", "Indstilling"]
        paragraphs += ["Forvaltningen indstiller,", "1) at sagen godkendes,", "2) at den følges."]
        paragraphs += ["Beslutning i Økonomiudvalget den 23-03-2015", "Godkendt."]
        paragraphs += ["Sagsfremstilling", PROSE]
    split = text_pdf(paragraphs)
    assert [(i.number, i.title) for i in split.items] == list(zip(numbers, TITLES, strict=False))
    assert [i.beslutning for i in split.items] == ["Godkendt."] * 3
    assert all(i.indstilling and i.indstilling.endswith("at den følges.") for i in split.items)
    assert split.problems == ()


def test_what_a_point_asks_for_without_an_indstilling_heading() -> None:
    # Region Midtjylland's agendas put no heading over what a point asks for: "Direktionen
    # indstiller," and its "at ..." lines stand between the Resume and the Sagsfremstilling,
    # the case number above the heading (rm.dk/politik/udvalg/staende-udvalg/udvalget-for-
    # regional-udvikling/dagsordener-og-referater-udvalget-for-regional-udvikling/PrintPage).
    # The point had no Indstilling, so mails showed none.
    paragraphs = ["Dagsorden til mødet i Udvalg for regional udvikling den 1. februar 2023"]
    for n, title in enumerate(TITLES[:3], 1):
        paragraphs += [f"Sagnr.: 1-51-71-3321-0{n}", f"{n}. {title}", "Resume", PROSE]
        paragraphs += ["Direktionen indstiller,", "at orienteringen tages til efterretning, og"]
        paragraphs += ["at sagen sendes videre til regionsrådet.", "Sagsfremstilling", PROSE]
    split = text_pdf(paragraphs, kind="dagsorden")
    assert [(i.number, i.title) for i in split.items] == [
        (str(n), t) for n, t in enumerate(TITLES[:3], 1)
    ]
    for item in split.items:
        assert item.indstilling == (
            "Direktionen indstiller,\n\nat orienteringen tages til efterretning, og\n\n"
            "at sagen sendes videre til regionsrådet."
        )


def test_a_recommendation_in_the_text_under_an_indstilling_heading_adds_nothing() -> None:
    # With an Indstilling heading, the heading's section is the Indstilling, even when the
    # Sagsfremstilling says again who recommends what.
    paragraphs = ["Dagsorden", f"1. {TITLES[0]}", "Sagsnr. 21/12345", "Sagsfremstilling"]
    paragraphs += ["Forvaltningen indstiller, at planen vedtages.", "Indstilling"]
    paragraphs += ["Det indstilles, at planen vedtages."]
    [item] = text_pdf(paragraphs, kind="dagsorden").items
    assert item.indstilling == "Det indstilles, at planen vedtages."


@pytest.mark.parametrize("mark", ["{} (Lukket)", "{} - Lukket punkt", "Lukket sag: {}"])
def test_a_closed_point_the_public_minutes_leave_out_is_no_lost_point(mark: str) -> None:
    # Public minutes list a closed point in their contents ("103. Lukket sag: Tandpleje for
    # børn og unge under 18 år", Egebjerg, docplayer.dk/2007834; "161. Diverse orienteringer
    # (Lukket)", stevns.dk/dagsorden/oekonomiudvalget-22-10-2018) and may leave its text out.
    # It was reported as a point the body lost. An open point left out still is.
    titles = [TITLES[0], mark.format("Salg af grund ved havnen"), TITLES[1], TITLES[2]]
    contents = [f"{n}. {t} ........ {n + 1}" for n, t in enumerate(titles, 1)]
    paragraphs = ["Økonomiudvalget", "Referat", "Indholdsfortegnelse", "\n".join(contents)]
    for n, title in enumerate(titles, 1):
        if n in (2, 4):
            continue
        paragraphs += [f"{n}. {title}", f"Sagsnr. 21/1234{n}", "Indstilling"]
        paragraphs += ["Det indstilles, at sagen godkendes.", "Beslutning", "Godkendt."]
    split = text_pdf(paragraphs)
    assert [i.number for i in split.items] == ["1", "3"]
    assert split.problems == ("ToC lists 4 not found in the body",)


def test_a_point_numbered_under_its_title_named_again_further_down() -> None:
    # A line naming the point again by its number ("Kommunalbestyrelsen 24-09-2019 / Sag nr.
    # 130", a page header the page did not strip) is no heading of its own: before, the number
    # seen twice made none of the numbers a point's.
    paragraphs = ["Kommunalbestyrelsen", "24-09-2019"]
    for number, title, decision in RØDOVRE:
        paragraphs += [f"{title}\nSag nr. {number}", "Sagens kerne", PROSE]
        paragraphs += ["Kommunalbestyrelsen 24-09-2019\nSag nr. " + number, PROSE]
        paragraphs += ["Beslutning", decision]
    split = text_pdf(paragraphs)
    assert [(i.number, i.title, i.beslutning) for i in split.items] == RØDOVRE


@pytest.mark.parametrize(
    "lines",
    [
        # a count per line, as a table set without rules gives it
        ["Antal indskrevne børn pr. 1. januar:", "125 Børn i vuggestue", "340 Børn i børnehave"],
        # footnotes numbered on through the report the point quotes
        ["Kilder:", "150 Danmarks Statistik, 2024", "151 KL, Kommunernes økonomi"],
    ],
)
def test_lines_opening_with_a_number_past_the_next_point_are_no_points(
    lines: list[str],
) -> None:
    # With point numbers of three digits, a line of a point's text that opens with a number
    # above the point's own ("125 Børn i vuggestue" in point 13) read as the next point, and
    # the points confirmed by their case numbers after it (14, 15) were lost inside it.
    numbers = ["12", "13", "14", "15"]
    paragraphs = ["Kommunalbestyrelsen", "Referat"]
    for number, title in zip(numbers, TITLES, strict=True):
        paragraphs += [f"{number}. {title}", "Sagsnr. 21/12345", "Sagsfremstilling", PROSE]
        if number == "13":
            paragraphs += [*lines, PROSE]
    split = text_pdf(paragraphs)
    assert [(i.number, i.title) for i in split.items] == list(zip(numbers, TITLES, strict=True))
    assert all(line in split.items[1].text for line in lines[1:])
    assert split.problems == ()


REFERENCES = {
    "earlier": [
        "Tidligere behandlet:",
        "Økonomiudvalget den 4. marts 2021, Sag nr. 45",
        "Kommunalbestyrelsen den 25. marts 2021, Sag nr. 67",
    ],
    "apart": ["Sagen har tidligere været behandlet i Økonomiudvalget", "Sag nr. 12"],
}


@pytest.mark.parametrize("numbered", [False, True])
@pytest.mark.parametrize("reference", sorted(REFERENCES))
def test_a_case_reference_sag_nr_in_a_points_text_is_no_point(
    reference: str, numbered: bool
) -> None:
    # A point's text may name the earlier treatment of its case ("Økonomiudvalget den 4. marts
    # 2021, Sag nr. 45"). In minutes numbering their points "1. Title" it became point 45 and
    # swallowed the points after it; in Rødovre's, numbered under their titles ("Sag nr.
    # 130"), its number out of order made no heading a point's: no point was found at all.
    numbers = ["130", "131", "132", "133"] if not numbered else ["1", "2", "3", "4"]
    paragraphs = ["Kommunalbestyrelsen", "Referat"]
    for number, title in zip(numbers, TITLES, strict=True):
        heading = [f"{number}. {title}", "Sagsnr. 21/12345"] if numbered else [title]
        paragraphs += heading if numbered else [*heading, f"Sag nr. {number}"]
        paragraphs += ["Sagsfremstilling", PROSE]
        if number in ("2", "131"):
            paragraphs += REFERENCES[reference]
        paragraphs += ["Beslutning", "Godkendt."]
    split = text_pdf(paragraphs)
    assert [(i.number, i.title) for i in split.items] == list(zip(numbers, TITLES, strict=True))
    assert [i.beslutning for i in split.items] == ["Godkendt."] * 4
    assert REFERENCES[reference][-1] in split.items[1].text
    assert split.problems == ()


def test_anothers_recommendation_told_in_the_text_is_no_indstilling() -> None:
    # With no Indstilling heading, a paragraph saying who recommends was taken for the point's
    # Indstilling wherever it stood, with all the text after it to the next section: a council's
    # or a school board's recommendation told in the Sagsfremstilling ("Handicaprådet
    # indstiller, at ...", then more of the case) became what the point asks for.
    paragraphs = ["Referat", f"1. {TITLES[0]}", "Sagsnr. 21/12345", "Sagsfremstilling", PROSE]
    paragraphs += ["Handicaprådet indstiller, at der afsættes flere midler til tilgængelighed."]
    paragraphs += [PROSE, "Beslutning", "Godkendt."]
    [item] = text_pdf(paragraphs).items
    assert item.indstilling is None
    assert item.beslutning == "Godkendt."


def test_the_administrations_recommendation_ends_with_its_list() -> None:
    # Rødovre's minutes of 2007 set the recommendation last in "Sagens kerne", its "at" lines
    # numbered, then the committee's word before the decision (rk.dk/politik/politiske-udvalg/
    # visning/moede/8914): the Indstilling is the recommendation and its list.
    paragraphs = ["Referat", f"1. {TITLES[0]}", "Sagsnr. 21/12345", "Sagens kerne", PROSE]
    paragraphs += ["Kommunaldirektøren indstiller,", "1. at planen godkendes, samt"]
    paragraphs += ["2. at Borgmesteren bemyndiges til at afslutte forhandlingerne."]
    paragraphs += ["Økonomiudvalget:", "Indstilles godkendt.", "Beslutning", "Godkendt."]
    [item] = text_pdf(paragraphs).items
    assert item.indstilling == (
        "Kommunaldirektøren indstiller,\n\n1. at planen godkendes, samt\n\n"
        "2. at Borgmesteren bemyndiges til at afslutte forhandlingerne."
    )
    assert item.beslutning == "Godkendt."


def closed_minutes(closing: list[str], after: tuple[str, ...] = ()) -> Split:
    paragraphs = ["Økonomiudvalget", "Referat"]
    for number, title in zip(["12", "13"], TITLES, strict=False):
        paragraphs += [f"{number}. {title}", "Sagsnr. 21/12345", "Indstilling"]
        paragraphs += ["Forvaltningen indstiller, at sagen godkendes.", "Sagsfremstilling", PROSE]
        paragraphs += ["Beslutning", "Godkendt."]
    return text_pdf([*paragraphs, *closing, *after])


@pytest.mark.parametrize(
    "closing",
    [
        ["Mødet hævet kl. 18.30.", "Anne Jensen", "Formand"],
        ["Fraværende: Jens Hansen (V)", "Mødet sluttede kl. 17:05", "Anne Jensen, formand"],
        ["Mødet blev hævet kl. 16.45.", "Underskrifter: Anne Jensen, Ib Holm"],
    ],
)
def test_the_meetings_close_and_signatures_are_not_the_last_decision(closing: list[str]) -> None:
    # Municipal minutes end with when the meeting closed and who signed (Aabenraa's, Stevns'
    # and Rødovre's "Mødet hævet kl. ..."): they were told as part of the last point's decision,
    # and with an absence note before them, after it (the note's section had ended).
    split = closed_minutes(closing)
    last = split.items[-1]
    assert [item.number for item in split.items] == ["12", "13"]
    assert last.beslutning == "Godkendt."
    assert "Mødet" not in last.text and "Anne Jensen" not in last.text


def test_a_meeting_closed_before_a_later_point_keeps_that_point() -> None:
    # The close set before a point after it (a closed point minuted last) is not the end.
    split = closed_minutes(
        ["Mødet hævet kl. 18.30."],
        ("14. Lukket punkt: Personalesag", "Sagsnr. 21/12399", "Beslutning", "Godkendt."),
    )
    assert [item.number for item in split.items] == ["12", "13", "14"]


def test_a_sentence_on_how_a_meeting_ended_stays_in_the_last_point() -> None:
    # "Mødet sluttede med ..." in a point's text tells what happened; only a time or the words
    # alone close the minutes.
    told = "Mødet sluttede med en fælles erklæring om sundhedsaftalen fra alle kommunerne."
    split = closed_minutes([told])
    assert told in split.items[-1].text
