"""Pure: what looks like the heading of an agenda or minutes point, and where one was found.

A numbered paragraph is a heading when it reads like a title (short, no sentence) and what
follows confirms it: a case number, a section heading (Baggrund, Indstilling, ...), its first
sub-point, or the next point. A title may run on over further short paragraphs of its own.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from notifier.danish import abbreviated
from notifier.models import canonical
from notifier.point_text import asks, cut_case, is_case_line
from notifier.sections import opens_point, section
from notifier.toc import Label, Unit, inside, label, leaders, part_title, title_like


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


def without_repeated_titles(found: list[Unit]) -> list[Unit]:
    """The units without a title set again under its numbered heading, with nothing between
    (Holbæk's "49. Godkendelse af dagsorden til mødet den 4. juni 2020", then the title alone
    on the next line): a mark of the layout, as a heading set again on a later page is, that
    was read as more of the title, or hid the section under it that confirms the heading."""
    drop: set[int] = set()
    for index, unit in enumerate(found):
        head = label(unit.text)
        if head is None or not unit.starts_paragraph or len(head.rest) < _REPEATED_CHARS:
            continue
        heading = head.rest
        for lines in range(3):  # the heading may wrap onto paragraphs of its own
            first = index + 1 + lines
            if lines:
                heading = f"{heading} {found[first - 1].text}"
            if first >= len(found) or not found[first].starts_paragraph:
                break
            if not title_like(found[first].text):
                continue  # the heading's own next line, or a list's item ("- Adgang til ...")
            if _opening(found[first].text) != _opening(heading):
                continue  # the cheap test first: most numbered lines are not set again
            if (repeat := _repeat(found, first, canonical(heading))) is not None:
                drop.update(range(first, repeat))
                break
    return [unit for index, unit in enumerate(found) if index not in drop] if drop else found


_REPEATED_CHARS = 8


def _opening(text: str) -> str:
    """The first letter or digit, case-folded: what canonical() of the text starts with."""
    return next((char for char in text if char.isalnum()), "").casefold()


def _repeat(found: list[Unit], first: int, title: str) -> int | None:
    """The end of up to three lines from `first` that say the title again, if they do."""
    said = ""
    for index in range(first, min(first + 3, len(found))):
        said += canonical(found[index].text)
        if said == title:
            return index + 1
        if not title.startswith(said):
            return None
    return None


def heading_title(found: list[Unit], index: int, rest: str) -> tuple[str, int]:
    """The title of a body heading and the index of its first body unit: further lines set as
    paragraphs of their own are joined when the case number or a section heading follows."""
    title, rest_of_line = cut_case(rest)
    body = index + 1
    if not rest_of_line:
        lines = title_lines(found, body)
        if not title and not lines and body < len(found) and title_line(found[body].text):
            lines = 1  # nothing confirms it, but a number alone has its title after it
        # the number may stand alone, its title on the lines after it ("3.2." set apart from
        # its title, as the KL template's contents come out of some extractors)
        title = " ".join(t for t in (title, *(u.text for u in found[body : body + lines])) if t)
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


# A file's name with a document's extension, ending a line: agenda systems list a point's
# attachments under its heading (Stevns' "udkast._planstrategi_2020_21.12.2019.pdf", Roskilde's
# "Arbejdsplan_2019.pdf Vision_og_strategi_2019-21.pdf"), no line of its title.
_FILE_NAME = re.compile(r"\S\.(?:pdf|docx?|xlsx?|pptx?|odt|rtf|txt|msg|jpe?g|png)$", re.IGNORECASE)


def title_line(text: str, *, longest: int = 120) -> bool:
    # A question or an exclamation may end a title ("... i kommunerne?"); a colon opens text.
    return (
        len(text) <= longest
        and not text.endswith(":")
        and not _FILE_NAME.search(text)
        and not full_stop(text)
        and label(text) is None
        and not is_case_line(text)
        and not section(text)
        and not asks(text)
    )


def prose(unit: Unit) -> bool:
    return unit.starts_paragraph and len(unit.text) > 80 and unit.text.endswith(".")


def short_title(title: str) -> bool:
    return len(title) <= 150 and not title.endswith(":") and not full_stop(title)


def full_stop(text: str) -> bool:
    """Ends in a full stop as a sentence does; "Udpegninger m.v." ends in an abbreviation."""
    return text.endswith(".") and not abbreviated(text)


def case_after(found: list[Unit], index: int) -> bool:
    """Whether a case number is at `index`, or after "Til orientering" there."""
    if index < len(found) and asks(found[index].text):
        index += 1
    return index < len(found) and is_case_line(found[index].text)


def confirmed(found: list[Unit], index: int) -> bool:
    """What starts at `index` is what follows a point heading: a case number or a section."""
    if index >= len(found):
        return False
    text = found[index].text
    if asks(text):  # "Til orientering" may stand between the heading and its case number
        return confirmed(found, index + 1)
    return is_case_line(text) or ((match := section(text)) is not None and opens_point(match))


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
    if inside(head.parts, parts) and len(head.parts) == len(parts) + 1:
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


def body_headings(found: list[Unit]) -> list[Point]:
    """Headings found by their numbering alone (no table of contents), in document order."""
    accepted: list[Point] = []
    state: tuple[int, ...] | None = None
    list_next: int | None = None  # the next number of a numbered list inside the point
    for index, unit in enumerate(found):
        head = label(unit.text)
        if head is None:
            if confirmed(found, index) or prose(unit):
                list_next = None  # a section or a paragraph of text: a numbered list ended
            continue
        title, body = heading_title(found, index, head.rest)
        # A title may open in lower case ("e-Sundhed ...") when its case number follows it: no
        # item of a numbered list ("2. tager orienteringen til efterretning") has one.
        shaped = title_like(title) or (bool(title) and case_after(found, body))
        candidate = unit.starts_paragraph and len(unit.text) <= 250 and shaped
        candidate = candidate and not leaders(unit.text)  # "3. Eventuelt ........ 5"
        # A time of day or a date before the first point ("9.30 Gruppemøder", "17.04.24") is
        # the cover's: no numbering leads to it, and taken as a point it would push every
        # point out.
        candidate = candidate and not (head.time_or_date and state is None)
        # A number alone without a dot is a page number ("4"), not a heading set apart
        candidate = candidate and not (head.bare and not head.rest)
        strong = candidate and confirmed(found, body) and not head.time_or_date
        if candidate and head.bare and not strong and not confirms_top(found, index, head.parts):
            # "5 Title" without a dot is a point when it reads like one and is the next number:
            # not a table row, nor a footnote ("3 Kilde: Danmarks Statistik", numbered on
            # through the document) before the point that has its number
            candidate = short_title(title) and not re.search(r"\d\s+\d", title)
            candidate = candidate and head.parts[0] != list_next
            candidate = candidate and (
                state is None
                or _follows(head.parts, state)
                or _goes_on_from(found, index, head.parts)
            )
            candidate = candidate and not _taken_later(found, index, head.parts, dotted=True)
        # Nor is a line that numbers past a point confirmed after it ("125 Børn i vuggestue"
        # in point 13's table, before "14. Title" with its case number): points go up.
        candidate = candidate and (strong or not _passes(found, index, head.parts, state))
        in_list = len(head.parts) == 1 and head.parts[0] == list_next and not head.punkt
        if in_list:  # the next item of a numbered list, unless a case number follows
            candidate = candidate and case_after(found, body)
        # Nothing between the heading before and this one: that one heads a group.
        opens = bool(accepted) and accepted[-1].body == index
        if not candidate or not _accept(
            found, index, head.parts, state, strong, in_list, opens, title
        ):
            if strong and _only_a_list(found, accepted):
                # The numbering starts again, confirmed, after points with nothing between
                # them: those were the list of the points on the cover, and these are they.
                accepted, state = [], None
            else:
                # A numbered list starts at "1.": a point not taken ("4." with a long title), or
                # a footnote ("1 Kilde: ..."), does not make the points after it list items.
                if len(head.parts) == 1 and not head.bare and head.parts[0] in (1, list_next):
                    list_next = head.parts[0] + 1
                continue
        previous = found[index - 1].text if index > 0 else ""
        if label(previous) is None and (
            (state is not None and head.parts <= state) or part_title(previous)
        ):  # after a part line ("Lukket dagsorden"): it ends the point before it
            accepted.append(Point(None, found[index - 1].text, index - 1, index, group=True))
        state = head.parts
        list_next = None
        accepted.append(Point(head.number, title, index, body))
    return accepted


def _accept(
    found: list[Unit],
    index: int,
    parts: tuple[int, ...],
    state: tuple[int, ...] | None,
    strong: bool,
    in_list: bool,
    opens: bool,
    title: str,
) -> bool:
    if state is None:
        first = (parts == (1,) or _goes_on_from(found, index, parts)) and _few_words(
            found, index, parts, title
        )
        return strong or confirms_top(found, index, parts) or short_title(title) or first
    if parts <= state:
        # Numbering starts again only after a part line ("Tillægsdagsorden").
        return after_part_line(found, index) and (strong or short_title(title))
    if len(parts) == 1:
        # A short title after a point's text is a point of its own ("7. KKR"), unless it is
        # the next number of a numbered list inside the point, or the numbering of the group
        # goes on after it (a list whose items have paragraphs between them).
        if strong:
            return True
        if _group_goes_on(found, index, state):
            return False
        # One word with a full stop ("5. Eventuelt.") is a title too, not a sentence; so are a
        # few words ("2. Siden sidst.") that are the next number, unless a heading confirmed by
        # its case number or a section takes that number later (then this is a list item).
        goes_on = parts == (state[0] + 1,) or _goes_on_from(found, index, parts)
        closing = title.endswith(".") and (
            " " not in title.strip() or (goes_on and _few_words(found, index, parts, title))
        )
        return confirms_top(found, index, parts) or (
            not in_list and (short_title(title) or closing)
        )
    if len(parts) > 2 and parts[:-1] == state and not opens:
        # A third level under a point with text of its own numbers the sections of that text
        # ("3.2.1 Grøn omstilling" in 3.2); under a heading with none, it numbers points.
        return strong
    return strong or _follows(parts, state)


def _few_words(found: list[Unit], index: int, parts: tuple[int, ...], title: str) -> bool:
    """A title of a few words with a full stop ("Siden sidst."), where no heading confirmed by
    its case number or a section takes the number later (then this is a list item)."""
    return (
        title.endswith(".")
        and len(title) <= 60
        and len(title.split()) <= 6
        and not _taken_later(found, index, parts)
    )


def _only_a_list(found: list[Unit], points: list[Point]) -> bool:
    """Whether the points are two or more headings one after another, with nothing between
    them and nothing confirming the last: a list of the points, not the points."""
    return (
        sum(1 for point in points if point.number) >= 2
        and all(point.body == after.start for point, after in itertools.pairwise(points))
        and not confirmed(found, points[-1].body)
    )


def _follows(parts: tuple[int, ...], state: tuple[int, ...]) -> bool:
    """Whether a number is one after `state` with none skipped: the next at one of its levels
    or the first below that (3.3, 3.3.1, 4, 4.1 or 4.1.1 after 3.2), or its own first sub-point
    (3.2.1 after 3.2, 3.1 after 3)."""
    for level in range(len(state)):
        up = (*state[:level], state[level] + 1)
        if parts[: len(up)] == up and all(part == 1 for part in parts[len(up) :]):
            return True
    return parts == (*state, 1)


def _goes_on_from(found: list[Unit], index: int, parts: tuple[int, ...]) -> bool:
    """Whether the numbering goes on from `parts` (a gap before it, "5 Udpegninger" after 3):
    the next numbered heading after it is numbered higher. After a footnote ("5 Kilde: ..."
    inside point 2) the next is lower."""
    for later in range(index + 1, len(found)):
        head = label(found[later].text)
        if head is None or not found[later].starts_paragraph or not title_like(head.rest):
            continue
        return head.parts > parts
    return False


def _taken_later(
    found: list[Unit], index: int, parts: tuple[int, ...], *, dotted: bool = False
) -> bool:
    """Whether a heading after `index` with the same number is confirmed as a point's, or
    (`dotted`, for a number without a dot) is set as the points are, with a dot."""
    for later in range(index + 1, len(found)):
        head = label(found[later].text)
        if head is None or head.parts != parts or not found[later].starts_paragraph:
            continue
        if dotted and not head.bare and title_like(head.rest):
            return True
        if confirmed(found, heading_title(found, later, head.rest)[1]):
            return True
    return False


def _next_confirmed(found: list[Unit], index: int, *, titled: bool) -> Label | None:
    """The label of the next heading after `index` confirmed by its case number or a section
    (`titled`: of those whose rest reads as a title)."""
    for later in range(index + 1, len(found)):
        head = label(found[later].text)
        if head is None or not found[later].starts_paragraph:
            continue
        if titled and not title_like(head.rest):
            continue
        if confirmed(found, heading_title(found, later, head.rest)[1]):
            return head
    return None


def _passes(
    found: list[Unit], index: int, parts: tuple[int, ...], state: tuple[int, ...] | None
) -> bool:
    """Whether the next confirmed heading has this number or one between the point before and
    it: then this line is no point's heading."""
    head = _next_confirmed(found, index, titled=True)
    return head is not None and head.parts <= parts and (state is None or head.parts > state)


def _group_goes_on(found: list[Unit], index: int, state: tuple[int, ...]) -> bool:
    """Whether the next confirmed heading continues the current group's sub-points (3.3 after
    3.2): then a "4." before it is no point."""
    if len(state) < 2:
        return False
    # The first point after it that is one (not more of a list, or text): of this group, or
    # the numbering moved on.
    head = _next_confirmed(found, index, titled=False)
    return head is not None and inside(head.parts, state[:1]) and head.parts > state
