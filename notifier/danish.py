"""Danish wording for titles and mails: dates and counted nouns, independent of the locale."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

# What the title of an agenda point may start with: a capital, a digit, a quotation mark of any
# kind ("»Sammen om velfærd« - KL-udspil") or a section sign ("§ 17, stk. 4-udvalg"). Not a
# lower-case letter: the numbered lines of an Indstilling ("1. at KKR godkender ...") are not
# points.
TITLE_START = "A-ZÆØÅ0-9\"“”«»„‘’'§"

# The section headings of an agenda point, KL's and those of municipal agenda systems (Sbsys,
# eDoc): the splitter's sections, and never a running header or footer however often they
# recur at the top or foot of a page (minutes of one point a page).
SECTION_NAMES = (
    "Baggrund",
    "Indstilling",
    "Sagsfremstilling",
    "Beslutning",
    "Vedlagte bilag",
    "Bilag",
    "Økonomi",
    "Resumé",
    "Resume",
    "Forventet sagsgang",
    "Sagsgang og sagstype",
    "Anledning",
    "Beskrivelse af sagen",
    # municipal templates: Roskilde's and Rødovre's, Københavns Kommune's, Region Hovedstaden's
    "Beslutningskompetence",
    "Sagens kerne",
    "Problemstilling",
    "Konsekvenser",
    "Risikovurdering",
    "Sagsforløb",
    # what the council is asked to decide, the case's history and who decides it (Hedensted's
    # and Fredensborg's "Beslutningstema", Hedensted's "Historik", "Kompetence: Økonomiudvalget")
    "Beslutningstema",
    "Historik",
    "Kompetence",
    # who decides, set as a field under the Indstilling (PolWeb's, Nyborg's "Sagen afgøres i"
    # over "Byrådet.")
    "Sagen afgøres i",
)

# What names a part of an agenda ("Tillægsdagsorden", "Lukket dagsorden", "Åbne punkter"): a
# line between points that is no point, and after which the numbering may start again. Minutes
# numbered on through the year name the part heard behind closed doors and go on numbering:
# Haderslev's "LUKKET MØDE", Egebjerg's "Til behandling - for lukkede døre".
# Only as the whole line ("Lukket møde", after a dash "- for lukkede døre"): "Åben skole -
# evaluering" or "Lukket afdeling på Solgården" (a bilag's name) and "Behandlet for lukkede døre"
# (a decision) end a point's text, as lines opening with the same words may.
PART_TITLE = re.compile(
    r"dagsorden|^(?:lukkede?|åbne?|tillæg)\b|^(?:lukket|åbent?)\s+møde$|punkter$"
    r"|\s[-–]\s*for\s+(?:åbne|lukkede)\s+døre$",
    re.IGNORECASE,
)

# Abbreviations a title may end with ("Udpegninger m.v.", "Økonomi mv.", "Praksisplan m.m."):
# their full stop closes the abbreviation, not a sentence.
_ABBREVIATED = re.compile(r"\b(?:m\.\s?v|mv|m\.\s?m|m\.\s?fl|mfl|osv|etc|bl\.\s?a)\.$", re.I)


def abbreviated(text: str) -> bool:
    """Whether the text ends in an abbreviation's full stop."""
    return bool(_ABBREVIATED.search(text))


# How a letter closes: the valediction before the names that sign it ("Med venlig hilsen",
# "Glædelig jul og godt nytår", "God sommer"). What follows it signs the letter and heads
# nothing.
_VALEDICTION = re.compile(
    r"^(?:(?:med\s+)?venlig(?:st)?\s+hilsen|mvh\b|(?:de\s+)?bedste\s+hilsner|kærlig\s+hilsen"
    r"|(?:rigtig\s+)?(?:glædelig|god|godt)\s+(?:jul|nytår|sommer|sommerferie|påske|weekend)\b)",
    re.IGNORECASE,
)


def closes_letter(text: str) -> bool:
    """Whether a line is a letter's valediction ("Med venlig hilsen", "God jul og godt nytår")."""
    return len(text) <= 80 and bool(_VALEDICTION.match(text.strip()))


def letter_closing(texts: Sequence[str]) -> int:
    """Where a text's closing starts: its last valediction, when what follows it only signs
    the letter (a few short lines, no sentence but one saying whom to ask: the names, roles,
    "Spørgsmål kan rettes til ... @kl.dk."); len(texts) when it has none. A greeting that
    opens or runs through a newsletter ("Godt nytår!" over its sections) is followed by
    sentences, and closes nothing."""
    for index in range(len(texts) - 1, -1, -1):
        if not closes_letter(texts[index]):
            continue
        rest = texts[index + 1 :]
        signs = len(rest) <= _SIGNATURE_LINES and all(
            len(line) <= 160 and (not line.rstrip().endswith(".") or _CONTACT.search(line))
            for line in rest
        )
        return index if signs else len(texts)
    return len(texts)


_SIGNATURE_LINES = 12
_CONTACT = re.compile(r"@|\btlf\b|\btelefon", re.IGNORECASE)


WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)


def long_date(day: date) -> str:
    """``mandag den 19. april 2021``."""
    return f"{WEEKDAYS[day.weekday()]} den {day.day}. {MONTHS[day.month - 1]} {day.year}"


def join(words: Sequence[str]) -> str:
    """``A``, ``A og B``, ``A, B og C``."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} og {words[-1]}"


def count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"
