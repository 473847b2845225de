"""Agenda and minutes layouts met in real KL/KKR text that the other split tests do not cover.

Each layout names where it was seen. The texts are written for the test (real titles and
wording are kept short); what matters is their shape.
"""

from __future__ import annotations

import pytest

from notifier.extract.normalize import normalize_text
from notifier.models import Document, DocumentKind
from notifier.split import Split, split_document

PROSE = (
    "Kommunerne i regionen har i det forløbne år arbejdet videre med de fælles indsatser, og der "
    "er udarbejdet en status for hvert af de aftalte spor til brug for drøftelsen."
)
COVER = "DAGSORDEN 2024\n\nKKR SJÆLLAND\n\nDato: 17-04-2024 09:30\n\nSted: Erhvervshus Sjælland"
TITLES = {
    "3.1": "Status for klima VIP-projekterne",
    "3.2": "Regional udviklingsstrategi 2024-2027",
    "3.3": "Kollektiv trafik i landdistrikterne",
    "3.4": "Praksisplan for almen praksis",
    "3.5": "Resultatkontrakt med Erhvervshus Sjælland",
}


def split_text(text: str, kind: DocumentKind = DocumentKind.AGENDA) -> Split:
    document = Document(
        url="https://www.kl.dk/x.pdf", kind=kind, title="x", date=None, text=normalize_text(text)
    )
    return split_document(document)


def point(number: str, title: str, case: str) -> str:
    return "\n\n".join(
        [
            f"{number}. {title}",
            f"{case} pth",
            f"Baggrund\n\n{PROSE}",
            "Indstilling\n\nDet indstilles, at KKR Sjælland tager orienteringen til efterretning.",
            f"Sagsfremstilling\n\n{PROSE}",
        ]
    )


def body(numbers: list[str]) -> str:
    points = [point(n, TITLES[n], f"SAG-2024-0{k}611") for k, n in enumerate(numbers, 1)]
    return "\n\n".join(["3. Regionalpolitiske sager", *points])


def contents(numbers: list[str]) -> str:
    lines = ["3. Regionalpolitiske sager ........ 3"]
    lines += [f"{n}. {TITLES[n]} ........ {k}" for k, n in enumerate(numbers, 3)]
    return "Indholdsfortegnelse\n\n" + "\n".join(lines)


ALL = ["3.1", "3.2", "3.3", "3.4", "3.5"]


def test_a_point_the_stale_contents_leave_out_is_a_point_of_its_own() -> None:
    # Contents that leave a point out: KKR Syddanmark's bilag volume of 26 October 2021 lists
    # only the points with bilag (3.4 has none), and contents drawn up from an earlier draft
    # lack a point added since. The heading has its own case number and sections: a point.
    for listed in (["3.1", "3.2", "3.3", "3.5"], ["3.1", "3.2", "3.3", "3.4"]):
        result = split_text(f"{COVER}\n\n{contents(listed)}\n\n{body(ALL)}")
        assert [(i.number, i.title) for i in result.items] == list(TITLES.items())
        assert [i.case_number for i in result.items] == [f"SAG-2024-0{k}611" for k in range(1, 6)]
        assert all(i.text.count("Indstilling") == 1 for i in result.items)
        assert result.problems == ()


def test_a_title_ending_in_an_abbreviation_is_no_sentence() -> None:
    # "Udpegninger m.v.", "... mv.": KL titles end so; the full stop closes the abbreviation.
    # Taken as a sentence, the point and every point after it (read as the rest of a numbered
    # list) were lost inside point 2, with no problem reported.
    text = "\n\n".join(
        [
            COVER,
            point("1", "Godkendelse af dagsorden", "SAG-2024-00611"),
            point("2", "Regional udviklingsstrategi m.v.", "SAG-2024-01611"),
            "3. Udpegninger m.v.\n\nDer er ingen udpegninger til dette møde.",
            "4. Punkter til næste møde, herunder temadrøftelse mv.\n\nIngen.",
            "5. Eventuelt\n\nIntet.",
        ]
    )
    result = split_text(text)
    assert [(i.number, i.title) for i in result.items] == [
        ("1", "Godkendelse af dagsorden"),
        ("2", "Regional udviklingsstrategi m.v."),
        ("3", "Udpegninger m.v."),
        ("4", "Punkter til næste møde, herunder temadrøftelse mv."),
        ("5", "Eventuelt"),
    ]
    assert result.items[2].text == "Der er ingen udpegninger til dette møde."


def test_a_few_words_with_a_full_stop_are_a_title_when_the_numbering_goes_on() -> None:
    # KKR Nordjylland's agenda of 26 June 2015 (spotidoc.com/doc/3855059) ends titles with a
    # full stop in its contents ("Godkendelse af referat.", "Siden sidst."). A point with such
    # a title and no case number was read as a sentence: it and the points after it were lost
    # inside the point before, with no problem reported.
    text = "\n\n".join(
        [
            COVER,
            point("1", "Godkendelse af dagsorden", "SAG-2024-00611"),
            "2. Siden sidst.\n\nFormanden orienterede om mødet med regionen.",
            "3. Orientering fra formandskabet.\n\nIngen.",
            point("4", "Regional udviklingsstrategi", "SAG-2024-01611"),
            "5. Punkter til næste møde.\n\nIngen.",
            "6. Eventuelt.\n\nIntet.",
        ]
    )
    result = split_text(text)
    assert [(i.number, i.title) for i in result.items] == [
        ("1", "Godkendelse af dagsorden"),
        ("2", "Siden sidst."),
        ("3", "Orientering fra formandskabet."),
        ("4", "Regional udviklingsstrategi"),
        ("5", "Punkter til næste møde."),
        ("6", "Eventuelt."),
    ]
    assert result.items[1].text == "Formanden orienterede om mødet med regionen."


def test_numbered_sentences_inside_a_point_stay_in_it() -> None:
    # The same few words with a full stop inside a point: a list (items 1, 2, 3), or a list
    # broken by text whose item takes the next point's number while that point's heading,
    # with its case number, comes later.
    listed = "Det indstilles, at KKR:\n\n1. Godkender udkastet.\n\n2. Sender det i høring."
    broken = f"1. Kommunerne skal sikre en god overgang.\n\n{PROSE}\n\n2. Regionen følger op."
    for inside in (listed, broken):
        text = "\n\n".join(
            [
                COVER,
                point("1", "Regional udviklingsstrategi", "SAG-2024-00611") + f"\n\n{inside}",
                point("2", "Praksisplan for almen praksis", "SAG-2024-01611"),
                "3. Eventuelt\n\nIntet.",
            ]
        )
        result = split_text(text)
        assert [i.number for i in result.items] == ["1", "2", "3"]
        assert inside in result.items[0].text


def test_a_programme_of_times_on_the_cover_is_no_point() -> None:
    # KKR covers give the day's programme (group meetings, the meeting, lunch). Without
    # contents, "9.30 Gruppemøder" was taken as the first point: the real points, numbered
    # below it, could then not follow, and the whole agenda became one item.
    programme = "Program\n\n9.30 Gruppemøder\n\n10.30 Møde i KKR Sjælland\n\n12.30 Frokost"
    points = [
        point("1", "Godkendelse af dagsorden", "SAG-2024-00611"),
        point("2", "Regional udviklingsstrategi", "SAG-2024-01611"),
        "3. Eventuelt\n\nIntet.",
    ]
    for shown in (programme, programme.replace("9.30 ", "9.30-10.30 ")):
        result = split_text("\n\n".join([COVER, shown, *points]))
        assert [i.number for i in result.items] == ["1", "2", "3"]
        assert result.problems == ()


def test_a_footnote_is_no_point() -> None:
    # A footnote at the foot of a page ("3 Kilde: ...", numbered on through the document)
    # reads like a heading without a dot. Taken as one it pushed out the point with its number
    # and, numbered higher, every point after it.
    titles = ["Godkendelse af dagsorden", TITLES["3.1"], TITLES["3.2"], "Eventuelt"]
    for note in ("3 Kilde: Danmarks Statistik, 2023", "5 Kilde: Danmarks Statistik, 2023"):
        points = [point(str(n), t, f"SAG-2024-0{n}611") for n, t in enumerate(titles, 1)]
        points[1] += f"\n\n{note}"
        result = split_text("\n\n".join([COVER, *points]))
        assert [(i.number, i.title) for i in result.items] == list(
            zip(["1", "2", "3", "4"], titles, strict=True)
        )
        assert result.items[1].text.endswith(note)
        assert result.problems == ()


