"""Pieces of a rendered digest entry, without a database."""

from __future__ import annotations

import random

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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A theme page's subheadings: each closed, not run into the sentence after it.
        (
            "KKR varetager kommunernes interesser.\n\nSundhedssamarbejdsudvalget\n\n"
            "Kommunerne og regionen indgår en sundhedsaftale.",
            "KKR varetager kommunernes interesser. Sundhedssamarbejdsudvalget. Kommunerne og "
            "regionen indgår en sundhedsaftale.",
        ),
        # A numbered subheading in a point's Sagsfremstilling.
        (
            "SAG-2021-01954 nihj\n\nSagsfremstilling\n\nStatus for projekterne er følgende."
            "\n\n1. Fælles klima- og energiplaner (DK2020)\n\nSeks kommuner har en klimaplan.",
            "Status for projekterne er følgende. 1. Fælles klima- og energiplaner (DK2020). "
            "Seks kommuner har en klimaplan.",
        ),
        # A newsletter's lead line with no full stop before its text.
        (
            "KKR Sjælland holdt møde den 10. september 2019 i Ringsted\n\n"
            "På mødet drøftede KKR Sjælland blandt andet uddannelse.",
            "KKR Sjælland holdt møde den 10. september 2019 i Ringsted. På mødet drøftede KKR "
            "Sjælland blandt andet uddannelse.",
        ),
        # A heading under a list, which it ends.
        (
            "Mødedatoer 2021\n\n• Mandag den 19. april\n\nMødemateriale 2021\n\nKKR holdt møde.",
            "Mødedatoer 2021 • Mandag den 19. april. Mødemateriale 2021. KKR holdt møde.",
        ),
        # Not headings but a list after a colon, each item ended; a sentence broken by a
        # page, a last line.
        (
            "Der orienteres fra fora, herunder:\n\nPraksisplanudvalget\n\nMovia\n\n"
            "Desuden orienterer formandskabet.",
            "Der orienteres fra fora, herunder: Praksisplanudvalget; Movia. Desuden orienterer "
            "formandskabet.",
        ),
        (
            "Modellen har været til politisk godkendelse i\n\nkommunerne med frist.",
            "Modellen har været til politisk godkendelse i kommunerne med frist.",
        ),
        # A closing link's label leads nowhere in a mail: not shown (the stored text keeps it).
        ("Aftalen er godkendt.\n\nLæs mere", "Aftalen er godkendt."),
        # A sentence broken by a page before a name.
        (
            "KKR drøftede sagen.\n\nAftalen skal nu forhandles med\n\nDanske Regioner i år.",
            "KKR drøftede sagen. Aftalen skal nu forhandles med Danske Regioner i år.",
        ),
        # A table's row; a paragraph broken by a page after a full line.
        (
            "Pladser i alt.\n\nKommune 2019 2025 Holbæk 8.137 5.369\n\nKKR drøftede tallene.",
            "Pladser i alt. Kommune 2019 2025 Holbæk 8.137 5.369 KKR drøftede tallene.",
        ),
        (
            "Det er gennem de 29 socialdirektører i kommunerne samt Region Hovedstadens Sociale"
            "\n\nVirksomhed, at udvalget indsamler tilkendegivelser.",
            "Det er gennem de 29 socialdirektører i kommunerne samt Region Hovedstadens Sociale "
            "Virksomhed, at udvalget indsamler tilkendegivelser.",
        ),
    ],
)
def test_excerpt_closes_headings_inside_the_text(text: str, expected: str) -> None:
    assert excerpt("Titel", text, point=text.startswith("SAG")) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A list of lines without bullets (a <br> per item), then a sentence.
        (
            "KKR gav følgende input:\nFN's verdensmål bør være i fokus\nDer bør sættes delmål\n"
            "Der bør være fokus på effekt.\n\nNæste møde er i oktober.",
            "KKR gav følgende input: FN's verdensmål bør være i fokus; Der bør sættes delmål. "
            "Der bør være fokus på effekt. Næste møde er i oktober.",
        ),
        # A paragraph without its full stop before the next.
        (
            "KKR drøftede anlægsprojekterne i Hovedstaden Holmene ved Avedøre og Lynetteholm\n\n"
            "Borgmester Anette Mortensen indtræder i følgegruppen.",
            "KKR drøftede anlægsprojekterne i Hovedstaden Holmene ved Avedøre og Lynetteholm. "
            "Borgmester Anette Mortensen indtræder i følgegruppen.",
        ),
        # Lines of one paragraph are a list without a lead-in too; a label over its value
        # in paragraphs of their own is not one.
        (
            "Fødevarer\nMiljøteknologi\nLife science\n\nNæste møde\n\n30. august 2021",
            "Fødevarer; Miljøteknologi; Life science. Næste møde 30. august 2021",
        ),
        # Lines that go on, a bullet list: as they were.
        (
            "KKR Sjælland holdt møde i\nRingsted den 8. juni.",
            "KKR Sjælland holdt møde i Ringsted den 8. juni.",
        ),
        ("Emner:\n\n• Sundhed\n\n• Trafik", "Emner: • Sundhed • Trafik"),
    ],
)
def test_an_html_pages_lines_each_end_in_an_excerpt(text: str, expected: str) -> None:
    """An HTML page's lines are its author's: an item of a list set as lines without bullets
    (or a paragraph without its full stop) ends before the next line, as it does on the page,
    rather than running into it as one sentence."""
    assert excerpt("Titel", text, lines=True) == expected


