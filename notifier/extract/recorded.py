"""Pure: whether an agenda's points record what its meeting decided, which makes it the minutes.

Agenda systems print minutes under the agenda's title: "Dagsorden og referat", a
"Beslutningsprotokol" whose cover says "Dagsorden", "Referat" only in the page footer, a
municipality's minutes page at a /dagsorden/ address. What tells them apart from the agenda is
the decision under each point. A municipal council's agenda may carry the decisions of the
committees that treated a case before ("Beslutning i Økonomiudvalget den 04-06-2020",
"Økonomiudvalget, 18. september 2019, pkt. 153:"), dated before the meeting: those are no
record of this meeting.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from notifier.extract.dates import find_date
from notifier.models import Item
from notifier.sections import earlier_treatments, heads_section, section, section_name
from notifier.toc import units


def records_decisions(items: Sequence[Item], day: date | None) -> bool:
    """Whether more than half of the points hold a decision of the meeting held on ``day``:
    text under their last decision heading, which names no earlier day."""
    recorded = sum(bool(item.beslutning) and _decided_at_meeting(item.text, day) for item in items)
    return recorded > 0 and 2 * recorded > len(items)


def _decided_at_meeting(text: str, day: date | None) -> bool:
    """Whether the last decision heading of a point is the meeting's: undated ("Beslutning",
    "Beslutning i Byrådet"), or dated on or after the meeting's day. Without the meeting's day
    a dated one may be any body's, and is not counted."""
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
    dated = find_date(_heading(last))
    if dated is None:
        return True
    return day is not None and dated[0] >= day


def _heading(line: str) -> str:
    """A decision heading's own words: the decision run in after it may name any day."""
    match = section(line)
    heading = line
    for group in ("rest", "tight", "by_rest", "met_rest"):
        if match is not None and match.group(group) is not None:
            heading = heading[: match.start(group)]
    return heading
