"""Pure: the sections of an agenda or minutes point, headed Baggrund, Indstilling,
Sagsfremstilling, Beslutning, ... (danish.SECTION_NAMES) on a line of their own or run in
("Beslutning: Godkendt."), the decisions of the bodies that decided on a case in turn, and where
minutes close after their last point.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from notifier.attendance import ATTENDANCE, absence, absent_names
from notifier.danish import SECTION_NAMES
from notifier.toc import Unit, join, label

# A section heading on its own line ("Beslutning") or run in ("Beslutning: Godkendt."), also
# in the plural or naming who decided or when ("Beslutning i KKR Sjælland den 17. april 2024:",
# "Beslutning fra KKR Sjælland", "Beslutning KKR Nordjylland 26. juni 2015", "Beslutning den 17.
# april 2024", a municipal committee's "Beslutning i Økonomiudvalget den 04-06-2020",
# "Beslutning i Social- og Sundhedsudvalget"); a sentence ending in a full stop is text. A
# heading set tight above its text is joined to it by the text normaliser ("Indstilling Det
# indstilles, at ..."): run in without a colon, the text after it opens with a capital.
# A day after a council or committee that took a decision: "17. april 2024", "04-06-2020".
_DATE = (
    r",?\s+(?:(?:den|d\.)\s*)?\d{1,2}[.-]\s*(?:[a-zæøå]+\.?|\d{1,2}[.-])\s*\d{2,4}"
    r"(?:,?\s+kl\.?\s*\d{1,2}[.:]\d{2})?"
)
_DAY = rf"(?:{_DATE})?(?:\s*\(pkt\.?\s*\d+\))?"
# A municipal council or committee by name ("Økonomiudvalget", "Social- og Sundhedsudvalget",
# "Regionsrådet", "byrådet"): a capitalised name ending in the body it is, or the body itself;
# never a word that only holds one ("området", "rådgivningen").
_BODY = (
    r"(?:(?:\w+-\s+og\s+)?(?-i:[A-ZÆØÅ])[\w-]*?(?:udvalg|råd|bestyrelse)(?:et|en|n)?"
    r"|(?:by|regions|kommunal)?(?:udvalget|rådet|bestyrelsen)|udvalg(?=\s+for\s))\b"
    # "Udvalget for Teknik og Miljø": named by its capitalised areas
    r"(?:\s+for\s+(?-i:[A-ZÆØÅ])[\w-]*(?:(?:,\s*|\s+og\s+)[\w-]+){0,4})?"
)
# A body's treatment of the case: the body, its day and the point's number.
_TREATED = (
    rf"{_BODY}(?:,\s*|\s+den\s+)\d{{1,2}}[.-]\s*(?:[a-zæøå]+|\d{{1,2}}[.-])\s*\d{{4}}"
    r",\s*pkt\.?\s*\d+"
)
# A body named in the genitive ("Kommunalbestyrelsens", "Teknik- og Miljøudvalgets"), its
# meeting, the day and the point's number.
_MEETING = (
    r"(?:\w+-\s+og\s+)?(?-i:[A-ZÆØÅ])[\w-]*?(?:udvalg|råd|bestyrelse)(?:et|en|n)?s\s+møde"
    r"\s+(?:den\s+)?\d{1,2}[.-]\s*(?:[a-zæøå]+|\d{1,2}[.-])\s*\d{4}\s*[,/]?\s*(?:punkt|pkt\.?)\s*\d+"
)
_SECTION = re.compile(
    # "KKR's beslutning", "KKRs indstilling": the council's own, named first; so a municipal
    # body's ("Udvalgets beslutning", Copenhagen's "Økonomiudvalgets beslutning i mødet den 31.
    # marts 2020", "Byrådets beslutning den 12-03-2020", "Kommunalbestyrelsens beslutning")
    # (possessive, each word scanned once: every line is matched against this)
    r"^(?:(?:KKR['’]?s\s+|(?:\w++-\s+og\s+)?(?=(?-i:[A-ZÆØÅ]))[\w-]*+"
    r"(?:(?<=udvalgets)|(?<=rådets)|(?<=bestyrelsens))\s+)?"
    rf"({'|'.join(map(re.escape, SECTION_NAMES))})"
    r"(?:(?<!historik)er)?(?:(?:\s+(?:(?:i|fra|på)\s+(?:KKR|mødet)\b|den\s+\d)"
    r"[^:\n]{0,80}?(?<!\.)"
    # a committee's, its name and the day alone: more after it is a sentence ("Beslutning i
    # Regionsrådet forventes at indeholde følgende:")
    rf"|\s+(?:i|fra|på)\s+{_BODY}{_DAY}"
    # without "i", the committee and the day (Aabenraa's "Beslutning Teknik- og Miljøudvalget
    # den 11-08-2021"): the day says it is no heading set tight above text
    rf"|\s+{_BODY}{_DATE}"
    # without "i": the council's name and the day alone, never more ("Baggrund KKR Sjælland
    # har besluttet ..." is a heading set tight above its text)
    rf"|\s+KKR\s+(?:hovedstaden|sj\w{{1,3}}lland|syddanmark|midtjylland|nordjylland){_DAY})?"
    r"\s*(?::\s*(?P<rest>.*))?|\s+(?P<tight>(?-i:[A-ZÆØÅ]).*))"
    # a committee's decision headed by the committee, the day and the point's number alone
    # (Roskilde's "Kultur- og Idrætsudvalget, 03-04-2019, pkt. 44", Rødovre's
    # "Økonomiudvalget, 18. september 2019, pkt. 153:"): the committees that decided on the
    # case in turn, the meeting's own last; Ballerup's lists of where a case was treated
    # before name the day after "den", two or more set tight on one line once normalised
    # ("Økonomiudvalget den 25. oktober 2005, pkt. 3 Kommunalbestyrelsen den 31. ...")
    rf"|(?P<by>{_TREATED}(?:\s+{_TREATED})*)"
    r"\s*(?::\s*(?P<by_rest>.*))?"
    # a body's decision headed by its meeting, the day and the point ("Kommunalbestyrelsens
    # møde 28. november 2005 Punkt 1:", "Økonomiudvalgets møde 23. maj 2006 Punkt 4:",
    # Ballerup's minutes, docplayer.dk/4018936 and 2950314); the point's number says it is a
    # label, not a sentence about the meeting
    rf"|{_MEETING}\s*(?::\s*(?P<met_rest>.*))?)$",
    re.IGNORECASE,
)


# section is cached, as toc.label: splitting asks about the same lines again and again, and it
# is a pure function of the line (a match object is immutable).
@functools.lru_cache(maxsize=8192)
def section(text: str) -> re.Match[str] | None:
    """The section heading a line is or opens: group 1 the name, run_in() the text after it."""
    return _SECTION.match(text)


def run_in(match: re.Match[str]) -> str | None:
    """The text run in after a section heading ("Godkendt." of "Beslutning: Godkendt.")."""
    return (
        match.group("rest")
        or match.group("tight")
        or match.group("by_rest")
        or match.group("met_rest")
    )


def section_name(match: re.Match[str]) -> str:
    """The name of the section a heading opens: "Beslutning" for a committee's heading."""
    return match.group(1) or "Beslutning"


