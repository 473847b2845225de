"""Pure: the table of contents of an agenda or minutes, read from its text.

KL's agendas open with a table of contents: one entry per group ("3. Regionalpolitiske sager")
and point ("3.1. Status for klima VIP-projekterne"), each ending in a page number, often after
dot leaders. It is the plan the body follows, so points.py splits the body by it. What varies
between documents, and what this module accepts:

- numbering with gaps (1.2 followed by 3.1) and sub-points, to three levels (2.1.1 under 2.1
  under 2); a restart at 1 only after a part line ("Tillægsdagsorden"), since a restart
  without one is where the body begins;
- a title opening in lower case ("3. e-Sundhed ...") when it has its page number;
- a title wrapped onto a second line: joined by the text normaliser when the lines are set
  tight, or read here as a continuation line that carries the page number;
- page numbers that are missing on some entries (group lines) or wrong (they are never used
  to place a point);
- no page numbers at all: a bare list of points on the cover, accepted as the plan only when
  points.py finds most of its entries again in the body.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from notifier.danish import PART_TITLE, TITLE_START
from notifier.models import canonical

# "3.2.", "3.2", "5.", "5", "2.1.1.", "Punkt 5:", "Punkt 3.2 –", "Pkt. 5", "Sag 5.", "5)",
# Fredensborg's "Nr.60 -", and in minutes "Ad punkt 5" and "Ad 5)"; what follows is the
# title. The first level runs to three digits: municipal committees number their points on
# through the year ("153. Budget 2026").
_LABEL = re.compile(
    r"^(?:(?P<punkt>(?:[Aa]d\s+)?(?:[Pp]unkt|[Pp]kt\.)\s*|[Ss]ag\s+|Nr\.\s*|[Aa]d\s+))?"
    r"(?P<number>\d{1,3}(?:\.\d{1,2}){0,2})"
    r"(?P<mark>\.?\s*[:–-](?=\s)|\.|\))?(?:\s+|$)"
)
_TITLE_START = re.compile(f"[{TITLE_START}]")
_CLOCK = re.compile(r"(?:[01]?\d|2[0-3])\.[0-5]\d")
_DATE = re.compile(r"(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.\d\d")
# Page number at the end of an entry: after dot leaders, an ellipsis or (tab leaders are
# whitespace once normalised) a space; in lower-case Roman numerals after leaders only, as
# Egebjerg's minutes page theirs ("98. Analyse af daginstitutionsstruktur...x",
# docplayer.dk/2007834): after a space, "i" or "v" may end a title.
_PAGE = re.compile(
    r"(?:\s*(?:\.\s*){2,}|\s*…+\s*|\s+)(?P<page>\d{1,3})$"
    r"|(?:\s*(?:\.\s*){2,}|\s*…+\s*)(?P<roman>[ivxlc]{1,7})$"
)
_LEADERS = re.compile(
    r"(?:\.\s*){4,}(?:side\s*)?\d{1,3}$|…+\s*\d{1,3}$|(?:\.\s*){3,}[ivxlc]{1,7}$|…+\s*[ivxlc]{1,7}$",
    re.IGNORECASE,
)
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_HEADINGS = re.compile(r"^(?:indholdsfortegnelse|indhold|dagsorden(?:punkter)?)\s*:?$", re.I)


@dataclass(frozen=True)
class Unit:
    """A line of the normalised text and whether it opens a paragraph."""

    text: str
    starts_paragraph: bool


@dataclass(frozen=True)
class Label:
    """The number that opens a line: "3.2" of "3.2. Title", with the rest of the line."""

    number: str
    parts: tuple[int, ...]
    rest: str
    bare: bool  # no dot, colon or "Punkt": "5 Title" could be a table row
    punkt: bool  # "Punkt 5": never an item of a numbered list

    @property
    def time_or_date(self) -> bool:
        """Reads as a time of day ("11.30 Drøftelse" in a programme) or a date ("17.04.24" on
        the cover): taken as a point only where the numbering leads to it (3.9, then 3.10)."""
        number = self.number
        return bool(_CLOCK.fullmatch(number) or _DATE.fullmatch(number)) and not self.punkt


@dataclass(frozen=True)
class Entry:
    number: str | None  # None for a part line ("Tillægsdagsorden")
    title: str
    page: int | None
    group: bool = False  # has sub-points in the table of contents

    @property
    def parts(self) -> tuple[int, ...]:
        return tuple(int(p) for p in self.number.split(".")) if self.number else ()


@dataclass(frozen=True)
class Toc:
    entries: tuple[Entry, ...]
    start: int  # unit index of the first entry
    end: int  # unit index after the last entry: where the body begins
    paged: bool  # False: a bare list of points, only a plan if the body confirms it


def units(text: str) -> list[Unit]:
    found = []
    for paragraph in text.split("\n\n"):
        for index, line in enumerate(paragraph.split("\n")):
            if stripped := line.strip():
                found.append(Unit(stripped, starts_paragraph=index == 0))
    return found


def join(body: Sequence[Unit]) -> str:
    """The text of units, as units() found them."""
    text = ""
    for unit in body:
        separator = "\n\n" if unit.starts_paragraph else "\n"
        text = f"{text}{separator}{unit.text}" if text else unit.text
    return text


# Cached, as _entry: splitting asks again about the same lines (each unit's label is looked
# up four times on average in one agenda), and both are pure functions of the line.
@functools.lru_cache(maxsize=8192)
def label(text: str) -> Label | None:
    match = _LABEL.match(text)
    if match is None:
        return None
    number = match.group("number")
    return Label(
        number=number,
        parts=tuple(int(p) for p in number.split(".")),
        rest=text[match.end() :].strip(),
        bare=not match.group("mark") and not match.group("punkt"),
        punkt=bool(match.group("punkt")),
    )


@functools.lru_cache(maxsize=8192)
def _entry(text: str) -> tuple[Label | None, str, int | None]:
    """(number label or None, title, page or None) of a possible ToC line."""
    page_match = _PAGE.search(text)
    page = None
    if page_match:
        page = int(page_match["page"]) if page_match["page"] else _roman(page_match["roman"])
    body = text[: page_match.start()] if page_match else text
    found = label(body)
    title = (found.rest if found else body).rstrip(" .…").strip()
    return found, title, page


def _roman(numeral: str) -> int:
    """The value of a Roman numeral ("xiv" is 14): a digit before a larger one is taken off."""
    values = [_ROMAN[char] for char in numeral]
    return sum(-v if v < after else v for v, after in zip(values, [*values[1:], 0], strict=True))


def leaders(text: str) -> bool:
    """Whether a line ends in dot leaders and a page number, as a contents entry does."""
    return bool(_LEADERS.search(text))


def title_like(title: str) -> bool:
    """Starts as a point's title may (see danish.TITLE_START)."""
    return bool(_TITLE_START.match(title))


