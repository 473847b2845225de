"""Text clean-up shared by the HTML and PDF extractors.

Everything downstream (splitting, hashing, classification) sees text that went through
``normalize_text``: NFC, no control characters, hyphenated line breaks rejoined, one paragraph per
blank-line separated block and wrapped lines inside a paragraph joined, except list items and
the entries of contents set tight.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from notifier.danish import PART_TITLE, SECTION_NAMES, TITLE_START

# A line-end hyphen before one of these words is a suspended compound ("klima- og energiplaner").
_CONJUNCTIONS = frozenset({"og", "eller", "samt", "til", "som", "end", "m.v.", "mv."})
# pdfium reports a hyphen it judged to be hyphenation as U+FFFE (older builds: U+0002) and drops
# the line break; both mark the same thing as "-\n".
_BREAK = r"(?:-[ \t]*\n|[\ufffe\x02][ \t]*\n?)[ \t]*"
_HYPHENATED = re.compile(rf"(\S)({_BREAK})(\S+)")
_BREAK_STARTS = ("-", "\ufffe", "\x02")
# Also what XML cannot carry (noncharacters, lone surrogates): the text ends up in feeds and mails.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ufeff\u00ad\u200b\ud800-\udfff]")
_PARAGRAPH_BREAK = re.compile(r"\n[ ]*\n+")
_SPACE_RUN = re.compile(r"[ ]{2,}")
_DIGITS = re.compile(r"\d+")
# A line that opens a list item or a numbered heading, never the wrapped end of the line before:
# a bullet, "3.2. Title", "2) ..." and, capitalised, "Pkt. 3 Title", "Punkt 3: Title" and
# "Nr. 60 - Title" (a board's contents set tight under "Indhold" would otherwise lose their
# first entry to it).
_LIST_ITEM = re.compile(
    rf"^(?:[-–•*▪●]\s|\d{{1,3}}(?:\.\d{{1,2}})*\.?\s+[{TITLE_START}]"
    rf"|(?:Punkt\s*|Pkt\.\s*|Nr\.\s*)\d{{1,3}}(?:\.\d{{1,2}})*[.:]?(?:\s*[–-])?\s+[{TITLE_START}]"
    rf"|\d{{1,2}}\)\s)"
)
# A contents entry set tight: the number and title it opens with ("3. e-Sundhed", "Punkt 3:
# Klima"), and the page number it ends with, after dot leaders or an ellipsis, or after a space
# alone (tab leaders, once normalised).
_ENTRY_NUMBER = re.compile(r"^(?:[Pp]unkt\s*|[Pp]kt\.\s*)?(\d{1,3}(?:\.\d{1,2})*)[.:]?\s+\S")
# (Roman page numbers after leaders too: "98. Analyse af daginstitutionsstruktur...x".)
_AFTER_LEADERS = re.compile(r"(?:\.\s*){3,}(?:\d{1,3}|[ivxlc]{1,7})$|…\s*(?:\d{1,3}|[ivxlc]{1,7})$")
_AFTER_SPACE = re.compile(r"\s\d{1,3}$")
# The label of a note of who was absent, capitalised as it opens a line (sections.attendance
# reads it when splitting; here it only keeps the line from joining the sentence above).
_ATTENDANCE = re.compile(
    r"(?:Fraværende|Afbud|Fremmøde|Deltog ikke|Ikke til stede)"
    r"(?:\s+(?:med|uden)\s+afbud|\s+og\s+inhabilitet)?\s*:"
)
_PAGE_NUMBER = re.compile(
    r"^(?:side\s*)?\d{1,3}(?:\s*(?:af|/|of)\s*\d{1,3})?$|^-\s*\d{1,3}\s*-$", re.IGNORECASE
)


def _rejoin(match: re.Match[str]) -> str:
    left, word = match.group(1), match.group(3)
    if word.rstrip(",.;:") in _CONJUNCTIONS:
        return f"{left}- {word}"
    if left.islower() and word[0].islower():
        return f"{left}{word}"  # "op-\nridse" -> "opridse"
    return f"{left}-{word}"  # "SAG-\n2021-01954", "KL-\nudspil": a real hyphen


def _rejoined(text: str) -> str:
    """``_HYPHENATED.sub(_rejoin, text)``, trying the pattern only before a hyphen or a mark.

    The regex tried at every character was most of a page's clean-up; str.find skips to the
    few places a break can start. Taken in order and never inside a replaced stretch, they give
    the matches the scan would.
    """
    starts = [at for mark in _BREAK_STARTS if mark in text for at in _positions(text, mark)]
    if not starts:
        return text
    starts.sort()
    out: list[str] = []
    done = 0
    for start in starts:
        if start - 1 < done:
            continue
        match = _HYPHENATED.match(text, start - 1)
        if match is not None:
            out += (text[done : match.start()], _rejoin(match))
            done = match.end()
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


def _positions(text: str, mark: str) -> list[int]:
    found = []
    at = text.find(mark)
    while at != -1:
        found.append(at)
        at = text.find(mark, at + 1)
    return found


def normalize_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\x0c", "\n\n").replace("\u00a0", " ").replace("\t", " ")
    # Extractors call this for every block of a page: the checks skip work that cannot apply
    # (a hyphenated break needs a line break or a mark, a run of spaces two spaces, a control
    # character a character other than a line break that str.isprintable rejects).
    if "\n" in text or "\ufffe" in text or "\x02" in text:
        text = _rejoined(text)
    if not text.replace("\n", "").isprintable():
        text = _CONTROL.sub("", text)
    if "\n" not in text:  # one line: one paragraph of it, or nothing
        return (_SPACE_RUN.sub(" ", text) if "  " in text else text).strip()
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(text):
        joined: list[str] = []
        for line in block.split("\n"):
            line = (_SPACE_RUN.sub(" ", line) if "  " in line else line).strip()
            if not line:
                continue
            if (
                joined
                and not _LIST_ITEM.match(line)
                and not _next_entry(joined[-1], line)
                and not _attendance_after(joined[-1], line)
            ):
                joined[-1] = f"{joined[-1]} {line}"
            else:
                joined.append(line)
        if joined:
            paragraphs.append("\n".join(joined))
    return "\n\n".join(paragraphs)


def _attendance_after(before: str, line: str) -> bool:
    """Whether the line notes who was absent, set tight under a sentence that ended (minutes
    put "Fraværende: Jens Hansen (V)" right under a point's decision): joined, the note read
    as part of what was decided."""
    return line[0] in "AFD" and before[-1] in ".!?)" and _ATTENDANCE.match(line) is not None


def _next_entry(before: str, line: str) -> bool:
    """Whether a line is the next entry of contents set tight after the entry `before`, whatever
    its title opens with ("3. e-Sundhed", "Punkt 3: Klima"): an entry ends at its page number.
    After dot leaders that is plain, and a part line with its own page number is an entry too
    ("Tillægsdagsorden ..... 6"). After a space alone a title may end in a number ("Status for
    fase 2"), so the line must then go on with the numbering of the entry before, or be a part
    line with its page number ("Lukket dagsorden 5"), after which the numbering may start
    again. A date broken over two lines ("mødet den / 3. april") follows no page number."""
    # The leaders and the page number are at the end: the patterns need no more of the line.
    leadered = _AFTER_LEADERS.search(before[-24:]) is not None
    if not (before[-1].isdigit() or leadered):
        return False
    numbered = _ENTRY_NUMBER.match(line)
    if leadered:
        return numbered is not None or _AFTER_LEADERS.search(line[-24:]) is not None
    if _AFTER_SPACE.search(before[-24:]) is None:
        return False
    entry = _ENTRY_NUMBER.match(before)
    if numbered is None:
        return entry is not None and _part_line(line)
    return (entry is None and _part_line(before)) or (
        entry is not None and _parts(numbered.group(1)) > _parts(entry.group(1))
    )


def _part_line(line: str) -> bool:
    """A part line of contents with its page number after a space ("Lukket dagsorden 5"): it
    opens with a capital, where the wrapped end of a title would not."""
    page = _AFTER_SPACE.search(line)
    if page is None:
        return False
    title = line[: page.start()].strip()
    return (
        bool(title)
        and title[0].isupper()
        and len(title) <= 60
        and PART_TITLE.search(title) is not None
    )


def _parts(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def strip_running_lines(
    pages: list[str], heights: list[list[tuple[float, float]]] | None = None
) -> list[str]:
    """Drops running headers/footers: lines in the first or last two places of a page that recur
    (digits ignored) in the same place on most pages, and bare page numbers there.

    ``heights``: where each page's lines that are not blank sit on it, in order (a PDF's: how
    far from the page's top and from its bottom, in points). A running line sits at the same
    height on every page, counted from the edge it is near; a line that recurs at other
    heights is text (a decision "Godkendt." ending each point of minutes set one point a
    page), and only the pages where it sits at one height count. A section heading is never
    a running line."""
    split = [page.split("\n") for page in pages]
    # At least 60 % of the pages and three: in a short document a point's heading and its ToC
    # entry can share a place on two pages.
    needed = max(3, -(-len(pages) * 3 // 5))
    # Each page's line ends: its first two and last two non-blank lines, each with its key
    # (the place and the line, digits masked), found once from either end of the page.
    ends = [_ends(lines) for lines in split]
    placed = [
        _heights_by_line(lines, heights[index]) if heights is not None else {}
        for index, lines in enumerate(split)
    ]
    # The heights of each key's lines, counted from the edge each is near.
    at: dict[tuple[tuple[str, str], bool], list[float]] = {}
    for slots, page_placed in zip(ends, placed, strict=True):
        for i, _, key in slots:
            if i in page_placed:
                near_top, distance = _from_edge(page_placed[i])
                at.setdefault((key, near_top), []).append(distance)
    bands = {key: _densest(values) for key, values in at.items()}
    # Each key's lines, with the page they stand on.
    seen: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for page_index, slots in enumerate(ends):
        for _, line, key in slots:
            seen.setdefault(key, []).append((page_index, line))
    # The lines that recur on enough pages and change from page to page as running lines do.
    paged = {
        key
        for key, found in seen.items()
        if len({page for page, _ in found}) >= needed and _numbered_as_pages(found)
    }
    result = []
    for page, lines, slots, page_placed in zip(pages, split, ends, placed, strict=True):
        drop = set()
        for i, line, key in slots:
            if _PAGE_NUMBER.match(line.strip()):
                drop.add(i)
            elif (
                len(pages) >= 2
                and key in paged
                and not _SECTION_LINE.match(line)
                and not _POINT_LABEL.match(line)
            ):
                where = page_placed.get(i)
                if where is None:
                    drop.add(i)
                    continue
                near_top, distance = _from_edge(where)
                band = bands[(key, near_top)]
                if band[1] >= needed and 0 <= distance - band[0] <= _SAME_HEIGHT:
                    drop.add(i)
        if drop:
            page = "\n".join(line for i, line in enumerate(lines) if i not in drop)
        result.append(page)
    return result


# A section heading on a line of its own: a point's, however often it recurs in one place.
_SECTION_LINE = re.compile(
    rf"^\s*(?:KKR['’]?s\s+)?(?:{'|'.join(map(re.escape, SECTION_NAMES))})(?:er)?\s*:?\s*$",
    re.IGNORECASE,
)
# A point's number on a line of its own ("Punkt 3", "Pkt. 3:", "3.2."), above its title:
# minutes set one point a page put it in one place on every page, yet it is no running line.
# (A bare page number has no full stop: _PAGE_NUMBER.)
_POINT_LABEL = re.compile(
    r"^\s*(?:(?:ad\s+)?(?:punkt|pkt\.)\s*\d{1,3}(?:\.\d{1,2})*\.?\s*[:–-]?|\d{1,3}(?:\.\d{1,2})*\.)\s*$",
    re.IGNORECASE,
)


def _numbered_as_pages(found: list[tuple[int, str]]) -> bool:
    """Whether a line that recurs (digits ignored) changes from page to page as a running line
    does: each number in it, over most steps from one page to the next where it recurs, stays
    the same or grows by as many as the pages between (a page number; a point's number in the
    header, the same over the point's pages; a total that changes once where two documents
    were bound together). A number that changes otherwise makes the line text: the case number
    above each point of minutes set one point a page ("Sagsnr.: SAG-2024-01611")."""
    numbers = [(page, _DIGITS.findall(line)) for page, line in found]
    steps = list(itertools.pairwise(numbers))
    for position in range(len(numbers[0][1])):
        if len({values[position] for _, values in numbers}) == 1:
            continue
        running = sum(
            int(after[position]) - int(before[position]) in (0, later - earlier)
            for (earlier, before), (later, after) in steps
        )
        if running * 2 < len(steps):
            return False
    return True


# How far apart (in points) one running line may sit on two pages: less than half a line.
_SAME_HEIGHT = 4.0


def _from_edge(where: tuple[float, float]) -> tuple[bool, float]:
    """Whether the line sits in the page's upper half, and how far it is from the edge it is
    near: a running line keeps its distance from that edge on pages of other sizes (and PDFium
    may give a footer right after the header, in the order they were drawn)."""
    from_top, from_bottom = where
    return (True, from_top) if from_top <= from_bottom else (False, from_bottom)


def _heights_by_line(
    lines: list[str], heights: list[tuple[float, float]]
) -> dict[int, tuple[float, float]]:
    """The height of each non-blank line, by its index among all the page's lines; none when
    they do not pair up (the lines are then judged by their text alone)."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return dict(zip(filled, heights, strict=True)) if len(filled) == len(heights) else {}


def _densest(heights: list[float]) -> tuple[float, int]:
    """The lowest height of the band _SAME_HEIGHT high that holds the most of ``heights``, and
    how many it holds."""
    ordered = sorted(heights)
    best, low = (ordered[0], 0), 0
    for high, height in enumerate(ordered):
        while height - ordered[low] > _SAME_HEIGHT:
            low += 1
        if high - low + 1 > best[1]:
            best = (ordered[low], high - low + 1)
    return best


def _ends(lines: list[str]) -> list[tuple[int, str, tuple[str, str]]]:
    """The page's first two and last two non-blank lines (fewer on a short page), in order,
    each with its place ("top0", "top1" or "bottom") and its text with digits masked."""
    top = _filled(range(len(lines)), lines)
    bottom = _filled(range(len(lines) - 1, -1, -1), lines)[::-1]
    slots = []
    for i in sorted(set(top + bottom)):
        where = f"top{top.index(i)}" if i in top else "bottom"
        slots.append((i, lines[i], (where, _DIGITS.sub("#", lines[i].strip().casefold()))))
    return slots


def _filled(order: range, lines: list[str]) -> list[int]:
    """The first two indices in order of lines that are not blank."""
    found: list[int] = []
    for i in order:
        if lines[i].strip():
            found.append(i)
            if len(found) == 2:
                break
    return found


def clean(text: str) -> str:
    """An element's text normalised, its paragraphs as lines."""
    return normalize_text(text).replace("\n\n", "\n")
