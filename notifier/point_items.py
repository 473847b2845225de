"""Pure: the points found in an agenda or minutes text (points.py) -> items: each point's text
from its heading to the next, without the group heading and the case number of the point after
it, with its case number, its sections (sections.py) and whether it is procedural.
"""

from __future__ import annotations

import re

from notifier.headings import Point
from notifier.models import Item, unique_keys
from notifier.point_text import (
    case_number,
    cut_case,
    is_case_line,
    plain_title,
    without_continued,
    without_initials,
)
from notifier.sections import named_sections
from notifier.toc import Unit, join, label

_PROCEDURAL = re.compile(
    r"godkendelse af (?:referat|dagsorden)|siden sidst|^eventuelt|punkter til (?:næste|kommende) "
    r"møde|meddelelser|orientering fra formand",
    re.IGNORECASE,
)


def point_items(found: list[Unit], points: list[Point], minutes: bool) -> list[Item]:
    ordered = sorted(points, key=lambda p: p.start)
    items: list[Item] = []
    keys = iter(unique_keys([p.number for p in ordered if not p.group and p.number is not None]))
    above = _cases_above(found, ordered)
    for position, point in enumerate(ordered):
        if point.group or point.number is None:
            continue
        end = ordered[position + 1].start if position + 1 < len(ordered) else len(found)
        if end - 1 in above:  # the next point's case number, set above its heading
            end -= 1
        following = ordered[position + 1] if position + 1 < len(ordered) else None
        body = _trim_group_heading(found[point.body : end], point, following)
        if following is not None and body and _committee_heading(body[-1]):
            body = body[:-1]
        if point.start - 1 in above:
            body = [found[point.start - 1], *body]
        _, tail = cut_case(" ".join(unit.text for unit in found[point.start : point.body]))
        if tail:  # the case-number line ran into the heading
            body = [Unit(tail, starts_paragraph=True), *body]
        body = [without_initials(u) for u in without_continued(body, point.number, point.title)]
        case = case_number(body)
        sections = named_sections(body, minutes=minutes)
        title = plain_title(re.sub(r"\s+", " ", point.title).strip())
        items.append(
            Item(
                key=next(keys),
                position=len(items),
                title=title,
                text=join(body),
                number=point.number,
                case_number=case,
                indstilling=sections.get("indstilling"),
                beslutning=sections.get("beslutning"),
                procedural=bool(_PROCEDURAL.search(title) or _PROCEDURAL.search(point.group_title)),
            )
        )
    return items


def _cases_above(found: list[Unit], ordered: list[Point]) -> set[int]:
    """The case-number lines set above the heading of their point rather than below it (Region
    Midtjylland's "Sagnr.: ..." and the journal numbers of Sbsys agendas): the units right
    before at least two points' headings, when no point has a case number of its own under its
    heading. In KL's layout a point holding only its case number also puts one right before
    the next heading, but that point has it under its own heading too, so its case stays."""
    leaves = [p for p in ordered if not p.group and p.number is not None]
    above = set()
    for point in leaves:
        index = point.start - 1
        if index < 0 or not found[index].starts_paragraph or not is_case_line(found[index].text):
            continue
        if any(p.start <= index < p.body for p in ordered):
            continue  # part of a heading
        above.add(index)
    if len(above) < 2:
        return set()
    for point in leaves:
        under = range(point.body, min(point.body + 3, len(found)))
        if any(i not in above and is_case_line(found[i].text) for i in under):
            return set()
    return above


# A committee's name in capitals, alone on its line ("ØKONOMIUDVALGET", "TEKNISK UDVALG",
# "SOCIAL- OG SUNDHEDSUDVALGET", "UDVALGET FOR TEKNIK OG MILJØ"): minutes of the council that
# group its points by the committee that prepared them head each group so (Ballerup's,
# docplayer.dk/4018936 and 2950314). A decision in capitals names no committee alone
# ("GODKENDT.", "ANBEFALES", "OVERSENDES TIL BYRÅDET").
_COMMITTEE_HEADING = re.compile(
    r"^(?:[A-ZÆØÅ]+-?\s+(?:OG\s+)?)?[A-ZÆØÅ-]*(?:UDVALG|RÅD|BESTYRELSE)(?:ET|EN|N)?"
    r"(?:\s+FOR\s+[A-ZÆØÅ]+(?:(?:,\s*|\s+OG\s+)[A-ZÆØÅ]+){0,3})?$"
)


def _committee_heading(unit: Unit) -> bool:
    """Whether the last line of a point's text is the heading of the committee whose points
    follow: no part of the point's text or decision."""
    return (
        unit.starts_paragraph and len(unit.text) <= 60 and bool(_COMMITTEE_HEADING.match(unit.text))
    )


def _trim_group_heading(body: list[Unit], point: Point, following: Point | None) -> list[Unit]:
    """Group headings the table of contents leaves out ("3. Sager" before 3.1, and "3.1.
    Udpegninger" before 3.1.1) end the point before them."""
    if following is None:
        return body
    here, then = number_parts(point.number), number_parts(following.number)
    # The groups of the following point that this one is not in: "1. ..." at the end of 1.2 is
    # a numbered list.
    heads = {then[:depth] for depth in range(1, len(then)) if here[:depth] != then[:depth]}
    end = len(body)
    for index in range(len(body) - 1, max(-1, len(body) - 1 - 2 * len(heads)), -1):
        head = label(body[index].text)
        if head is not None and head.parts in heads and body[index].starts_paragraph:
            end = index
    return body[:end]


def number_parts(number: str | None) -> tuple[int, ...]:
    """A point's number as its parts: (3, 2) for "3.2"; () for none."""
    return tuple(int(p) for p in number.split(".")) if number else ()
