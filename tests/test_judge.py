"""Pure judgement of a poll's result: broken, suspect, or fine to apply."""

from __future__ import annotations

from datetime import date

import pytest

from notifier.config import IngestSettings
from notifier.diff import ItemDiff
from notifier.judge import judge
from notifier.models import Council, Document, DocumentKind, Item, StoredItem
from notifier.plan import DocumentPlan, SourcePlan
from notifier.split import NO_SECTIONS
from notifier.store.documents import StoredDocument

SETTINGS = IngestSettings(suspect_share=0.6, suspect_min_items=8)


def _item(n: int) -> Item:
    return Item(key=f"s{n}", position=n, title=f"Afsnit {n}", text=f"Tekst {n}.")


def _stored(n: int) -> StoredItem:
    item = _item(n)
    return StoredItem(
        id=n,
        key=item.key,
        position=n,
        number=None,
        title=item.title,
        text=item.text,
        content_hash=item.content_hash,
        version_id=n,
    )


def _document(known: bool, *, new: int = 0, removed: int = 0, items: int = 0) -> DocumentPlan:
    stored = None
    if known:
        stored = StoredDocument(
            id=1,
            source_id="s",
            key="k",
            url="https://www.kl.dk/a",
            kind=DocumentKind.NEWSLETTER,
            council=Council.SJAELLAND,
            title="Nyhedsbrev",
            date=date(2020, 11, 16),
            content_hash="old",
            meeting_id=None,
            supplementary=False,
        )
    document = Document(
        url="https://www.kl.dk/a",
        kind=DocumentKind.NEWSLETTER,
        title="Nyhedsbrev",
        date=date(2020, 11, 16),
        text="",
    )
    return DocumentPlan(
        document=document,
        items=[_item(n) for n in range(items)],
        key="k",
        content_hash="new",
        stored=stored,
        diff=ItemDiff(
            new=[_item(100 + n) for n in range(new)],
            removed=[_stored(200 + n) for n in range(removed)],
        ),
    )


def plan(*documents: DocumentPlan, stored_items: int, stored_documents: int = 1) -> SourcePlan:
    return SourcePlan(
        source_id="s",
        council=Council.SJAELLAND,
        documents=list(documents),
        stored_items=stored_items,
        stored_documents=stored_documents,
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # An ordinary edit: one section new, one gone, in a source of 20 items.
        (plan(_document(True, new=1, removed=1, items=10), stored_items=20), None),
        # A new agenda with 16 points on a source of 20 items: new documents are not churn.
        (plan(_document(False, new=16, items=16), stored_items=20), None),
        # A known document that now yields nothing: a redesign.
        (plan(_document(True, removed=5), stored_items=20), "broken"),
        # Every section of known documents replaced at once.
        (plan(_document(True, new=15, removed=15, items=15), stored_items=20), "suspect"),
        # The same churn on a tiny source is not judged (too few items to tell).
        (plan(_document(True, new=5, removed=5, items=5), stored_items=5), None),
        # A flood of new documents on a source that had three.
        (
            plan(*[_document(False, new=2, items=2)] * 5, stored_items=6, stored_documents=3),
            "suspect",
        ),
    ],
)
def test_judge(source: SourcePlan, expected: str | None) -> None:
    verdict = judge(source, SETTINGS)
    assert (verdict.state if verdict else None) == expected


def test_unreadable_known_documents_are_broken() -> None:
    source = plan(stored_items=20)
    source.unreadable = 1
    verdict = judge(source, SETTINGS)
    assert verdict is not None and verdict.state == "broken"


def test_a_known_newsletter_that_comes_back_as_one_page_is_broken() -> None:
    """Rendered without its body (a glitch, a redesign), a known newsletter is split as a page
    without sections: one item, the page's title and a notice. Applied, every section would
    be told removed and the notice told new; like a document that yields nothing, it is held.
    A newsletter that keeps any of its sections is an edit."""
    page = Item(key=NO_SECTIONS, position=0, title="Nyhedsbrev", text="Midlertidigt utilgængeligt.")
    emptied = _document(True, removed=3)
    emptied.items.append(page)
    emptied.diff.new.append(page)
    verdict = judge(plan(emptied, stored_items=12), SETTINGS)
    assert verdict is not None and verdict.state == "broken"

    edited = _document(True, removed=2)
    edited.items.extend([page, _item(1)])
    edited.diff.new.append(page)
    edited.diff.unchanged = 1
    assert judge(plan(edited, stored_items=12), SETTINGS) is None