@pytest.mark.parametrize(
    "text",
    [
        "KKR Sjælland har på mødet den 21. juni drøftet\nSundhedsaftalen og den videre proces "
        "for arbejdet med de nye sundhedsklynger.",
        "Har du spørgsmål, er du velkommen til at kontakte\nJens Hansen, konsulent i KKR "
        "Sjælland, på telefon 3370 3370.",
    ],
)
def test_a_sentence_a_line_break_cuts_before_a_name_stays_one_sentence(text: str) -> None:
    """A <br> inside a sentence, before a word with a capital (a name, "Sundhedsaftalen"): the
    line before it was closed as a heading or a list's item ("... drøftet. Sundhedsaftalen og
    den videre proces ..."), a full stop in the middle of the sentence."""
    assert excerpt("Titel", text, lines=True) == " ".join(text.split())


def test_a_heading_over_its_text_on_a_line_of_its_own_is_closed() -> None:
    text = "Sundhedsaftalen\nKKR Sjælland godkendte udkastet til sundhedsaftalen."
    assert excerpt("Titel", text, lines=True) == (
        "Sundhedsaftalen. KKR Sjælland godkendte udkastet til sundhedsaftalen."
    )


def test_a_pdfs_wrapped_lines_are_one_paragraph_in_an_excerpt() -> None:
    """A PDF's lines wrap where the page ends, before a name as anywhere else."""
    text = "KKR drøftede resultatkontrakten mellem KKR Sjælland og Erhvervshus\nSjælland for 2024."
    assert excerpt("Titel", text) == " ".join(text.split())


def test_a_shared_render_encoded_once_is_each_text_encoded() -> None:
    """A shared render's text and HTML are encoded once (``mail.Prepared``) and filled in per
    subscriber: whenever ``encodable`` says so, that is the text filled in, stripped and
    encoded; placeholders at either end, empty values and spaces included."""
    from markupsafe import escape

    from notifier import mail
    from notifier.shared_renders import (
        MANAGE,
        NAME,
        UNSUBSCRIBE,
        VIEW,
        Impersonal,
        Personal,
        Rendered,
    )

    pieces = [NAME, MANAGE, UNSUBSCRIBE, VIEW, "a", " ", "\n", "æ", "=", "x" * 80, "\t", "."]
    values = ["", " ", "Bo <B>", "https://e.dk/x?a=b", "Ån ", "y" * 90, "a\nb"]
    rng = random.Random(7)
    encoded = 0
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        shared = Impersonal.of(Rendered(subject="s", text=text, html=html))
        personal = {key: rng.choice(values) for key in (NAME, MANAGE, UNSUBSCRIBE, VIEW)}
        filled_text, filled_html, escaped_html = text, html, html
        for key, value in personal.items():
            filled_text, filled_html, escaped_html = (
                filled_text.replace(key, value),
                filled_html.replace(key, value),
                escaped_html.replace(key, str(escape(value))),
            )
        if shared.encodable(personal):
            encoded += 1
            assert shared.encoded_text.fill(personal).data == mail._qp(filled_text.strip() + "\n")
            assert shared.encoded_html.fill(personal).data == mail._qp(filled_html)
        # What a subscriber's message is made of: the filled-in text and escaped HTML, joined
        # only when asked for, encoded whenever ``encodable`` allows.
        one = Personal(shared, personal)
        assert one.encoded_text is None or one.encoded_text.data == mail._qp(
            filled_text.strip() + "\n"
        )
        assert one.encoded_html is None or one.encoded_html.data == mail._qp(escaped_html)
        assert (one.encoded_text is None) == (not shared.encodable(personal))
        assert (one.text, one.html) == (filled_text.strip() + "\n", escaped_html)
    assert encoded > 500
