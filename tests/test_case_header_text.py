"""The text of a point right under its case header stays text: a field's label whose value was
left empty does not take the first line of the text for its value; and a sentence of the text
telling who decides is no field "Sagen afgøres i". Invented wording in the
layout of PolWeb agendas (the header's labels and values a line each), rendered to PDF and read
back through extract() and split_document(). Each failed before the change it was written for.
"""

from __future__ import annotations

import pytest

from notifier.split import point_summary
from tests.test_probed_layouts import PROSE, text_pdf

RECOMMENDS = "Det indstilles, at planen godkendes."
OPENINGS = ["EU-midler til grøn omstilling", "KL og regionerne", "Kort om sagen"]


@pytest.mark.parametrize("opening", OPENINGS)
def test_an_empty_field_s_label_leaves_the_text_under_it(opening: str) -> None:
    # The case worker's initials left empty: "Initialer" stands right over the text, whose
    # first line was taken for their value and left out of the excerpt.
    paragraphs = ["Byrådet", "Dagsorden", "1. Borgernes forslag til byens torv"]
    paragraphs += ["Sagsnr.", "450-2018-1234", "Initialer", opening, PROSE]
    (item,) = text_pdf(paragraphs, kind="dagsorden").items
    assert item.case_number == "450-2018-1234"
    assert point_summary(item.text, item.beslutning) == f"{opening}\n\n{PROSE}"


def test_a_field_s_value_under_its_label_is_still_the_header() -> None:
    # Still: a name, initials or a number under the label is its value.
    paragraphs = ["Byrådet", "Dagsorden", "1. Borgernes forslag til byens torv"]
    paragraphs += ["Sagsnr.", "450-2018-1234", "Sagsbehandler", "Jens Hansen", "Åbent", PROSE]
    (item,) = text_pdf(paragraphs, kind="dagsorden").items
    assert point_summary(item.text, item.beslutning) == PROSE


@pytest.mark.parametrize(
    "told", ["Sagen afgøres i Byrådet.", "Sagen afgøres i Byrådet den 14. maj."]
)
def test_who_decides_told_in_the_case_s_text_keeps_the_text_after_it(told: str) -> None:
    # A sentence of the Sagsfremstilling read as the field "Sagen afgøres i": the paragraphs
    # after it, to the next section, were left out of the excerpt as the field's.
    more = "Skolebestyrelserne har haft forslaget i høring, og deres svar er samlet i et notat."
    paragraphs = ["Byrådet", "Referat", "1. Plan for skolernes bygninger", "Sagsnr.: 20/1234"]
    paragraphs += ["Sagsfremstilling", PROSE, told, more, "Indstilling", RECOMMENDS]
    paragraphs += ["Beslutning", "Godkendt."]
    (item,) = text_pdf(paragraphs).items
    assert point_summary(item.text, item.beslutning) == f"{PROSE}\n\n{told}\n\n{more}"
    assert item.indstilling == RECOMMENDS
    assert item.beslutning == "Godkendt."
