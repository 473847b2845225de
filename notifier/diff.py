"""Pure: compare a freshly split document with what the store holds.

Identity is what makes diffs trustworthy: a document is known by a key that does not depend on
its URL (so a moved PDF keeps its items), an item by its number or heading within the document,
and a version by a hash of its canonical text (so whitespace or hyphenation is not a change).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from notifier.models import Council, Document, DocumentKind, Item, StoredItem, canonical, slug

# Below this similarity an unmatched old and new item are a removal and an addition, not an edit.
REKEY_SIMILARITY = 0.75
# How alike two points' titles must be for the same number to make them one point (as
# ``split.link_decisions`` pairs an agenda's and its minutes' points).
SAME_POINT_TITLE = 0.6


def document_key(document: Document, council: Council) -> str:
    """A key for the document that survives URL changes.

    Meeting documents are known by council, kind and meeting day; a supplementary agenda is a
    document of its own within the same meeting. Others by council, kind, date and title.
    """
    day = document.date.isoformat() if document.date else "undated"
    if document.kind in (DocumentKind.AGENDA, DocumentKind.MINUTES) and document.date:
        suffix = f"/supplement/{slug(document.title, 60)}" if document.supplementary else ""
        return f"{council.value}/{document.kind.value}/{day}{suffix}"
    return f"{council.value}/{document.kind.value}/{day}/{slug(document.title, 120) or 'untitled'}"


@dataclass(kw_only=True)
class ItemDiff:
    new: list[Item] = field(default_factory=list)
    changed: list[tuple[StoredItem, Item]] = field(default_factory=list)
    # same content, but its key or position moved: stored quietly, no event
    moved: list[tuple[StoredItem, Item]] = field(default_factory=list)
    removed: list[StoredItem] = field(default_factory=list)
    unchanged: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.new or self.changed or self.moved or self.removed)


def diff_items(stored: Sequence[StoredItem], fresh: Sequence[Item]) -> ItemDiff:
    result = ItemDiff()
    by_key = {item.key: item for item in stored}
    # The same text first, under its own key or another: a point inserted or taken off
    # renumbers the ones after it, which are the same points (paired by key, each would be told
    # changed into the next one's text).
    moved = _same_text_elsewhere(by_key, fresh)
    unmatched_new: list[Item] = []
    cases = _unique_cases(stored, fresh)
    for item in fresh:
        if item.key in moved:
            result.moved.append((moved[item.key], item))
            continue
        old = by_key.get(item.key)
        if old is None or (
            old.content_hash != item.content_hash and not _same_point(old, item, cases)
        ):
            unmatched_new.append(item)
            continue
        del by_key[item.key]
        if old.content_hash != item.content_hash:
            result.changed.append((old, item))
        elif old.position != item.position or old.number != item.number:
            result.moved.append((old, item))
        else:
            result.unchanged += 1
    unmatched_old = list(by_key.values())
    matches = _best_matches(unmatched_new, unmatched_old)
    for index, item in enumerate(unmatched_new):
        match = matches.get(index)
        if match is None:
            result.new.append(item)
        elif match.content_hash == item.content_hash:
            result.moved.append((match, item))
        else:
            result.changed.append((match, item))
        if match is not None:
            unmatched_old.remove(match)
    result.removed.extend(unmatched_old)
    return result


def _same_text_elsewhere(
    by_key: dict[str, StoredItem], fresh: Sequence[Item]
) -> dict[str, StoredItem]:
    """Fresh items (by key) whose very text a stored item of another key holds, when the
    stored item of their own key does not hold it; those stored items leave ``by_key``."""
    unchanged = {
        item.key
        for item in fresh
        if (old := by_key.get(item.key)) is not None and old.content_hash == item.content_hash
    }
    by_hash: dict[str, list[StoredItem]] = {}
    for old in by_key.values():
        if old.key not in unchanged:
            by_hash.setdefault(old.content_hash, []).append(old)
    found: dict[str, StoredItem] = {}
    for item in fresh:
        if item.key in unchanged or not by_hash.get(item.content_hash):
            continue
        old = by_hash[item.content_hash].pop(0)
        if old.key == item.key:
            continue  # not expected: its own key's item holds the text (unchanged above)
        found[item.key] = by_key.pop(old.key)
    return found


def _unique_cases(stored: Sequence[StoredItem], fresh: Sequence[Item]) -> set[str]:
    """Case numbers that name one point on each side (KKR often files a whole meeting under
    one case number, which then names none)."""
    old = Counter(item.case_number for item in stored if item.case_number)
    new = Counter(item.case_number for item in fresh if item.case_number)
    return {case for case, count in old.items() if count == 1 and new[case] == 1}


def _same_point(old: StoredItem, item: Item, cases: set[str]) -> bool:
    """Whether an edited item is the stored item of its key. A section's key is its heading,
    so it is; a point's key is its number, which a point added or taken off gives to the next
    one (3.3 is now what 3.4 was): the same number is the same point only with the same case
    or a similar title. Else both are matched by their text, like re-keyed items."""
    if old.number is None or item.number is None:
        return True
    if old.case_number and old.case_number == item.case_number and old.case_number in cases:
        return True
    left, right = canonical(old.title), canonical(item.title)
    if left == right:
        return True
    return difflib.SequenceMatcher(None, left, right).ratio() >= SAME_POINT_TITLE


def _best_matches(items: Sequence[Item], candidates: Sequence[StoredItem]) -> dict[int, StoredItem]:
    """The old item each re-keyed new item (by index) most plausibly is (an edited heading, a
    renumbering): the same text first, then the most alike pairs of all, each item once, so
    the first new item does not take an old one that a later new item is more like."""
    if not items or not candidates:  # every item of a new document: no text to canonicalise
        return {}
    scored: list[tuple[float, int, int]] = []
    old_texts = [canonical(candidate.title + candidate.text) for candidate in candidates]
    for index, item in enumerate(items):
        new_text = canonical(item.title + item.text)
        for at, (candidate, old_text) in enumerate(zip(candidates, old_texts, strict=True)):
            if candidate.content_hash == item.content_hash:
                scored.append((2.0, index, at))
                continue
            matcher = difflib.SequenceMatcher(None, old_text, new_text)
            if (
                matcher.real_quick_ratio() < REKEY_SIMILARITY
                or matcher.quick_ratio() < REKEY_SIMILARITY
            ):
                continue
            if (ratio := matcher.ratio()) > REKEY_SIMILARITY:
                scored.append((ratio, index, at))
    matches: dict[int, StoredItem] = {}
    taken: set[int] = set()
    for _, index, at in sorted(scored, key=lambda entry: (-entry[0], entry[1], entry[2])):
        if index not in matches and at not in taken:
            matches[index] = candidates[at]
            taken.add(at)
    return matches