def test_contents_over_two_pages_with_the_heading_repeated_are_one_plan() -> None:
    # The contents go on over a page break under their heading again. Read as two tables of
    # contents, the first was the plan, and the last point, with no case number to confirm
    # it, was lost inside the one before with no problem reported.
    titles = ["Godkendelse af dagsorden", TITLES["3.1"], TITLES["3.2"], TITLES["3.3"], "Eventuelt"]
    entries = [f"{n}. {t} ........ {n + 1}" for n, t in enumerate(titles, 1)]
    first, then = "\n".join(entries[:3]), "\n".join(entries[3:])
    pages = f"Indholdsfortegnelse\n\n{first}\n\nIndholdsfortegnelse (fortsat)\n\n{then}"
    points = [point(str(n), t, f"SAG-2024-0{n}611") for n, t in enumerate(titles[:4], 1)]
    text = "\n\n".join([COVER, pages, *points, "5. Eventuelt\n\nIntet."])
    result = split_text(text)
    assert [(i.number, i.title) for i in result.items] == list(
        zip(["1", "2", "3", "4", "5"], titles, strict=True)
    )
    assert result.items[4].text == "Intet."
    assert result.problems == ()


def test_what_a_point_asks_for_is_not_part_of_its_title() -> None:
    # "Til orientering", "Til beslutning" under the heading, before the case number, say what
    # the point asks of KKR. Read as the heading's second line, they ended every title.
    kinds = {"3.1": "Til beslutning", "3.2": "Til orientering", "3.3": "Til drøftelse"}
    points = [
        point(n, f"{TITLES[n]}\n\n{kind}", f"SAG-2024-0{k}611")
        for k, (n, kind) in enumerate(kinds.items(), 1)
    ]
    listed = "\n".join(f"{n}. {TITLES[n]} ........ {k}" for k, n in enumerate(kinds, 3))
    for plan in ("", f"Indholdsfortegnelse\n\n3. Sager ........ 3\n{listed}\n\n"):
        result = split_text(f"{COVER}\n\n{plan}3. Sager\n\n" + "\n\n".join(points))
        assert [(i.number, i.title) for i in result.items] == [(n, TITLES[n]) for n in kinds]
        assert [i.case_number for i in result.items] == [f"SAG-2024-0{k}611" for k in (1, 2, 3)]
        assert result.problems == ()


def test_the_meetings_case_number_on_the_cover_leaves_the_contents_the_plan() -> None:
    # KKR often files a whole meeting under one case number; a cover that gives it put a case
    # number before the contents, which were then not looked for (a run of headings after a
    # case number is the body). Their entries became points: "1. Godkendelse af dagsorden
    # ........ 2", and the body's headings without their numbers were lost.
    titles = ["Godkendelse af dagsorden", TITLES["3.1"], TITLES["3.2"], "Eventuelt"]
    listed = "\n".join(f"{n}. {t} ........ {n + 1}" for n, t in enumerate(titles, 1))
    unnumbered = [point("", t, f"SAG-2024-0{n}611").lstrip(". ") for n, t in enumerate(titles, 1)]
    for cover in ("Sagsnr.: SAG-2024-01954", "SAG-2024-01954 ssan"):
        text = "\n\n".join([COVER, cover, f"Indholdsfortegnelse\n\n{listed}", *unnumbered])
        result = split_text(text)
        assert [(i.number, i.title) for i in result.items] == list(
            zip(["1", "2", "3", "4"], titles, strict=True)
        )
        assert result.problems == ()


def test_a_list_of_the_points_on_the_cover_is_not_the_points() -> None:
    # A short agenda lists its points on the cover, one paragraph each and in short form,
    # then gives them in full. The list was taken as the points; the full headings, numbered
    # again from 1 with no part line before them, were all lost inside the last one.
    short = ["Godkendelse af dagsorden", "Klima", "Strategi", "Trafik", "Eventuelt"]
    full = ["Godkendelse af dagsorden", TITLES["3.1"], TITLES["3.2"], TITLES["3.3"], "Eventuelt"]
    listed = [f"{n}. {t}" for n, t in enumerate(short, 1)]
    points = [point(str(n), t, f"SAG-2024-0{n}611") for n, t in enumerate(full, 1)]
    result = split_text("\n\n".join([COVER, *listed, *points]))
    assert [(i.number, i.title) for i in result.items] == list(
        zip(["1", "2", "3", "4", "5"], full, strict=True)
    )
    assert result.problems == ()


def test_a_section_heading_set_tight_above_its_text_still_opens_the_section() -> None:
    # With no space after a section heading, the PDF's lines make one paragraph and the text
    # normaliser joins them: "Indstilling Det indstilles, at ...". The Indstilling and the
    # Beslutning were lost, with no problem reported.
    tight = "\n".join(
        [
            "3.1. Status for klima VIP-projekterne",
            "SAG-2024-01611 pth",
            "",
            "Baggrund",
            PROSE,
            "",
            "Indstilling",
            "Det indstilles, at KKR Sjælland tager orienteringen",
            "til efterretning.",
            "",
            "Beslutning",
            "KKR Sjælland tog orienteringen til efterretning.",
        ]
    )
    result = split_text(f"{COVER}\n\n3. Sager\n\n{tight}", DocumentKind.MINUTES)
    [item] = result.items
    indstilling = "Det indstilles, at KKR Sjælland tager orienteringen til efterretning."
    assert item.indstilling == indstilling
    assert item.beslutning == "KKR Sjælland tog orienteringen til efterretning."
    assert item.case_number == "SAG-2024-01611"


# The contents of an agenda in the KL template as a PDF extractor may give them: each number
# set apart from its title, and numbers and titles on lines of their own, out of order
# (invented text in that layout; no real agenda's contents).
SCRAMBLED_CONTENTS = """KKR Midtjylland | 12-03-2026
1.
Meddelelser. ......................................................... 3
1.1.
2.
Sager til drøftelse. ................................................ 4
2.1.
3.
Meddelelser ............................................................. 3
Sager til drøftelse .................................................. 4
Sager til orientering ............................................... 7
3.1.
3.2.
Plan for de regionale buslinjer ............................ 7
Status for praktikpladser i 2026 ........................... 9"""


def test_a_number_set_apart_from_its_title_still_heads_the_point() -> None:
    points = {
        "1.1": "Meddelelser",
        "2.1": "Sager til drøftelse",
        "3.1": "Plan for de regionale buslinjer",
        "3.2": "Status for praktikpladser i 2026",
    }
    groups = {"1.1": "1. Meddelelser.", "2.1": "2. Sager til drøftelse."}
    groups["3.1"] = "3. Sager til orientering"
    parts = []
    for k, (number, title) in enumerate(points.items(), 1):
        if number in groups:
            parts.append(groups[number].replace(" ", "\n\n", 1))
        parts.append(point(number, title, f"SAG-2026-0{k}345").replace(" ", "\n\n", 1))
    body = "\n\n".join(parts)
    for contents in ("", f"{SCRAMBLED_CONTENTS}\n\n"):
        result = split_text(f"{COVER}\n\n{contents}{body}")
        assert [(i.number, i.title) for i in result.items] == list(points.items())
        assert [i.case_number for i in result.items] == [f"SAG-2026-0{k}345" for k in (1, 2, 3, 4)]


def test_a_point_not_taken_does_not_make_the_points_after_it_a_list() -> None:
    # A point not taken as one (here a title too long for a heading, with no case number to
    # confirm it) made the numbers after it items of a numbered list inside the point before:
    # "4. Punkter til næste møde" and "5. Eventuelt" were lost with it.
    long = (
        "Orientering om status på arbejdet med den regionale udviklingsstrategi, herunder "
        "høringssvar fra kommunerne og den videre proces frem mod vedtagelsen i regionsrådet"
    )
    text = "\n\n".join(
        [
            COVER,
            point("1", "Godkendelse af dagsorden", "SAG-2024-00611"),
            point("2", TITLES["3.1"], "SAG-2024-01611"),
            f"3. {long}\n\nSekretariatet orienterede.",
            "4. Punkter til næste møde\n\nIngen.",
            "5. Eventuelt\n\nIntet.",
        ]
    )
    result = split_text(text)
    assert [i.number for i in result.items][-2:] == ["4", "5"]
    assert result.items[-1].text == "Intet."
    # Point 3 itself stays inside point 2, but no longer silently.
    assert result.problems == (
        "heading 3 (Orientering om status på arbejdet med den regiona…) inside 2 "
        "was not taken as a point",
    )


def test_a_numbered_list_inside_a_point_is_no_lost_point() -> None:
    # A list inside point 2 goes on in a new paragraph at "3.", the next point's number.
    items = "1. Rekruttering til ældreplejen\n2. Styrket samarbejde med regionen"
    more = "3. Adgang til uddannelse i hele landet\n4. Fælles plan for plastaffald"
    text = "\n\n".join(
        [
            COVER,
            point("2", TITLES["3.1"], "SAG-2024-00611") + f"\n\n{items}\n\n{more}",
            point("5", TITLES["3.2"], "SAG-2024-01611"),
        ]
    )
    result = split_text(text)
    assert [i.number for i in result.items] == ["2", "5"]
    assert result.problems == ()


