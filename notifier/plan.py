"""Pure: what one poll of a source would change, planned before anything is written.

The pipeline collects a poll's documents, asks the store once what it already holds of them
(``Known``), and plans here: which stored document each one is (by key, else URL, else the same
content under a new URL and key), how its items differ, the topics of every new or changed
item, and whether the quality gate holds the document for review (``quality``). ``judge``
looks at the plan; the store applies it in one transaction.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from notifier.closing import closing_item
from notifier.diff import ItemDiff, diff_items, document_key
from notifier.models import (
    DISMISSED,
    Council,
    Document,
    DocumentKind,
    Item,
    StoredDocument,
    StoredItem,
    TopicMatch,
    content_hash,
)
from notifier.quality import review_reasons

log = logging.getLogger(__name__)


class ItemClassifier(Protocol):
    version: str

    def classify_item(self, item: Item) -> tuple[TopicMatch, ...]: ...


@dataclass(frozen=True, kw_only=True)
class Extracted:
    """A fetched document, split, with what splitting found wrong."""

    document: Document
    items: Sequence[Item]
    problems: Sequence[str] = ()
    ref: Wanted | None = None  # ``wanted(document, council)`` when the caller already made it


@dataclass(frozen=True, kw_only=True)
class Wanted:
    """How the store may already know an extracted document."""

    key: str
    url: str
    content_hash: str
    kind: DocumentKind


@dataclass(frozen=True, kw_only=True)
class Known:
    """What the store holds of a poll's documents, read in one transaction."""

    documents: Sequence[StoredDocument] = ()
    live_items: dict[int, list[StoredItem]] = field(default_factory=dict)
    stored_items: int = 0  # live items of the source before this poll
    stored_documents: int = 0
    unreadable: int = 0  # known documents with items that no longer extract

    def find(self, wanted: Wanted, *, source_id: str) -> StoredDocument | None:
        """By key, else by URL, else the same content under a new URL and a new key within
        the source (say, a retitled page): a move.

        A meeting's agenda and its minutes are two documents, even at one address (agenda
        systems publish the minutes where the agenda was) or with one text (an agenda read
        again as minutes by its decisions): taken for the stored agenda, the minutes would
        replace its points, and their decisions would find no agenda points to decide."""
        others = [d for d in self.documents if not _other_of_meeting(d.kind, wanted.kind)]
        by_key = [d for d in self.documents if d.key == wanted.key]
        by_url = [d for d in others if d.url == wanted.url]
        moved = [
            d for d in others if d.source_id == source_id and d.content_hash == wanted.content_hash
        ]
        for found in (by_key, by_url, moved):
            if found:
                return min(found, key=lambda document: document.id)
        return None


def _other_of_meeting(stored: DocumentKind, kind: DocumentKind) -> bool:
    """Whether a stored document is the other of a meeting's agenda and minutes."""
    meeting = (DocumentKind.AGENDA, DocumentKind.MINUTES)
    return stored is not kind and stored in meeting and kind in meeting


@dataclass(kw_only=True)
class DocumentPlan:
    document: Document
    items: list[Item]
    key: str
    content_hash: str
    stored: StoredDocument | None
    diff: ItemDiff
    topics: dict[str, tuple[TopicMatch, ...]] = field(default_factory=dict)  # by item key
    # Why the quality gate holds the document (stored, told to nobody until released).
    review: tuple[str, ...] = ()

    @property
    def is_new(self) -> bool:
        return self.stored is None

    @property
    def changed(self) -> bool:
        return self.stored is not None and self.stored.content_hash != self.content_hash


@dataclass(kw_only=True)
class SourcePlan:
    source_id: str
    council: Council
    topics_version: str = ""
    documents: list[DocumentPlan] = field(default_factory=list)
    stored_items: int = 0
    stored_documents: int = 0
    unreadable: int = 0
    # Applied without events: the operator discarded this result as noise (a renumbering, a
    # redesign); the store takes it as the new baseline and nobody is told.
    quiet: bool = False
    # The source's first successful poll: its back catalogue goes to the archive and the feeds,
    # but is not mailed as news (its item events are marked ``baseline``).
    baseline: bool = False

    @property
    def items_new(self) -> int:
        return sum(len(plan.diff.new) for plan in self.documents)

    @property
    def items_changed(self) -> int:
        return sum(len(plan.diff.changed) for plan in self.documents)

    @property
    def items_removed(self) -> int:
        return sum(len(plan.diff.removed) for plan in self.documents)

    @property
    def churn(self) -> int:
        """Items appearing or vanishing in documents the store already knew. A contact or share
        box that was an item and is page furniture now vanishes without counting: it says
        nothing of a redesign."""
        return sum(
            len(plan.diff.new)
            + sum(not closing_item(old.title, old.text) for old in plan.diff.removed)
            for plan in self.documents
            if not plan.is_new
        )

    @property
    def fingerprint(self) -> str:
        """Identifies this poll's result, so the same held result is not alerted twice."""
        digest = hashlib.sha256()
        for plan in sorted(self.documents, key=lambda p: p.key):
            digest.update(f"{plan.key}:{plan.content_hash}\n".encode())
        return digest.hexdigest()


