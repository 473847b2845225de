"""Pure: a subscriber's own words and phrases ("Movia", "Kattegatforbindelsen"), found in an item
the way topic terms are.

Words fold as topic terms do (``classify.fold`` and the term variants: case, æ/ae, OCR
look-alikes of long words, doubled letters), so a word is found however the PDF spelled it;
only "oe" stays two letters in the text, where an o of a word matches o or oe (ø written oe),
so that "broer" (bro + er) is not "bror". A word matches at the start of a word of the text
and takes Danish endings ("Movia" finds "Movias", "Kattegatforbindelse" finds
"Kattegatforbindelsen", "bus" finds "busserne", "bro" finds "broerne"), never inside another
word ("bus" does not find "omnibus"); a trailing '*' takes any continuation ("sygehus*" finds
"sygehusbyggeri"), as in topics.toml. A phrase's words must follow each other;
each may take the adjective's e ("grøn omstilling" finds "den grønne omstilling"). A noun in -er
also drops that e before an ending ("jobcenter" finds "jobcentrene", "teater" finds "teatret").

Excluded words are found the same way; an item holding one is not sent, whatever else matched.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from notifier.classify import FOLDS, _units, _variants, dehyphenate, fold
from notifier.errors import SubscriberError
from notifier.models import ItemSnapshot

MAX_WORDS = 20
MAX_LENGTH = 60
# Inflections of Danish nouns, adjectives and verbs, as they look after folding (doubled
# letters collapse: "busser" folds to "buser", "bus" + "er"). Any word takes these: they begin
# with a vowel, or are the genitive s.
ENDINGS = "e en er es et ene ens ere ers ets ende erne este enes ernes s".split()  # noqa: SIM905
# An ending that begins with a consonant follows only the words it follows in Danish, or a word
# plus it is another word: "fly" + "te" is "flytte" folded, "hav" + "ne" is "havne", "by" +
# "de" is "byde", "sag" + "de" is "sagde". After e: "kommunen", "kommuner", "kommunerne",
# "området", "udliciterede".
AFTER_E = "n ns r re res rne rnes t de".split()  # noqa: SIM905
# After r: "kommuner" finds "kommunerne". After any other vowel than e nothing more: the plural
# there is "er" ("bro", "broer"), and a bare r spells other words ("bror").
AFTER_R = ["ne", "nes"]
# The t of an adjective's neuter ("regionalt") only after five letters: shorter words plus t
# are mostly other words' past forms ("sagt", "vandt", "plant", "holdt", "valgt"). The past
# "te" is not taken at all: after a typed word it spells other words ("plante", "flytte").
T_MIN_LENGTH = 5
# After a noun in -er has dropped its e ("jobcentr"), only these follow: "jobcentre",
# "jobcentret", "jobcentrene"; the stem alone is no word. Shorter words keep the e: the stem of
# "over" would find "ovre".
SYNCOPE_ENDINGS = ("e", "es", "et", "ets", "ene", "enes")
_SYNCOPE_ENDING = "(?:" + "|".join(sorted(SYNCOPE_ENDINGS, key=len, reverse=True)) + ")"
_SYNCOPE_MIN_LENGTH = 5
_SEPARATORS = re.compile(r"[,;\n]")
# Folding "oe" to "o" (ø written oe) would make "broer" the word "bror": the text keeps both
# letters, and each o of a word matches an optional e after it instead.
_TEXT_FOLDS = tuple(pair for pair in FOLDS if pair != ("oe", "o"))


def parse(value: str | Sequence[str]) -> tuple[str, ...]:
    """Words and phrases from "a, b" (commas, semicolons or lines) or a list: each trimmed to one
    line, the same word (folded) once; SubscriberError when one cannot be a word."""
    parts = _SEPARATORS.split(value) if isinstance(value, str) else list(value)
    words: dict[str, str] = {}
    for part in parts:
        word = " ".join(str(part).split())
        if not word:
            continue
        if len(word) > MAX_LENGTH:
            raise SubscriberError(f"a word or phrase is at most {MAX_LENGTH} characters: {word!r}")
        if not re.search(r"\w\w", word) or "*" in word.rstrip("*") or word.startswith("*"):
            raise SubscriberError(
                f"not a word or phrase: {word!r} (letters or digits; '*' only at the end)"
            )
        words.setdefault(fold(word.rstrip("*")) + ("*" if word.endswith("*") else ""), word)
    if len(words) > MAX_WORDS:
        raise SubscriberError(f"at most {MAX_WORDS} words or phrases")
    return tuple(words.values())


def folded_text(snapshot: ItemSnapshot) -> str:
    """The text of an item version that words are looked for in, folded."""
    parts = (snapshot.title, snapshot.text, snapshot.indstilling, snapshot.beslutning)
    return fold(dehyphenate("\n".join(part for part in parts if part)), _TEXT_FOLDS)


@dataclass(frozen=True)
class Matcher:
    words: tuple[tuple[str, re.Pattern[str]], ...]
    excluded: tuple[re.Pattern[str], ...]

    def found(self, folded: str) -> tuple[str, ...]:
        """The subscriber's words (as they wrote them) that occur in a folded text."""
        return tuple(word for word, pattern in self.words if pattern.search(folded))

    def excludes(self, folded: str) -> bool:
        return any(pattern.search(folded) for pattern in self.excluded)


@functools.lru_cache(maxsize=4096)
def matcher(words: tuple[str, ...], excluded: tuple[str, ...] = ()) -> Matcher:
    """The compiled words of one subscription (cached: many subscribers share words)."""
    return Matcher(
        words=tuple((word, _pattern(word)) for word in words),
        excluded=tuple(_pattern(word) for word in excluded),
    )


def _pattern(word: str) -> re.Pattern[str]:
    prefix = word.endswith("*")
    spellings = sorted(_variants(word.rstrip("*")), key=len, reverse=True)
    alternatives = [
        _phrase(spelling) + ("" if prefix else _ending(spelling) + r"(?!\w)")
        for spelling in spellings
    ]
    if not prefix:
        alternatives += [
            _phrase(spelling[:-2] + "r") + _SYNCOPE_ENDING + r"(?!\w)"
            for spelling in spellings
            if spelling.endswith("er")
            and len(re.split(r"[\s-]", spelling)[-1]) >= _SYNCOPE_MIN_LENGTH
        ]
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})")


def _ending(spelling: str) -> str:
    """The optional ending a folded spelling's last word takes, by how the word ends."""
    last = re.split(r"[\s-]", spelling)[-1]
    endings = ENDINGS + {"e": AFTER_E, "r": AFTER_R}.get(last[-1:], [])
    if len(last) >= T_MIN_LENGTH and "t" not in endings:
        endings = [*endings, "t"]
    return "(?:" + "|".join(sorted(endings, key=len, reverse=True)) + ")?"


def _phrase(spelling: str) -> str:
    """A folded spelling's regex, where a word followed by another of the phrase may take the
    adjective's e ("grøn omstilling" finds "den grønne omstilling": "grøne" folded), and an o
    may be ø written oe ("København" finds "Koebenhavn")."""
    return "".join(_unit(unit) for unit in _units(spelling))


def _unit(unit: str) -> str:
    if unit == r"\s+":
        return "e?" + unit
    return "oe?" if unit == "o" else unit