def test_a_first_point_titled_with_a_full_stop_is_a_point() -> None:
    # "1. Godkendelse af referat." (the full stop the KKR Nordjylland contents show) without
    # a case number: read as a sentence, it started a "numbered list" that took every point
    # without a case number after it; nothing was found.
    text = "\n\n".join([COVER, "1. Godkendelse af referat.\n\nGodkendt.", "2. Eventuelt\n\nIntet."])
    result = split_text(text)
    assert [(i.number, i.title) for i in result.items] == [
        ("1", "Godkendelse af referat."),
        ("2", "Eventuelt"),
    ]


def test_a_number_set_apart_from_a_title_nothing_confirms_is_a_heading_too() -> None:
    # As above, the number on a line of its own; "3.\n\nEventuelt\n\nIntet." has no case
    # number or section to confirm the title, and the last point was lost, silently.
    text = "\n\n".join(
        [
            COVER,
            point("1", TITLES["3.1"], "SAG-2024-00611").replace(" ", "\n\n", 1),
            point("2", TITLES["3.2"], "SAG-2024-01611").replace(" ", "\n\n", 1),
            "3.\n\nEventuelt\n\nIntet.",
        ]
    )
    result = split_text(text)
    assert [(i.number, i.title) for i in result.items] == [
        ("1", TITLES["3.1"]),
        ("2", TITLES["3.2"]),
        ("3", "Eventuelt"),
    ]


def test_a_footnote_numbered_as_the_next_point_without_a_dot_is_no_point() -> None:
    # The points have a dot; a footnote "3 Kilde: ..." in point 2 has none. Point 3, with no
    # case number to confirm it, lost its place to the footnote.
    text = "\n\n".join(
        [
            COVER,
            point("1", TITLES["3.1"], "SAG-2024-00611"),
            point("2", TITLES["3.2"], "SAG-2024-01611") + "\n\n3 Kilde: Danmarks Statistik, 2023",
            "3. Eventuelt\n\nIntet.",
        ]
    )
    result = split_text(text)
    assert [(i.number, i.title) for i in result.items] == [
        ("1", TITLES["3.1"]),
        ("2", TITLES["3.2"]),
        ("3", "Eventuelt"),
    ]


def test_contents_that_leave_out_the_first_point_or_a_first_sub_point() -> None:
    # Contents of an earlier draft again: the point they leave out may be the first of all
    # (its text was in no item, silently) or the first of a group (the group heading, listed
    # alone, became a point, its sub-point a stray); and "Til orientering" may stand between
    # the heading and its case number.
    group = f"2. Regionalpolitiske sager ........ 3\n2.2. {TITLES['3.2']} ........ 4"
    listed = f"Indholdsfortegnelse\n\n{group}\n3. Eventuelt ........ 5"
    asks = "\n\nTil orientering"
    body = "\n\n".join(
        [
            point("1", TITLES["3.1"] + asks, "SAG-2024-00611"),
            "2. Regionalpolitiske sager",
            point("2.1", TITLES["3.3"] + asks, "SAG-2024-01611"),
            point("2.2", TITLES["3.2"], "SAG-2024-02611"),
            "3. Eventuelt\n\nIntet.",
        ]
    )
    result = split_text(f"{COVER}\n\n{listed}\n\n{body}")
    assert [(i.number, i.title) for i in result.items] == [
        ("1", TITLES["3.1"]),
        ("2.1", TITLES["3.3"]),
        ("2.2", TITLES["3.2"]),
        ("3", "Eventuelt"),
    ]
    assert result.problems == ()


def test_a_programme_before_the_contents_is_not_part_of_them() -> None:
    # The cover's programme ("9.30 Gruppemøder" ...) right before the contents was read as
    # their first entries, and "Indholdsfortegnelse" as a part line between: entries never
    # found, points lost.
    programme = "Program\n\n9.30 Gruppemøder\n\n10.30 Møde i KKR Sjælland\n\n12.30 Frokost"
    titles = ["Godkendelse af dagsorden", TITLES["3.1"], TITLES["3.2"], "Eventuelt"]
    listed = "\n".join(f"{n}. {t} ........ {n + 1}" for n, t in enumerate(titles, 1))
    points = [point(str(n), t, f"SAG-2024-0{n}611") for n, t in enumerate(titles, 1)]
    text = "\n\n".join([COVER, programme, f"Indholdsfortegnelse\n\n{listed}", *points])
    result = split_text(text)
    assert [(i.number, i.title) for i in result.items] == list(
        zip(["1", "2", "3", "4"], titles, strict=True)
    )
    assert result.problems == ()


def test_footnotes_gaps_and_stray_contents_lines_without_contents() -> None:
    # Each of these lost the points after it, with no problem reported:
    # a footnote "1 Kilde: ..." started a "numbered list" that took "2. Eventuelt";
    two = [
        point("1", TITLES["3.1"], "SAG-2024-00611") + "\n\n1 Kilde: KL",
        "2. Eventuelt\n\nIntet.",
    ]
    # a numbering gap before a point without a dot or a case number ("5 Udpegninger");
    gap = [
        point("3", TITLES["3.1"], "SAG-2024-00611").replace("3. ", "3 ", 1),
        "5 Udpegninger\n\nIngen.",
        "6 Eventuelt\n\nIntet.",
    ]
    # a title with a full stop after a gap ("6. Takster 2025.");
    stop = [
        point("4", TITLES["3.1"], "SAG-2024-00611"),
        "6. Takster 2025.\n\nIngen.",
        "7. Eventuelt",
    ]
    # a lone contents line left over ("3. Eventuelt ........ 2") read as point 3.
    lone = [
        "Indholdsfortegnelse\n\n3. Eventuelt ........ 2",
        point("2", TITLES["3.1"], "SAG-2024-00611"),
        "3. Eventuelt\n\nIntet.",
    ]
    cases = [(two, ["1", "2"]), (gap, ["3", "5", "6"]), (stop, ["4", "6", "7"]), (lone, ["2", "3"])]
    for parts, numbers in cases:
        result = split_text("\n\n".join([COVER, *parts]))
        assert [i.number for i in result.items] == numbers
        assert not any("...." in i.title for i in result.items)


# Three levels of numbering: a group ("2. Sager til beslutning") holding sub-groups ("2.1.
# Regionalpolitiske sager") that hold the points ("2.1.1."), beside points one level up that
# have no sub-points ("2.2."). Every heading was read as text: no point at all was found.
DEEP_GROUPS = {
    "2": "Sager til beslutning",
    "2.1": "Regionalpolitiske sager",
    "3": "Sager til orientering",
    "3.1": "Udpegninger",
}
DEEP_POINTS = {
    "1": "Godkendelse af dagsorden",
    "2.1.1": TITLES["3.1"],
    "2.1.2": TITLES["3.2"],
    "2.2": TITLES["3.3"],
    "3.1.1": TITLES["3.4"],
    "4": "Eventuelt",
}


def deep_body() -> str:
    parts = []
    for k, (number, title) in enumerate(DEEP_POINTS.items(), 1):
        parts += [f"{g}. {t}" for g, t in DEEP_GROUPS.items() if number.startswith(f"{g}.")]
        parts.append(point(number, title, f"SAG-2024-0{k}611") if number != "4" else "4. Eventuelt")
    return "\n\n".join([*dict.fromkeys(parts), "Intet."])


def deep_contents() -> str:
    numbers = sorted([*DEEP_GROUPS, *DEEP_POINTS], key=lambda n: [int(p) for p in n.split(".")])
    titles = {**DEEP_GROUPS, **DEEP_POINTS}
    lines = [f"{n}. {titles[n]} ........ {k}" for k, n in enumerate(numbers, 2)]
    return "Indholdsfortegnelse\n\n" + "\n".join(lines)


def test_three_levels_of_numbering_split_at_the_points() -> None:
    for contents in ("", f"{deep_contents()}\n\n"):
        result = split_text(f"{COVER}\n\n{contents}{deep_body()}")
        assert [(i.number, i.title) for i in result.items] == list(DEEP_POINTS.items())
        cases = [f"SAG-2024-0{k}611" for k in range(1, 6)]
        assert [i.case_number for i in result.items] == [*cases, None]
        # A group heading ends the point before it and is in no point's text.
        assert not any(title in i.text for i in result.items for title in DEEP_GROUPS.values())
        assert result.items[-1].text == "Intet."
        assert result.problems == ()


def test_points_all_numbered_three_levels_deep() -> None:
    # Points numbered "1.1.1.", "1.1.2.", "1.2.1." with no heading above them.
    numbers = {"1.1.1": TITLES["3.1"], "1.1.2": TITLES["3.2"], "1.2.1": TITLES["3.3"]}
    points = [point(n, t, f"SAG-2024-0{k}611") for k, (n, t) in enumerate(numbers.items(), 1)]
    body = "\n\n".join([*points, "1.2.2. Eventuelt\n\nIntet."])
    expected = [*numbers.items(), ("1.2.2", "Eventuelt")]
    listed = "\n".join(f"{n}. {t} ........ {k}" for k, (n, t) in enumerate(expected, 2))
    for contents in ("", f"Indholdsfortegnelse\n\n{listed}\n\n"):
        result = split_text(f"{COVER}\n\n{contents}{body}")
        assert [(i.number, i.title) for i in result.items] == expected
        assert [i.case_number for i in result.items][:3] == [f"SAG-2024-0{k}611" for k in (1, 2, 3)]
        assert result.items[-1].text == "Intet."
        assert result.problems == ()