def _titled(title: str) -> bool:
    return title_like(title) and len(title) <= 300


def _entry_title(title: str, page: int | None, numbered: list[Entry]) -> bool:
    """Whether a numbered line's title is an entry's: one that starts as a point's title does,
    or one in lower case ("3. e-Sundhed ...") with its page number after an entry. An item of
    a numbered list ("2. tager orienteringen til efterretning") has no page number."""
    return _titled(title) or (page is not None and bool(numbered) and 0 < len(title) <= 300)


def find_toc(units: list[Unit], *, before: int | None = None) -> list[Toc]:
    """Candidate tables of contents starting before unit `before`, in document order: first
    those with page numbers; points.py tries each and keeps the first the body confirms."""
    limit = len(units) if before is None else before
    found: list[Toc] = []
    index = 0
    while index < limit:
        toc = _run(units, index)
        if toc is None:
            index += 1
            continue
        if found and _goes_on(found[-1], toc):
            toc = _joined(found.pop(), toc)
        found.append(toc)
        index = toc.end
    return sorted(found, key=lambda toc: not toc.paged)


def _goes_on(first: Toc, then: Toc) -> bool:
    """Whether contents continue over a page break after a line or two (their heading again,
    "Indholdsfortegnelse (fortsat)"): both with page numbers, the numbering going on."""
    last = [e.parts for e in first.entries if e.number]
    following = [e.parts for e in then.entries if e.number]
    return (
        first.paged
        and then.paged
        and then.start - first.end <= 2
        and bool(last and following)
        and following[0] > last[-1]
    )


def _joined(first: Toc, then: Toc) -> Toc:
    entries = [Entry(e.number, e.title, e.page) for e in (*first.entries, *then.entries)]
    return Toc(tuple(_groups(entries)), first.start, then.end, paged=True)


