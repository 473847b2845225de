"""Pure splitting: Document -> Items.

Newsletters: one item per section (heading and its text), key = slug of the heading (a repeated
one "-2", "-3", ...: ``models.unique_keys``). The lead paragraph before the first heading is not
an item: on kl.dk it summarises the sections that follow, so as an item it would only repeat
their topics; before a single heading over nothing but a list it is the article itself, and
the list closes it ("Yderligere materiale" over its files): the page is one item. A newsletter
without any heading is one item, "indledning". A contact box ("Kontakt" over a name, phone and
e-mail) or a share or subscribe box under its own heading is no section (``closing``).
Sections come from the markup (Document.sections); without it a short line with no final
period followed by a paragraph is taken as a heading.

Agendas and minutes (points.py): one item per numbered point ("3.2.", "2.1.1." under "2.1.",
or "5." with no sub-points), key = the number ("3.2-2" when numbering restarts and repeats
it). The table of contents is the plan of the document and the body headings are matched to
it; without one, the body headings alone are. Group headings ("3. Regionalpolitiske sager",
"2.1. Udpegninger" above 2.1.1) are not items, numbered lists inside a point stay in it, and
case-worker initials after the case number are dropped.
``split_document`` also returns the problems found by comparing the split with the plan, so a
lost point is recorded instead of passing as a success.

Other documents are one item, "dokument", so a brochure can still be matched to topics.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from notifier.closing import closing_section
from notifier.danish import letter_closing
from notifier.models import Document, DocumentKind, Item, canonical, slug, unique_keys
from notifier.point_text import bare_record, point_summary
from notifier.points import split_points

__all__ = [
    "Split",
    "link_decisions",
    "point_summary",
    "split",
    "split_document",
    "with_bare_records",
]


@dataclass(frozen=True)
class Split:
    """The items of a document and the problems that say some may be missing or merged.

    A problem is a short English sentence naming the points concerned ("ToC lists 3.2, 3.3 not
    found in the body"); an empty tuple means nothing suggests a loss. Newsletters and other
    documents never have problems.
    """

    items: list[Item]
    problems: tuple[str, ...] = ()


def split_document(document: Document) -> Split:
    if document.kind in (DocumentKind.AGENDA, DocumentKind.MINUTES):
        items, problems = split_points(document.text, minutes=document.kind == DocumentKind.MINUTES)
        if document.kind == DocumentKind.MINUTES:
            items = with_bare_records(items)
        if not items:
            problems = ("no agenda points found", *problems)
        return Split(items, problems)
    if document.kind == DocumentKind.NEWSLETTER:
        sections = list(document.sections) or _sections_from_text(document)
        # A contact, share or subscribe box under a heading of its own is no subject. Left out
        # here, not at extraction: the document's text keeps it, and no section takes its
        # text, so no other item's stored text (and content hash) moves.
        sections = [section for section in sections if not closing_section(*section)]
        if not sections or _closing_list(document, sections):
            item = Item(key=NO_SECTIONS, position=0, title=document.title, text=document.text)
            return Split([item])
        return Split(_section_items(sections))
    return Split([Item(key="dokument", position=0, title=document.title, text=document.text)])


def with_bare_records(items: Sequence[Item]) -> list[Item]:
    """Minutes' points, each with a bare record as its decision where it has no other."""
    return [_with_bare_record(item) for item in items]


def _with_bare_record(item: Item) -> Item:
    """A minutes point with no Beslutning heading whose text is only what was decided (decision
    minutes set the title and the decision, no sections): that text is its decision, so it is
    told as one."""
    if item.beslutning is not None:
        return item
    record = bare_record(item.text)
    return dataclasses.replace(item, beslutning=record) if record else item


# The key of the one item a newsletter without sections becomes (the page's text as a whole).
NO_SECTIONS = "indledning"


def split(document: Document) -> list[Item]:
    """The items alone, for callers that do not record problems."""
    return split_document(document).items


def _section_items(sections: Sequence[tuple[str, str]]) -> list[Item]:
    keys = unique_keys([slug(heading) or "afsnit" for heading, _ in sections])
    return [
        Item(key=key, position=position, title=heading, text=f"{heading}\n\n{body}".strip())
        for position, (key, (heading, body)) in enumerate(zip(keys, sections, strict=True))
    ]


def _closing_list(document: Document, sections: Sequence[tuple[str, str]]) -> bool:
    """Whether the only section is a list closing an article ("Yderligere materiale" over its
    files): with text before it, that text is the article, not a lead summing up sections."""
    if len(sections) != 1:
        return False
    heading, body = sections[0]
    lines = [p.strip() for p in body.split("\n\n") if p.strip()]
    if not lines or not all(line.startswith("•") for line in lines):
        return False
    paragraphs = [p.strip() for p in document.text.split("\n\n") if p.strip()]
    if paragraphs and paragraphs[0] == document.title:
        paragraphs = paragraphs[1:]
    return heading.strip() in paragraphs and paragraphs.index(heading.strip()) > 0


def _sections_from_text(document: Document) -> list[tuple[str, str]]:
    paragraphs = [p for p in document.text.split("\n\n") if p.strip()]
    if paragraphs and paragraphs[0] == document.title:
        paragraphs = paragraphs[1:]
    headings = [
        len(paragraph) < 160
        and "\n" not in paragraph
        and not paragraph.rstrip().endswith((".", ":", "!", "?"))
        and not paragraph.startswith("•")
        and len(following) > len(paragraph)
        for paragraph, following in itertools.pairwise([*paragraphs, ""])
    ]
    # A letter's closing ("Glædelig jul og godt nytår", then the names and roles that sign it)
    # is short lines with no full stop, and none of them heads a section.
    closing = letter_closing(paragraphs)
    headings[closing:] = [False] * (len(headings) - closing)
    # The first paragraph is the lead, unless it reads like a heading and at least two more
    # do: then the page has no lead, and its first section starts at once.
    if headings and sum(headings[1:]) < 2:
        headings[0] = False
    sections: list[tuple[str, str]] = []
    for paragraph, is_heading in zip(paragraphs, headings, strict=True):
        if is_heading:
            sections.append((paragraph.strip(), ""))
        elif sections:
            heading, body = sections[-1]
            sections[-1] = (heading, f"{body}\n\n{paragraph}" if body else paragraph)
    return sections


def link_decisions(agenda: Sequence[Item], minutes: Sequence[Item]) -> dict[str, str]:
    """Minutes item key -> agenda item key.

    By case number when it is unique in both documents (KKR often files a whole meeting under
    one case number, so it often is not), else by the same point number and a similar title,
    else (the minutes renumbered their points: a point added or taken off the agenda) by a
    title nearly the same as one agenda point's and no other's.
    """
    agenda_cases = Counter(item.case_number for item in agenda if item.case_number)
    minutes_cases = Counter(item.case_number for item in minutes if item.case_number)
    by_case = {item.case_number: item for item in agenda if item.case_number}
    # A meeting's agendas may share numbers (a supplementary agenda numbering from 1 again).
    by_number: dict[str, list[Item]] = {}
    for item in agenda:
        if item.number:
            by_number.setdefault(item.number, []).append(item)
    links: dict[str, str] = {}
    for item in minutes:
        case = item.case_number
        if case and agenda_cases[case] == 1 and minutes_cases[case] == 1:
            links[item.key] = by_case[case].key
            continue
        scored = [
            (score, candidate)
            for candidate in by_number.get(item.number or "", ())
            if (score := _similarity(candidate.title, item.title)) >= 0.6
        ]
        if scored:
            links[item.key] = max(scored, key=lambda pair: pair[0])[1].key
    taken = set(links.values())
    for item in minutes:
        if item.key in links:
            continue
        alike = [
            candidate
            for candidate in agenda
            if candidate.key not in taken
            and _DIGITS.findall(candidate.title) == _DIGITS.findall(item.title)
            and _similarity(candidate.title, item.title) >= _SAME_TITLE
        ]
        if len(alike) == 1:
            links[item.key] = alike[0].key
            taken.add(alike[0].key)
    return links


# How alike two titles must be to pair points whose numbers differ: the same words, bar an
# ending or a word ("erhvervsuddannelserne" / "erhvervsuddannelser"), and the same numbers
# ("Budget 2025" is not "Budget 2024").
_SAME_TITLE = 0.9
_DIGITS = re.compile(r"\d+")


def _similarity(a: str, b: str) -> float:
    left, right = canonical(a), canonical(b)
    return 1.0 if left == right else difflib.SequenceMatcher(None, left, right).ratio()
