"""Markup that kl.dk's editors and CMS produce and the other fixtures lack, read as a careful
reader would: Word-pasted paragraphs wrapped in <span>s, year labels between a meeting page's
groups of meetings, listing dates given as "I dag" and "I går". The wording is that of kl.dk's
stored pages (docs/kl-dk.md)."""

from __future__ import annotations

from tests.test_unseen_html import HERO, items_of, newsletter


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
