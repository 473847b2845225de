"""Pieces of a rendered digest entry, without a database."""

from __future__ import annotations

import pytest

from notifier.render import excerpt


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # A newsletter section's text repeats its heading first: the excerpt starts after it.
        (
            "Aftale om IV-behandling",
            "Aftale om IV-behandling KKR godkendte aftalen.",
            "KKR godkendte aftalen.",
        ),
        ("Status", "Status: sagen er lukket.", "sagen er lukket."),
        ("Klimaplan", "KKR drøftede klimaplanen.", "KKR drøftede klimaplanen."),
        ("Klimaplan", "Klimaplan", "Klimaplan"),  # nothing but the title: keep it
        ("Status", "Statusrapporten er klar.", "Statusrapporten er klar."),
        # An agenda point opens with its case number and a section heading: skip both.
        (
            "Status for klima VIP-projekterne",
            "SAG-2021-01954 nihj\n\nBaggrund\n\nTovholderkommunerne har udarbejdet en status.",
            "Tovholderkommunerne har udarbejdet en status.",
        ),
        ("Takster", "Sagsnr.: 24/01235\nSagsfremstilling:\nTaksterne stiger.", "Taksterne stiger."),
        # A paragraph that merely starts with such a word is content.
        ("Vækst", "Baggrunden er enkel: flere job.", "Baggrunden er enkel: flere job."),
    ],
)
def test_excerpt_skips_a_repeated_title(title: str, text: str, expected: str) -> None:
    assert excerpt(title, text) == expected
