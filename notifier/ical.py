"""iCalendar (RFC 5545) of the KKR meetings: stored meetings in, a calendar (bytes) out.

Rendered by hand: the format needs only text escaping (backslash, semicolon, comma, newline),
line folding at 75 octets and CRLF, which is less than a dependency. Times are written in UTC so
no VTIMEZONE is needed.

A meeting's UID is its row id, so a moved meeting (new time or place) updates the event already
in a subscriber's calendar; SEQUENCE and DTSTAMP come from the row's ``updated_at`` so clients see
the newer version win. A meeting without a known start time is an all-day event.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from notifier.models import Council, StoredMeeting
from notifier.untrusted import safe_url

# The length of a KKR meeting is not published; two hours is typical.
MEETING_LENGTH = timedelta(hours=2)
_SEQUENCE_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
# RFC 5545 text allows no control characters but tab.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def calendar_name(council: Council | None) -> str:
    return f"Møder i {council.danish_name}" if council else "Møder i KKR"


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\n", "\\n")
    return _CONTROL.sub("", value)


def _uri(value: str) -> str:
    # A URI value is not escaped, but it must stay on its (folded) line.
    return re.sub(r"[\x00-\x20\x7f]", "", value)


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, never inside a UTF-8 sequence."""
    out: list[str] = []
    current = ""
    size = 0
    for char in line:
        width = len(char.encode())
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def render_calendar(
    meetings: Sequence[StoredMeeting], *, council: Council | None, base_url: str
) -> bytes:
    host = urlsplit(base_url).hostname or "localhost"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//KKR Notifier//KKR-moeder//DA",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(calendar_name(council))}",
    ]
    for meeting in sorted(meetings, key=lambda m: (m.day, m.id)):
        lines += _event(meeting, host)
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode()


def _event(meeting: StoredMeeting, host: str) -> list[str]:
    sequence = max(0, int((meeting.updated_at - _SEQUENCE_EPOCH).total_seconds()))
    lines = [
        "BEGIN:VEVENT",
        f"UID:kkr-meeting-{meeting.id}@{host}",
        f"DTSTAMP:{_utc(meeting.updated_at)}",
        f"LAST-MODIFIED:{_utc(meeting.updated_at)}",
        f"SEQUENCE:{sequence}",
    ]
    if meeting.starts_at is not None:
        lines.append(f"DTSTART:{_utc(meeting.starts_at)}")
        lines.append(f"DTEND:{_utc(meeting.starts_at + MEETING_LENGTH)}")
    else:
        lines.append(f"DTSTART;VALUE=DATE:{meeting.day:%Y%m%d}")
        lines.append(f"DTEND;VALUE=DATE:{meeting.day + timedelta(days=1):%Y%m%d}")
    lines.append(f"SUMMARY:{escape_text(meeting.title)}")
    if meeting.place:
        lines.append(f"LOCATION:{escape_text(meeting.place)}")
    lines.append(f"CATEGORIES:{escape_text(meeting.council.danish_name)}")
    # As every output shows a scraped link: http(s) only, without tracking parameters. The
    # event's UID and SEQUENCE do not depend on it.
    if agenda := safe_url(meeting.agenda_url or "", ""):
        lines.append(f"URL:{_uri(agenda)}")
        lines.append(f"DESCRIPTION:{escape_text('Dagsorden: ' + agenda)}")
    lines.append("END:VEVENT")
    return lines
