"""Pure: the quality gate. Is a document fit to be told as news, or must a person look first?

A document is held for review (stored, but told to nobody until released) when:

* splitting it may have lost points (the table of contents lists points the body does not
  have, a point swallowed another: ``split.split_document``'s problems);
* it has no date (unless it is a standing page, dated by when a change to it is seen): a
  politician cannot place it, and a feed cannot order it;
* its text layer is damaged (OCR of a scanned page: "Vi gleeder os til ... ietnyt KKRiKKR
  Sjeelland"): many of its words are Danish words with æ, ø or å misread (common words among
  them: names are not misreads), its letters stand apart ("B e n te N ie ls e n"), or most
  words are not Danish at all (the word list is ``notifier/data/danish_words.txt``;
  inflections and compounds of listed words count as Danish);
* one of its items matches (nearly) every topic: an overview or a brochure, not news on any
  one subject.

Each reason is a short English line for the operator and the secretariat.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from notifier.models import Document, Item, TopicMatch

WORDS_FILE = Path(__file__).resolve().parent / "data" / "danish_words.txt"
# Words that are not Danish but become Danish words when one OCR confusion is undone
# ("sjelland" -> "sjælland", "vilkdr" -> "vilkår"): 5.8% of the words of the OCR'd welcome
# brochure of KKR Sjælland, at most 1.3% of clean KKR text (names and jargon).
REPAIRABLE_SHARE = 0.03
# Words that are not Danish at all (mojibake, a text layer of garbage): clean KKR text has
# 1-11%, jargon and names included.
FOREIGN_SHARE = 0.2
# Letters standing alone ("B e n te N ie ls e n", "a n læ g s re g n s k a b"): a scanned page
# whose OCR spaced the letters apart, 56% of the letters-and-words of real minutes read so, at
# most 8% of clean text (list letters, "m.v.", "KL's").
SPACED_SHARE = 0.25
MIN_WORDS = 40  # shorter texts are too few words to judge
# Words and lone letters: a lone letter is not a word, but many of them are spaced-out words.
_WORD = re.compile(r"[^\W\d_]+")
# Lone letters that are Danish words of their own ("i", "å", "ø"), the s of "KL's", and the
# tick mark of a table ("Ballerup x x x": a spaced-out Danish word seldom leaves an x).
_LONE_WORDS = frozenset("iåøsx")
# A letter standing apart: none of a list's letter ("a)", "b."), an abbreviation's ("m.v.",
# "bl.a.", "d. 3. juni", "litra a-c") or a compound's first letter ("e-mail", "p-pladser"),
# which touch a stop, a bracket, a dash or a slash. Spaced-out words stand between spaces.
_LONE = re.compile(r"(?<![\w.(/'’-])[^\W\d_](?![\w.)/:'’-])")
# Endings that inflect a listed word: "taksterne", "prioriteringer", "lønfremskrivningen".
_ENDINGS = (
    "ernes",
    "erne",
    "enes",
    "ene",
    "ens",
    "ets",
    "en",
    "et",
    "er",
    "ne",
    "e",
    "s",
    "r",
    "t",
)
_ENDING_SET = frozenset(_ENDINGS)
_ENDING_LENGTHS = sorted({len(ending) for ending in _ENDINGS})
# What OCR makes of æ, ø and å ("ee", "z", "é", "d" ...). "ae", "oe" and "aa" are not among
# them: they are how Danish is written without those letters, not damage.
_CONFUSIONS = (
    ("ee", "æ"),
    ("e", "æ"),
    ("z", "æ"),
    ("a", "æ"),
    ("o", "ø"),
    ("e", "ø"),
    ("a", "å"),
    ("d", "å"),
    ("é", "å"),
)


@functools.cache
def danish_words() -> frozenset[str]:
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


@functools.lru_cache(maxsize=65536)
def is_danish(word: str, parts: int = 3) -> bool:
    """In the word list, inflected ("taksterne"), or a compound of up to ``parts`` such words
    ("sundheds" + "aftale", "bo" + "til" + "bud")."""
    words = danish_words()
    if word in words:
        return True
    # Where a listed word may end inside this one: at its end, or before an inflection ending
    # ("taksterne"). The ending is the word's own wherever a compound is cut, so it is read
    # once here, not again for every cut below.
    size = len(word)
    ends = [size - length for length in _ENDING_LENGTHS if word[-length:] in _ENDING_SET]
    for end in ends:
        if end >= 3 and word[:end] in words:
            return True
    if parts < 2:
        return False
    # A word seen for the first time is cut every way it can be: the cheap test of the head
    # goes first, and only heads of three-part compounds go through the cache.
    for cut in range(3, size - 2):
        head = word[:cut]
        linked = head in words or (head[-1] in "se" and head[:-1] in words)
        if not linked and parts < 3:
            continue
        listed = word[cut:] in words
        if not listed:
            for end in ends:
                if end - cut >= 3 and word[cut:end] in words:
                    listed = True
                    break
        if listed and (linked or is_danish(head, parts - 1)):
            return True
    return False


@functools.lru_cache(maxsize=65536)
def _repairable(word: str) -> bool:
    """Undoing one OCR confusion makes it a Danish word, listed, inflected or a compound of
    two ("beskaftigelsesfremme"). Three-part compounds are not tried: one of three short
    parts nearly always fits, so "realisering" would be "realis" + "æ" + "ring" misread,
    and no damaged word of the scanned brochure needed them. Cached like ``is_danish``: a
    document repeats its words, and each try here is a look-up in is_danish's cache or more."""
    for damage, letter in _CONFUSIONS:
        start = word.find(damage)
        while start != -1:
            if is_danish(word[:start] + letter + word[start + len(damage) :], 2):
                return True
            start = word.find(damage, start + 1)
    return False