# "Kompetence" alone heads who decides: Fredensborg's "Kompetence" over "Økonomiudvalget.".
# Over anything else it is a word of the text, as an item of a list of themes ("Kompetence",
# "Rekruttering" under "Planen bygger på tre temaer:"), and the text under it was left out
# of the excerpt as a route through the committees is.
_DECIDES = re.compile(
    r"udvalg|råd(?:et)?\b|bestyrelse|borgmester|direktør|direktion|forvaltning|administration"
    r"|\bKKR\b",
    re.IGNORECASE,
)


def heads_section(body: Sequence[Unit], index: int, match: re.Match[str]) -> bool:
    """Whether a line that matches a section heading heads one where it stands."""
    name = section_name(match).casefold()
    if name == "sagen afgøres i" and _text_after(body, index + (1 if run_in(match) else 2)):
        # The field stands last in the point or over another section; a paragraph of text
        # after it shows a sentence of the Sagsfremstilling ("Sagen afgøres i Byrådet.").
        return False
    if name == "sagen afgøres i" and (after := run_in(match)):
        # "Sagen afgøres i Byrådet." is the field set tight; with more after the body's name
        # it is a sentence of the case ("Sagen afgøres i Byrådet, da den ændrer ...").
        return len(after) <= 60 and bool(_DECIDES.search(after)) and not _MORE.search(after)
    if name not in _WHO_DECIDES or run_in(match):
        return True
    following = body[index + 1].text if index + 1 < len(body) else ""
    return not following or bool(_DECIDES.search(following[:80]))


