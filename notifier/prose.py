"""A text's paragraphs on one line, as an excerpt shows them, each still reading as its own.

Joined with spaces alone, a paragraph or line that ends without a full stop runs into the one
after it: a heading reads as the next sentence's first words ("Sundhedssamarbejdsudvalget
Kommunerne og regionen ..."), and a list set as lines without bullets (a <p> or a <br> per
item, as editors paste them) as one sentence ("følgende input: Bæredygtighed ... virksomhederne
Der bør sættes delmål ..."). So a heading is closed with a full stop, a list's item with a
semicolon before the next item and a full stop before a sentence.

A PDF's line breaks are its layout's (a line wraps where the page ends), so only an HTML
page's lines (its <br>s) are the author's; and a PDF paragraph ending in a full line with no
full stop is one a page break cut, not a finished one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from notifier.closing import without_contact

# A heading inside a text: a short line of its own that closes no sentence, opening neither a
# list item nor a continued sentence. Short: a paragraph broken by a page ends in a full line
# (some 80 characters or more).
_INNER_HEADING = re.compile(r"(?-i:[A-ZÆØÅ0-9])[^\n]{0,69}(?<![.!?:;,…])")
_FULL_LINE = 70
_NUMBER = re.compile(r"\d[\d.,]*")
# A table's row is mostly numbers ("Kommune 2019 2025 Holbæk 8.137 5.369"): at least three,
# and one word in three a number. A sentence holding dates and years ("fredag den 26. januar
# 2018 ... for perioden 2018-2022") is a sentence.
_ROW_NUMBERS = 3
# Words no heading ends on: a sentence broken by a page goes on ("forhandles med" "KL ...").
_GOES_ON = re.compile(
    r"\b(?:at|og|eller|men|samt|i|af|til|for|med|om|på|fra|ved|under|mellem|efter|som|der"
    r"|en|et|den|det|de|er|har|skal|kan|vil|blev|bliver)$",
    re.IGNORECASE,
)
# What a heading follows: a finished sentence, or a list's item (a heading under a list starts
# no item of its own).
_BEFORE_HEADING = re.compile(r"[.!?][\"”»)]?$|^[•▪◦·*–-]\s")
_OPENS_TEXT = re.compile(r"(?-i:[A-ZÆØÅ0-9»\"])")
_BULLET = re.compile(r"^[•▪◦·*–-]\s")
# How a finished piece ends: a sentence's or clause's mark, maybe inside quotes or brackets;
# a dash or an opening bracket goes on.
_ENDED = re.compile(r"[.!?:;,…–-][\"”»')]*$|[(\[/]$")
# How a finished sentence ends.
_FINISHED = re.compile(r"[.!?][\"”»')]*$")


# A closing paragraph that is only a link's label ("Læs mere", "Læs mere her", "Læs hele
# nyheden"): in the page a link, in an excerpt words that lead nowhere.
_READ_MORE = re.compile(
    r"(?:\n\n|^)\s*(?:læs|se)\s+(?:mere|hele\s+(?:nyheden|artiklen|nyhedsbrevet))(?:\s+her)?"
    r"\W*$",
    re.IGNORECASE,
)


def without_read_more(text: str) -> str:
    """The text without a closing "Læs mere" paragraph, for showing it. Only for showing: the
    stored text keeps it, since a version is a hash of the text and every stored item that
    ends in it would otherwise read as changed."""
    return _READ_MORE.sub("", text.rstrip()) or text


def without_closing(text: str) -> str:
    """The text without what closes it and is no news, for showing: a "Læs mere" link's label
    and a contact box, in either order ("Kontakt: ..." then "Læs mere", or the reverse). The
    stored text keeps them, as ``without_read_more`` says."""
    shown = without_read_more(text)
    while (shorter := without_read_more(without_contact(shown))) != shown:
        shown = shorter
    return shown


def authored_lines(url: str) -> bool:
    """Whether a document's line breaks are its author's: an HTML page's, not a PDF's."""
    return not urlsplit(url).path.casefold().endswith(".pdf")


def prose(text: str, *, lines: bool = False) -> str:
    """The paragraphs of a text on one line (with ``lines``, each line a piece of its own),
    each heading inside it closed with a full stop ("Sundhedssamarbejdsudvalget" over its
    paragraph on a theme page, "1. Fælles klimaplaner" in a Sagsfremstilling) and each item of
    an unmarked list ended: with a semicolon before the next item, a full stop before the
    sentence after the list. A heading follows a finished sentence, a list or nothing, and
    comes before text; short lines after "herunder:" or one another are a list."""
    pieces: list[str] = []
    lined: list[bool] = []  # the next piece is the next line of the same paragraph (a <br>)
    for paragraph in text.split("\n\n"):
        parts = paragraph.split("\n") if lines else [paragraph]
        joined = [words for part in parts if (words := " ".join(part.split()))]
        pieces.extend(joined)
        lined.extend(index + 1 < len(joined) for index in range(len(joined)))
    headings = [_inner_heading(pieces, index) for index in range(len(pieces))]
    out: list[str] = []
    listed = False  # the piece before ended a list's lead-in ("følgende:") or was an item
    for index, piece in enumerate(pieces):
        if _broken_sentence(pieces, lined, index):
            out.append(piece)  # "... er du velkommen til at kontakte" <br> "Jens Hansen, ..."
            listed = False
            continue
        if headings[index]:
            out.append(f"{piece}.")
            listed = False
            continue
        # Lines of one paragraph are a list of their own, with or without a lead-in, which
        # ends with the paragraph.
        last_line = index > 0 and lined[index - 1] and not lined[index]
        in_list = listed or lined[index] or last_line
        item = _unended(pieces, index, lines=lines or in_list)
        sentence = item and (
            last_line or headings[index + 1] or bool(_ENDED.search(pieces[index + 1]))
        )
        if item and (sentence or _BULLET.match(piece)):
            out.append(f"{piece}.")
        elif item and in_list:
            out.append(f"{piece};")
        else:
            # Outside a list, a short line before another is a label and its value ("Næste
            # møde" "30. august 2021"), or a heading and its subheading: as they were.
            out.append(piece)
        listed = (item and in_list and not sentence) or piece.endswith(":")
    return " ".join(out)


def _broken_sentence(pieces: Sequence[str], lined: Sequence[bool], index: int) -> bool:
    """Whether a line and the last line of its paragraph after it are one sentence a <br>
    breaks: the first no heading and no item (a clause, with a comma or six words or more, "KKR
    Sjælland har på mødet drøftet"), the last finishing the sentence ("Sundhedsaftalen og den
    videre proces."). A heading over its text is shorter ("Sundhedsaftalen")."""
    if not lined[index] or lined[index + 1] or (index > 0 and lined[index - 1]):
        return False
    piece = pieces[index]
    return (
        not _ENDED.search(piece)
        and _FINISHED.search(pieces[index + 1]) is not None
        and ("," in piece or len(piece.split()) >= 6)
    )


def _unended(pieces: Sequence[str], index: int, *, lines: bool) -> bool:
    """A piece that ends where the next begins though no mark says so: one with no closing
    mark before one opening as a sentence or item does. Not one going on into the next ("...
    forhandles med" "Danske Regioner"), a table's row, or one the next bullet item follows (a
    bullet marks where its item starts). Without ``lines`` (a PDF's paragraphs, not in a list),
    not a full line either: a page break cut that paragraph."""
    if index + 1 >= len(pieces):
        return False
    piece, following = pieces[index], pieces[index + 1]
    if _ENDED.search(piece) or not _OPENS_TEXT.match(following) or _BULLET.match(following):
        return False
    if _GOES_ON.search(piece) or _table_row(piece):
        return False
    return lines or len(piece) < _FULL_LINE


def _inner_heading(paragraphs: Sequence[str], index: int) -> bool:
    paragraph = paragraphs[index]
    if index + 1 >= len(paragraphs) or not _INNER_HEADING.fullmatch(paragraph):
        return False
    # A table's row ("Holbæk 8.137 5.369"), a sentence going on
    if _table_row(paragraph) or _GOES_ON.search(paragraph):
        return False
    following = paragraphs[index + 1]
    before = index == 0 or bool(_BEFORE_HEADING.search(paragraphs[index - 1]))
    return before and bool(_OPENS_TEXT.match(following)) and not _INNER_HEADING.fullmatch(following)


def _table_row(piece: str) -> bool:
    """Whether a piece is a table's row, mostly numbers, not a sentence that holds some."""
    numbers = len(_NUMBER.findall(piece))
    return numbers >= _ROW_NUMBERS and numbers * _ROW_NUMBERS >= len(piece.split())
