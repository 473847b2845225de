"""Pure: the text of an agenda or minutes point: its case-number line, its title, and the
excerpt digests and feeds show (its sections: sections.py).

A KL point reads: heading, case-number line ("SAG-2024-01611 pth": the case number and the
case worker's initials), then sections headed Baggrund, Indstilling, Sagsfremstilling,
Beslutning (minutes), Vedlagte bilag, each heading on a line of its own or run in
("Beslutning: Godkendt.").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from notifier.attendance import attendance
from notifier.models import canonical
from notifier.sections import (
    earlier_treatments,
    heads_section,
    record_heading,
    run_in,
    section,
    section_name,
)
from notifier.toc import Unit, join, label, units

# A label some templates put before the case number: "Sagsnr.:", "Sags-ID:", "Sag nr.",
# "Sagsnummer:", "Sag:" (before "SAG-2024-01611" too), and the journal number municipal and
# joint-municipal agendas give instead or as well ("J.nr.: 00.01.00.A10-0001/2013", "Jour.nr.").
_CASE_LABEL = (
    r"(?:\bSags?\.?\s?(?:nr|nummer|-?id)\.?|\bSag\s+nr\.?|\bSag(?=\s*:)"
    # "Sag 306-2009-600": "Sag" alone before a number of six digits or more in parts; "Sag 5."
    # numbers a point (toc.label), "Sag 12-14" is text
    r"|\bSag(?=\s+\d+[-/.]\d)(?=\s+(?:[-/.]?\d){6})"
    r"|\bJ(?:our(?:nal)?)?\.?\s?nr\.?)\s*:?\s*"
)
# KL's own "SAG-2024-01611", or a municipal journal number in KL's subject key ("85.02.02-G01-
# 1-17": subject, action facet, serial number, year), which Sbsys agendas print with no label.
_SAG = r"SAG-\d{4}-\d{3,}|\d\d\.\d\d\.\d\d-[A-ZÆØÅ]\d\d-\d{1,6}-\d\d"
# After a label, a number, or one an agenda system prefixes with its letters ("Sags ID:
# EMN-2021-00123": eDoc's emne, the subject file).
_LABELLED = r"(?:[A-ZÆØÅ]{2,5}-)?\d[\w/.-]*\d"
_CASE_REF = rf"(?:{_CASE_LABEL})?(?:{_SAG})|{_CASE_LABEL}{_LABELLED}"
_CASE = re.compile(rf"(?:{_CASE_LABEL})?\b({_SAG})\b|{_CASE_LABEL}({_LABELLED})", re.IGNORECASE)
# The case-number line: "SAG-2024-01611 pth" names the case worker; the initials are dropped.
_CASE_LINE = re.compile(
    rf"^(?P<ref>{_CASE_REF})(?P<initials>\s*[/,|–-]?\s*\(?[A-Za-zÆØÅæøå]{{2,5}}\)?)?\s*$",
    re.IGNORECASE,
)
# The label alone, its number on the line after it: a template that sets its fields as a table
# ("Sagsnr:" in one column, "07/5773" in the next) comes out of the PDF so.
_LABEL_ALONE = re.compile(rf"^(?:{_CASE_LABEL})$", re.IGNORECASE)
# The further fields municipal templates set on the case number's line, each after its label
# (Egebjerg's "J.nr.: ... Sagsid.: ... Initialer: ... Åben sag", Aabenraa's "Sagsid.: 20/26406,
# Sagsinitialer: SBOE", Skive's "Sagsnr ... Dok.nr ... Sagsbeh. Jens Jørgen Iversen ÅBENT",
# Odsherred's "Dok. 306-2019-263412"): the document's number, who handles the case, whether it
# is open. Such a line runs past 60 characters with a case worker's full name.
_FIELD_NAME = (
    r"(?:dok(?:ument)?\.?\s?(?:nr|nummer|-?id)\.?|dok\.|sags?\.?\s?(?:nr|nummer|-?id)\.?"
    r"|(?:sags)?initialer|sagsbeh(?:andler)?\.?|sagsansvarlig|j(?:our(?:nal)?)?\.?\s?nr\.?)"
)
_OPEN_OR_CLOSED = r"(?:åben(?:t|\s+(?:sag|punkt))?|lukket(?:\s+(?:sag|punkt))?)"
_FIELD_LABEL = rf"(?:{_FIELD_NAME}|{_OPEN_OR_CLOSED})"
# The case number (or its label alone, the number lost: Egebjerg's "J.nr.:.") and a further
# field's label after it: what follows is more fields, never a title or a sentence.
_CASE_FIELDS = re.compile(
    rf"^(?:{_CASE_REF}|{_CASE_LABEL}\.?)\s*[,;|]?\s+{_FIELD_LABEL}(?![\w-]).{{0,160}}$",
    re.IGNORECASE,
)
# Whether a point is heard in public or behind closed doors, as municipal agendas mark it: in
# the title ("Budget 2022 (Åben)", "Salg af grund - Lukket punkt", "Lukket sag: Salg af
# grund") or on a line of its own under it ("Åbent punkt"). It says how the meeting treats the
# point, not what the point is about, so it is no part of the title a reader is shown.
_ACCESS = r"(?:åben|åbent|lukket)"
_ACCESS_NOUN = rf"{_ACCESS}\s+(?:punkt|sag)"
_ACCESS_MARK = re.compile(
    # "( )": the mark as an agenda system's icon, its text lost
    rf"\s*(?:\(\s*(?:{_ACCESS_NOUN}|{_ACCESS})?\s*\)|\s[-–]\s*{_ACCESS_NOUN})\s*$"
    rf"|^{_ACCESS_NOUN}\s*:\s*",
    re.IGNORECASE,
)

# What a point asks of the council, on a line of its own under the heading ("Til orientering",
# "Beslutningssag"), or whether it is open ("Åbent punkt"): neither the title nor a section.
_ASKS = re.compile(
    r"^(?:til\s+(?:orientering|beslutning|drøftelse|godkendelse|efterretning)"
    rf"|(?:orienterings|beslutnings|drøftelses)sag|{_ACCESS_NOUN})\s*[.:]?$",
    re.IGNORECASE,
)


def plain_title(title: str) -> str:
    """The title without the mark of an open or closed point."""
    return _ACCESS_MARK.sub("", title).strip() or title


def closed(title: str) -> bool:
    """Whether a title marks its point as heard behind closed doors ("Salg af grund
    (Lukket)"): public minutes may list such a point in their contents and leave it out."""
    return "ukket" in title.casefold() and any(
        "lukket" in mark.group().casefold() for mark in _ACCESS_MARK.finditer(title)
    )


# asks, is_case_line and cut_case are cached, as toc.label: splitting asks them about
# the same lines again and again, and each is a pure function of the line (a match object is
# immutable).
@functools.lru_cache(maxsize=8192)
def asks(text: str) -> bool:
    """Whether a line says only what the point asks for ("Til orientering")."""
    return bool(_ASKS.match(text))


def without_initials(unit: Unit) -> Unit:
    """The case-number line without the case worker's initials: they name a person, not the
    case, and change when the case changes hands."""
    match = _CASE_LINE.match(unit.text)
    if match is None or not match.group("initials"):
        return unit
    return Unit(match.group("ref"), unit.starts_paragraph)


def without_continued(body: Sequence[Unit], number: str, title: str) -> list[Unit]:
    """The point's text without its heading set again at the top of a later page ("3.2.
    Status for klima (fortsat)", "Punkt 3.2 (fortsat)", or the heading as it stands): a
    continuation mark of the layout, not text of the point. Only a paragraph's first line
    that is the point's number with its title, or the number alone marked as continued: a
    line that merely opens with the number ("2. Samarbejdet fortsættes", "2 %") is text."""
    same = None
    kept = []
    for unit in body:
        # A heading is short and opens a paragraph: most lines are not looked at further.
        if unit.starts_paragraph and len(unit.text) <= _HEADING_CHARS:
            bare = _CONTINUED.sub("", unit.text)
            head = label(bare)
            if head is not None and head.number == number:
                same = same if same is not None else canonical(title)
                rest = canonical(head.rest)
                if (rest and rest == same) or (not rest and bare != unit.text):
                    continue
        kept.append(unit)
    return kept


_HEADING_CHARS = 200
_CONTINUED = re.compile(r"\s*[(\[]?\s*(?:fortsat|fortsættes|forts\.)\s*[)\]]?\s*$", re.I)


@functools.lru_cache(maxsize=8192)
def is_case_line(text: str) -> bool:
    """A line that is a case number ("SAG-2024-01611 pth", "Sagsnr.: 24/01235"), maybe with
    further fields after it (_CASE_FIELDS), or its label with the number on the next line
    ("Sagsnr:")."""
    return (
        bool(_CASE_LINE.match(text))
        or (len(text) <= 60 and bool(_CASE.match(text)))
        or bool(_CASE_FIELDS.match(text))
        or bool(_LABEL_ALONE.match(text))
    )


def case_number(body: Sequence[Unit]) -> str | None:
    """The case number from the first lines of a point."""
    for index, unit in enumerate(body[:3]):
        text = unit.text
        if _LABEL_ALONE.match(text) and index + 1 < len(body):
            text = f"{text} {body[index + 1].text}"
        if match := _CASE.search(text):
            return match.group(1) or match.group(2)
    return None


# The fields of a case header set one to a line, as a template that sets the header as a table
# comes out of a PDF or a web page (PolWeb's: Nyborg's "Sagsnr." / "450-2018-4075" / "Initialer"
# / "NIB" / "Åbent", Odsherred's "Sag 306-2009-600" / "Dok. 306-2019-263412" / "Initialer: PIM"
# / "Åbent"): a label alone (its value on the next line), a label with its value, or whether
# the point is open. Read so only under a case number: elsewhere "Åbent" may open a sentence.
_FIELD_ALONE = re.compile(rf"^(?:{_FIELD_NAME}|{_CASE_LABEL})\s*:?$", re.IGNORECASE)
_FIELD_VALUED = re.compile(
    rf"^{_FIELD_NAME}\s*(?::\s*\S.{{0,60}}|\s+(?:{_LABELLED}|[A-Za-zÆØÅæøå]{{2,5}}))$",
    re.IGNORECASE,
)
_OPEN_LINE = re.compile(rf"^{_OPEN_OR_CLOSED}\.?$", re.IGNORECASE)


def case_header(body: Sequence[Unit]) -> frozenset[int]:
    """The lines of a point's case header: each case-number line, and the fields set on lines
    of their own under it (its value under a label alone, the case worker's initials, the
    document's number, whether the point is open). They say who handles the case and where it
    is filed, not what the point is about."""
    found: set[int] = set()
    value = case_above = False  # a label alone above: its value; a case number: initials
    for index, unit in enumerate(body):
        text = unit.text
        if value and _field_value(text):
            value = case_above = False
        elif (
            is_case_line(text)
            or (index - 1 in found and (_FIELD_ALONE.match(text) or _field(text)))
            or (case_above and _INITIALS.match(text))
        ):
            value = bool(_FIELD_ALONE.match(text))
            case_above = is_case_line(text) and not value
        else:
            value = case_above = False
            continue
        found.add(index)
    return frozenset(found)


def _field(text: str) -> bool:
    return bool(_FIELD_VALUED.match(text) or _OPEN_LINE.match(text))


def _field_value(text: str) -> bool:
    """A field's value on the line under its label: a number, initials or a name; no sentence,
    no heading. A label whose value is missing stands over the text: a line with a word in
    lower case ("Kort om sagen", "EU-midler til grøn omstilling") is the text's."""
    words = text.split()
    return (
        len(text) <= 60
        and len(words) <= 6
        and not text.endswith(".")
        and section(text) is None
        and label(text) is None
        and (bool(_INITIALS.match(text)) or all(_VALUE_WORD.match(word) for word in words))
    )


# A word of a field's value: a number ("450-2018-4075", "20/1234"), a name or initials set in
# capitals ("Jens Hansen", "NIB"), or what joins a department's name ("Teknik og Miljø").
_VALUE_WORD = re.compile(r"^(?:\S*\d\S*|(?-i:[A-ZÆØÅ])\S*|og|i|for|[-–/,])$")


@functools.lru_cache(maxsize=8192)
def cut_case(text: str) -> tuple[str, str]:
    """A heading that ran into its case-number line: ("Title", "SAG-2024-01611 pth")."""
    match = _CASE.search(text)
    if match is None or match.start() == 0:
        return text.strip(), ""
    return text[: match.start()].strip(), text[match.start() :]


def bare_record(text: str) -> str | None:
    """What minutes record of a point that has no section headings at all (a
    beslutningsreferat: the title, maybe its case number, then only what was decided): its text
    without the case-number line, up to a note of who was absent. None when the point has
    sections, whose Beslutning says what was decided, and when the text is longer than such
    a record (a point of minutes whose sections are named otherwise, the bilag bound after the
    last point): it would be told as a decision it is not."""
    body = units(text)
    if any(section(unit.text) for unit in body):
        return None
    kept: list[Unit] = []
    header = case_header(body)
    for index, unit in enumerate(body):
        if attendance(unit.text):
            break
        if not (index in header or asks(unit.text)):
            kept.append(unit)
    record = join(kept)
    paragraphs = sum(unit.starts_paragraph for unit in kept)
    return (
        record
        if record and paragraphs <= _RECORD_PARAGRAPHS and len(record) <= _RECORD_CHARS
        else None
    )


# How long a decision minutes' record of a point is at most (the decisions of the directors'
# network and BRN minutes run to two or three short paragraphs).
_RECORD_PARAGRAPHS = 4
_RECORD_CHARS = 1200


# Sections an excerpt leaves out: shown from their own fields, a list of attachments, or the
# route a municipal case takes ("Sagsgang og sagstype: KF, ØK, BY", "Beslutningskompetence:
# Byrådet"), which says nothing of what the point is about.
_NOT_SUMMARY = frozenset(
    {
        "indstilling",
        "beslutning",
        "vedlagte bilag",
        "bilag",
        "forventet sagsgang",
        "sagsgang og sagstype",
        "beslutningskompetence",
        "kompetence",
        "sagen afgøres i",
    }
)


# The route a case takes through the committees, run in after a section heading of some
# municipal templates ("Sagsforløb: BY", "Sagsforløb: ØK, BY"): abbreviations, no text. One
# abbreviation alone is a route only under "Sagsforløb": "Økonomi: EU" is what it says.
_ROUTE = re.compile(r"^(?-i:[A-ZÆØÅ]{1,4})(?:\s*(?:[,/>→]|-+>?|–)\s*(?-i:[A-ZÆØÅ]{1,4}))*\.?$")


def _route(name: str, after: str) -> bool:
    """Whether text run in after the heading `name` is only a case's route."""
    return bool(_ROUTE.match(after)) and (name == "sagsforløb" or not after.strip(".").isalpha())


# Who handles the case, a field beside the case number in municipal templates ("Sagsbehandler:
# Jens Hansen", "Sagsansvarlig: ANB"), or the case worker's initials on a line of their own
# under the case number (a template that sets them in a column of their own): a person, not
# what the point is about.
_CASE_WORKER = re.compile(
    r"^(?:sagsbehandler|sagsansvarlig|ansvarlig\s+medarbejder)\s*:\s*\S.{0,60}$", re.IGNORECASE
)
# Initials are set in one case ("ANB", "anb"); a word ("Takst", "Mødet") is what the point says.
_INITIALS = re.compile(r"^[/(]?(?:[a-zæøå]{2,5}|[A-ZÆØÅ]{2,5})\)?$")


def point_summary(text: str, decision: str | None = None) -> str:
    """The text to show as an excerpt of an agenda or minutes point, without repeating what
    digests and feeds show from its own fields: the Baggrund, Sagsfremstilling, Resumé and
    Økonomi text (and any text before the first section heading), without the case-number
    line, the section headings, the Indstilling, the Beslutning and the list of bilag.
    Paragraphs are separated by a blank line; "" when nothing is left (a point with only an
    Indstilling, or a decision-only point whose ``decision``, shown beside it, is its text)."""
    if decision and " ".join((bare_record(text) or "").split()) == " ".join(decision.split()):
        return ""
    kept: list[Unit] = []
    skipping = False
    body = units(text)
    header = case_header(body)
    # A decision headed with another word in minutes ("Konklusion") is shown as the decision.
    record = record_heading(body) if decision else None
    listed = earlier_treatments(body)
    for index, unit in enumerate(body):
        if index == record:
            skipping = True
            continue
        match = section(unit.text) if index not in listed else None
        if match and heads_section(body, index, match):
            name = section_name(match).casefold()
            skipping = name in _NOT_SUMMARY
            after = run_in(match)
            if after and not skipping and not _route(name, after):
                kept.append(Unit(after, starts_paragraph=True))
            continue
        if skipping or index in header or _CASE_WORKER.match(unit.text):
            continue
        kept.append(unit)
    return join(kept)