def wanted(document: Document, council: Council) -> Wanted:
    return Wanted(
        key=document_key(document, council),
        url=document.url,
        content_hash=content_hash(document.title, document.text),
        kind=document.kind,
    )


def plan_source(
    *,
    source_id: str,
    council: Council,
    extracted: Sequence[Extracted],
    known: Known,
    classifier: ItemClassifier,
    topic_count: int,
    baseline: bool = False,
    undated: bool = False,
) -> SourcePlan:
    """``undated``: the source's documents carry no date of their own (a standing page watched
    for changes, dated by when a change is seen), so a missing date holds nothing."""
    plan = SourcePlan(
        source_id=source_id,
        council=council,
        topics_version=classifier.version,
        stored_items=known.stored_items,
        stored_documents=known.stored_documents,
        unreadable=known.unreadable,
        baseline=baseline,
    )
    # Each document is planned once per poll, whatever number of links lead to it (two URLs of
    # one agenda, two agendas of one meeting day sharing a key): every plan diffs against the
    # same Known, so a second one would insert the key or the new items again (a unique
    # violation, on every poll) or tell an edit twice. The first in listing order stands.
    planned: dict[str | int, str] = {}  # a key or a stored document's id -> the URL planned
    for found in extracted:
        document, items = found.document, found.items
        ref = found.ref or wanted(document, council)  # hashing a 500-page text once is enough
        stored = known.find(ref, source_id=source_id)
        key = stored.key if stored else ref.key
        first = planned.get(key) or (planned.get(stored.id) if stored else None)
        if first is not None:
            log.info(
                "document listed twice in one poll: the later link is skipped",
                extra={"source": source_id, "key": key, "url": document.url, "first_url": first},
            )
            continue
        planned[key] = document.url
        if stored is not None:
            planned[stored.id] = document.url
        live = known.live_items.get(stored.id, []) if stored else []
        diff = diff_items(live, items)
        told = [*diff.new, *(new for _, new in diff.changed)]
        topics = {item.key: classifier.classify_item(item) for item in told}
        judged, judged_topics = told, topics
        if stored is not None and stored.review:
            # A held document is judged whole: held as an overview, it would pass the gate
            # (and be told to everyone) on the next poll that changes none of its items.
            judged, judged_topics = list(items), _all_topics(items, topics, live, diff)
        review = review_reasons(
            document,
            judged,
            topics=judged_topics,
            topic_count=topic_count,
            split_problems=found.problems,
            undated_ok=undated,
        )
        # Dismissed stays dismissed (off the list) until a later version passes the gate; a
        # later version that does not pass goes back on the list with its reasons.
        dismissed = stored is not None and stored.review == (DISMISSED,)
        if review and dismissed and stored and stored.content_hash == ref.content_hash:
            review = stored.review
        plan.documents.append(
            DocumentPlan(
                document=document,
                items=list(items),
                key=key,
                content_hash=ref.content_hash,
                stored=stored,
                diff=diff,
                topics=topics,
                review=review,
            )
        )
    return plan


def _all_topics(
    items: Sequence[Item],
    topics: dict[str, tuple[TopicMatch, ...]],
    live: Sequence[StoredItem],
    diff: ItemDiff,
) -> dict[str, tuple[TopicMatch, ...]]:
    """The topics of every item, by key: those classified now, else the stored ones (the
    secretariat's corrections included), which a moved item keeps under its new key."""
    stored = {item.key: item.topics for item in live}
    stored.update({new.key: old.topics for old, new in diff.moved})
    return {item.key: topics.get(item.key, stored.get(item.key, ())) for item in items}
