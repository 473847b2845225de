"""Danish dates as kl.dk writes them: "16. november 2020", "19-04-2021 10:00", "23.03.18"."""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januar", "jan"),
            ("februar", "feb"),
            ("marts", "mar"),
            ("april", "apr"),
            ("maj",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
# A day opens after anything but a digit, a letter too: a page's label and date in inline
# elements of their own read as one word ("<span>Nyhed</span><span>06.02.2024</span>").
_PATTERNS = (
    re.compile(
        rf"(?<!\d)(?P<d>\d{{1,2}})\.?\s*(?P<m>{_MONTH_NAMES})(?:\.\s*|\s+)(?P<y>\d{{4}})\b", re.I
    ),
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)"),
    # (after a letter dashed only in full, "Nyhed06-02-2024": "G01-1-17" of a journal number
    # "85.02.02-G01-1-17" is none)
    re.compile(
        r"(?:\b|(?<=[^\W\d_])(?=\d{1,2}[./]|\d\d-\d\d-\d{4}))"
        r"(?P<d>\d{1,2})(?P<s>[-./])(?P<m>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})(?![.\d])"
    ),
    # "21. 01. 2022" (KL's news sites space the parts), only with the full year
    re.compile(r"(?<!\d)(?P<d>\d{1,2})\. (?P<m>\d{1,2})\. (?P<y>\d{4})\b"),
    # "3/12-2026", "3/12 2026": day and month with a slash, the year after a dash or a space
    re.compile(
        r"(?<!\d)(?P<d>\d{1,2})/(?P<m>\d{1,2})(?:-(?P<y>\d{4}|\d{2})|\s(?P<y4>\d{4}))(?![.\d/])"
    ),
)
# The first day of a range the date ends: "2.-3. februar 2024", "30. januar - 1. februar 2024",
# "2. og 3. marts 2024", "10. til 11. oktober 2024"; a meeting moved "fra 10. til 24. april" is
# no range: the later day.
_RANGE_START = re.compile(
    rf"(?<![\d.])(?P<d>\d{{1,2}})\.\s*(?:(?P<m>{_MONTH_NAMES})\.?\s+)?(?P<to>[-–—]|og|til)\s*$",
    re.IGNORECASE,
)
_MOVED = re.compile(r"\b(?:flytte[ts]?|udsat|udskudt|ændret)\b", re.IGNORECASE)
# A machine-readable time with its offset ("2026-12-02T23:00:00Z"): the day is Denmark's.
_STAMP = re.compile(
    r"^\s*(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))\s*$"
)
_DANISH = ZoneInfo("Europe/Copenhagen")
# A page's date line may give when it was updated beside when it was published.
_UPDATED = re.compile(r"\b(?:senest\s+)?(?:opdateret|revideret|ændret)\b", re.IGNORECASE)
_PUBLISHED = re.compile(r"\b(?:publiceret|udgivet|offentliggjort)\b", re.IGNORECASE)
# What a line that only dates something says beside the date: "Tirsdag den 6. februar 2024",
# "Møde den 3. april 2024 kl. 10.00 – 13.00", "Publiceret 3. december 2026".
_DATE_LINE_WORD = re.compile(
    r"(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|den|d\.|publiceret|udgivet|"
    r"opdateret|dato|møde|mødet|kl\.?|[\d.:–-]+)[:,]?",
    re.IGNORECASE,
)
_LABELLED = re.compile(r"^\W*(?:publiceret|udgivet|dato)\b", re.IGNORECASE)
_TIME = re.compile(
    r"^[\s,]*(?:fra\s+)?(?:kl\.?\s*)?(?P<h>[01]?\d|2[0-3])(?:[:.](?P<min>[0-5]\d))?\b",
    re.IGNORECASE,
)


