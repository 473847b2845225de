"""Pure: whether an agenda's points record what its meeting decided, which makes it the minutes.

Agenda systems print minutes under the agenda's title: "Dagsorden og referat", a
"Beslutningsprotokol" whose cover says "Dagsorden", "Referat" only in the page footer, a
municipality's minutes page at a /dagsorden/ address. What tells them apart from the agenda is
the decision under each point. A municipal council's agenda may carry the decisions of the
committees that treated a case before ("Beslutning i Økonomiudvalget den 04-06-2020",
"Økonomiudvalget, 18. september 2019, pkt. 153:", or undated: "Økonomiudvalgets beslutning:
Anbefales."): those are no record of this meeting. Nor is what an agenda's template prints
under its empty "Beslutning": the list of bilag, a note that it is filled in at the meeting,
what the point asks for, or the wording proposed for the decision.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from notifier.extract.dates import find_date
from notifier.models import Item
from notifier.point_text import asks
from notifier.sections import earlier_treatments, heads_section, section, section_name
from notifier.toc import units


def records_decisions(items: Sequence[Item], day: date | None, head: str = "") -> bool:
    """Whether more than half of the points hold a decision of the meeting held on ``day``:
    text under their last decision heading, which names no earlier day, and, undated, names
    no body other than one ``head`` (the document's cover) names."""
    recorded = sum(
        _records(item.beslutning or "") and _decided_at_meeting(item.text, day, head)
        for item in items
    )
    return recorded > 0 and 2 * recorded > len(items)


# What an agenda's template prints under an empty decision heading: the bilag, listed without
# their own heading ("Bilag 1: Notat om planen", "Kort over området.pdf"); a note that the
# decision is written at the meeting ("(udfyldes på mødet)"); the wording proposed for it
# ("Forslag: At planen godkendes.", "Det indstilles, at ...", "At ...").
_BILAG_LINE = re.compile(
    r"^(?:bilag\s*(?:nr\.?\s*)?\d+\b.*|.*\.(?:pdf|docx?|xlsx?|pptx?)\)?)$", re.IGNORECASE
)
_PLACEHOLDER = re.compile(r"^\(.*\)$|\budfyldes\b|\bafventer\s+mødet\b", re.IGNORECASE)
_PROPOSAL = re.compile(r"^(?:forslag\b|det\s+(?:indstilles|foreslås)\b|at\s)", re.IGNORECASE)


def _records(decision: str) -> bool:
    """Whether the text under a point's decision heading records a decision."""
    lines = [unit.text for unit in units(decision)]
    if not lines or all(_BILAG_LINE.match(line) for line in lines):
        return False
    text = " ".join(lines)
    return not (_PLACEHOLDER.search(text) or _PROPOSAL.match(text) or asks(text))


def _decided_at_meeting(text: str, day: date | None, head: str) -> bool:
    """Whether the last decision heading of a point is the meeting's: undated ("Beslutning",
    "Beslutning i Byrådet"), or dated on or after the meeting's day. Without the meeting's day
    a dated one may be any body's, and is not counted. An undated one naming a body the
    cover does not name ("Økonomiudvalgets beslutning" in the Byråd's agenda) is a committee's
    that decided before the meeting."""
    body = units(text)
    listed = earlier_treatments(body)
    last = None
    for index, unit in enumerate(body):
        match = section(unit.text) if index not in listed else None
        named = match is not None and section_name(match).casefold() == "beslutning"
        if named and match is not None and heads_section(body, index, match):
            last = unit.text
    if last is None:
        return False
    heading = _heading(last)
    dated = find_date(heading)
    if dated is None:
        cover = head.casefold()
        return all(name.casefold() in cover for name in _BODY_WORD.findall(heading))
    return day is not None and dated[0] >= day


# A council or committee named in a decision heading, by the stem its forms share
# ("Økonomiudvalgets", "i Økonomiudvalget" -> "Økonomiudvalg"; "Byrådets" -> "Byråd").
_BODY_WORD = re.compile(r"[\w-]*(?:udvalg|råd|bestyrelse)", re.IGNORECASE)


def _heading(line: str) -> str:
    """A decision heading's own words: the decision run in after it may name any day."""
    match = section(line)
    heading = line
    for group in ("rest", "tight", "by_rest", "met_rest"):
        if match is not None and match.group(group) is not None:
            heading = heading[: match.start(group)]
    return heading