def _text_after(body: Sequence[Unit], at: int) -> bool:
    """Whether the line at ``at`` is a paragraph's line of text: long, and no section's head."""
    return at < len(body) and len(body[at].text) > 60 and not _SECTION.match(body[at].text)


# Headings over who decides a case: alone on its line, one heads a section only over a body.
_WHO_DECIDES = frozenset({"kompetence", "sagen afgøres i"})
# A sentence going on after a body's name: a clause ("Byrådet, da ..."), a reason, a condition.
_MORE = re.compile(r"[,;]|\s(?:da|fordi|hvis|når|som|men)\s", re.IGNORECASE)


# Sections that never open a point: run in ("Konsekvenser: Taksten stiger ..."), such a line
# is as likely text under an item of a numbered list in the Sagsfremstilling.
_INNER = frozenset(
    {
        "økonomi",
        "konsekvenser",
        "risikovurdering",
        "bilag",
        "vedlagte bilag",
        "beslutningskompetence",
        "kompetence",
        "sagen afgøres i",
    }
)


def opens_point(match: re.Match[str]) -> bool:
    """Whether a section heading may follow a point's heading and so confirm it: any on a line
    of its own, one run in only if points open with it (Baggrund, Resumé, Beslutning, ...)."""
    return run_in(match) is None or section_name(match).casefold() not in _INNER


def heads_decision(text: str) -> bool:
    """Whether a line heads a decision ("Beslutning", a committee's, run in or not)."""
    return (match := section(text)) is not None and section_name(match).casefold() == "beslutning"


# How minutes close after their last point: "Mødet hævet kl. 18.30.", "Mødet sluttede kl.
# 17:05", "Mødet blev hævet kl. 16.45", or those words alone. What follows is signatures and
# the like, not the last point's decision. With a time or alone: "Mødet sluttede med en
# fælles erklæring." in the last point's text tells what happened.
_CLOSING = re.compile(
    r"Mødet\s+(?:blev\s+)?(?:hævet|sluttede|slut|afsluttet|afsluttedes|ophørte)"
    r"(?:\s*[.!]?$|\s+(?:kl\.?\s*)?\d{1,2}[.:]\d{2}\b)",
    re.IGNORECASE,
)


# What the minutes end on after the last point, with or without a closing line before it:
# the members' signatures under a label ("Underskrifter:", Holbæk's "Underskriftsark") or a
# signing rule ("____________" with a name under it), or the name of who wrote them
# ("Referent: ..."). Labels alone, never a sentence ("Underskrift af aftalen sker i juni.").
_SIGNED = re.compile(r"^(?:underskrift(?:er|sblad|sark|sside)?\s*:?$|referent\s*:|_{8,})", re.I)


def without_closing(found: list[Unit]) -> list[Unit]:
    """The units before the line closing the meeting or its signatures, when no numbered line
    follows it (a closed point after it, a second part): read from the end back to the last
    numbered line, the last point's body only (the first of them there counts)."""
    end = len(found)
    for index in range(len(found) - 1, -1, -1):
        text = found[index].text
        if label(text) is not None:
            break
        if _closes(text) or _signed(found, index):
            end = index
    return found[:end]