def ocr_damage(text: str) -> str | None:
    """Why the text reads as a damaged text layer (OCR), or None. Acronyms (all capitals) and
    texts of fewer than MIN_WORDS words are not judged."""
    # Each distinct word is judged once and counted as often as it occurs: a long agenda
    # repeats most of its words.
    words = 0
    lone = sum(not letter.isupper() and letter not in _LONE_WORDS for letter in _LONE.findall(text))
    foreign: dict[str, int] = {}
    for word, count in Counter(_WORD.findall(text)).items():
        if word.isupper() or len(word) == 1:
            continue
        words += count
        # Keyed by the word as written: a capitalised word is told apart below.
        if not is_danish(word.casefold()):
            foreign[word] = count
    if words + lone >= MIN_WORDS and lone / (words + lone) >= SPACED_SHARE:
        share = lone / (words + lone)
        return f"{share:.0%} of its words are letters spaced apart (OCR damage?)"
    if words < MIN_WORDS:
        return None
    # Undoing confusions is most of the cost, and only foreign words can be repairable: it
    # is tried only while they can still make up the share (clean text has too few).
    repairable = common = 0
    left = sum(foreign.values())
    for word, count in foreign.items():
        if (repairable + left) / words < REPAIRABLE_SHARE:
            break
        left -= count
        if _repairable(word.casefold()):
            repairable += count
            common += count if word[0].islower() else 0
    # OCR misreads common words as well as names; a text whose only "misreads" are
    # capitalised is a text of names ("Egede" is not "øgede" misread, nor "Temte" "tømte").
    if repairable / words >= REPAIRABLE_SHARE and common:
        share = repairable / words
        return f"{share:.0%} of its words are Danish words with æ, ø or å misread (OCR damage?)"
    share = sum(foreign.values()) / words
    if share >= FOREIGN_SHARE:
        return f"{share:.0%} of its words are not Danish (OCR damage?)"
    return None


def review_reasons(
    document: Document,
    items: Sequence[Item],
    *,
    topics: Mapping[str, Sequence[TopicMatch]],
    topic_count: int,
    split_problems: Sequence[str] = (),
    undated_ok: bool = False,
) -> tuple[str, ...]:
    """Why the document must be looked at before anyone is told about it; () when it may go.

    ``topics`` holds the topics of the items being told (by item key); ``topic_count`` is how
    many topics there are; ``undated_ok`` when the source's pages have no dates of their own
    (a standing topic page is dated by when a change to it is seen)."""
    reasons = list(split_problems)
    if document.date is None and not undated_ok:
        reasons.append("no date")
    damage = ocr_damage(document.text)
    if damage is not None:
        reasons.append(damage)
    overview = max(3, topic_count - 1)
    for item in items:
        matched = len(topics.get(item.key, ()))
        if matched >= overview:
            reasons.append(
                f"{item.number or item.key} matches {matched} of {topic_count} topics: "
                "an overview, not news on one subject"
            )
    return tuple(reasons)
