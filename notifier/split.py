"""Pure splitting: Document -> Items.

Newsletters: one item per section (heading and its text), key = slug of the heading. The lead
paragraph before the first heading is not an item: on kl.dk it summarises the sections that
follow, so as an item it would only repeat their topics. A newsletter without any heading is one
item, "indledning". Sections come from the markup (Document.sections); without it a short line
with no final period followed by a paragraph is taken as a heading.

Agendas and minutes: one item per numbered point ("3.2.", or "5." with no sub-points), key = the
number. The table of contents is skipped, group headings ("3. Regionalpolitiske sager") are not
items, and numbered lists inside a point stay in it: a heading must start a paragraph, follow the
numbering of the previous heading, and a top-level one must be followed by what follows a point
(its first sub-point, a case number, a section heading, the next point or the end).

Other documents are one item, "dokument", so a brochure can still be matched to topics.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from notifier.models import Document, DocumentKind, Item, canonical, slug

# "3.2.", "3.2", "5.", "Punkt 5:", "Punkt 5 –"; a bare "5 Title" only with the confirmation below.
_HEADING = re.compile(
    r"^(?:(?P<punkt>[Pp]unkt)\s+)?(?P<major>\d{1,2})(?:\.(?P<minor>\d{1,2}))?"
    r"(?P<mark>\.?\s*[:–-]|\.)?\s+(?P<title>[A-ZÆØÅ0-9\"“”].*)$"
)
_TOC_LINE = re.compile(r"(?:\.{3,}|…+|\s{2,}|\t)\s*\d{1,3}$")
_CASE = re.compile(r"\b(SAG-\d{4}-\d{3,})\b|\bSags?\.?\s?nr\.?:?\s*(\d[\w/.-]*\d)", re.IGNORECASE)
# A section heading on its own line ("Beslutning") or run in ("Beslutning: Godkendt.").
_SECTION = re.compile(
    r"^(Baggrund|Indstilling|Sagsfremstilling|Beslutning|Vedlagte bilag|Bilag|Økonomi|Resumé)"
    r"\s*(?::\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_PROCEDURAL = re.compile(
    r"godkendelse af (?:referat|dagsorden)|siden sidst|^eventuelt|punkter til (?:næste|kommende) "
    r"møde|meddelelser|orientering fra formand",
    re.IGNORECASE,
)


@dataclass
class _Unit:
    text: str
    starts_paragraph: bool


def split(document: Document) -> list[Item]:
    if document.kind in (DocumentKind.AGENDA, DocumentKind.MINUTES):
        return _points(document.text)
    if document.kind == DocumentKind.NEWSLETTER:
        sections = list(document.sections) or _sections_from_text(document)
        if not sections:
            return [Item(key="indledning", position=0, title=document.title, text=document.text)]
        return _section_items(sections)
    return [Item(key="dokument", position=0, title=document.title, text=document.text)]


def _section_items(sections: Sequence[tuple[str, str]]) -> list[Item]:
    items: list[Item] = []
    seen: Counter[str] = Counter()
    for heading, body in sections:
        key = slug(heading) or "afsnit"
        seen[key] += 1
        if seen[key] > 1:
            key = f"{key}-{seen[key]}"
        text = f"{heading}\n\n{body}".strip()
        items.append(Item(key=key, position=len(items), title=heading, text=text))
    return items


def _sections_from_text(document: Document) -> list[tuple[str, str]]:
    paragraphs = [p for p in document.text.split("\n\n") if p.strip()]
    if paragraphs and paragraphs[0] == document.title:
        paragraphs = paragraphs[1:]
    sections: list[tuple[str, str]] = []
    for index, paragraph in enumerate(paragraphs):
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else ""
        is_heading = (
            len(paragraph) < 160
            and "\n" not in paragraph
            and not paragraph.rstrip().endswith((".", ":", "!", "?"))
            and not paragraph.startswith("•")
            and len(following) > len(paragraph)
        )
        if is_heading and index > 0:  # the first paragraph is the lead
            sections.append((paragraph.strip(), ""))
        elif sections:
            heading, body = sections[-1]
            sections[-1] = (heading, f"{body}\n\n{paragraph}" if body else paragraph)
    return sections


def _units(text: str) -> list[_Unit]:
    units = []
    for paragraph in text.split("\n\n"):
        for index, line in enumerate(paragraph.split("\n")):
            if line.strip():
                units.append(_Unit(line.strip(), starts_paragraph=index == 0))
    return units


def _body_start(units: list[_Unit]) -> int:
    """Index after the table of contents (entries end in dot leaders and a page number)."""
    toc = [i for i, unit in enumerate(units) if _TOC_LINE.search(unit.text)]
    return toc[-1] + 1 if toc else 0


def _number(match: re.Match[str]) -> tuple[int, int | None]:
    minor = match.group("minor")
    return int(match.group("major")), int(minor) if minor else None


def _confirms_top(units: list[_Unit], index: int, major: int) -> bool:
    """Whether what follows a top-level "N." candidate shows it is an agenda heading."""
    if index + 1 >= len(units):
        return True
    following = units[index + 1]
    if _CASE.search(following.text) or _SECTION.match(following.text):
        return True
    match = _HEADING.match(following.text)
    if match is None or not following.starts_paragraph:
        return False
    number = _number(match)
    if number[0] == major and number[1] is not None:  # its first sub-point (a tillæg: any)
        return True
    return number == (major + 1, None) and _confirms_top(units, index + 1, major + 1)


def _titled(match: re.Match[str]) -> bool:
    """A candidate that looks like an agenda heading by itself: "Punkt 3", or a short title."""
    title = match.group("title").strip()
    return bool(match.group("punkt")) or (len(title) <= 150 and not title.endswith((".", ":")))


def _headings(units: list[_Unit], start: int) -> list[tuple[int, tuple[int, int | None], str]]:
    found: list[tuple[int, tuple[int, int | None], str]] = []
    state: tuple[int, int | None] | None = None
    restarted = False  # a numbered list ("1. ...") began inside the current point
    for index in range(start, len(units)):
        unit = units[index]
        match = _HEADING.match(unit.text)
        if match is None or not unit.starts_paragraph or len(unit.text) > 250:
            continue
        major, minor = _number(match)
        # "5 Title" without a dot: only when what follows shows it is a point.
        bare = not match.group("mark") and not match.group("punkt")
        if bare and not _confirms_top(units, index, major):
            continue
        if minor is None:
            follows = state is None or major == state[0] + 1
            if state is not None and major <= state[0]:
                restarted = True
            if not follows:
                continue
            # A point without case number or section headings (followed by plain text) counts
            # when it looks like a heading and no numbered list restarted since the last point.
            if not _confirms_top(units, index, major) and (restarted or not _titled(match)):
                continue
        elif state is not None:
            # After a group heading the first sub-point may have any number: a tillægsdagsorden
            # continues the numbering of the agenda it adds to ("2. Orienteringssager", "2.3.").
            same_group = major == state[0] and (state[1] is None or minor == state[1] + 1)
            if not same_group and not (major == state[0] + 1 and minor == 1):
                continue
        state = (major, minor)
        restarted = False
        found.append((index, state, match.group("title").strip()))
    return found


def _points(text: str) -> list[Item]:
    units = _units(text)
    headings = _headings(units, _body_start(units))
    items: list[Item] = []
    group = ""
    for position, (index, (major, minor), title) in enumerate(headings):
        end = headings[position + 1][0] if position + 1 < len(headings) else len(units)
        following = headings[position + 1][1] if position + 1 < len(headings) else None
        if minor is None and following is not None and following[0] == major and following[1]:
            group = title  # "6. Punkter til næste møde" makes its sub-points procedural too
            continue
        body = units[index + 1 : end]
        if minor is None:
            group = ""
        number = str(major) if minor is None else f"{major}.{minor}"
        case = next(
            (m.group(1) or m.group(2) for u in body[:3] if (m := _CASE.search(u.text))), None
        )
        sections = _named_sections(body)
        items.append(
            Item(
                key=number,
                position=len(items),
                title=title,
                text=_join(body),
                number=number,
                case_number=case,
                indstilling=sections.get("indstilling"),
                beslutning=sections.get("beslutning"),
                procedural=bool(_PROCEDURAL.search(title) or _PROCEDURAL.search(group)),
            )
        )
    return items


def _named_sections(body: list[_Unit]) -> dict[str, str]:
    sections: dict[str, list[_Unit]] = {}
    current: list[_Unit] | None = None
    for unit in body:
        if match := _SECTION.match(unit.text):
            current = sections.setdefault(match.group(1).casefold(), [])
            if match.group("rest"):
                current.append(_Unit(match.group("rest"), starts_paragraph=True))
        elif current is not None:
            current.append(unit)
    return {name: _join(units) for name, units in sections.items() if units}


def _join(units: list[_Unit]) -> str:
    text = ""
    for unit in units:
        separator = "\n\n" if unit.starts_paragraph else "\n"
        text = f"{text}{separator}{unit.text}" if text else unit.text
    return text


def link_decisions(agenda: Sequence[Item], minutes: Sequence[Item]) -> dict[str, str]:
    """Minutes item key -> agenda item key.

    By case number when it is unique in both documents (KKR often files a whole meeting under
    one case number, so it often is not), else by the same point number and a similar title.
    """
    agenda_cases = Counter(item.case_number for item in agenda if item.case_number)
    minutes_cases = Counter(item.case_number for item in minutes if item.case_number)
    by_case = {item.case_number: item for item in agenda if item.case_number}
    by_number = {item.number: item for item in agenda if item.number}
    links: dict[str, str] = {}
    for item in minutes:
        case = item.case_number
        if case and agenda_cases[case] == 1 and minutes_cases[case] == 1:
            links[item.key] = by_case[case].key
            continue
        candidate = by_number.get(item.number) if item.number else None
        if candidate is not None and _similar(candidate.title, item.title):
            links[item.key] = candidate.key
    return links


def _similar(a: str, b: str) -> bool:
    left, right = canonical(a), canonical(b)
    return left == right or difflib.SequenceMatcher(None, left, right).ratio() >= 0.6
