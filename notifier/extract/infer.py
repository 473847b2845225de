"""What a document is, whose it is and which meeting: inferred from its text and URL."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo

from notifier.danish import WEEKDAYS
from notifier.extract.dates import find_date, parse_clock
from notifier.extract.links import Link
from notifier.models import Council, Document, DocumentKind, Meeting
from notifier.toc import label

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


# The compounds agenda systems title their documents with count too ("Mødereferat",
# "Beslutningsreferat", "Beslutningsprotokol"); a definite form is prose ("referatet"), and so
# is a headline's "på dagsorden" ("Klima på dagsorden i KKR Hovedstaden", a theme page's
# article: as an agenda its event's day, "Torsdag den 13. juni 2024 kl. 13.00", was its date).
_KIND_WORDS = re.compile(
    r"\b(?<!på )(?<!paa )(tillægsdagsorden|tillaegsdagsorden|(?:møde)?dagsorden"
    r"|(?:beslutnings|møde)?referat|beslutningsprotokol)\b"
)
# Where kl.dk has kept its news: …/kkr-<region>/flere-nyheder/<slug>, /nyhed/<year>/<month>/<slug>,
# /nyheder/kkr/kkr-<region>/<slug>, and before 2018 articles below
# /Kommunalpolitik1/Kommunekontaktrad/KKR-<Region>/ (see docs/kl-dk.md).
_NEWS_URL = re.compile(r"nyhed|/kommunekontaktrad/kkr-", re.IGNORECASE)


def infer_kind(
    cover: str, url: str, *, is_pdf: bool, head: Sequence[str] = ()
) -> tuple[DocumentKind, bool]:
    """Kind and whether it is a tillægsdagsorden: the first of the words on the cover wins (a
    table of contents may say "Godkendelse af referat"), else the URL. A web page at a news
    address is news whatever its title says ("Sundhed på dagsorden i KKR", "Referat af møde i
    KKR Sjælland": kl.dk publishes agendas and minutes as PDF files).

    A web page's ``head`` (its first blocks) says it before its address does: agenda systems
    keep one address for a meeting's agenda and its minutes ("Referat" over the points of a
    page at a /dagsorden/ address, Stevns'). Only a title line of it, and only on a page whose
    address names a kind: elsewhere a heading "Dagsorden" in the head may be a link's."""
    if not is_pdf and _NEWS_URL.search(url):
        return DocumentKind.NEWSLETTER, False
    in_url = url.casefold().replace("-", " ")
    titles = [line for line in head if _head_title(line)] if _KIND_WORDS.search(in_url) else []
    for text in (cover.casefold(), *(line.casefold() for line in titles), in_url):
        if match := _KIND_WORDS.search(text):
            word = match.group(1)
            if word.startswith("till"):
                return DocumentKind.AGENDA, True
            minutes = word.endswith(("referat", "protokol"))
            return (DocumentKind.MINUTES if minutes else DocumentKind.AGENDA), False
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
    """The meeting a cover describes: its day and time, and where it is held.

    KL's covers label them ("Dato: 19-04-2021 10:00", "Sted: ..."); agenda systems of
    municipalities and older KKR documents say "Mødedato: Tirsdag den 13. december 2016",
    "Tidspunkt: Kl. 19:00", "Mødested:" or "Lokale:", and some only "Dagsorden til møde i KKR
    Nordjylland den 26. juni 2015 kl. 10.00". A date without a time becomes midnight, so the
    meeting day is never lost; None when the cover names no meeting day.
    """
    # "Mødedato" before a plain "Dato", which may date something else ("Udsendt dato: ..."),
    # and both before a time label that gives the day too ("Tid: Onsdag den 17. april 2024
    # kl. 9.30", "Tid og sted: Fredag 14. oktober 2011, kl. 10.00, Medborgerhuset").
    dates = sorted(_DATE_LABEL.finditer(cover), key=lambda label: not label.group("meeting"))
    labelled = [*dates, *_DAY_TIME_LABEL.finditer(cover)]
    hit = next(
        ((hit, label) for label in labelled if (hit := _dated(_until_label(cover[label.end() :])))),
        None,
    )
    starts_at, rest = hit[0] if hit else (None, "")
    # "Dato og sted: 19. april 2021 kl. 10, Hillerød Rådhus": the place follows the time.
    beside = bool(hit and "sted" in hit[1].group().casefold())
    if starts_at is None:
        # Only in a title line ("Dagsorden til møde i ...", "Møde den ..."): a point of the
        # contents or prose names other meetings ("Godkendelse af referat fra mødet den 12.
        # marts 2024", "Referat af møde i KKR Hovedstaden den 3. februar 2021 er udsendt").
        lines = (line for line in cover.split("\n") if _title_line(line))
        phrase = next((m for line in lines if (m := _MEETING_DAY.search(line))), None)
        value = _until_label(phrase.string[phrase.end() :]) if phrase is not None else ""
        if phrase is not None and (dated := _dated(value)):
            # "... den 27. september 2011 kl. 10:00 i Regionsrådssalen, Regionshuset Viborg"
            # (Region Midtjylland's Kontaktudvalg): where it is held follows the day after "i".
            starts_at, rest = dated
            after_i = value[: len(value) - len(rest)].rstrip().endswith(" i")
            beside = bool(rest) and after_i and _place_like(rest)
    if starts_at is None and (line := _day_line(cover)) is not None:
        (starts_at, rest), beside = line, True
    if starts_at is None:
        return None
    if starts_at.time() == time(0):
        for label in _TIME_LABEL.finditer(cover):
            if cover[: label.start()].rstrip().casefold().endswith("slut"):
                continue  # "Slut tid: kl. 15.00": when the meeting ends
            if (clock := parse_clock(_until_label(cover[label.end() :]))) is not None:
                starts_at = starts_at.replace(hour=clock.hour, minute=clock.minute)
                break
    place = _PLACE_LABEL.search(cover)
    where = _until_label(cover[place.end() :]) if place else rest if beside else ""
    return Meeting(council=council, starts_at=starts_at, place=where.strip(" ,;") or None)


# A cover's labels: what follows each, up to the next label or the line's end, is its value
# (normalising may have joined the cover's lines into one).
_LABELS = r"(?:(?:møde|start)?(?:dato|tidspunkt|tid|sted|lokale)|lokation)"
# "Mødedato" may go without its colon ("Mødedato Tirsdag den 13. december 2016"); a plain
# "dato" only with it ("Udsendt dato 3. april").
_AND = r"(?:\s+og\s+(?:tid(?:spunkt)?|sted))?"  # "Dato og tid:", "Mødedato og sted:"
# Another meeting than the cover's: "Næste møde den 14. juni 2021", "Næste mødedato:".
_OTHER = "".join(f"(?<!{word} )" for word in ("næste", "kommende", "forrige", "sidste", "seneste"))
_DATE_LABEL = re.compile(
    rf"\b{_OTHER}(?:(?P<meeting>møde)dato{_AND}\s*[:.]?"
    rf"|dato{_AND}\s*:"
    # a cover table's "Dato | 19-04-2021 10:00" comes out without the colon, opening a line
    r"|(?<![^\n])dato(?=\s+\d))\s*",
    re.I,
)
# A time label whose value may open with the day: "Tid:", "Mødetidspunkt:", "Tid og sted:".
_DAY_TIME_LABEL = re.compile(rf"\b{_OTHER}(?:møde|start)?(?:tidspunkt|tid){_AND}\s*:\s*", re.I)
_TIME_LABEL = re.compile(
    r"\b(?:(?:møde|start)?(?:tidspunkt|tid)|(?:møde)?start)\s*[:.]?\s*", re.I
)  # "Mødestart: kl. 9.30", "Start kl. 9.30"
# ("Tid og sted:" gives the place after the day and time.) A table's "Mødested | Mødelokale
# 7" may lose the colon, as "Mødedato" does: "(Møde)sted" without it opens a line.
_PLACE_LABEL = re.compile(
    r"(?:\b(?<!og )(?:(?:møde)?(?:sted|lokale)|lokation)\s*:"
    r"|(?<![^\n])(?:møde)?sted\b(?![ \t]*(?:og\b|:)))\s*",
    re.I,
)
_NEXT_LABEL = re.compile(rf"\s(?:{_LABELS})\s*:|\n", re.I)
# "møde i KKR Nordjylland den 26. juni 2015", "mødet den 11. juni 2012", "Møde den 17. april"
_MEETING_DAY = re.compile(rf"\b{_OTHER}mødet?\b[^\n.]{{0,60}}?\bden\s+", re.I)
# What may stand before the date in a label's value: "Tirsdag den", "d.".
_BEFORE_DATE = re.compile(rf"[\s,]*(?:(?:{'|'.join(WEEKDAYS)})\b[\s,]*)?(?:den|d\.)?\s*", re.I)
# The time after a date, and a range's end: ", kl. 10.00-12.00", " fra kl. 9 til 12", " 10:00 i".
_CLOCKS = re.compile(
    r"^[\s,]*(?:(?:fra\s+)?(?:kl\.?\s*\d{1,2}(?:[.:]\d\d)?|\d{1,2}[.:]\d\d)"
    r"(?:\s*(?:[-–—]|til)\s*(?:kl\.?\s*)?\d{1,2}(?:[.:]\d\d)?)?)?[\s,]*(?:i\s+)?",
    re.I,
)
# What a line that titles the document opens with: what the document is, or the meeting.
_TITLE_WORD = re.compile(r"\b(?:\w*dagsorden|\w*referat|møde)", re.I)


def _title_line(line: str) -> bool:
    """A title, not a sentence nor a point of the contents: short, no full stop at its end, no
    point's number at its start, and it names what the document is or the meeting (after the
    council's name, often: "KKR Nordjylland Dagsorden til møde den ...", "Ekstraordinært møde
    i KKR Midtjylland den ...")."""
    return (
        len(line) <= 160
        and not line.rstrip().endswith(".")
        and label(line.strip()) is None
        and bool(_TITLE_WORD.search(line))
    )


# A head line that says what the page is opens with its kind, after the body's name at most
# ("Referat", "Kommunalbestyrelsen - Referat"). A point's title ("Godkendelse af referat") or a
# link's ("Se referat fra sidste møde", "Referat fra forrige møde") names another document.
_HEAD_KIND = re.compile(
    r"^(?:(?:kkr\s+\w+|[\w-]*(?:udvalg|råd|bestyrelse)\w*)\s*[-–:|]?\s*)?" + _KIND_WORDS.pattern
)
_OTHER_MEETING = re.compile(r"\b(?:sidste|forrige|seneste|tidligere|næste)\b")


def _head_title(line: str) -> bool:
    """Whether a line of a web page's head titles the page by its kind."""
    folded = line.strip().casefold()
    return (
        _title_line(line) and bool(_HEAD_KIND.match(folded)) and not _OTHER_MEETING.search(folded)
    )


def _day_line(cover: str) -> tuple[datetime, str] | None:
    """A line of the cover that is the meeting's day, unlabelled: it opens with the day, and a
    weekday or a time says it is a meeting's, not the day the document was written ("Mandag
    den 19. april 2021, kl. 10.00-12.00", "Den 09.01.2020 kl. 13:00 i Tapperiet, ..."); the
    place after "i" is what follows. Not a sentence (a full stop at its end, or other words)."""
    for line in cover.split("\n"):
        dated = _dated(line.strip()) if len(line) <= 160 else None
        if dated is None or line.rstrip().endswith("."):
            continue
        starts_at, rest = dated
        weekday = line.strip().casefold().startswith(WEEKDAYS)
        after = line.rstrip()[: len(line.rstrip()) - len(rest)].rstrip()
        if (weekday or starts_at.time() != time(0)) and (not rest or after.endswith(" i")):
            # "... kl. 10.00 i forbindelse med KL's topmøde": still the day, but no place.
            return starts_at, rest if _place_like(rest) else ""
    return None


# After "i", a place is a name ("i Regionsrådssalen", "i Tapperiet, ...") or names a room or a
# building ("i byrådssalen", "i mødelokale 2"); a phrase with "i" is none ("i forbindelse med
# ...", "i henhold til ...", "i alt", "i 2024", "i umiddelbar forlængelse af ...").
_PLACE_WORD = re.compile(
    r"\b\w*(?:salen|sal|lokale[rt]?|rum(?:met)?|hus(?:et)?|kantinen?|cent(?:er|ret|eret)|aulaen?"
    r"|kontor(?:et)?|bygning(?:en)?|teams)\b",
    re.I,
)


def _place_like(rest: str) -> bool:
    """Whether what follows "i" after the meeting's day is where it is held: it opens with a
    capital, or a room or building is named in its first words."""
    words = rest.split()
    if not words:
        return False
    if words[0][0].isupper():
        return True
    return _PLACE_WORD.search(" ".join(words[:4])) is not None


def _until_label(text: str) -> str:
    end = _NEXT_LABEL.search(text)
    return text[: end.start()] if end else text


def _dated(value: str) -> tuple[datetime, str] | None:
    """The date that opens a label's value (a weekday may come first), with the time that
    follows it, else midnight; and what follows those."""
    hit = find_date(value)
    if hit is None or not _BEFORE_DATE.fullmatch(value[: hit[1]]):
        return None
    day, _, end = hit
    clock = parse_clock(value[end:]) or time(0)
    rest = _CLOCKS.sub("", value[end:], count=1)
    return datetime.combine(day, clock, tzinfo=TZ), rest


def with_listing_date(document: Document, link: Link | None, council: Council) -> Document:
    """A document dated by the listing that links to it, where it does not date itself.

    A bilag listed under a meeting's date belongs to that meeting: its PDF rarely says which
    meeting it is for; the listing does, by the date beside the link. Attached, it reaches the
    store as a change to a known meeting rather than a loose document.

    Any other document without a date of its own (an agenda whose cover names no day, a news
    page that shows none) takes the date shown beside its link, else the quality gate holds it
    as undated. Its meeting is not set by it: a feed's date is when a file was published, not
    when the meeting is held.
    """
    if link is None or link.date is None:
        return document
    bilag = "bilag" in f"{link.text} {link.url}".casefold()
    if document.kind is DocumentKind.OTHER and document.meeting is None and bilag:
        meeting = Meeting(council=council, starts_at=None, on=link.date)
        return dataclasses.replace(document, meeting=meeting, date=document.date or link.date)
    if document.date is None:
        return dataclasses.replace(document, date=link.date)
    return document
