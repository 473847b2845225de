"""Pure: the notes of who was absent that minutes set under a point's decision (a label such
as "Fraværende:" with the names, short sentences on who came and who did not): they record the
meeting, not what was decided, so the sections of a point (sections.py) pass them over.
"""

from __future__ import annotations

import re

# Who was absent, set under a point's decision in minutes ("Fraværende: Jens Hansen (V)",
# "Afbud: ...", "Fraværende med afbud:", "Fremmøde og inhabilitet:", Stevns' "Ikke til stede:
# ..."): a label alone or before a colon or dash, never a sentence ("Afbud fra Jens Hansen.").
# It records the meeting, not what was decided, so it ends the section above it; set first
# under the heading, it is passed over (named_sections).
ATTENDANCE = re.compile(
    r"^(?:fraværende|afbud|fremmøde|deltog\s+ikke|ikke\s+til\s+stede)"
    r"(?:\s+(?:med|uden)\s+afbud|\s+og\s+inhabilitet|\s+fra(?:\s+mødet)?"
    r"|\s+(?:ved|under|i|fra)\s+(?:punktet|behandlingen(?:\s+af\s+punktet)?|mødet))?"
    r"\s*(?:[:–-]|$)",
    re.IGNORECASE,
)


# A sentence of a note of who was absent: who sent word, who stood in, who left
# ("Mikkel Houmann havde meldt afbud, og Peter Steffensen deltog i stedet.").
_ABSENCE = re.compile(
    r"\b(?:afbud|fravær\w*|deltog|deltage|stedfortræder\w*|suppleant\w*|mødte|indkaldt"
    r"|udeblev|inhabil\w*|forlod|inviteret|til\s+stede)\b",
    re.IGNORECASE,
)


def absence(text: str, *, names: bool) -> bool:
    """Whether a paragraph under an attendance label is part of the note: the names set under
    a label alone, "Ingen.", or a short sentence on who came and who did not."""
    if names and _NAMES.match(text):
        return True
    return text.rstrip(". ").casefold() == "ingen" or (
        len(text) <= 200 and _ABSENCE.search(text) is not None
    )


# The names alone under an attendance label set apart from them: "Hans Østergaard (V)", "Jens
# Hansen (V) og Ib Hansen (A)"; never a decision ("Godkendt med den ændring, ...").
_NAMES = re.compile(
    r"^[A-ZÆØÅ][\w.'-]*(?:(?:\s+|\s*,\s*|\s+og\s+)(?:[A-ZÆØÅ][\w.'-]*|\([A-ZÆØÅ]{1,3}\)))+$"
)


def attendance(text: str) -> bool:
    """Whether a line notes who was absent (ATTENDANCE)."""
    return bool(ATTENDANCE.match(text))


# Who sent word and who stood in, named with no label before a colon ("Afbud fra Jens Hansen
# (V), stedfortræder Ib Olsen (V)", "Fraværende Mette Holm, suppleant Ib Olsen"): names, no
# sentence.
_NAME = r"(?-i:[A-ZÆØÅ][\w.'-]*|\([A-ZÆØÅ]{1,3}\))"
_NAME_LIST = rf"{_NAME}(?:(?:\s+|\s*,\s*|\s+og\s+){_NAME})*"
_ABSENT = re.compile(
    rf"^(?:afbud\s+fra|fraværende)\s+{_NAME_LIST}"
    rf"(?:(?:\s*[,;–-]\s*|\s+)(?:som\s+)?(?:stedfortræder|suppleant)(?:\s+for\s+{_NAME_LIST})?"
    rf"\s*:?\s*{_NAME_LIST})?\.?$",
    re.IGNORECASE,
)


def absent_names(text: str) -> bool:
    """Whether a line names only who sent word and who stood in (_ABSENT)."""
    return bool(_ABSENT.match(text))