def _signed(found: list[Unit], index: int) -> bool:
    """A signing line, and only names after it ("Jens Hansen (A)", "Mette Holm, næstformand"):
    a rule of underscores set as a divider, or "Underskrift" heading text, has sentences under
    it ("Enhedslisten ønskede følgende tilført referatet: ..."), which are the point's."""
    if not _SIGNED.match(found[index].text):
        return False
    return all(
        _SIGNED.match(text) or _closes(text) or (len(text) <= 60 and not text.endswith("."))
        for text in (unit.text for unit in found[index + 1 :])
    )


def _closes(text: str) -> bool:
    return text[:5].casefold() == "mødet" and _CLOSING.match(text) is not None


def _absent(body: Sequence[Unit], index: int) -> bool:
    """Whether the line at `index`, opening a decision, notes only who sent word (absent_names) and
    what was decided follows it: the decision is that. Alone it is what was recorded."""
    return (
        absent_names(body[index].text)
        and index + 1 < len(body)
        and body[index + 1].starts_paragraph
        and not _SECTION.match(body[index + 1].text)
    )


# What minutes that write no "Beslutning" head the decision with: "Konklusion", "Referat",
# alone or run in before a colon ("Referat: Godkendt."). Agendas use the words otherwise (the
# "Konklusion" of an analysis in the Sagsfremstilling), so only minutes are read so.
_RECORD = re.compile(r"^(?:konklusion|referat|beslutningsreferat)\s*(?::\s*(?P<rest>.*))?$", re.I)
_BILAG = frozenset({"bilag", "vedlagte bilag"})


def record_heading(body: Sequence[Unit]) -> int | None:
    """Where a point of minutes with no Beslutning heading heads its decision with another
    word: the last such label opening a paragraph that does not stand between two other
    sections (after Baggrund or Sagsfremstilling, before Økonomi: it heads part of their
    text)."""
    names: list[tuple[int, str]] = []
    labels: list[int] = []
    for index, unit in enumerate(body):
        if match := _SECTION.match(unit.text):
            names.append((index, section_name(match).casefold()))
        elif unit.starts_paragraph and _RECORD.match(unit.text):
            labels.append(index)
    if any(name == "beslutning" for _, name in names):
        return None
    for at in reversed(labels):
        before = [name for index, name in names if index < at]
        after = [name for index, name in names if index > at and name not in _BILAG]
        if not (before and before[-1] != "indstilling" and after):
            return at
    return None


def earlier_treatments(body: Sequence[Unit]) -> frozenset[int]:
    """The lines naming a committee, a day and a point that list where the case was treated
    before ("Sagen har tidligere været behandlet:", then "Økonomiudvalget, 10-04-2019, pkt.
    12" and "Byrådet, 24-04-2019, pkt. 99"): items of a list a line ending in a colon opens,
    or set one under another with no decision between them. They head no decision; the text
    after them is the section's they stand in."""
    committee = [bool((m := _SECTION.match(unit.text)) and m.group("by")) for unit in body]
    found: set[int] = set()
    for index in range(len(body)):
        if not committee[index]:
            continue
        before = body[index - 1].text.rstrip() if index else ""
        listed = index - 1 in found or (before.endswith(":") and not committee[index - 1])
        if listed or (index + 1 < len(body) and committee[index + 1]):
            found.add(index)
    return frozenset(found)


