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
