"""Pure: the signs that a split lost a point, in plain words for the operator.

Sub-points missing inside a group (without a table of contents the only trace of a heading that
was not recognised), and headings inside a point that look like a point's own or a point holding
two Indstilling or Beslutning sections (the signs of a point swallowed by the one before it).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

from notifier.headings import (
    Point,
    case_after,
    confirmed,
    full_stop,
    heading_title,
    short_title,
)
from notifier.models import Item, canonical
from notifier.sections import section, section_name
from notifier.toc import Unit, label, title_like


def numbering_gaps(points: list[Point]) -> list[str]:
    """Sub-points missing inside a group (2.1, then 2.3; 2.1.1, then 2.1.3): without a table of
    contents the only sign of a heading that was not recognised. Gaps between groups are
    ordinary."""
    problems = []
    previous: tuple[int, ...] | None = None
    for point in points:
        if point.number is None or point.group:
            continue
        parts = _parts(point.number)
        if (
            previous is not None
            and len(parts) == len(previous) >= 2
            and parts[:-1] == previous[:-1]
            and parts[-1] > previous[-1] + 1
        ):
            group = parts[:-1]
            skipped = ", ".join(dotted((*group, m)) for m in range(previous[-1] + 1, parts[-1]))
            problems.append(
                f"numbering skips {skipped} (between {dotted(previous)} and {point.number})"
            )
        previous = parts
    return problems


def skipped_headings(
    found: list[Unit], points: list[Point], listed: frozenset[str] = frozenset()
) -> list[str]:
    """Headings not taken that have the next number after their point's, before the next
    point's ("3. ..." inside point 2, before point 4), and are no item of a numbered list:
    with nothing to confirm them, the only sign of a point lost inside the one before it.
    With `listed` (the numbers of a table of contents, which leave out the heading), also
    after the last point: contents of an earlier draft lack a point added at the end."""
    problems = []
    numbered = [p for p in sorted(points, key=lambda p: p.start) if p.number]
    if listed and numbered:
        numbered.append(Point(None, "", len(found), len(found)))
    for point, after in itertools.pairwise(numbered):
        low = _parts(point.number)
        high = _parts(after.number) if after.number else (low[0] + 2,)
        for index in range(point.body, after.start):
            head = label(found[index].text)
            if head is None or not found[index].starts_paragraph or head.time_or_date:
                continue
            if head.parts != (low[0] + 1,) or not head.parts < high or head.number in listed:
                continue
            earlier = (label(unit.text) for unit in found[point.body : index])
            if any(item is not None and item.parts == low[:1] for item in earlier):
                continue  # "2. ..." before it in the point: a numbered list
            title = heading_title(found, index, head.rest)[0]
            if title_like(title) and not title.endswith(":") and not full_stop(title):
                heading = f"heading {head.number} ({short(title)}) inside {point.number}"
                problems.append(f"{heading} was not taken as a point")
    return problems


def _parts(number: str | None) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split(".")) if number else ()


def dotted(parts: tuple[int, ...]) -> str:
    return ".".join(str(p) for p in parts)


@dataclass(frozen=True)
class Stray:
    """A heading inside a point that looks like a point's own."""

    inside: Point | None  # the point (or group, or part line) whose text holds it; None:
    # between the contents and the first point, in no point's text
    index: int
    number: str
    title: str
    body: int  # the first unit after the heading
    case_follows: bool


def strays(
    found: list[Unit], points: list[Point], listed: set[str], start: int | None = None
) -> list[Stray]:
    """Headings inside a point that look like a point's own: a number and a title, then a case
    number, or a sub-point's number and a section heading. With `start` (where the body
    begins after the contents), also those before the first point."""
    ordered = sorted(points, key=lambda p: p.start)
    ranges: list[tuple[Point | None, int, int]] = []
    if start is not None:
        ranges.append((None, start, ordered[0].start if ordered else len(found)))
    for position, point in enumerate(ordered):
        end = ordered[position + 1].start if position + 1 < len(ordered) else len(found)
        ranges.append((point, point.body, end))
    result = []
    for inside, first, end in ranges:
        for index in range(first, end):
            unit = found[index]
            head = label(unit.text)
            if head is None or not unit.starts_paragraph:
                continue
            if head.time_or_date and head.number not in listed:
                continue  # a programme's "11.30 Drøftelse"
            title, body = heading_title(found, index, head.rest)
            case_follows = case_after(found, body)
            # A title may open in lower case ("e-Sundhed ...") when its case number follows it,
            # as in body_headings: no item of a numbered list has one.
            if not (title_like(title) or (title and case_follows)) or not short_title(title):
                continue
            if not case_follows and not (len(head.parts) >= 2 and confirmed(found, body)):
                continue
            result.append(Stray(inside, index, head.number, title, body, case_follows))
    return result


def stray_headings(
    found: list[Unit], points: list[Point], listed: set[str], start: int | None = None
) -> list[str]:
    """The strays, in plain words: the sign of a point swallowed by the one before it."""
    problems = []
    for stray in strays(found, points, listed, start):
        point = stray.inside
        if point is None:
            where = "before the first point"
        else:
            where = f"inside {point.number}" if point.number else f"after {point.title!r}"
        heading = f"heading {stray.number} ({short(stray.title)}) {where}"
        if stray.number in listed:
            problems.append(f"{heading} repeats a ToC entry")
        elif listed:
            problems.append(f"{heading} is not in the ToC")
        else:
            problems.append(f"{heading} was not taken as a point")
    return problems


def short(title: str) -> str:
    return title if len(title) <= 50 else f"{title[:49].rstrip()}…"


def repeated_sections(items: list[Item]) -> list[str]:
    """Points holding two Indstilling or two Beslutning sections: one point swallowed the
    next. Decisions of different bodies ("Økonomiudvalget, 10-04-2019, pkt. 12", then
    "Byrådet, 24-04-2019, pkt. 99") are the case's way through them, not two points."""
    problems = []
    for item in items:
        counts: Counter[tuple[str, str]] = Counter()
        # The units opening a paragraph, without making a unit of every line: a paragraph's
        # first line, stripped, when it is not blank.
        for paragraph in item.text.split("\n\n"):
            first = paragraph.split("\n", 1)[0].strip()
            if first and (match := section(first)):
                name = section_name(match).capitalize()
                if name == "Indstilling":
                    counts[name, ""] += 1
                elif name == "Beslutning":
                    counts[name, _heading_key(match)] += 1
        doubled = sorted({name for (name, _), count in counts.items() if count > 1})
        if doubled:
            problems.append(f"{item.number} has {' and '.join(doubled)} twice: a point swallowed?")
    return problems


def _heading_key(match: re.Match[str]) -> str:
    """A section heading without the text run in and the point's number: the same for the
    decisions of one body on one day, whichever point they are of."""
    heading = match.string
    for group in ("rest", "tight", "by_rest", "met_rest"):
        if match.group(group) is not None:
            heading = heading[: match.start(group)]
    return canonical(re.sub(r"(?:pkt\.?|punkt)\s*\d+", "", heading, flags=re.IGNORECASE))
