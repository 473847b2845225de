"""What a document is, whose it is and which meeting: inferred from its text and URL."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from notifier.extract.dates import parse_danish_date, parse_danish_datetime
from notifier.models import Council, DocumentKind, Meeting

TZ = ZoneInfo("Europe/Copenhagen")
# OCR turns "æ" into "z", "e", "ee", "a" or "ae": "Sjzlland", "Sjeelland", "Sjalland".
_COUNCILS = {
    Council.HOVEDSTADEN: r"hovedstaden",
    Council.SJAELLAND: r"sj\w{1,3}lland",
    Council.SYDDANMARK: r"syddanmark",
    Council.MIDTJYLLAND: r"midtjylland",
    Council.NORDJYLLAND: r"nordjylland",
}
_KKR = re.compile(
    r"\bkkr[\s\-]*(" + "|".join(f"(?P<{c.value}>{p})" for c, p in _COUNCILS.items()) + r")",
    re.IGNORECASE,
)
_URL_COUNCIL = re.compile(r"kkr-(" + "|".join(c.value for c in Council) + r")")


_KIND_WORDS = re.compile(r"\b(tillægsdagsorden|tillaegsdagsorden|dagsorden|referat)\b")
# Where kl.dk has kept its news: …/kkr-<region>/flere-nyheder/<slug>, /nyhed/<year>/<month>/<slug>,
# /nyheder/kkr/kkr-<region>/<slug>, and before 2018 articles below
# /Kommunalpolitik1/Kommunekontaktrad/KKR-<Region>/ (see docs/kl-dk.md).
_NEWS_URL = re.compile(r"nyhed|/kommunekontaktrad/kkr-", re.IGNORECASE)


def infer_kind(cover: str, url: str, *, is_pdf: bool) -> tuple[DocumentKind, bool]:
    """Kind and whether it is a tillægsdagsorden: the first of the words on the cover wins (a
    table of contents may say "Godkendelse af referat"), else the URL. A web page at a news
    address is news whatever its title says ("Sundhed på dagsorden i KKR", "Referat af møde i
    KKR Sjælland": kl.dk publishes agendas and minutes as PDF files)."""
    if not is_pdf and _NEWS_URL.search(url):
        return DocumentKind.NEWSLETTER, False
    for text in (cover.casefold(), url.casefold().replace("-", " ")):
        if match := _KIND_WORDS.search(text):
            word = match.group(1)
            if word.startswith("till"):
                return DocumentKind.AGENDA, True
            return (DocumentKind.MINUTES if word == "referat" else DocumentKind.AGENDA), False
    if not is_pdf and "nyhedsbrev" in cover.casefold():
        return DocumentKind.NEWSLETTER, False
    return DocumentKind.OTHER, False


def infer_council(text: str, url: str) -> Council | None:
    """The council named most often as "KKR <region>" in the text, else the one in the URL."""
    counts: dict[Council, int] = {}
    for match in _KKR.finditer(text):
        for council in Council:
            if match.group(council.value):
                counts[council] = counts.get(council, 0) + 1
    if counts:
        return max(counts, key=lambda council: counts[council])
    if in_url := _URL_COUNCIL.search(url.casefold()):
        return Council(in_url.group(1))
    return None


def infer_meeting(cover: str, council: Council | None) -> Meeting | None:
    """The meeting from a cover block with "Dato: 19-04-2021 10:00" and "Sted: ...".

    A date without a time becomes midnight, so the meeting day is never lost.
    """
    match = re.search(r"\bDato:\s*(.+)", cover)
    if match is None:
        return None
    starts_at = parse_danish_datetime(match.group(1), TZ)
    if starts_at is None and (day := parse_danish_date(match.group(1))) is not None:
        starts_at = datetime.combine(day, time(0), tzinfo=TZ)
    place = re.search(r"\bSted:\s*(.+)", cover)
    return Meeting(
        council=council,
        starts_at=starts_at,
        place=place.group(1).strip() if place else None,
    )
