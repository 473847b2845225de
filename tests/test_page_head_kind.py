"""A web page at an agenda's address is read as its head's title says, and only a title: the
title of a point or a link to another meeting's minutes in the head says nothing of the page.
Invented wording in the layout of a municipal agenda page (a body's name as the page's title, the
meeting's day, the points as headings), read back through extract_split(). Each agenda case
failed before the change it was written for: read as the minutes, the agenda at its address
became a document beside the stored agenda.
"""

from __future__ import annotations

import pytest

from notifier.extract import extract_split
from notifier.models import DocumentKind

URL = "https://www.example.dk/dagsorden/kommunalbestyrelsen-22-01-2020"
BODY = "<p>Indstilling</p><p>Direktionen indstiller, at planen godkendes.</p>"


def _kind(head: list[str], titles: list[str]) -> DocumentKind:
    html = "".join(f"<p>{line}</p>" for line in head)
    html += "".join(f"<h2>{title}</h2>{BODY}" for title in titles)
    page = "<html><head><title>Kommunalbestyrelsen</title></head><body><main>"
    page += f"<h1>Kommunalbestyrelsen</h1>{html}</main></body></html>"
    document, _ = extract_split(page.encode(), url=URL, content_type="text/html")
    return document.kind


DAY = "Dato: 22. januar 2020"


@pytest.mark.parametrize(
    ("head", "titles"),
    [
        # a point's title, unnumbered, among the head's first blocks
        ([DAY], ["Godkendelse af referat", "Vejplan for midtbyen"]),
        # a link to the minutes of the meeting before
        ([DAY, "Se referat fra sidste møde"], ["1. Vejplan for midtbyen", "2. Salg af grund"]),
        ([DAY, "Referat fra forrige møde"], ["1. Vejplan for midtbyen", "2. Salg af grund"]),
    ],
)
def test_a_head_line_naming_another_document_leaves_the_agenda(
    head: list[str], titles: list[str]
) -> None:
    assert _kind(head, titles) is DocumentKind.AGENDA


@pytest.mark.parametrize(
    "title", ["Referat", "Kommunalbestyrelsen - Referat", "Beslutningsreferat"]
)
def test_a_head_titled_by_its_kind_is_read_so(title: str) -> None:
    # Still: the head's title says the page is the minutes.
    assert _kind([title, DAY], ["1. Vejplan for midtbyen", "2. Salg af grund"]) is (
        DocumentKind.MINUTES
    )
