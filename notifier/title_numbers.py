"""Pure: point numbers set under their titles, as Rødovre's minutes set them.

Rødovre's agenda system heads a point with its title and puts the point's number on the line
under it: "Tillæg 1 til Lokalplan 145 - endelig vedtagelse", then "Sag nr. 130" (rk.dk/politik/
kommunalbestyrelsen/visning/moede/KB-UID183461-1), the number running on through the year. No
line opens with a number, so the splitter found no point at all. Such headings are rewritten
here to the form the splitter reads ("130. Tillæg 1 til ..."), before it looks for points.
"""

from __future__ import annotations

import re

from notifier.headings import confirmed, title_line
from notifier.toc import Unit

# "Sag nr. 130", "Sag nr. 45 (BE 3/2011)", at the end of the title's line when the text
# normaliser joined the two (set tight, as they are).
_NUMBER = re.compile(r"^(?:(?P<title>.*?)\s+)?Sag\s+nr\.?\s*(?P<number>\d{1,3})(?:\s*\([^)]*\))?$")


def numbered_titles(found: list[Unit]) -> list[Unit]:
    """The units with each title whose number is set under it made "130. Title". Taken only
    when the numbers go up through the document and each follows a title (short, no sentence,
    no number of its own), at least two of them or one that a section or case number follows:
    "Sag nr. 12" in a sentence's place, or after a numbered heading, is a case number."""
    headings: list[tuple[int, int, str, int]] = []  # first unit, number unit, title, number
    for index, unit in enumerate(found):
        if "ag nr" not in unit.text or (match := _NUMBER.match(unit.text)) is None:
            continue
        heading = _heading(found, index, match)
        # The same number again is the point's own, repeated (a running line naming it)
        if heading is not None and not (headings and headings[-1][3] == heading[3]):
            headings.append(heading)
    numbers = [number for *_, number in headings]
    if not headings or numbers != sorted(set(numbers)):
        return found
    if len(headings) == 1 and not confirmed(found, headings[0][1] + 1):
        return found
    result = list(found)
    for first, last, title, number in reversed(headings):
        result[first : last + 1] = [Unit(f"{number}. {title}", starts_paragraph=True)]
    return result


def _heading(
    found: list[Unit], index: int, match: re.Match[str]
) -> tuple[int, int, str, int] | None:
    """(first unit, number unit, title, number) of the heading a "Sag nr." line ends, or None."""
    number = int(match.group("number"))
    if title := match.group("title"):
        first = index
        lines = [title]
    else:
        # The title's lines right above: those of the paragraph the number line is in, or the
        # paragraph before it when the number opens one of its own.
        first = index - 1
        while first > 0 and not found[first].starts_paragraph and index - first < 2:
            first -= 1
        if first < 0 or not found[first].starts_paragraph:
            return None
        lines = [unit.text for unit in found[first:index]]
    if not found[first].starts_paragraph or not all(map(title_line, lines)):
        return None
    return first, index, " ".join(lines), number