def test_numbered_sections_inside_a_point_stay_in_it() -> None:
    # A strategy quoted by its own section numbers, one level below the point's: not points.
    spor = "3.2.1 Grøn omstilling af transporten\n\n3.2.2 Adgang til uddannelse i hele landet"
    text = "\n\n".join(
        [
            COVER,
            "3. Regionalpolitiske sager",
            point("3.1", TITLES["3.1"], "SAG-2024-00611"),
            point("3.2", TITLES["3.2"], "SAG-2024-01611") + f"\n\nStrategien har to spor:\n\n{spor}"
            f"\n\n{PROSE}",
            point("3.3", TITLES["3.3"], "SAG-2024-02611"),
        ]
    )
    result = split_text(text)
    assert [i.number for i in result.items] == ["3.1", "3.2", "3.3"]
    assert spor in result.items[1].text
    assert result.problems == ()


# Titles opening in lower case in contents set tight (no space between the entries, so the
# PDF's lines come out as one paragraph): the text normaliser starts a line at a number only
# before a capital, so "3. e-Sundhed ..." was joined to the entry before it, and the points
# after it were lost. A date broken over two lines ("mødet den / 3. april") stays one line.
LOWER = {
    "1": "Godkendelse af referat fra mødet den 3. april 2024",
    "2": TITLES["3.1"],
    "3": "e-Sundhed og digitale løsninger i kommunerne",
    "4": "eHealth i det nære sundhedsvæsen",
    "5": "Eventuelt",
}


def lower_contents(leaders: str, separator: str) -> str:
    entries = [f"{n}. {t}{leaders}{k}" for k, (n, t) in enumerate(LOWER.items(), 2)]
    entries[0] = entries[0].replace("den 3.", "den\n3.")
    return "Indholdsfortegnelse\n\n" + separator.join(entries)


def test_a_title_opening_in_lower_case_in_tight_contents_is_an_entry_of_its_own() -> None:
    points = [point(n, t, f"SAG-2024-0{n}611") for n, t in LOWER.items() if n != "5"]
    body = "\n\n".join([*points, "5. Eventuelt\n\nIntet."])
    for leaders in (" ........ ", " "):  # dot leaders, or tab leaders once normalised
        for separator in ("\n", "\n\n"):
            result = split_text(f"{COVER}\n\n{lower_contents(leaders, separator)}\n\n{body}")
            assert [(i.number, i.title) for i in result.items] == list(LOWER.items())
            assert result.items[-1].text == "Intet."
            assert result.problems == ()


def test_a_date_opening_a_line_on_the_cover_is_no_point() -> None:
    # "17.04.24" reads as a number three levels deep. Taken as the first point it pushed every
    # point after it out, as a time of day in a programme did ("9.30 Gruppemøder").
    points = [
        point("1", "Godkendelse af dagsorden", "SAG-2024-00611"),
        point("2", "Regional udviklingsstrategi", "SAG-2024-01611"),
        "3. Eventuelt\n\nIntet.",
    ]
    for day in ("17.04.24", "7.4.24"):
        result = split_text("\n\n".join(["DAGSORDEN", f"{day} Møde i KKR Sjælland", *points]))
        assert [(i.number, i.title) for i in result.items] == [
            ("1", "Godkendelse af dagsorden"),
            ("2", "Regional udviklingsstrategi"),
            ("3", "Eventuelt"),
        ]
        assert result.problems == ()


def test_a_resume_section_without_its_accent_is_a_section() -> None:
    # Municipal and regional agendas (Brønderslev's byråd, Region Midtjylland's committees)
    # open each point with "Resume", written without the accent, and a line under it such as
    # "Sagsforløb: BY". Not known as a section, both were read as the heading's further
    # lines when a known section followed: every title ended "... Resume Sagsforløb: BY".
    def case(number: int, title: str) -> str:
        return "\n\n".join(
            [
                f"{number}. {title}",
                "Resume",
                "Sagsforløb: BY",
                f"Sagsfremstilling\n\n{PROSE}",
                "Beslutning\n\nGodkendt.",
            ]
        )

    titles = ["Fraværende", "Bemærkninger til dagsordenen", "Spørgetid for byrådsmedlemmer"]
    cover = "Byrådet - Referat\n\nDato: 29. januar 2020\n\nTidspunkt: Kl. 19:00"
    text = "\n\n".join([cover, *(case(n, t) for n, t in enumerate(titles, 1))])
    result = split_text(text, DocumentKind.MINUTES)
    assert [(i.number, i.title) for i in result.items] == [
        ("1", titles[0]),
        ("2", titles[1]),
        ("3", titles[2]),
    ]
    assert all(i.beslutning == "Godkendt." for i in result.items)
    assert all(i.text.startswith("Resume\n\nSagsforløb: BY") for i in result.items)


def test_a_pkt_entry_set_tight_under_the_contents_heading_is_an_entry() -> None:
    # A board's agenda (KTC's of 26 November 2010, docplayer.dk/12340812) numbers its points
    # "Pkt. 1" and sets its contents tight under "Indhold". The text normaliser starts a line
    # at "1. Title" but not at "Pkt. 1 Title", so the first entry was joined to the heading
    # ("Indhold Pkt. 1 ..."): the contents lost it, and point 1 was in no item, silently.
    titles = ["Godkendelse af referater", "Kommunikationsstrategi", "Årsmødet 2010", "Eventuelt"]
    contents = "\n".join(["Indhold", *(f"Pkt. {n} {t}... {n}" for n, t in enumerate(titles, 1))])
    points = [f"Pkt. {n} {t}\n\nBilag {n}: Referat\n\n{PROSE}" for n, t in enumerate(titles, 1)]
    text = "\n\n".join(["Bestyrelsesmøde Dagsorden\n\nDato: 26. november 2010", contents, *points])
    result = split_text(text)
    assert [(i.number, i.title) for i in result.items] == [
        (str(n), t) for n, t in enumerate(titles, 1)
    ]
    assert result.items[0].text.startswith("Bilag 1: Referat")
    assert result.problems == ()


# Region Midtjylland's committee agendas (rm.dk, "Sagnr.: 1-51-71-3321-08") and Sbsys agendas
# of the municipalities (Mariagerfjord's, a journal number) set each point's case number above
# its heading, not below it.
ABOVE = {
    "1": ("1-51-71-3321-08", "Afgørelse om afværgetiltag på Rønland"),
    "2": ("1-30-72-11-22", "Status for kollektiv trafik"),
    "3": ("1-15-0-50-1-23", "Eventuelt"),
}


def test_a_case_number_set_above_the_heading_belongs_to_the_point_below_it() -> None:
    # Each case number ended the point before its own (the first was in no item), and no point
    # had a case number: minutes could not be linked to their agenda by it.
    points = [
        f"Sagnr.: {case}\n\n{n}. {title}\n\nResume\n\n{PROSE}\n\nSagsfremstilling\n\n{PROSE}"
        for n, (case, title) in ABOVE.items()
    ]
    cover = "Dagsorden til mødet i Udvalg for regional udvikling den 1. februar 2023"
    contents = "\n".join(
        f"{n}. {title} ........ {k}" for k, (n, (_, title)) in enumerate(ABOVE.items(), 2)
    )
    for text in ("\n\n".join([cover, *points]), "\n\n".join([cover, contents, *points])):
        result = split_text(text)
        assert [(i.number, i.title) for i in result.items] == [
            (n, t) for n, (_, t) in ABOVE.items()
        ]
        assert [i.case_number for i in result.items] == [case for case, _ in ABOVE.values()]
        assert [i.text.splitlines()[0] for i in result.items] == [
            f"Sagnr.: {case}" for case, _ in ABOVE.values()
        ]
        assert all(i.text.endswith(PROSE) for i in result.items)
        assert result.problems == ()


def test_a_case_number_under_the_heading_stays_with_its_point() -> None:
    # KL's own layout: the case number under the heading. A point with nothing but its case
    # number sits between two headings, yet is no case number set above the next point.
    text = "\n\n".join(
        [
            COVER,
            point("1", "Regional udviklingsstrategi", "SAG-2024-00611"),
            "2. Eventuelt\n\nSAG-2024-01611",
            point("3", "Praksisplan for almen praksis", "SAG-2024-02611"),
        ]
    )
    result = split_text(text)
    assert [i.case_number for i in result.items] == [
        "SAG-2024-00611",
        "SAG-2024-01611",
        "SAG-2024-02611",
    ]
    assert result.items[1].text == "SAG-2024-01611"


