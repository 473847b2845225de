"""The case header set one field to a line, and who decides a case set as a field after the
Indstilling: layouts of PolWeb agendas and minutes (polweb.nethotel.dk, the web pages of Nyborg's
and Odsherred's byråd, 2018-2021), rendered to PDF with our own wording and read back through
extract() and split_document(). Each failed before the change it was written for.
"""

from __future__ import annotations

import pytest

from notifier.split import point_summary
from tests.test_probed_layouts import PROSE, text_pdf

RECOMMENDS = "Det indstilles, at planen godkendes."

HEADERS = {
    # Nyborg (polweb.nethotel.dk, p=nyborg07, Byrådet 9. oktober 2018): each label and each
    # value a cell of a table, so a line of its own: "Sagsnr." / number / "Initialer" /
    # initials / "Åbent".
    "nyborg": ["Sagsnr.", "450-2018-{n}", "Initialer", "ABC", "Åbent"],
    # Odsherred (polweb.nethotel.dk, p=odsherred, Byrådet 2019): the label before its value,
    # "Sag ..." / "Dok. ..." / "Initialer: ..." / "Åbent".
    "odsherred": ["Sag 306-2019-{n}", "Dok. 306-2019-2634{n}", "Initialer: ABC", "Åbent"],
}


def _minutes(header: list[str], decides: list[str]) -> list[str]:
    titles = ["Indkaldelse af stedfortræder", "Plan for skolernes bygninger"]
    paragraphs = ["Byrådet", "Referat"]
    for number, title in enumerate(titles, 1):
        paragraphs += [f"{number}. {title}", *(line.format(n=number) for line in header)]
        paragraphs += ["Sagsfremstilling", PROSE, "Indstilling", RECOMMENDS, *decides]
        paragraphs += ["Beslutning i Byrådet 9. oktober 2018:", "Godkendt."]
    return paragraphs


@pytest.mark.parametrize("template", sorted(HEADERS))
def test_case_fields_on_lines_of_their_own_are_the_case_header_not_the_excerpt(
    template: str,
) -> None:
    # The case number was found, but the excerpt opened with the fields after it
    # ("450-2018-4075 Initialer NIB Åbent").
    split = text_pdf(_minutes(HEADERS[template], []))
    assert [item.title for item in split.items] == [
        "Indkaldelse af stedfortræder",
        "Plan for skolernes bygninger",
    ]
    assert all(item.case_number for item in split.items)
    for item in split.items:
        assert point_summary(item.text, item.beslutning) == PROSE
        assert item.beslutning == "Godkendt."


@pytest.mark.parametrize(
    "decides", [["Sagen afgøres i", "Byrådet."], ["Sagen afgøres i: Økonomiudvalget"]]
)
def test_who_decides_after_the_recommendation_is_no_part_of_it(decides: list[str]) -> None:
    # Nyborg's "Sagen afgøres i" / "Byrådet." under the Indstilling (polweb.nethotel.dk,
    # p=nyborg07, Byrådet 27. november 2018; "Erhvervs- og Udviklingsudvalget." for a
    # committee's own cases): it was read as more of the recommendation.
    split = text_pdf(_minutes(HEADERS["nyborg"], decides))
    assert [item.indstilling for item in split.items] == [RECOMMENDS] * 2
    assert [item.beslutning for item in split.items] == ["Godkendt."] * 2
    assert point_summary(split.items[0].text, split.items[0].beslutning) == PROSE


def test_a_sentence_on_who_decides_stays_text_of_the_case() -> None:
    # Still: prose telling who decides, with more after the body's name, is the case's text.
    told = "Sagen afgøres i Byrådet, da den ændrer kommunens serviceniveau for alle skoler."
    paragraphs = ["Byrådet", "Referat", "1. Plan for skolernes bygninger", "Sagsnr.: 20/1234"]
    paragraphs += ["Sagsfremstilling", PROSE, told, "Indstilling", RECOMMENDS]
    paragraphs += ["Beslutning", "Godkendt."]
    (item,) = text_pdf(paragraphs).items
    assert point_summary(item.text, item.beslutning) == f"{PROSE}\n\n{told}"
    assert item.indstilling == RECOMMENDS


def test_text_right_under_the_case_number_is_no_field() -> None:
    # Still: a point with no section headings whose text opens with a word a field may start
    # with ("Åbent hus ...") keeps it, and so do short lines of the text after a header.
    opening = "Åbent hus på rådhuset blev holdt i maj, og borgernes forslag er samlet i et notat."
    paragraphs = ["Byrådet", "Dagsorden", "1. Borgernes forslag til byens torv"]
    paragraphs += ["Sagsnr.", "450-2018-1234", "Initialer", "ABC", opening, PROSE]
    (item,) = text_pdf(paragraphs, kind="dagsorden").items
    assert item.case_number == "450-2018-1234"
    assert point_summary(item.text, item.beslutning) == f"{opening}\n\n{PROSE}"
