"""Pure: agenda and minutes text -> points, and the signs that a point was lost.

With a table of contents (toc.py) the contents are the plan: every entry is looked for in the
body by its number and title (a heading may wrap over two lines, word it a little differently,
drop its number or its dot), and the matches that keep the plan's order and agree best are
kept (a longest-chain choice, so one entry found in the wrong place cannot push the others
out). Page numbers are never used: they are often those of an earlier draft. A point is the
text from its heading to the next heading of the plan; groups ("3. Regionalpolitiske sager")
and part lines ("Tillægsdagsorden") end the point before them but are not points. A heading
the contents leave out is a point too when its own case number follows it and its number fits
between its neighbours (contents of an earlier draft, or listing only the points with bilag).

Without a table of contents the body headings are the plan: a line opening a paragraph with a
number whose numbering goes forward (gaps allowed), and which is confirmed by what follows when
it could be a numbered list (a case number, a section heading, its first sub-point).

The split is then compared with the plan and the body, and every disagreement is a problem in
plain words: entries of the table of contents not found in the body, headings inside a point
that look like a point's own, numbering gaps inside a group (without a table of contents), a
point holding two Indstilling or Beslutning sections.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass

from notifier.headings import Point, body_headings, confirmed, title_lines, without_repeated_titles
from notifier.models import Item, canonical
from notifier.point_checks import (
    numbering_gaps,
    repeated_sections,
    skipped_headings,
    stray_headings,
    strays,
)
from notifier.point_items import number_parts, point_items
from notifier.point_text import closed, cut_case, is_case_line
from notifier.sections import heads_decision, section, without_closing
from notifier.title_numbers import numbered_titles
from notifier.toc import Entry, Toc, Unit, find_toc, inside, label, units

# How alike a body heading and its ToC entry must be (difflib ratio of the canonical forms).
_SAME_TITLE = 0.8
_SAME_UNNUMBERED = 0.9


@dataclass(frozen=True)
class _Candidate:
    start: int
    body: int
    title: str
    weight: int  # 3 number and title, 2 title alone, 1 number confirmed by what follows


def split_points(text: str, *, minutes: bool = False) -> tuple[list[Item], tuple[str, ...]]:
    """Items and problems of an agenda or minutes text (see split.split_document); `minutes`
    reads a decision headed with another word than Beslutning (sections.record_heading)."""
    found = without_closing(without_repeated_titles(numbered_titles(units(text))))
    # Minutes that head decisions "Beslutning" head none otherwise: a point without one (an
    # orientation) may end on the "Konklusion" of an analysis.
    minutes = minutes and not any(heads_decision(unit.text) for unit in found)
    first_case = _first_case(found)
    for toc in find_toc(found, before=first_case):
        if not toc.paged and toc.end < len(found) and confirmed(found, toc.end):
            continue  # a run of headings followed by a case number is the body, not a list
        points, missing = _match(toc, found)
        leaves = [e for e in toc.entries if e.number and not e.group]
        matched = [p for p in points if p.number and not p.group and p.weight > 1]
        if toc.paged or (len(matched) >= 2 and 2 * len(matched) >= len(leaves)):
            listed = {e.number for e in toc.entries if e.number}
            points = _unlisted(found, points, listed, toc.end)
            items = point_items(found, points, minutes)
            problems = [f"ToC lists {', '.join(missing)} not found in the body"] if missing else []
            problems += stray_headings(found, points, listed, toc.end)
            problems += skipped_headings(found, points, frozenset(listed))
            return items, (*problems, *repeated_sections(items))
    points = _mark_groups(body_headings(found))
    items = point_items(found, points, minutes)
    problems = numbering_gaps(points) + stray_headings(found, points, set())
    problems += skipped_headings(found, points)
    return items, (*dict.fromkeys(problems), *repeated_sections(items))


def _first_case(found: list[Unit]) -> int:
    """Where the first point's case number is: the contents come before it. A case number
    before any numbered line is the meeting's own, on the cover, not a point's."""
    numbered = False
    for index, unit in enumerate(found):
        if numbered and is_case_line(unit.text):
            return index
        numbered = numbered or label(unit.text) is not None
    return len(found)


# --- the table of contents as the plan ------------------------------------------------------


def _match(toc: Toc, found: list[Unit]) -> tuple[list[Point], list[str]]:
    """Where each entry of the plan is in the body, and the points it lists that are not."""
    numbered: dict[str, list[int]] = {}
    for index in range(toc.end, len(found)):
        if (head := label(found[index].text)) is not None:
            numbered.setdefault(head.number, []).append(index)
    folded: list[str] = []  # canonical text of each unit, for entries whose number is missing
    candidates = [_candidates(entry, found, toc.end, numbered, folded) for entry in toc.entries]
    points = []
    missing = []
    titles = _group_titles([(entry.number, entry.title, entry.group) for entry in toc.entries])
    chosen = _chain(candidates)
    for entry, candidate, group_title in zip(toc.entries, chosen, titles, strict=True):
        if candidate is None:
            if entry.number and not entry.group and not closed(entry.title):
                missing.append(entry.number)
            continue
        points.append(
            Point(
                number=entry.number,
                title=candidate.title or entry.title,
                start=candidate.start,
                body=candidate.body,
                group=entry.group or entry.number is None,
                group_title=group_title,
                weight=candidate.weight,
            )
        )
    return points, missing


def _candidates(
    entry: Entry,
    found: list[Unit],
    start: int,
    numbered: dict[str, list[int]],
    folded: list[str],
) -> list[_Candidate]:
    target = canonical(entry.title)
    result: list[_Candidate] = []
    for index in numbered.get(entry.number or "", ()):
        head = label(found[index].text)
        assert head is not None
        rest, first = head.rest, index + 1
        if not rest and first < len(found):  # the number on a line of its own
            rest, first = found[first].text, first + 1
        title, body, score = _best_title(rest, found, first, target)
        if score >= _SAME_TITLE:
            result.append(_Candidate(index, body, title, 3))
        elif not entry.group and found[index].starts_paragraph and confirmed(found, first):
            result.append(_Candidate(index, first, cut_case(rest)[0], 1))
    if result:
        return result
    # The body may leave out the number ("Godkendelse af dagsorden" under a logo).
    if not folded:
        folded.extend(canonical(unit.text[:40]) for unit in found)
    for index in range(start, len(found)):
        unit = found[index]
        if folded[index][:6] != target[:6] or not unit.starts_paragraph:
            continue
        if len(unit.text) > 300 or label(unit.text) is not None:
            continue
        title, body, score = _best_title(unit.text, found, index + 1, target)
        if score >= _SAME_UNNUMBERED:
            result.append(_Candidate(index, body, title, 2))
    return result


def _best_title(rest: str, found: list[Unit], first: int, target: str) -> tuple[str, int, float]:
    """The heading text that best matches the ToC title: the line alone or with up to two
    following lines (a heading wrapped onto separate paragraphs). Returns title, index of the
    first body unit and the score."""
    title, rest_of_line = cut_case(rest)
    best = (title, first, _ratio(canonical(title), target))
    joined = title
    for extra in range(2):
        index = first + extra
        if rest_of_line or index >= len(found):
            break
        text = found[index].text
        if is_case_line(text) or section(text) or label(text) is not None:
            break
        joined = f"{joined} {text}"
        score = _ratio(canonical(joined), target)
        if score > best[2]:
            best = (joined, index + 1, score)
    if not rest_of_line and (lines := title_lines(found, best[1])):
        # A shortened ToC title: the heading's further lines are still the heading when the
        # case number or a section follows them.
        more = " ".join(u.text for u in found[best[1] : best[1] + lines])
        return f"{best[0]} {more}", best[1] + lines, best[2]
    return best


def _ratio(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < _SAME_TITLE or matcher.quick_ratio() < _SAME_TITLE:
        return 0.0
    return matcher.ratio()


def _chain(candidates: list[list[_Candidate]]) -> list[_Candidate | None]:
    """One candidate or none per entry, in increasing document order, with the greatest total
    weight."""
    flat = [(i, c) for i, options in enumerate(candidates) for c in options]
    flat.sort(key=lambda pair: (pair[1].start, pair[0]))
    best: list[int] = []
    back: list[int] = []
    for position, (entry, candidate) in enumerate(flat):
        score, previous = candidate.weight, -1
        for earlier in range(position):
            other_entry, other = flat[earlier]
            if other_entry < entry and other.body <= candidate.start:
                total = best[earlier] + candidate.weight
                if total > score:
                    score, previous = total, earlier
        best.append(score)
        back.append(previous)
    chosen: list[_Candidate | None] = [None] * len(candidates)
    position = max(range(len(flat)), key=lambda p: best[p], default=-1)
    while position >= 0:
        entry, candidate = flat[position]
        chosen[entry] = candidate
        position = back[position]
    return chosen


def _unlisted(found: list[Unit], points: list[Point], listed: set[str], start: int) -> list[Point]:
    """The points with the headings the contents leave out that are points all the same:
    contents drawn up from an earlier draft, or listing only the points with bilag, lack a
    point the body has. Such a heading is taken when its own case number follows it and its
    number falls between those of the points around it; a numbered list inside a point has
    neither. A listed point it follows at once, and whose sub-point it is ("2." before "2.1",
    "2.1." before "2.1.1"), heads its group."""
    plan = sorted((p for p in points if p.number), key=lambda p: p.start)
    added = []
    groups = set()  # starts of listed points that turn out to head a group
    for stray in strays(found, points, listed, start):
        if stray.number in listed or not stray.case_follows:
            continue
        parts = number_parts(stray.number)
        before = [p for p in plan if p.start < stray.index]
        after = [p for p in plan if p.start > stray.index]
        if (before and number_parts(before[-1].number) >= parts) or (
            after and number_parts(after[0].number) <= parts
        ):
            continue
        group_title = ""
        if before and len(parts) >= 2:
            previous = before[-1]
            above = number_parts(previous.number)
            if inside(parts, above) and (previous.group or previous.body == stray.index):
                groups.add(previous.start)
                group_title = previous.title
            elif above[:-1] == parts[:-1]:  # the point before is in the same group
                group_title = previous.group_title
        added.append(
            Point(stray.number, stray.title, stray.index, stray.body, group_title=group_title)
        )
    marked = [dataclasses.replace(p, group=True) if p.start in groups else p for p in points]
    return marked + added


# --- the body headings as the plan ----------------------------------------------------------


def _mark_groups(points: list[Point]) -> list[Point]:
    """The headings, those followed by one of their sub-points marked as groups (part lines
    are already), each point with the title of its group."""
    following = [point.number for point in points[1:]]
    marked = [
        dataclasses.replace(
            point, group=point.group or inside(number_parts(number), number_parts(point.number))
        )
        for point, number in zip(points, [*following, None], strict=False)
    ]
    titles = _group_titles([(point.number, point.title, point.group) for point in marked])
    return [
        dataclasses.replace(point, group_title=title)
        for point, title in zip(marked, titles, strict=True)
    ]


def _group_titles(headings: list[tuple[str | None, str, bool]]) -> list[str]:
    """The group title of each heading of a plan, given as (number, title, whether a group):
    that of the innermost group whose sub-point it is ("Regionalpolitiske sager" for 2.1.1
    under "2.1. Regionalpolitiske sager", and for 2.2 that of "2."); none for a group itself.
    A part line (no number) closes every group."""
    titles = []
    groups: list[tuple[tuple[int, ...], str]] = []  # the groups open, outermost first
    for number, title, group in headings:
        parts = number_parts(number)
        groups = [(above, name) for above, name in groups if inside(parts, above)]
        titles.append(groups[-1][1] if groups and not group else "")
        if group and number is not None:
            groups.append((parts, title))
    return titles
