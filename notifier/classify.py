"""Pure stage: an item's title and text -> the topics it belongs to, with scores and evidence.

Matching works on a folded "skeleton" of the text so that clean Danish, ae/oe/aa spellings and
OCR damage classify alike: lowercase; æ, ä and z (OCR for æ) -> e; ø -> o; å -> a; the digraphs
ae/oe/aa and "ce" (OCR for æ: "sammenhcengende") -> e/o/a/e; the words "pd"/"p3" (OCR for "på")
-> "pa"; doubled letters collapsed ("Sjeelland", "Sjzlland", "Sjaelland" and
"Sjælland" all become "sjeland"). Terms are folded the same way.

OCR also swaps one Danish letter for a look-alike (æ->a "beskaftigelse", ø->e "afgerende",
å->d "omrdder"). Those readings are generated for long terms only: one letter swapped in a
short word usually lands on another real word ("kræft" -> "kraft", "miljø" -> "milje"), so a
short stem matches its own spelling and the compounds that start with it, never a look-alike.

A topic needs evidence, not hints: terms of weight at most HINT_WEIGHT ("rammeaftale*",
"virksomhed*", "job") add to a topic's score but never make it a topic on their own.

Results are ordered strongest first (score; then evidence in the title; then the heaviest
term; then the order of the topics file). `primary(matches)` is the topic an item is filed
under: digests and feeds group by it.

All terms of all topics are compiled into one regex built as a trie, so a text is scanned once
whatever the number of terms. At each position the longest term wins, which is how a specific
phrase ("social- og sundhedsuddannelse*" in uddannelse) overrides the shorter terms inside it
("sundhed*" in sundhed).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import math
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from notifier.models import Evidence, Item, Topic, TopicMatch

# Bump when scoring or folding changes, so stored classifications are redone.
ALGORITHM = "lexicon-5"  # 5: case marks ("(Åben)", "Beslutningssag:") before standing points

TITLE_FACTOR = 2.5  # a term in the title says more about the item than one in the body
MIN_SCORE = 2.0  # below this a topic is noise (one weak mention)
# A topic must reach this share of the best topic's score. Labels give the main subject and a
# second topic only for a distinct part of the item (tests/data/LABELLING.md, rule 1); on the
# real set most second topics under 0.4 were passing mentions, and 0.4 still keeps rule 1's own
# two-topic example (a bus fleet going electric). bench/classify.py fits it per fold as a check.
RELATIVE_MIN = 0.4
HINT_WEIGHT = 1.0  # terms this light corroborate a topic; they never decide one alone
MAX_VARIANTS = 16  # OCR spellings generated per term

# Replaced one after another (C searches) rather than by str.translate, which looks each
# character of a non-ASCII text up in a dict; none of them yields a letter replaced later.
_LETTERS = (("æ", "e"), ("ä", "e"), ("z", "e"), ("ø", "o"), ("ö", "o"), ("å", "a"), ("é", "e"))
_DIGRAPHS = (("ae", "e"), ("oe", "o"), ("aa", "a"), ("ce", "e"))  # OCR reads æ as "ce" too
FOLDS = _LETTERS + _DIGRAPHS
# OCR reads the short word "på" as "pd" or "p3"; both fold to "pa", as "på" does.
_PAA = re.compile(r"\bp[d3]\b")
# Deletes each letter the same letter follows, which leaves one of a run: an empty replacement
# is copied in C, where "\1" would be expanded by a Python call per run.
_DOUBLE = re.compile(r"([a-z])(?=\1)")
# Not before "og"/"eller": "klima- og energiplaner" keeps its hyphen when broken at it. The
# hyphen comes first so that the regex engine skips to hyphens instead of trying every position.
_LINE_HYPHEN = re.compile(r"-(?<=\w-)[ \t]*\n\s*(?=[a-zæøå])(?!(?:og|eller)\b)")
_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
# A word with the gap after it: where words start is summed from their lengths, in C, with one
# string made per word.
_WORD_AND_GAP = re.compile(r"\w+\W*")
_GAP = re.compile(r"\W*")
# OCR readings of Danish letters, used for terms only (the text is never guessed at).
_OCR = {"æ": ("æ", "a"), "ø": ("ø", "e"), "å": ("å", "d")}
_OCR_MIN_LENGTH = 8  # shorter terms would collide with real words ("kræft" / "kraft")
_NUMBER_AND_END = re.compile(r"^[\d.\s]+|[\W_]+$")  # "7. " and "." of "7. Eventuelt."
# The kind of case that regional agendas set before a title (folded): "(Åben) Meddelelser",
# "Beslutningssag: Mødeplan for 2022", "Lukket punkt - Udbud af lægevagtskørsel". The title
# after the mark is what says whether the point is a standing one.
_CASE_MARK = re.compile(
    r"^(?:\((?:abent?|luket)\)|(?:beslutning|orientering|droftelse)s?ag\s*[:.\-–]"
    r"|(?:beslutning|orientering|droftelse)\s*:|luket (?:punkt|sag)\s*[:.\-–])\s*"
)


def fold(text: str, folds: tuple[tuple[str, str], ...] = FOLDS) -> str:
    """The skeleton form matched against; keeps word boundaries where they were. ``folds``:
    the letters and digraphs replaced (``keywords`` keeps "oe" in a text)."""
    folded = text.casefold()
    for written, letter in folds:
        folded = folded.replace(written, letter)
    if "pd" in folded or "p3" in folded:
        folded = _PAA.sub("pa", folded)
    return _DOUBLE.sub("", folded)


def dehyphenate(text: str) -> str:
    """Rejoin words broken across lines ("kom-\\nmuner"), as PDF and OCR text often has them."""
    return _LINE_HYPHEN.sub("", text.replace("\u00ad", ""))


@dataclass(frozen=True, eq=False)  # by identity: one per topic and term, a cheap dict key
class _Term:
    topic: int  # index into the classifier's topics
    term: str  # as configured
    weight: float
    whole_word_end: bool  # no trailing '*': the word must end here


def _variants(term: str) -> set[str]:
    """Folded spellings of a term's core (without '*'), including OCR readings of æ/ø/å."""
    core = term.strip("*").casefold()
    for written, letter in (("ae", "æ"), ("oe", "ø"), ("aa", "å")):
        core = core.replace(written, letter)  # a term typed as "vaekst" means "vækst"
    if len(core) < _OCR_MIN_LENGTH:
        return {fold(core)}
    choices = [_OCR.get(char, (char,)) for char in core]
    spellings = itertools.islice(itertools.product(*choices), MAX_VARIANTS)
    return {fold("".join(spelling)) for spelling in spellings}


