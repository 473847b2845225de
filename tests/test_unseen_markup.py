"""Markup that kl.dk's editors and CMS produce and the other fixtures lack, read as a careful
reader would: Word-pasted paragraphs wrapped in <span>s, year labels between a meeting page's
groups of meetings, listing dates given as "I dag" and "I går". The wording is that of kl.dk's
stored pages (docs/kl-dk.md)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.test_unseen_html import HERO, files, items_of, newsletter


def test_a_paragraph_in_a_span_with_one_bold_word_is_not_a_heading() -> None:
    """Pasted text arrives as "<p><span>…</span></p>": the span holds a bold word, it is not
    bold itself, so the paragraph is text of the section, not a heading of its own."""
    body = (
        "<h2>Trafik</h2><p>Movias budget blev drøftet.</p>"
        "<p><span>KKR drøftede <strong>Movias</strong> budget for de regionale buslinjer</span>"
        "</p><p><span>Næste drøftelse er i februar.</span></p>"
        "<h2>Sundhed</h2><p>KKR godkendte aftalen.</p>"
    )
    items = items_of(newsletter(HERO + body))
    assert list(items) == ["Trafik", "Sundhed"]
    assert "KKR drøftede Movias budget for de regionale buslinjer" in items["Trafik"]


def test_a_paragraph_in_a_span_opening_with_plain_text_is_not_split_into_sections() -> None:
    """One paragraph of lines divided by empty lines is split into sections only when its
    parts open with bold headings; a span holding bold further on opens with plain text."""
    body = (
        "<h2>Trafik</h2><p><span>Movias budget blev drøftet, og <b>KKR</b> bakkede op"
        "</span><br><br><span>Næste drøftelse er i februar</span><br><br>"
        "<span>Mødet sluttede med <b>en status</b></span></p>"
    )
    items = items_of(newsletter(HERO + body))
    assert list(items) == ["Trafik"]


@pytest.mark.parametrize(
    "label",
    [
        "<p><strong>2023</strong></p>",
        "<p><b>2023</b></p>",
        "<p>2023</p>",
        "<strong>2023</strong>",
        "<div><b>Mødemateriale 2023</b></div>",
        "<p><strong>Møder i 2023:</strong></p>",
    ],
)
def test_a_year_label_ends_the_last_meeting_of_the_year_after(label: str) -> None:
    """A meeting page may set the year over its meetings as a bold line, not a heading: the
    files under the next year's label are not the last meeting's above it."""
    body = (
        "<div><p>KKR Sjælland holdt møde den 6. februar 2024.</p>"
        '<ul><li><a href="/media/a1/referat.pdf">Referat</a></li></ul>'
        f"{label}"
        '<ul><li><a href="/media/b1/referat.pdf">Referat</a></li></ul>'
        "<p>KKR Sjælland holdt møde den 20. november 2023.</p>"
        '<ul><li><a href="/media/c1/referat.pdf">Referat</a></li></ul></div>'
    )
    assert [(url, day) for url, _, day in files(body)] == [
        ("a1/referat.pdf", date(2024, 2, 6)),
        ("b1/referat.pdf", None),
        ("c1/referat.pdf", date(2023, 11, 20)),
    ]


def test_a_year_in_a_line_of_text_ends_no_meeting() -> None:
    body = (
        "<div><p>KKR Sjælland holdt møde den 6. februar 2024.</p>"
        '<ul><li><a href="/media/a1/dagsorden.pdf">Dagsorden</a></li></ul>'
        "<div>Referatet følger i <b>2024</b></div><p>Se <strong>2024</strong></p>"
        '<ul><li><a href="/media/a2/bilag.pdf">Bilag 1</a></li></ul></div>'
    )
    assert [day for _, _, day in files(body)] == [date(2024, 2, 6)] * 2