def _run(units: list[Unit], start: int) -> Toc | None:
    entries: list[Entry] = []
    ends: list[int] = []  # unit index after each entry (a wrapped title spans several)
    index = start
    after_part = False
    while index < len(units):
        text = units[index].text
        found, title, page = _entry(text)
        numbered = [e for e in entries if e.number]
        if found is not None and _entry_title(title, page, numbered):
            if numbered and found.parts <= numbered[-1].parts and not after_part:
                break  # numbering starts again without a part line: the body begins here
            if not numbered and found.time_or_date:
                break  # "9.30 Gruppemøder": the cover's programme, not the first entry
            entries.append(Entry(found.number, title, page))
            after_part = False
        elif (
            found is None
            and entries
            and entries[-1].page is None
            and entries[-1].number
            and (joined := _continuation(units, index)) is not None
        ):
            extra, page, index = joined
            last = entries[-1]
            entries[-1] = Entry(last.number, f"{last.title} {extra}", page)
            ends[-1] = index
            continue
        elif found is None and numbered and _part_line(units, index, title, page, numbered[-1]):
            entries.append(Entry(None, title, page))
            after_part = True
        elif not entries and _HEADINGS.match(text):
            start = index + 1
        else:
            break
        index += 1
        if len(ends) < len(entries):
            ends.append(index)
    paged = sum(e.page is not None for e in entries if e.number) >= 2
    # The body's first headings can follow the last entry with nothing between: without page
    # numbers when the entries have them, or entries listed before when they have none.
    while entries and (entries[-1].page is None if paged else _listed_before(entries)):
        entries.pop()
    numbered = [e for e in entries if e.number]
    if len(numbered) < 2:
        return None
    if paged and 2 * sum(e.page is not None for e in numbered) < len(numbered):
        return None
    return Toc(tuple(_groups(entries)), start, ends[len(entries) - 1], paged)


def _listed_before(entries: list[Entry]) -> bool:
    """Whether the last entry repeats an earlier one (its title may lack a wrapped line)."""
    last = entries[-1]
    title = canonical(last.title)
    return any(
        e.number == last.number and canonical(e.title).startswith(title) for e in entries[:-1]
    )


def _continuation(units: list[Unit], index: int) -> tuple[str, int | None, int] | None:
    """A wrapped title's further lines: up to two unnumbered lines, the last with the page."""
    texts = []
    for offset in range(2):
        if index + offset >= len(units):
            return None
        text = units[index + offset].text
        if label(text) is not None or len(text) > 200:
            return None
        _, title, page = _entry(text)
        texts.append(title)
        if page is not None:
            return " ".join(texts), page, index + offset + 1
    return None


def _part_line(units: list[Unit], index: int, title: str, page: int | None, last: Entry) -> bool:
    """ "Tillægsdagsorden" between entries: short, no sentence, and a page number or a restart
    of the numbering right after it."""
    if not _titled(title) or len(title) > 80 or title.endswith((".", ":", ";", ",")):
        return False
    if _HEADINGS.match(title):
        return False  # "Indholdsfortegnelse" after a programme: the contents begin, no part
    if page is not None:
        return True
    following = label(units[index + 1].text) if index + 1 < len(units) else None
    return following is not None and (following.parts <= last.parts or part_title(title))


def part_title(text: str) -> bool:
    """Whether a line names a part of the agenda: "Tillægsdagsorden", "Lukket dagsorden". A
    sentence about the agenda names none: the decision of "Godkendelse af dagsorden" ("Dagsorden
    blev godkendt", "Det indstilles, at dagsorden godkendes.") is the end of that point."""
    return (
        len(text) <= 60
        and bool(PART_TITLE.search(text))
        and not text.endswith((".", ",", ";", ":"))
        and "," not in text
        and not _SENTENCE_VERB.search(text)
    )


# What says a line is a sentence about the agenda, not the name of one of its parts.
_SENTENCE_VERB = re.compile(
    r"\b(?:blev|bliver|er|var|kan|skal|godkend(?:e[rst]?|te?)?|vedtag(?:e[rst]?)?)\b", re.I
)


def _groups(entries: list[Entry]) -> list[Entry]:
    """The entries, those followed by one of their sub-points marked as groups ("2." before
    "2.1.", and "2.1." before "2.1.1.")."""
    marked = []
    for position, entry in enumerate(entries):
        following = entries[position + 1] if position + 1 < len(entries) else None
        group = following is not None and inside(following.parts, entry.parts)
        marked.append(Entry(entry.number, entry.title, entry.page, group))
    return marked


def inside(parts: tuple[int, ...], group: tuple[int, ...]) -> bool:
    """Whether a number is that of a sub-point of `group` at any depth (2.1 or 2.1.1 of 2)."""
    return len(parts) > len(group) > 0 and parts[: len(group)] == group