def _units(folded: str) -> list[str]:
    """Regex fragments for a folded term: letters literally, spaces and hyphens loosely."""
    units: list[str] = []
    for part in re.split(r"(\s+|-)", folded):
        if not part:
            continue
        if part.isspace():
            units.append(r"\s+")
        elif part == "-":
            units.append(r"-\s*")
        else:
            units.extend(re.escape(char) for char in part)
    return units


_END_OPEN, _END_WORD = "", r"(?!\w)"


def _trie_regexes(keys: Iterable[tuple[list[str], bool]]) -> dict[str, str]:
    """By first unit, one pattern matching the rest of any of the keys, longest first; shared
    prefixes are shared."""
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for units, word_end in keys:
        node = root
        for unit in units:
            node = node.setdefault(unit, {})
        node[_END_WORD if word_end else _END_OPEN] = {}

    def render(node: dict) -> str:  # type: ignore[type-arg]
        branches = [
            unit + render(child) for unit, child in node.items() if unit not in ("", _END_WORD)
        ]
        if _END_WORD in node and _END_OPEN not in node:
            branches.append(_END_WORD)
        if _END_OPEN in node:
            return f"(?:{'|'.join(branches)})?" if branches else ""
        return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"

    return {unit: render(child) for unit, child in root.items()}


