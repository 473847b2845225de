"""Closing blocks of a page that are not news: a contact box, a share or subscribe box.

kl.dk-style news and newsletters end an article, or each of its sections, with who to ask: a
heading ("Kontakt", "Kontaktpersoner", "Yderligere oplysninger", "Spørgsmål kan rettes til")
over a consultant's name, title, phone number and e-mail address, or the same on lines of
their own with no heading. Under a heading of its own such a box became an item ("Kontakt") in
feeds and digests; closing a section it filled the section's excerpt with phone numbers.

A line is contact details when nothing in it is prose: once addresses, phone numbers, job
titles and the few words such boxes use ("Tlf.", "på", "eller", "Spørgsmål kan rettes til")
are set aside, only capitalised words (names, organisations) are left. A sentence that names
someone to ask inside an article ("Kontakt chefkonsulent Jens Hansen for mere om aftalen")
keeps words of its own, and is content. A section titled "Kontakt til borgerne" or
"Kontaktforløb" is a subject: its heading is no contact label and its text is prose.

Pure text rules, for a section (``closing_section``: not an item) and for what an excerpt
shows (``without_contact``: the stored text keeps the box, since a version is a hash of the
text and every stored item closing with one would otherwise be told again as changed).
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# A Danish phone number: eight digits, in pairs or fours, maybe after +45 ("3370 3370",
# "41 32 47 06", "+45 33703370"); not a date ("03.12.2026").
_PHONE = re.compile(r"(?:\+\s?45\s?)?(?<![\d.])\d{2}(?:\s?\d{2}){3}(?![\d.]\d)")
# What a box says around its details: labels, and the phrases that lead to the person.
_PHRASES = re.compile(
    r"\b(?:spørgsmål\s+(?:kan\s+rettes\s+)?til|har\s+du\s+spørgsmål|kan\s+(?:fås|rettes|kontaktes)"
    r"|er\s+du\s+velkommen\s+til\s+at\s+kontakte|(?:for\s+)?(?:yderligere|mere|flere)\s+"
    r"(?:information|oplysninger|info)(?:\s+(?:om\s+sagen|fås))?|kontakt\s+os|fås)\b",
    re.IGNORECASE,
)
_WORDS = frozenset(
    {
        "tlf",
        "tif",  # "Tlf." as OCR reads it
        "tel",
        "telefon",
        "telefonnr",
        "mobil",
        "mob",
        "direkte",
        "dir",
        "mail",
        "e-mail",
        "email",
        "e-post",
        "mailadresse",
        "kontakt",
        "kontakte",
        "kontaktperson",
        "kontaktpersoner",
        "kontaktoplysninger",
        "på",
        "eller",
        "og",
        "hos",
        "ved",
        "i",
        "via",
        "samt",
        "nr",
    }
)
# Job titles: "chefkonsulent", "kontorchef", "presserådgiver", "teamleder", "borgmester".
_TITLE = re.compile(
    r"\w*(?:konsulent|chef|leder|direktør|sekretær|rådgiver|medarbejder|medhjælper|koordinator"
    r"|fuldmægtig|specialist|formand|borgmester|analytiker|økonom|jurist|assistent|journalist"
    r"|redaktør|skribent)(?:en)?",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*(?:\(er\))?")
# A name or organisation set on a line of its own: a few capitalised words.
_NAME_WORDS = 5
# A contact box's line is short; a paragraph of prose is not.
_LINE_CHARS = 200
# What heads a contact box, whole ("Kontakt", "Kontaktperson(er)", "Kontakt i KL",
# "Yderligere oplysninger", "Spørgsmål kan rettes til", "Har du spørgsmål?"); not "Kontakt til
# borgerne", "Kontaktforløb" or "Spørgsmål og svar", which are subjects.
_CONTACT_LABEL = re.compile(
    r"(?:kontakt(?:er|person(?:er|\(er\))?|personer|oplysninger|info(?:rmation)?)?"
    r"(?:\s+(?:os|mig|hos\s+\S.{0,40}|i\s+\S.{0,40}))?"
    r"|contact(?:\s+persons?)?"
    r"|(?:for\s+)?(?:yderligere|mere|flere)\s+(?:information|oplysninger|info)(?:\s+fås\s+hos)?"
    r"|(?:har\s+du\s+)?spørgsmål(?:\s+kan\s+rettes\s+til)?)",
    re.IGNORECASE,
)
# What heads a box of sharing or subscribing: "Del artiklen", "Abonnér på nyhedsbrevet",
# "Tilmeld dig nyhedsbrevet", "Følg os på LinkedIn". Only with short lines under it. "Følg os"
# only on a network: "Følg os på vej mod 2030" or "Følg os på rejsen" heads a subject.
_SHARE_LABEL = re.compile(
    r"(?:del(?:\s+(?:artiklen|siden|nyheden|nyhedsbrevet|denne\s+side|på\s+\S+))"
    r"|abonn[eé]r(?:\s+på)?(?:\s+vores)?\s+nyhedsbrev\w*"
    r"|tilmeld(?:\s+dig)?(?:\s+(?:vores|til))?\s+(?:vores\s+)?nyhedsbrev\w*"
    r"|modtag(?:\s+vores)?\s+nyhedsbrev\w*"
    r"|følg\s+os(?:\s+på\s+(?:(?:linkedin|facebook|twitter|x|instagram|youtube|bluesky"
    r"|sociale\s+medier)(?:\s*(?:,|og|eller)\s*)?)+)?)",
    re.IGNORECASE,
)
_SHARE_LINE_CHARS = 160
_SHARE_LINES = 4


def _label(text: str, pattern: re.Pattern[str]) -> bool:
    return pattern.fullmatch(text.strip().rstrip(" :?!.").strip()) is not None


def _reach(text: str) -> bool:
    """Whether a text gives a way to reach someone: a phone number or an e-mail address."""
    return bool(_EMAIL.search(text) or _PHONE.search(text))


def contact_line(line: str) -> bool:
    """A line of nothing but contact details: a name, a job title, a phone number, an e-mail
    address, a label ("Tlf.:", "Kontakt:"); no word of prose."""
    line = line.strip().removeprefix("•").strip()
    if not line or len(line) > _LINE_CHARS:
        return False
    bare = _PHRASES.sub(" ", _PHONE.sub(" ", _URL.sub(" ", _EMAIL.sub(" ", line))))
    words = _WORD.findall(bare)
    named = 0
    for word in words:
        folded = word.casefold().rstrip(".")
        if folded in _WORDS or _TITLE.fullmatch(folded):
            continue
        if not word[0].isupper():
            return False  # a word of prose
        named += 1
    # Nothing but capitalised words is a name ("Jens Hansen", "KKR Sjælland") only when few.
    return named <= _NAME_WORDS or named < len(words)


def _lines(body: str) -> list[str]:
    return [line for line in body.splitlines() if line.strip()]


def contact_box(heading: str, body: str) -> bool:
    """Whether a section is a contact box: its heading a contact label, or a name over a way
    to reach them, and its text nothing but contact details."""
    lines = _lines(body)
    if not lines or not all(contact_line(line) for line in lines):
        return False
    if _label(heading, _CONTACT_LABEL):
        return True
    # A name set as the box's heading ("<strong>Jens Hansen</strong><br>Chefkonsulent ...").
    # Two words at least, a person's names: one ("Hotline" over "Ring på 70 11 12 13") names
    # a subject as well, and its text opens with a capital as any sentence does.
    words = len(heading.split())
    return 2 <= words <= _NAME_WORDS and contact_line(heading) and _reach(body)


def share_box(heading: str, body: str) -> bool:
    """Whether a section is a box of sharing or subscribing ("Del artiklen" over the names of
    the networks, "Abonnér på nyhedsbrevet" over a line that invites to it)."""
    lines = _lines(body)
    return (
        _label(heading, _SHARE_LABEL)
        and len(lines) <= _SHARE_LINES
        and all(len(line) <= _SHARE_LINE_CHARS for line in lines)
    )


def closing_section(heading: str, body: str) -> bool:
    """A section that is page furniture, not a subject: no item of its own."""
    return contact_box(heading, body) or share_box(heading, body)


def closing_item(title: str, text: str) -> bool:
    """``closing_section`` for an item as stored: its text opens with its heading."""
    first, _, rest = text.strip().partition("\n\n")
    if first.strip() == title.strip():
        text = rest
    return closing_section(title, text)


def without_contact(text: str) -> str:
    """The text without the contact box closing it, for showing: the closing paragraphs that
    are contact details only, when they give a phone number or an e-mail address or open with
    a contact label ("Kontakt", "Spørgsmål kan rettes til ..."). The text as it was when that
    would leave nothing."""
    paragraphs = text.rstrip().split("\n\n")
    cut = len(paragraphs)
    while cut > 0 and all(contact_line(line) for line in _lines(paragraphs[cut - 1])):
        if not _lines(paragraphs[cut - 1]):
            break
        cut -= 1
    box = paragraphs[cut:]
    if not box or cut == 0:
        return text
    opens = _lines(box[0])[0]
    labelled = _label(opens, _CONTACT_LABEL) or _label(opens.split(":")[0], _CONTACT_LABEL)
    if not (labelled or any(_reach(paragraph) for paragraph in box)):
        return text
    return "\n\n".join(paragraphs[:cut])
