"""kl.dk pages rebuilt around the text of their stored copies, in markup the other fixtures
lack: a meeting page whose accordion or headings give a meeting's "Bilag" a toggle or heading
of its own beside the meeting's, and newsletters whose lists are lines without bullets.

Each test names the stored page its wording comes from; the markup around it is what Umbraco
and other CMSs produce for such content."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from tests.test_unseen_html import files

# https://www.kl.dk/politik/kkr/kkr-hovedstaden/moedemateriale: "Mødemateriale 2024", a meeting
# per paragraph ("KKR Hovedstaden holder møde den 19. april 2024 ..."), "Herunder ses dagsorden
# og bilag." over the files.
_TOGGLE = '<div class="accordion__item"><button aria-expanded="false" aria-controls="p{n}">'
_PANEL = '</button><div id="p{n}" hidden>{files}</div></div>'


def _details(label: str, links: str, n: int) -> str:
    return f"<details><summary>{label}</summary>{links}</details>"


def _buttons(label: str, links: str, n: int) -> str:
    return _TOGGLE.format(n=n) + label + _PANEL.format(n=n, files=links)


def _headings(label: str, links: str, n: int) -> str:
    return f"<h3>{label}</h3>{links}"


@pytest.mark.parametrize("part", [_details, _buttons, _headings], ids=["details", "buttons", "h3"])
def test_a_meetings_bilag_beside_its_meeting_keeps_the_meetings_date(
    part: Callable[[str, str, int], str],
) -> None:
    """ "Bilag" or "Bilag til dagsorden" beside the meeting's own toggle or heading opens that
    meeting's papers; a toggle or heading naming something else ("Temamøde om sundhed") or
    many meetings' papers ("Referater") does not take the date of the meeting before it."""
    sections = [
        ("Møde den 19. april 2024", "a1/dagsorden.pdf", "Dagsorden"),
        ("Bilag", "a2/bilag.pdf", "Bilag 1 Energi på Tværs"),
        ("Møde den 6. februar 2024", "b1/dagsorden.pdf", "Dagsorden"),
        ("Bilag til dagsorden", "b2/bilag.pdf", "Bilag 2 Mobilitetsplan 2024"),
        ("Temamøde om sundhed", "c1/program.pdf", "Program"),
        ("Møde den 24. november 2023", "d1/dagsorden.pdf", "Dagsorden"),
        ("Referater", "d2/referat.pdf", "Referat 8. september 2023"),
    ]
    body = "".join(
        part(label, f'<ul><li><a href="/media/{path}">{name}</a></li></ul>', n)
        for n, (label, path, name) in enumerate(sections)
    )
    assert [(url, day) for url, _, day in files(f'<div class="accordion">{body}</div>')] == [
        ("a1/dagsorden.pdf", date(2024, 4, 19)),
        ("a2/bilag.pdf", date(2024, 4, 19)),
        ("b1/dagsorden.pdf", date(2024, 2, 6)),
        ("b2/bilag.pdf", date(2024, 2, 6)),
        ("c1/program.pdf", None),
        ("d1/dagsorden.pdf", date(2023, 11, 24)),
        ("d2/referat.pdf", date(2023, 9, 8)),
    ]