class Classifier:
    """Multi-label lexicon classifier over a set of topics; pure and reusable across threads."""

    def __init__(
        self,
        topics: Sequence[Topic],
        *,
        procedural_titles: Sequence[str] = (),
        relative_min: float = RELATIVE_MIN,
    ) -> None:
        self.topics = tuple(topics)
        self.relative_min = relative_min  # other values are for measuring (bench/classify.py)
        self.procedural_titles = tuple(procedural_titles)
        self.version = _version(self.topics, self.procedural_titles)
        # key: folded term core with single spaces; separate tables for terms that must start a
        # word and terms that may start inside one ('*' in front).
        starting: dict[str, list[_Term]] = {}
        inside: dict[str, list[_Term]] = {}
        starting_keys: dict[str, tuple[list[str], bool]] = {}
        inside_keys: dict[str, tuple[list[str], bool]] = {}
        for index, topic in enumerate(self.topics):
            for term, weight in topic.terms.items():
                entry = _Term(index, term, weight, whole_word_end=not term.endswith("*"))
                table, keys = (
                    (inside, inside_keys) if term.startswith("*") else (starting, starting_keys)
                )
                for variant in _variants(term):
                    key = _key(variant)
                    table.setdefault(key, []).append(entry)
                    units, word_end = keys.get(key, (_units(variant), True))
                    keys[key] = (units, word_end and entry.whole_word_end)
        # One alternative per first letter, so that the regex engine skips the positions no term
        # starts at instead of trying the whole pattern at every one. Within it, terms that must
        # start a word are tried before those that may start inside one (the lookbehind, after
        # the letter, asks whether a word character precedes it). Each way ends in an empty
        # group: the number of the one that matched, less one, indexes self._found.
        starting_rest = _trie_regexes(starting_keys.values())
        inside_rest = _trie_regexes(inside_keys.values())
        starting_found, inside_found = _found(starting), _found(inside)
        self._found: list[dict[str, _Found]] = []
        alternatives = []
        for unit in dict.fromkeys([*starting_rest, *inside_rest]):
            literal = unit not in (r"\s+", r"-\s*")  # a single character, escaped
            ways = []
            if unit in starting_rest:
                rest = starting_rest[unit]
                ways.append(f"(?<!\\w{unit}){rest}()" if literal else f"(?<!\\w)(?:{unit}{rest})()")
                self._found.append(starting_found)
            if unit in inside_rest:
                ways.append(
                    f"{inside_rest[unit]}()" if literal else f"(?:{unit}{inside_rest[unit]})()"
                )
                self._found.append(inside_found)
            alternatives.append(f"{unit}(?:{'|'.join(ways)})" if literal else "|".join(ways))
        self._pattern = re.compile("|".join(alternatives) or r"(?!)")
        # Titles that must start the point are tried at its start only: in one regex with those
        # that may stand anywhere ('*' in front), all of them were tried at every position.
        start, anywhere = [], []
        for title in self.procedural_titles:
            words = r"\s+".join(re.escape(fold(w)) for w in title.strip("*").split())
            if "*" not in title:
                start.append(words + "$")
            elif title.startswith("*"):
                anywhere.append(words)
            else:
                start.append(words)
        self._procedural_start = re.compile("|".join(start) or r"(?!)")
        self._procedural_anywhere = re.compile("|".join(anywhere) or r"(?!)")

    def is_procedural_title(self, title: str) -> bool:
        """Standing points ("Godkendelse af dagsorden", "Siden sidst", "Eventuelt")."""
        bare = _CASE_MARK.sub("", fold(_NUMBER_AND_END.sub("", title.strip())))
        return bool(self._procedural_start.match(bare) or self._procedural_anywhere.search(bare))

    def classify(
        self, *, title: str, text: str, procedural: bool = False
    ) -> tuple[TopicMatch, ...]:
        """The item's topics, strongest first (see `primary`); () for a standing point."""
        if procedural or self.is_procedural_title(title):
            return ()
        return self._classify((("title", title), ("text", text)))

    def classify_item(self, item: Item) -> tuple[TopicMatch, ...]:
        if item.procedural or self.is_procedural_title(item.title):
            return ()
        fields = [("title", item.title), ("text", item.text)]
        if item.indstilling:
            fields.append(("indstilling", item.indstilling))
        return self._classify(fields)

    def scored(self, *, title: str, text: str) -> tuple[TopicMatch, ...]:
        """Every topic with evidence and its score, before the score cut-offs (for measuring)."""
        if self.is_procedural_title(title):
            return ()
        return tuple(match for match, _ in self._candidates((("title", title), ("text", text))))

    def _classify(self, fields: Iterable[tuple[str, str]]) -> tuple[TopicMatch, ...]:
        candidates = self._candidates(fields)
        if not candidates:
            return ()
        best = candidates[0][0].score
        return tuple(
            match
            for match, _ in candidates
            if match.score >= MIN_SCORE and match.score >= self.relative_min * best
        )

    def _candidates(
        self, fields: Iterable[tuple[str, str]]
    ) -> list[tuple[TopicMatch, tuple[float, ...]]]:
        """Topics with more than hints for them, strongest first, with their sort key."""
        # term -> [in title, body count, evidence, the words of its evidence]
        hits: dict[_Term, list] = {}  # type: ignore[type-arg]
        for where, raw in fields:
            if not raw:
                continue
            original = dehyphenate(raw)
            folded = fold(original)
            words = _Words(original, folded)
            title = where == "title"
            for found in self._pattern.finditer(folded):
                every, open_ended = self._found[(found.lastindex or 1) - 1].get(
                    _key(found.group()), _NO_TERMS
                )
                matched = None  # the words of the original, read for new evidence only
                for term in open_ended if _WORD_CHAR.match(folded, found.end()) else every:
                    hit = hits.get(term)
                    if hit is None:
                        hit = hits[term] = [False, 0, [], []]
                    if title:
                        hit[0] = True
                    else:
                        hit[1] += 1
                    if len(hit[3]) < 3:
                        if matched is None:
                            matched = words.matched(found)
                        if matched not in hit[3]:
                            hit[3].append(matched)
                            hit[2].append(Evidence(term=term.term, matched=matched, where=where))
        scores: dict[int, float] = {}
        heaviest: dict[int, float] = {}
        in_title: dict[int, bool] = {}
        evidence: dict[int, list[Evidence]] = {}
        for term, (title_hit, count, kept, _) in hits.items():
            topic, weight = term.topic, term.weight
            body = math.sqrt(min(count, 4)) if count else 0.0
            scores[topic] = scores.get(topic, 0.0) + weight * (TITLE_FACTOR * title_hit + body)
            heaviest[topic] = max(heaviest.get(topic, 0.0), weight)
            if weight > 0:
                in_title[topic] = in_title.get(topic, False) or title_hit
                evidence.setdefault(topic, []).extend(kept)
        ranked = []
        for topic, score in scores.items():
            if score <= 0 or heaviest[topic] <= HINT_WEIGHT:
                continue
            match = TopicMatch(
                topic=self.topics[topic].id,
                score=round(score, 2),
                evidence=tuple(sorted(evidence[topic], key=lambda e: e.where != "title")),
            )
            key = (-match.score, not in_title[topic], -heaviest[topic], topic)
            ranked.append((match, key))
        return sorted(ranked, key=lambda pair: pair[1])


