"""Pure: compare a freshly split document with what the store holds.

Identity is what makes diffs trustworthy: a document is known by a key that does not depend on
its URL (so a moved PDF keeps its items), an item by its number or heading within the document,
and a version by a hash of its canonical text (so whitespace or hyphenation is not a change).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

from notifier.models import Council, Document, DocumentKind, Item, StoredItem, canonical, slug

# Below this similarity an unmatched old and new item are a removal and an addition, not an edit.
REKEY_SIMILARITY = 0.75


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
    for item in fresh:
        if item.key in moved:
            result.moved.append((moved[item.key], item))
            continue
        old = by_key.pop(item.key, None)
        if old is None:
            unmatched_new.append(item)
        elif old.content_hash != item.content_hash:
            result.changed.append((old, item))
        elif old.position != item.position or old.number != item.number:
            result.moved.append((old, item))
        else:
            result.unchanged += 1
    unmatched_old = list(by_key.values())
    for item in unmatched_new:
        match = _best_match(item, unmatched_old)
        if match is None:
            result.new.append(item)
            continue
        unmatched_old.remove(match)
        if match.content_hash == item.content_hash:
            result.moved.append((match, item))
        else:
            result.changed.append((match, item))
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


def _best_match(item: Item, candidates: Sequence[StoredItem]) -> StoredItem | None:
    """The old item a re-keyed new item most plausibly is (an edited heading, a renumbering)."""
    if not candidates:  # every item of a new document: its text need not be canonicalised
        return None
    best: StoredItem | None = None
    best_ratio = REKEY_SIMILARITY
    new_text = canonical(item.title + item.text)
    for candidate in candidates:
        if candidate.content_hash == item.content_hash:
            return candidate
        matcher = difflib.SequenceMatcher(
            None, canonical(candidate.title + candidate.text), new_text
        )
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = candidate, ratio
    return best