def test_a_kle_journal_number_without_a_label_is_a_case_number() -> None:
    # Sbsys agendas (Mariagerfjord's committees) give each point its journal number in KL's
    # subject key, "85.02.02-G01-1-17", with no label, above the heading; the numbering runs
    # on through the year. Not read as a case number, it ended the point before.
    journals = {"40": "85.02.02-G01-1-17", "41": "19.03.00-P24-1-19", "42": "18.15.00-Ø40-2-19"}
    titles = {"40": "Godkendelse af dagsorden", "41": "Kvalitetsrapport for museet", "42": "Puljen"}
    points = [
        f"{journals[n]}\n\n{n}. {titles[n]}\n\n{PROSE}\n\nBeslutning\n\nGodkendt." for n in journals
    ]
    result = split_text("\n\n".join(["Referat til mødet i Udvalget for Kultur", *points]))
    assert [(i.number, i.title) for i in result.items] == list(titles.items())
    assert [i.case_number for i in result.items] == list(journals.values())
    assert all(i.text.endswith("Beslutning\n\nGodkendt.") for i in result.items)


def test_the_field_labels_of_municipal_agenda_systems_are_sections() -> None:
    # Sbsys agendas (Mariagerfjord's) open a point with "Forventet sagsgang" and the committee's
    # initials, others (Holbæk's) with "Sagsgang og sagstype". Not known as sections, the label
    # and the line under it were read as the heading's further lines whenever a known section
    # followed: "Godkendelse af dagsorden Forventet sagsgang KF".
    sbsys = "Forventet sagsgang\n\nKF\n\nBeslutning\n\nGodkendt."
    holbaek = "Sagsgang og sagstype\n\nUdvalget for Ældre og Sundhed\n\nBeslutning\n\nGodkendt."
    for fields in (sbsys, holbaek):
        text = "\n\n".join(
            [
                "Referat til mødet i Udvalget for Kultur og Fritid",
                f"40. Godkendelse af dagsorden\n\n{fields}",
                f"41. Udviklings- og talentpuljen\n\n{fields}",
            ]
        )
        result = split_text(text, DocumentKind.MINUTES)
        assert [(i.number, i.title) for i in result.items] == [
            ("40", "Godkendelse af dagsorden"),
            ("41", "Udviklings- og talentpuljen"),
        ]
        assert all(i.text == fields and i.beslutning == "Godkendt." for i in result.items)