_Found = tuple[tuple[_Term, ...], tuple[_Term, ...]]  # every term; those that need no word end
_NO_TERMS: _Found = ((), ())


def _found(table: dict[str, list[_Term]]) -> dict[str, _Found]:
    return {
        key: (tuple(terms), tuple(t for t in terms if not t.whole_word_end))
        for key, terms in table.items()
    }


class _Words:
    """Where a field's words lie in the text and in its folded form, read on the first match
    that needs its original wording: most matches repeat evidence already kept."""

    def __init__(self, original: str, folded: str) -> None:
        self.original = original
        self.folded = folded

    @functools.cached_property
    def _starts(self) -> tuple[list[int], list[int]] | None:
        """Word starts in the folded text and in the original; None when folding changed the
        number of words, so that they no longer line up."""
        folded, original = _word_starts(self.folded), _word_starts(self.original)
        return (folded, original) if len(folded) == len(original) else None

    def matched(self, match: re.Match[str]) -> str:
        """The original words the match (in the folded text) touches."""
        if self._starts is None:
            return match.group(0)
        folded, original = self._starts
        first = bisect_right(folded, match.start()) - 1
        last = bisect_right(folded, max(match.end() - 1, match.start())) - 1
        end = _WORD.match(self.original, original[last])
        assert end is not None  # a word starts there
        return self.original[original[max(first, 0)] : end.end()]


def _word_starts(text: str) -> list[int]:
    gap = _GAP.match(text)
    assert gap is not None  # matches the empty string
    pieces = _WORD_AND_GAP.findall(text, gap.end())
    return list(itertools.accumulate(map(len, pieces), initial=gap.end()))[:-1]


def primary(matches: Sequence[TopicMatch]) -> str | None:
    """The topic an item is filed under: its strongest one (None for an item without topics).

    `Classifier.classify` returns matches strongest first, and snapshots keep that order, so
    this is ``matches[0].topic``; call it rather than relying on the order by hand.
    """
    return matches[0].topic if matches else None


@functools.lru_cache(maxsize=1 << 14)
def _key(folded: str) -> str:
    # Cached: asked for every match of every item, and the terms found are few.
    return re.sub(r"\s+", " ", re.sub(r"-\s*", "-", folded))


def _version(topics: Sequence[Topic], procedural_titles: Sequence[str]) -> str:
    described = [[t.id, t.name, t.description, sorted(t.terms.items())] for t in topics]
    payload = json.dumps([ALGORITHM, described, sorted(procedural_titles)], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
