"""Pure: point numbers set under their titles, as Rødovre's minutes set them.

Rødovre's agenda system heads a point with its title and puts the point's number on the line
under it: "Tillæg 1 til Lokalplan 145 - endelig vedtagelse", then "Sag nr. 130" (rk.dk/politik/
kommunalbestyrelsen/visning/moede/KB-UID183461-1), the number running on through the year. No
line opens with a number, so the splitter found no point at all. Such headings are rewritten
here to the form the splitter reads ("130. Tillæg 1 til ..."), before it looks for points.
"""

from __future__ import annotations

import re

from notifier.headings import confirmed, heading_title, title_line
from notifier.toc import Unit, label, title_like

# "Sag nr. 130", "Sag nr. 45 (BE 3/2011)", at the end of the title's line when the text
# normaliser joined the two (set tight, as they are).
# The longest title over its number (toc._titled allows 300 for a contents entry).
_LONG_TITLE = 250
_NUMBER = re.compile(r"^(?:(?P<title>.*?)\s+)?Sag\s+nr\.?\s*(?P<number>\d{1,3})(?:\s*\([^)]*\))?$")


def numbered_titles(found: list[Unit]) -> list[Unit]:
    """The units with each title whose number is set under it made "130. Title". Taken only
    where no line opening with a number heads a point, each following a title (short, no
    sentence, no number of its own), at least two of them or one that a section or case number
    follows, those whose numbers go up through the document: "Sag nr. 12" in a sentence's
    place, after a numbered heading or out of the numbers' order is a case number."""
    headings: list[tuple[int, int, str, int]] = []  # first unit, number unit, title, number
    for index, unit in enumerate(found):
        if "ag nr" not in unit.text or (match := _NUMBER.match(unit.text)) is None:
            continue
        heading = _heading(found, index, match)
        # The same number again is the point's own, repeated (a running line naming it)
        if heading is not None and not (headings and headings[-1][3] == heading[3]):
            headings.append(heading)
    if not headings or _numbers_points(found):
        return found  # "1. Title" heads the points: a "Sag nr." line is a case reference
    # A title with its number under it is followed by a section or a case number, as a point's
    # heading is; a reference to an earlier treatment ("Økonomiudvalget den 4. marts 2021, Sag
    # nr. 45") in a point's text is not. Where the headings are so confirmed, they alone count.
    followed = [heading for heading in headings if confirmed(found, heading[1] + 1)]
    if len(followed) >= 2:
        headings = followed
    # The points' numbers go up through the document; a case reference between them that
    # does not ("Sag nr. 12" in point 131's text) is left as text, not every heading with it.
    headings = _rising(headings)
    if len(headings) == 1 and not confirmed(found, headings[0][1] + 1):
        return found
    result = list(found)
    for first, last, title, number in reversed(headings):
        result[first : last + 1] = [Unit(f"{number}. {title}", starts_paragraph=True)]
    return result


def _rising(headings: list[tuple[int, int, str, int]]) -> list[tuple[int, int, str, int]]:
    """The longest run of the headings whose numbers go up (the first such on a tie)."""
    runs: list[list[tuple[int, int, str, int]]] = []
    for heading in headings:
        below = [run for run in runs if run[-1][3] < heading[3]]
        runs.append([*max(below, key=len, default=[]), heading])
    return max(runs, key=len, default=[])


def _numbers_points(found: list[Unit]) -> bool:
    """Whether a line opening with a number heads a point: the case number or a section
    follows it (below its title's further lines)."""
    for index, unit in enumerate(found):
        head = label(unit.text)
        if head is None or not unit.starts_paragraph or not title_like(head.rest):
            continue
        if confirmed(found, heading_title(found, index, head.rest)[1]):
            return True
    return False


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
    # A title wrapped over two lines is one line once normalised: one longer than a line is
    # a title still where a section or a case number follows its number, as for a heading.
    longest = _LONG_TITLE if confirmed(found, index + 1) else 120
    if not found[first].starts_paragraph or not all(title_line(t, longest=longest) for t in lines):
        return None
    if lines[-1].endswith(","):  # "Økonomiudvalget den 4. marts 2021, Sag nr. 45": a reference
        return None
    return first, index, " ".join(lines), number