def one_point_a_page(
    titles: list[str], *, running: bool, heading: str = "{number}. {title}", case: bool = False
) -> bytes:
    """Minutes of one point a page, each ending in its decision (the layout of municipal
    agenda systems); ``running``: with a running header and footer set inside the text area;
    ``heading``: how a point's number and title are set; ``case``: a case-number line under
    the heading."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.add_font("dejavu", fname="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.set_auto_page_break(False)
    for number, title in enumerate(titles, 1):
        # One point's page turned landscape (a wide table): its running lines sit as far
        # from the top and bottom edges as on the others.
        pdf.add_page(orientation="L" if number == 2 else "P")
        if running:
            pdf.set_font("dejavu", size=9)
            pdf.set_xy(20, 25)
            pdf.cell(0, 5, "KKR Midtjylland - Referat 12. marts 2024")
            pdf.set_xy(20, pdf.h - 29)
            pdf.cell(0, 5, "Referat fra mødet i KKR Midtjylland")
        pdf.set_font("dejavu", size=11)
        pdf.set_xy(20, 40)
        pdf.multi_cell(
            170,
            6,
            heading.format(number=number, title=title)
            + (f"\n\nSagsnr.: SAG-2024-0{number}611" if case else "")
            + "\n\nIndstilling\n\n"
            + "\n".join(
                ["Det indstilles, at KKR Midtjylland tager orienteringen til efterretning."]
                + [PROSE] * number
            )
            + "\n\nBeslutning\n\nGodkendt.",
        )
    return bytes(pdf.output())


@pytest.mark.parametrize("running", [True, False])
def test_decisions_ending_every_page_are_not_running_lines(running: bool) -> None:
    """One point a page: "Indstilling" below each heading and "Beslutning" / "Godkendt." at
    the end of each point recur on every page, but they are the points' sections, not a
    running header or footer (a section heading never is one, and a running line sits at the
    same height on every page)."""
    from notifier.extract import extract
    from notifier.split import split

    titles = [TITLES[n] for n in ALL]
    document = extract(
        one_point_a_page(titles, running=running),
        url="https://www.kl.dk/referat.pdf",
        content_type="application/pdf",
    )
    items = split(document)
    assert [item.title for item in items] == titles
    for item in items:
        assert item.indstilling is not None and item.indstilling.startswith("Det indstilles")
        assert item.beslutning == "Godkendt."
        assert "Referat" not in item.text and "KKR Midtjylland - " not in item.text


@pytest.mark.parametrize("running", [True, False])
@pytest.mark.parametrize(
    "heading", ["Punkt {number}\n{title}", "{number}.\n{title}", "Punkt {number}: {title}"]
)
def test_a_point_number_or_case_number_in_one_place_on_every_page_is_no_running_line(
    running: bool, heading: str
) -> None:
    """One point a page with its number on a line of its own ("Punkt 3" above the title) and
    its case number under the heading: both recur, digits aside, in one place on every page.
    Taken for running lines, every point was lost (or every case number). A running line
    changes from page to page only as a page number does; "Punkt 3" never is one."""
    from notifier.extract import extract
    from notifier.split import split

    titles = [TITLES[n] for n in ALL]
    document = extract(
        one_point_a_page(titles, running=running, heading=heading, case=True),
        url="https://www.kl.dk/referat.pdf",
        content_type="application/pdf",
    )
    items = split(document)
    assert [(item.number, item.title) for item in items] == [
        (str(k), title) for k, title in enumerate(titles, 1)
    ]
    assert [item.case_number for item in items] == [f"SAG-2024-0{k}611" for k in range(1, 6)]
    for item in items:
        assert item.beslutning == "Godkendt."
        assert "Referat" not in item.text and "KKR Midtjylland - " not in item.text


@pytest.mark.parametrize(
    ("lines", "running"),
    [
        (["Side 3 af 9", "Side 4 af 9", "Side 5 af 9", "Side 6 af 9"], True),
        # The bilag numbered from 1 again: most steps still go as the pages do.
        (["Referat s. 7", "Referat s. 8", "Referat s. 1", "Referat s. 2", "Referat s. 3"], True),
        (["Mødet 12. marts 2024"] * 4, True),
        (["Sagsnr.: SAG-2024-01611", "Sagsnr.: SAG-2024-02611", "Sagsnr.: SAG-2024-07611"], False),
        (["Punkt 1", "Punkt 2", "Punkt 3", "Punkt 4"], False),
        # Found by review: the point's number in the header, the same over its pages; a total
        # that changes where two documents were bound together.
        ([f"Referat 17. april 2024 - punkt {n}" for n in (1, 1, 1, 2, 2, 2, 3)], True),
        (
            [f"Dagsorden side {n} af {of}" for n, of in ((1, 3), (2, 3), (3, 3), (1, 5), (2, 5))]
            + ["Dagsorden side 3 af 5", "Dagsorden side 4 af 5"],
            True,
        ),
        (["3.1.", "3.2.", "3.3.", "3.4."], False),
    ],
)
def test_a_running_line_changes_only_as_page_numbers_do(lines: list[str], running: bool) -> None:
    from notifier.extract.normalize import strip_running_lines

    pages = [f"{line}\n\n{PROSE} {k}" for k, line in enumerate(lines)]
    kept = strip_running_lines(pages)
    assert [page.startswith(line) for page, line in zip(kept, lines, strict=True)] == [
        not running
    ] * len(lines)


def test_a_journal_number_under_the_heading_is_the_case_number() -> None:
    # Joint-municipal and municipal agendas (AffaldPlus's board minutes of 29 January 2016,
    # affaldplus.dk/2016-01-29; Egebjerg Kommune's, docplayer.dk/2007834) give each point its
    # journal number, "J.nr.: 00.01.00.A10-0001/2013", alone or above "Sagsnr.: 6628". Not read
    # as a case number, it was read as the heading's further line whenever a section followed:
    # every title ended "... J.nr.: 00.01.00.A10-0001/2013", and no point had a case number.
    titles = ["Godkendelse af dagsorden", TITLES["3.1"], TITLES["3.2"]]
    for numbers in (
        "J.nr.: 00.01.00.A10-000{n}/2013\nSagsnr.: 662{n}",
        "J.nr. 00.01.00.A10-000{n}/2013",
    ):
        decided = "Indstilling:\nTil godkendelse.\n\nBeslutning:\nGodkendt."
        points = [
            f"{n}. {t}\n\n{numbers.format(n=n)}\n\n{decided}" for n, t in enumerate(titles, 1)
        ]
        result = split_text(
            "\n\n".join(["Bestyrelsesmøde 29. januar 2016", *points]), DocumentKind.MINUTES
        )
        assert [(i.number, i.title) for i in result.items] == list(
            zip(["1", "2", "3"], titles, strict=True)
        )
        assert [i.case_number for i in result.items] == [
            f"00.01.00.A10-000{n}/2013" for n in (1, 2, 3)
        ]
        assert all(i.beslutning == "Godkendt." for i in result.items)
        assert result.problems == ()


def test_a_case_number_label_with_its_number_on_the_next_line() -> None:
    # Region Syddanmark's minutes (Forretningsudvalget, 5 December 2007,
    # regionsyddanmark.dk/wm228748) set the case number as a field: "Sagsnr:" on a line of its
    # own, "07/5773" on the next (a table's two columns come out of a PDF so). No point had a
    # case number: minutes could not be linked to their agenda by it.
    titles = [
        "3. økonomi og aktivitetsrapportering",
        "Budgetopfølgning 2007",
        "Region Syddanmarks strategi for indsatsen over for jordforurening",
    ]
    points = [
        f"{n}. {t}\n\nSagsnr:\n\n07/577{n}\n\nResumé\n\n{PROSE}\n\nBeslutning\n\nTiltrådt."
        for n, t in enumerate(titles, 1)
    ]
    cover = "Forretningsudvalget - referat 05-12-2007\n\nMødested:\nRegionshuset"
    result = split_text("\n\n".join([cover, *points]), DocumentKind.MINUTES)
    assert [(i.number, i.title) for i in result.items] == list(
        zip(["1", "2", "3"], titles, strict=True)
    )
    assert [i.case_number for i in result.items] == ["07/5771", "07/5772", "07/5773"]
    assert all(i.beslutning == "Tiltrådt." for i in result.items)
    assert result.problems == ()


@pytest.mark.parametrize(
    ("after", "numbers"),
    [
        # The numbering goes on after the part line (Sbsys agendas: "Åbne dagsordenspunkter").
        ({"4": "Salg af aktier i selskabet", "5": "Eventuelt"}, ["1", "2", "3", "4", "5"]),
        # Or starts again after it, a title opening in lower case.
        ({"1": "e-Sundhed og digitale løsninger", "2": "Eventuelt"}, ["1", "2", "3", "1", "2"]),
    ],
)
def test_a_part_line_in_tight_contents_with_tab_leaders(
    after: dict[str, str], numbers: list[str]
) -> None:
    # Contents set tight with tab leaders (a space once normalised) and a part line between
    # their entries (Mariagerfjord's Sbsys agendas, "Åbne / Lukkede dagsordenspunkter";
    # Egebjerg Kommune's, docplayer.dk/2007834, "Til behandling - for lukkede døre"). The part
    # line, with no number, was joined to the entry before it (and so an entry opening in
    # lower case after it): the part line ended up in the text of the point before it, and
    # when the numbering started again the points after it were lost inside that point.
    before = {"1": "Godkendelse af dagsorden", "2": TITLES["3.1"], "3": TITLES["3.2"]}
    part = "Lukkede dagsordenspunkter"
    entries = [f"{n}. {t}\t{k}" for k, (n, t) in enumerate(before.items(), 2)]
    entries += [f"{part}\t5"] + [f"{n}. {t}\t{k}" for k, (n, t) in enumerate(after.items(), 6)]
    points = [point(n, t, f"SAG-2024-0{n}611") for n, t in before.items()]
    points += [part] + [point(n, t, f"SAG-2024-1{n}611") for n, t in after.items()]
    contents = "Indholdsfortegnelse\n\n" + "\n".join(entries)
    result = split_text("\n\n".join([COVER, contents, *points]))
    assert [(i.number, i.title) for i in result.items] == list(
        zip(numbers, [*before.values(), *after.values()], strict=True)
    )
    assert not any(part in i.text for i in result.items)
    assert result.problems == ()


def test_a_point_titled_in_lower_case_the_contents_leave_out() -> None:
    # Contents listing only the points with bilag (KKR Syddanmark's bilag volume of 26 October
    # 2021, lawinsider.com/da/contracts/dnwUpS19WMq) leave out a point whose title opens in
    # lower case ("e-Sundhed ..."). A heading the contents leave out is taken when its case
    # number follows it, but one in lower case was not looked at: the point was lost inside
    # the one before it.
    titles = {"3.1": TITLES["3.1"], "3.2": "e-Sundhed og digitale løsninger", "3.3": TITLES["3.3"]}
    listed = "\n".join(f"{n}. {titles[n]} ........ {k}" for k, n in ((3, "3.1"), (5, "3.3")))
    contents = f"Indholdsfortegnelse\n\n3. Regionalpolitiske sager ........ 3\n{listed}"
    points = [point(n, t, f"SAG-2024-0{k}611") for k, (n, t) in enumerate(titles.items(), 1)]
    body = "\n\n".join(["3. Regionalpolitiske sager", *points])
    result = split_text(f"{COVER}\n\n{contents}\n\n{body}")
    assert [(i.number, i.title) for i in result.items] == list(titles.items())
    assert [i.case_number for i in result.items] == [f"SAG-2024-0{k}611" for k in (1, 2, 3)]
    assert result.problems == ()


def test_a_point_the_contents_leave_out_with_no_case_number_is_reported() -> None:
    # Contents of an earlier draft lack a point added since; one with no case number to show
    # it is a point ("Meddelelser fra formandskabet", "Eventuelt" at the end) is not taken, as
    # it could be an item of a numbered list. It was lost inside the point before it with no
    # problem reported; its number, the next after that point's, now is reported.
    first = point("1", "Godkendelse af dagsorden", "SAG-2024-00611")
    cases = [
        (
            ["1", "3"],
            [
                first,
                "2. Meddelelser fra formandskabet\n\nIngen.",
                point("3", TITLES["3.1"], "SAG-2024-01611"),
            ],
            "heading 2 (Meddelelser fra formandskabet) inside 1",
        ),
        (
            ["1", "2"],
            [first, point("2", TITLES["3.1"], "SAG-2024-01611"), "3. Eventuelt\n\nIntet."],
            "heading 3 (Eventuelt) inside 2",
        ),
    ]
    for listed, points, heading in cases:
        titles = {"1": "Godkendelse af dagsorden", "2": TITLES["3.1"], "3": TITLES["3.1"]}
        entries = "\n".join(f"{n}. {titles[n]} ........ {k}" for k, n in enumerate(listed, 2))
        result = split_text("\n\n".join([COVER, f"Indholdsfortegnelse\n\n{entries}", *points]))
        assert [i.number for i in result.items] == listed
        assert result.problems == (f"{heading} was not taken as a point",)


@pytest.mark.parametrize(
    "absent",
    [
        "Fraværende: Evan Lynnerup (V) - Marianne Kiærulff (V) mødte som stedfortræder.",
        "Fraværende\n\nHans Østergaard (V)",
        "Fremmøde og inhabilitet:\n\nMikkel Houmann havde meldt afbud.",
        "Afbud: Kurt Munck, suppleant Martin Hillerup deltog",
    ],
)
def test_who_was_absent_under_a_decision_is_not_part_of_it(absent: str) -> None:
    # Minutes note under each point's decision who was absent: Roskilde's committees
    # ("Fraværende: ...", roskilde.dk/dagsorden-og-referat/moeder/kultur-og-idraetsudvalget-
    # 03-04-2019-kl-1800), Ringkøbing-Skjern's ("Fraværende" over the names, rksk.dk, 27
    # October 2025), Copenhagen's local committees ("Fremmøde og inhabilitet:", kk.dk/node/14441),
    # AffaldPlus's board ("Afbud:", affaldplus.dk/2016-01-29). The note ended every decision:
    # subscribers were told "Godkendt. Fraværende: ..." as what was decided.
    points = [
        f"{n}. {t}\n\nSAG-2024-0{n}611 pth\n\nIndstilling\n\nDet indstilles, at KKR godkender "
        f"sagen.\n\nBeslutning\n\nGodkendt.\n\nKKR bemærkede, at sagen følges.\n\n{absent}"
        for n, t in enumerate([TITLES["3.1"], TITLES["3.2"]], 1)
    ]
    result = split_text("\n\n".join([COVER, *points]), DocumentKind.MINUTES)
    assert [(i.number, i.title) for i in result.items] == [
        ("1", TITLES["3.1"]),
        ("2", TITLES["3.2"]),
    ]
    for item in result.items:
        assert item.beslutning == "Godkendt.\n\nKKR bemærkede, at sagen følges."
        assert item.text.endswith(absent)


@pytest.mark.parametrize(
    "council", ["Økonomiudvalget", "Social- og Sundhedsudvalget", "Kommunalbestyrelsen", "Byrådet"]
)
def test_a_decision_headed_with_the_committee_that_took_it(council: str) -> None:
    # Municipal minutes head each decision with the body that took it and the date: Holbæk's
    # "Beslutning i Udvalget for Ældre og Sundhed den 04-06-2020" (dagsordner.holbaek.dk,
    # agenda_473493), and so "Beslutning i Økonomiudvalget den ...". Only "udvalget", "rådet"
    # and KKR were known: the heading and the decision were read as the end of the Indstilling,
    # and the point had no decision.
    points = [
        f"{n}. {t}\n\nIndstilling\n\nAdministrationen indstiller, at sagen godkendes.\n\n"
        f"Beslutning i {council} den 04-06-2020\n\nGodkendt med den ændring, at planen revideres."
        for n, t in enumerate([TITLES["3.1"], TITLES["3.2"]], 49)
    ]
    result = split_text("\n\n".join(["Referat", *points]), DocumentKind.MINUTES)
    assert [i.number for i in result.items] == ["49", "50"]
    for item in result.items:
        assert item.indstilling == "Administrationen indstiller, at sagen godkendes."
        assert item.beslutning == "Godkendt med den ændring, at planen revideres."


def test_decision_minutes_give_each_point_only_what_was_decided() -> None:
    # Decision minutes (beslutningsreferat) set under each title only what was decided, with no
    # "Beslutning" heading, as the minutes of municipal directors' networks and business
    # regions do. No point had a decision, so none was told. (Invented text in that layout.)
    points = [
        "1. Meddelelser fra formanden\n\nFormanden orienterede om mødet med regionen, og "
        "orienteringen blev taget til efterretning.",
        f"2. {TITLES['3.1']}\n\nSAG-2024-01611 pth\n\nKKR tog orienteringen til efterretning.\n\n"
        "KKR bemærkede, at projekterne følges tæt.",
        f"3. {TITLES['3.2']}\n\nSAG-2024-02611\n\nGodkendt.\n\nFraværende: Ole Olsen (V)",
    ]
    cover = "Referat fra møde i kommunaldirektørnetværket\n\nAfbud: Jens Hansen, Ole Olsen"
    text = "\n\n".join([cover, *points])
    result = split_text(text, DocumentKind.MINUTES)
    assert [(i.number, i.case_number) for i in result.items] == [
        ("1", None),
        ("2", "SAG-2024-01611"),
        ("3", "SAG-2024-02611"),
    ]
    assert [i.beslutning for i in result.items] == [
        "Formanden orienterede om mødet med regionen, og orienteringen blev taget til "
        "efterretning.",
        "KKR tog orienteringen til efterretning.\n\nKKR bemærkede, at projekterne følges tæt.",
        "Godkendt.",
    ]
    # An agenda's point is no decision, however bare; a minutes point with sections and no
    # Beslutning decided nothing yet.
    assert all(i.beslutning is None for i in split_text(text).items)
    sections = f"{points[2]}\n\nBaggrund\n\n{PROSE}"
    assert split_text(sections, DocumentKind.MINUTES).items[0].beslutning is None
    # Longer than a record of what was decided (sections under other names, bilag bound after
    # the last point): no decision (found by review).
    appended = f"3. {TITLES['3.2']}\n\nGodkendt.\n\n" + "\n\n".join([PROSE] * 6)
    assert split_text(appended, DocumentKind.MINUTES).items[0].beslutning is None
    # A heading that opens with an attendance word is no note of who was absent.
    absent = f"3. {TITLES['3.2']}\n\nGodkendt.\n\nFraværende ved punktet:\n\nOle Olsen (V)"
    assert split_text(absent, DocumentKind.MINUTES).items[0].beslutning == "Godkendt."
    jobcentre = f"3. {TITLES['3.2']}\n\nGodkendt.\n\nFremmøde i jobcentret\n\nSteg med 4 %."
    assert split_text(jobcentre, DocumentKind.MINUTES).items[0].beslutning == (
        "Godkendt.\n\nFremmøde i jobcentret\n\nSteg med 4 %."
    )


def test_a_decision_headed_with_the_council_and_day_without_i() -> None:
    # "Beslutning KKR Nordjylland 26. juni 2015": the council and the day name the decision,
    # as "Beslutning i KKR ..." does; a heading set tight above a sentence that opens with
    # the council's name stays a heading over that sentence.
    text = "\n\n".join(
        [
            COVER.replace("DAGSORDEN", "REFERAT"),
            "1. Regional udviklingsstrategi\n\nSAG-2024-01611 pth",
            "Baggrund KKR Nordjylland har tidligere drøftet strategien.",
            "Indstilling\n\nDet indstilles, at KKR Nordjylland godkender strategien.",
            "Beslutning KKR Nordjylland 26. juni 2015\n\nGodkendt.",
            "2. Eventuelt\n\nIntet.",
        ]
    )
    items = split_text(text, DocumentKind.MINUTES).items
    assert [i.title for i in items] == ["Regional udviklingsstrategi", "Eventuelt"]
    assert items[0].beslutning == "Godkendt."
    assert "KKR Nordjylland har tidligere drøftet strategien." in items[0].text


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Beslutning i Økonomiudvalget den 04-06-2020", "Beslutning"),
        ("Beslutning i Social- og Sundhedsudvalget den 3. marts 2021:", "Beslutning"),
        ("Beslutning i byrådet", "Beslutning"),
        ("Beslutning i KKR Sjælland den 17. april 2024:", "Beslutning"),
        ("Beslutning KKR Nordjylland 26. juni 2015", "Beslutning"),
        # Found by the second review: the forms municipal minutes use.
        ("Beslutning i Udvalget for Teknik og Miljø den 04-06-2020", "Beslutning"),
        ("Beslutning i Udvalg for Klima og Miljø", "Beslutning"),
        ("Beslutning i Byrådet d. 26. juni 2024", "Beslutning"),
        ("Beslutning i Økonomiudvalget, 3. april 2024 kl. 15.00 (pkt. 5)", "Beslutning"),
        ("Beslutning i udvalget for at sikre koordinering:", None),
        # A line ending in a colon before a list is prose, though a word in it holds "råd" or
        # it names a council (found by review).
        ("Økonomi på området:", None),
        ("Baggrund fra rådgivningsrapporten viser følgende:", None),
        ("Beslutning i Regionsrådet forventes at indeholde følgende elementer:", None),
    ],
)
def test_a_section_heading_names_who_decided_and_when_and_nothing_more(
    line: str, name: str | None
) -> None:
    from notifier.sections import section

    found = section(line)
    assert (found.group(1) if found else None) == name


def test_a_heading_set_again_on_a_later_page_is_no_text_of_the_point() -> None:
    # Minutes whose points run over pages set the heading again at the top of the next page
    # ("3.1. Status for klima VIP-projekterne (fortsat)", "Punkt 3.2 (fortsat)", or the
    # heading as it stands): a mark of the layout, not the point's text.
    text = "\n\n".join(
        [
            COVER.replace("DAGSORDEN", "REFERAT"),
            f"3.1. {TITLES['3.1']}\n\nSAG-2024-01611\n\nSagsfremstilling\n\n{PROSE}",
            f"3.1. {TITLES['3.1']} (fortsat)\n\n{PROSE}\n\nBeslutning\n\nGodkendt.",
            f"3.2. {TITLES['3.2']}\n\nSAG-2024-02611\n\nSagsfremstilling\n\n{PROSE}",
            f"Punkt 3.2 (fortsat)\n\n{PROSE}",
            f"3.2. {TITLES['3.2']}\n\n{PROSE}\n\nBeslutning\n\nTaget til efterretning.",
        ]
    )
    items = split_text(text, DocumentKind.MINUTES).items
    assert [(i.number, i.title) for i in items] == [("3.1", TITLES["3.1"]), ("3.2", TITLES["3.2"])]
    assert [i.beslutning for i in items] == ["Godkendt.", "Taget til efterretning."]
    for item in items:
        assert "fortsat" not in item.text and item.text.count(item.title) == 0
    # Lines that only open with the point's number are its text (found by review).
    own = "\n\n".join(
        [
            "3.\nKollektiv trafik\n\nSAG-2024-01611",
            "Andel af ture\n3 %\n(3)",
            "3. Samarbejdet med trafikselskabet fortsættes\n\nBeslutning\n\nGodkendt.",
        ]
    )
    text = split_text(own, DocumentKind.MINUTES).items[0].text
    assert "3 % (3)" in text and "3. Samarbejdet med trafikselskabet fortsættes" in text


@pytest.mark.parametrize(
    "absent",
    [
        "Ikke til stede: Bjarne Nielsen (V) og Steen Nielsen (A)",
        "Afbud: Mette Holm (A)",
        "Fraværende\n\nHans Østergaard (V)",
        "Fraværende med afbud:\n\nHans Østergaard (V), Ib Hansen (A)",
    ],
)
def test_who_was_absent_set_first_under_the_decision_leaves_the_decision(absent: str) -> None:
    # Minutes that note who was absent first under the decision heading, then what was
    # decided: Stevns' Økonomiudvalg ("Beslutning / Ikke til stede: Bjarne Nielsen (V) og
    # Steen Nielsen (A) / ... / Godkendt.", stevns.dk/dagsorden/oekonomiudvalget-22-10-2018).
    # The note ended the section before anything was in it: the point had no decision.
    points = [
        f"{n}. {t}\n\nSAG-2024-0{n}611 pth\n\nIndstilling\n\nDet indstilles, at KKR godkender "
        f"sagen.\n\nBeslutning\n\n{absent}\n\nGodkendt med den ændring, at planen revideres."
        f"\n\nBilag\n\nBilag 1: Planen"
        for n, t in enumerate([TITLES["3.1"], TITLES["3.2"]], 1)
    ]
    result = split_text("\n\n".join([COVER, *points]), DocumentKind.MINUTES)
    assert [i.number for i in result.items] == ["1", "2"]
    for item in result.items:
        assert item.beslutning == "Godkendt med den ændring, at planen revideres."
        assert item.indstilling == "Det indstilles, at KKR godkender sagen."


def test_a_decision_of_one_word_after_an_attendance_label_alone_is_the_decision() -> None:
    # "Fraværende" alone, the decision "Godkendt" under it: one word is no list of names.
    text = "1. Budget 2025\n\nSAG-2024-01611\n\nBeslutning\n\nFraværende\n\nGodkendt"
    [item] = split_text(f"{COVER}\n\n{text}", DocumentKind.MINUTES).items
    assert item.beslutning == "Godkendt"


@pytest.mark.parametrize(
    "heading",
    [
        "Udvalgets beslutning",
        "Økonomiudvalgets beslutning i mødet den 31. marts 2020",
        "Social- og Sundhedsudvalgets beslutning den 04-06-2020",
        "Byrådets beslutning den 12-03-2020:",
        "Kommunalbestyrelsens beslutning",
    ],
)
def test_a_decision_headed_with_the_body_that_took_it_in_the_genitive(heading: str) -> None:
    # Municipal minutes name the body first, as KL writes "KKR's beslutning": Copenhagen's
    # "Økonomiudvalgets beslutning i mødet den 31. marts 2020" (kk.dk/indhold/okonomiudvalgets-
    # modemateriale/31032020/edoc-agenda/823ceb9a-8901-4d62-bf81-0584e3ba8cf5/eee72c0e-5652-
    # 4a2d-835c-932ac2749fce), "Udvalgets beslutning". Only KKR was known: the heading and the
    # decision were read as the end of the Indstilling, and the point had no decision.
    points = [
        f"{n}. {t}\n\nIndstilling\n\nAdministrationen indstiller, at sagen godkendes.\n\n"
        f"{heading}\n\nGodkendt med den ændring, at planen revideres."
        for n, t in enumerate([TITLES["3.1"], TITLES["3.2"]], 1)
    ]
    result = split_text("\n\n".join(["Referat", *points]), DocumentKind.MINUTES)
    assert [i.number for i in result.items] == ["1", "2"]
    for item in result.items:
        assert item.indstilling == "Administrationen indstiller, at sagen godkendes."
        assert item.beslutning == "Godkendt med den ændring, at planen revideres."


def test_a_sentence_opening_with_the_body_s_decision_is_text() -> None:
    text = (
        "1. Budget 2025\n\nIndstilling\n\nDet indstilles, at sagen godkendes.\n\n"
        "Udvalgets beslutning blev sendt videre til byrådet"
    )
    [item] = split_text(f"Referat\n\n{text}", DocumentKind.MINUTES).items
    assert item.beslutning is None
    assert item.indstilling is not None and item.indstilling.endswith("videre til byrådet")


@pytest.mark.parametrize("case", ["Sags ID: EMN-2021-00123", "Sags-ID: EMN-2021-00123"])
def test_a_labelled_case_number_with_letters_before_it(case: str) -> None:
    # A case number an agenda system prefixes with letters of its own after the label (eDoc's
    # subject file, "EMN-2021-00123"; no stored page, the form is KL's "SAG-2024-01611" with
    # other letters). It was no case number: the line ran into the title.
    points = [
        f"{n}. {t}\n\n{case}\n\nIndstilling\n\nDet indstilles, at sagen godkendes."
        for n, t in enumerate([TITLES["3.1"], TITLES["3.2"]], 1)
    ]
    result = split_text("\n\n".join(["Dagsorden", *points]))
    assert [(i.number, i.title, i.case_number) for i in result.items] == [
        ("1", TITLES["3.1"], "EMN-2021-00123"),
        ("2", TITLES["3.2"], "EMN-2021-00123"),
    ]


@pytest.mark.parametrize("council", ["Teknik- og Miljøudvalget", "Økonomiudvalget", "Byrådet"])
def test_a_decision_headed_with_the_committee_and_day_without_i(council: str) -> None:
    # Aabenraa's minutes head the decision "Beslutning Teknik- og Miljøudvalget den 11-08-2021"
    # (aabenraa.dk/politik-og-dialog/dagsordener-og-referater/teknik-og-miljoeudvalget/
    # 2021-08-11-0900-7734/), the committee's before the council's when both decided. Read as a
    # heading set tight above its text, the committee and the day were told as decided.
    points = [
        f"{n}. {t}\n\nIndstilling\n\nAdministrationen indstiller, at sagen godkendes.\n\n"
        f"Beslutning Teknik- og Miljøudvalget den 11-08-2021\n\nAnbefales.\n\n"
        f"Beslutning {council} den 25-08-2021\n\nGodkendt."
        for n, t in enumerate([TITLES["3.1"], TITLES["3.2"]], 1)
    ]
    result = split_text("\n\n".join(["Beslutningsprotokol", *points]), DocumentKind.MINUTES)
    assert [i.number for i in result.items] == ["1", "2"]
    assert [i.beslutning for i in result.items] == ["Godkendt."] * 2
    assert [i.indstilling for i in result.items] == [
        "Administrationen indstiller, at sagen godkendes."
    ] * 2


def test_what_was_decided_after_a_note_of_who_was_absent_is_the_decision() -> None:
    # Copenhagen's Økonomiudvalg notes who was absent inside the decision and then tells what
    # was decided ("Fraværende med afbud: / Ingen. / Dagsorden: / ... / Dagsordenen blev
    # herefter godkendt.", kk.dk/indhold/okonomiudvalgets-modemateriale/31032020/edoc-agenda/
    # 823ceb9a-8901-4d62-bf81-0584e3ba8cf5/eee72c0e-5652-4a2d-835c-932ac2749fce). The note
    # ended the decision: what was decided was lost.
    decision = (
        "Beslutning\n\nMødet startede kl. 15.30.\n\nFraværende med afbud:\n\nIngen.\n\n"
        "Dagsorden:\n\nØkonomiudvalget besluttede at behandle tillægsdagsordenen som nyt "
        "punkt 14.\n\nDagsordenen blev herefter godkendt."
    )
    points = [
        f"{n}. {t}\n\nIndstilling\n\nØkonomiforvaltningen indstiller, at dagsordenen godkendes."
        f"\n\n{decision}"
        for n, t in enumerate([TITLES["3.1"], TITLES["3.2"]], 1)
    ]
    result = split_text("\n\n".join(["Referat", *points]), DocumentKind.MINUTES)
    assert [i.number for i in result.items] == ["1", "2"]
    for item in result.items:
        assert item.beslutning is not None
        assert item.beslutning.startswith("Mødet startede kl. 15.30.")
        assert item.beslutning.endswith("Dagsordenen blev herefter godkendt.")
        assert "Ingen" not in item.beslutning and "afbud" not in item.beslutning


def test_sentences_on_who_sent_word_under_the_note_are_part_of_it() -> None:
    # Copenhagen's local committees set a sentence a member under "Fremmøde og inhabilitet:"
    # (kk.dk/node/14441/19042018/edoc-agenda/82088cb9-4ea9-4523-a403-4613ed3484b6/b86d22f3-
    # 3759-4ae1-aa93-9f2d7f36dc7e): they say who came, not what was decided.
    note = (
        "Fremmøde og inhabilitet:\n\nMikkel Houmann havde meldt afbud, og Peter Steffensen "
        "deltog i stedet.\n\nChristoffer Rosenkrands havde meldt afbud. 1. suppleant Thomas "
        "Bryde-Procida var indkaldt, men mødte ikke frem.\n\nSheikh Mohammed udeblev uden afbud."
    )
    text = f"1. {TITLES['3.1']}\n\nBeslutning\n\nDagsordenen blev godkendt.\n\n{note}"
    [item] = split_text(f"Referat\n\n{text}", DocumentKind.MINUTES).items
    assert item.beslutning == "Dagsordenen blev godkendt."