def find_date(text: str) -> tuple[date, int, int] | None:
    """The first valid date in text, the offset where it starts and the one just after it."""
    found: list[tuple[int, date, int]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            month_text = match.group("m")
            month = int(month_text) if month_text.isdigit() else MONTHS[month_text.casefold()]
            year = int(match.group("y") or match.group("y4"))
            if year < 100:
                year += 2000 if year < 70 else 1900
            try:
                day = date(year, month, int(match.group("d")))
                found.append((match.start(), day, match.end()))
            except ValueError:
                continue
            break
    if not found:
        return None
    start, day, end = min(found, key=lambda hit: hit[0])
    # A meeting over two days is the day it starts; only a day, or a day and month, before it.
    opening = _RANGE_START.search(text[max(0, start - 20) : start])
    if opening is not None and opening.group("to") == "til" and _MOVED.search(text[:start]):
        opening = None
    if opening is not None:
        month_text = opening.group("m")
        month = MONTHS[month_text.casefold()] if month_text else day.month
        with contextlib.suppress(ValueError):
            first = date(day.year - (month > day.month), month, int(opening.group("d")))
            if first < day:
                return first, start - len(opening.group()), end
    return day, start, end


def parse_danish_date(text: str) -> date | None:
    hit = find_date(text)
    return hit[0] if hit else None


def is_date_line(text: str) -> bool:
    """Text that is a date and nothing more than a weekday, a label or a time beside it."""
    hit = find_date(text)
    if hit is None:
        return False
    rest = f"{text[: hit[1]]} {text[hit[2] :]}"
    return all(_DATE_LINE_WORD.fullmatch(word) for word in rest.split())


# What a listing shows instead of the date of an entry of the last few days: "I dag",
# "I går kl. 14.32", "I forgårs", "for 3 timer siden", "for 2 dage siden".
_RELATIVE = re.compile(
    r"^\W*(?:(?:publiceret|udgivet|dato)\s*:?\s+)?"
    r"(?:i\s+(?P<day>dag|går|forgårs)|for\s+(?P<n>\d{1,2}|en|et)\s+"
    r"(?P<unit>sekund(?:er)?|minut(?:ter)?|time[r]?|dag(?:e)?)\s+siden)(?!\w)(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_DAYS_BACK = {"dag": 0, "går": 1, "forgårs": 2}


def relative_days(text: str) -> int | None:
    """How many days back a line that is nothing but "I dag", "I går" or "for N dage siden"
    (a time beside it at most) means; None for any other text ("I dag holdt KKR møde")."""
    match = _RELATIVE.match(text.strip())
    rest = re.sub(r"[,·|]", " ", match["rest"]).split() if match else []
    if match is None or not all(_DATE_LINE_WORD.fullmatch(word) for word in rest):
        return None
    if match["day"]:
        return _DAYS_BACK[match["day"].casefold()]
    if not match["unit"].casefold().startswith("dag"):
        return 0  # hours or minutes ago: today, as a listing's reader sees it
    return 1 if match["n"].isalpha() else int(match["n"])


def danish_day(moment: datetime) -> date:
    """The day it is in Denmark at an aware moment (a poll's clock is UTC)."""
    return moment.astimezone(_DANISH).date()


def relative_date(text: str, today: date) -> date | None:
    """The day a relative date line means, counted from today (the day the page was read)."""
    back = relative_days(text)
    return today - timedelta(days=back) if back is not None else None


def is_publication_line(text: str) -> bool:
    """A line saying when a page was published and nothing more ("Publiceret 3. december
    2026", "Dato: 3. december 2026"), wherever the page puts it."""
    return bool(_LABELLED.match(text)) and is_date_line(text)


def is_update_line(text: str) -> bool:
    """A line saying when a page was last changed ("Opdateret 5. december 2026")."""
    return bool(_UPDATED.match(text.strip())) and parse_danish_date(text) is not None


def publication_date(text: str) -> date | None:
    """The date a page's date line says it was published: the one after "Publiceret", else the
    first not after "Opdateret" ("Opdateret 5. december 2026 · Publiceret 3. december 2026"),
    else any. A stated time with an offset is dated in Denmark (midnight here is 23:00Z)."""
    if stamp := _STAMP.match(text):
        with contextlib.suppress(ValueError):
            moment = datetime.fromisoformat(stamp.group(1).replace("Z", "+00:00"))
            return moment.astimezone(_DANISH).date()
    if (label := _PUBLISHED.search(text)) and (day := parse_danish_date(text[label.end() :])):
        return day
    rest = text
    for label in reversed(list(_UPDATED.finditer(text))):
        hit = find_date(rest[label.end() :])
        # "Opdateret: 05.12.2026", "Opdateret torsdag den 5. december 2026"
        if hit is not None and len(rest[label.end() : label.end() + hit[1]].strip()) <= 20:
            rest = rest[: label.start()] + " " + rest[label.end() + hit[2] :]
    return parse_danish_date(rest) or parse_danish_date(text)


def parse_clock(text: str) -> time | None:
    """The time of day that opens text ("Kl. 19:00", "10.00-12.00", "kl. 9", "fra kl. 10.00 til
    12.00"); a bare number is none."""
    match = _TIME.match(text)
    if match is None or (match.group("min") is None and "kl" not in match.group(0).casefold()):
        return None
    return time(int(match.group("h")), int(match.group("min") or 0))


def parse_danish_datetime(text: str, tz: ZoneInfo) -> datetime | None:
    """The first date followed by a time ("19-04-2021 10:00", "16. juni 2021 kl. 10"), aware in
    tz; None when there is no date or no time right after it."""
    hit = find_date(text)
    if hit is None:
        return None
    day, _, end = hit
    clock = parse_clock(text[end:])
    return datetime.combine(day, clock, tzinfo=tz) if clock is not None else None
