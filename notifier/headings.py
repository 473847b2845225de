"""Pure: what looks like the heading of an agenda or minutes point, and where one was found.

A numbered paragraph is a heading when it reads like a title (short, no sentence) and what
follows confirms it: a case number, a section heading (Baggrund, Indstilling, ...), its first
sub-point, or the next point. A title may run on over further short paragraphs of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from notifier.danish import TITLE_START
from notifier.point_text import cut_case, is_case_line, section
from notifier.toc import Unit, label


@dataclass(frozen=True)
class Point:
    """Where a heading of the plan was found: units [start, body) are the heading, the text
    runs from body to the next heading."""

    number: str | None
    title: str
    start: int
    body: int
    group: bool = False
    group_title: str = ""
    weight: int = 3  # how it was matched to the plan (see _Candidate)


def heading_title(found: list[Unit], index: int, rest: str) -> tuple[str, int]:
    """The title of a body heading and the index of its first body unit: further lines set as
    paragraphs of their own are joined when the case number or a section heading follows."""
    title, rest_of_line = cut_case(rest)
    body = index + 1
    if not rest_of_line:
        lines = title_lines(found, body)
        title = " ".join([title, *(u.text for u in found[body : body + lines])])
        body += lines
    return title, body


def title_lines(found: list[Unit], index: int) -> int:
    """How many units from `index` on are further lines of the heading before them, each set
    as a paragraph of its own: short, no sentence, and then a case number or a section."""
    for lines in (1, 2):
        end = index + lines
        if end >= len(found) or not confirmed(found, end):
            continue
        if all(title_line(found[i].text) for i in range(index, end)):
            return lines
    return 0


def title_line(text: str) -> bool:
    return (
        len(text) <= 120
        and not text.endswith((".", ":", "!", "?"))
        and label(text) is None
        and not is_case_line(text)
        and not section(text)
    )


def prose(unit: Unit) -> bool:
    return unit.starts_paragraph and len(unit.text) > 80 and unit.text.endswith(".")


def title_like(title: str) -> bool:
    return bool(re.match(f"[{TITLE_START}]", title))


def short_title(title: str) -> bool:
    return len(title) <= 150 and not title.endswith((".", ":"))


def confirmed(found: list[Unit], index: int) -> bool:
    """What starts at `index` is what follows a point heading: a case number or a section."""
    if index >= len(found):
        return False
    text = found[index].text
    return is_case_line(text) or bool(section(text))


def confirms_top(found: list[Unit], index: int, parts: tuple[int, ...]) -> bool:
    """Whether what follows a heading candidate shows it is one: the end, a case number, a
    section heading, its first sub-point, or the next top-level point (itself confirmed)."""
    if index + 1 >= len(found):
        return True
    following = found[index + 1]
    if confirmed(found, index + 1):
        return True
    head = label(following.text)
    if head is None or not following.starts_paragraph:
        return False
    if len(parts) == 1 and head.parts[0] == parts[0] and len(head.parts) == 2:
        return True
    return (
        len(parts) == 1
        and head.parts == (parts[0] + 1,)
        and confirms_top(found, index + 1, head.parts)
    )


def after_part_line(found: list[Unit], index: int) -> bool:
    if index == 0:
        return False
    previous = found[index - 1]
    return (
        previous.starts_paragraph
        and len(previous.text) <= 60
        and not re.search(r"\d|[.:;,!?]$", previous.text)
        and not section(previous.text)
    )