def named_sections(body: Sequence[Unit], *, minutes: bool = False) -> dict[str, str]:
    """Section name (casefolded) -> its text; of several decisions, the last; of `minutes`, a
    decision headed with another word (record_heading) is the Beslutning."""
    sections: dict[str, list[Unit]] = {}
    current: list[Unit] | None = None
    record = record_heading(body) if minutes else None
    listed = earlier_treatments(body)
    note: str | None = None  # in a note of who was absent: "lines", or "names" set under it
    paused: list[Unit] | None = None  # the section a note of who was absent broke off
    for index, unit in enumerate(body):
        if index == record:
            current = sections.setdefault("beslutning", [])
            if (found := _RECORD.match(unit.text)) and (after := found.group("rest")):
                current.append(Unit(after, starts_paragraph=True))
        elif index in listed:
            if current is not None:
                current.append(unit)
        elif (match := _SECTION.match(unit.text)) and heads_section(body, index, match):
            name = section_name(match).casefold()
            if name == "beslutning":  # each body that decided in turn: the last is the meeting
                sections[name] = []
            current = sections.setdefault(name, [])
            note = paused = None
            if after := run_in(match):
                current.append(Unit(after, starts_paragraph=True))
        elif attending := ATTENDANCE.match(unit.text):
            if current:  # after the section's text: the note breaks it off
                paused, current = current, None
            # Before it, the note opens the section ("Beslutning", "Fraværende: Jens Hansen
            # (V)", then what was decided) and is passed over with the names set under it.
            note = "names" if not unit.text[attending.end() :].strip() else "lines"
        elif not current and current is sections.get("beslutning") and _absent(body, index):
            note = "lines"  # who sent word, opening the decision, is passed over as a note is
        elif note and (not unit.starts_paragraph or absence(unit.text, names=note == "names")):
            pass  # the note's further lines, names and sentences on who came and who did not
        else:
            # Text after the note goes on with the section it broke off (Copenhagen's decisions
            # note who was absent, then tell what was decided).
            if note and paused is not None:
                current, paused = paused, None
            note = None
            if current is not None:
                current.append(unit)
    if "indstilling" not in sections:
        sections["indstilling"] = _recommendation(body)
    return {name: join(units) for name, units in sections.items() if units}


# What a point asks for, said with no Indstilling heading above it: "Direktionen indstiller,"
# then the "at ..." lines (Region Midtjylland's agendas, rm.dk/politik/udvalg/staende-udvalg/
# udvalget-for-regional-udvikling/dagsordener-og-referater-udvalget-for-regional-udvikling),
# "Teknisk Forvaltning indstiller, at ..." (Rødovre's minutes of 2011, rk.dk/politik/politiske-
# udvalg/visning/moede/13473), "Administrationen indstiller til Økonomiudvalget:", or the words
# alone on their line over the "at ..." lines (Hedensted's "Administrationen indstiller",
# hedensted.dk, Det fælles landdistriktsråd 31. august 2023).
_RECOMMENDS = re.compile(
    r"^(?-i:[A-ZÆØÅ])[\w-]*(?:\s+[\w.-]+){0,5}?\s+indstiller(?:\s+til\s+[^,:.]{1,80}?)?"
    r"\s*(?:[,:]|,?\s+at\s|$)",
    re.IGNORECASE,
)


def _recommendation(body: Sequence[Unit]) -> list[Unit]:
    """The paragraph saying who recommends what and the "at ..." lines going on from it, in a
    point with no Indstilling heading; none if no paragraph says so. A paragraph of text
    after them shows the text tells of another's recommendation ("Handicaprådet indstiller,
    at ..." in the Sagsfremstilling): the point's own closes its section."""
    for index, unit in enumerate(body):
        if not unit.starts_paragraph or "ndstiller" not in unit.text[:120]:
            continue
        if _RECOMMENDS.match(unit.text):
            end = index + 1
            while end < len(body) and _goes_on_recommending(body[end]):
                end += 1
            following = body[end].text if end < len(body) else ""
            if _ends_recommendation(following) or not _told(following):
                return list(body[index:end])
    return []


# A line going on with a recommendation: "at ...", an item of its list ("1. at ...", "- at
# ...", "2) Godkender ..."), or any line in lower case ("godkender planen").
_GOES_ON = re.compile(r"^(?:[-–•*▪●]\s|\d{1,2}[.)]\s|[a-z]\)\s|(?-i:[a-zæøå]))")


def _goes_on_recommending(unit: Unit) -> bool:
    return (not unit.starts_paragraph or bool(_GOES_ON.match(unit.text))) and not (
        _ends_recommendation(unit.text)
    )


def _told(text: str) -> bool:
    """A paragraph of text telling the case: a long sentence."""
    return len(text) > 80 and text.endswith(".")


def _ends_recommendation(text: str) -> bool:
    return bool(_SECTION.match(text) or ATTENDANCE.match(text) or _RECORD.match(text))
