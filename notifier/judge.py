"""Pure: is what one poll of a source found plausible enough to apply?

A redesign that makes known documents yield nothing is "broken"; a poll that would make an
implausible share of a source's items new or removed at once, or bring many new documents at
once, is "suspect". Both are held back until the operator releases or discards them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from notifier.closing import closing_item
from notifier.config import IngestSettings
from notifier.plan import DocumentPlan, SourcePlan
from notifier.split import NO_SECTIONS


@dataclass(frozen=True, kw_only=True)
class Verdict:
    state: Literal["broken", "suspect"]
    reason: str


def _emptied(plan: DocumentPlan) -> bool:
    """A known document that now yields no items, or only the one a newsletter without
    sections becomes, where it had sections and none is left (a page rendered without its
    body: its sections would all be told removed and the notice told as new)."""
    # A contact or share box that was an item and is page furniture now is no loss: an article
    # whose only heading was "Kontakt" becomes the one item of its page, not a broken page.
    if all(closing_item(old.title, old.text) for old in plan.diff.removed):
        return False
    only_the_page = len(plan.items) == 1 and plan.items[0].key == NO_SECTIONS
    kept = plan.diff.changed or plan.diff.moved or plan.diff.unchanged
    return not plan.items or (only_the_page and not kept)


def judge(plan: SourcePlan, settings: IngestSettings) -> Verdict | None:
    """None when the plan may be applied."""
    # Known documents that now yield no items, or cannot be read at all, while nothing else
    # changed: a redesign, not an editor deleting everything.
    emptied = [p for p in plan.documents if _emptied(p)]
    changed = [p for p in plan.documents if p.items or p.diff.removed]
    if (emptied or plan.unreadable) and len(emptied) == len(changed):
        count = len(emptied) + plan.unreadable
        return Verdict(state="broken", reason=f"{count} known document(s) now yield no items")
    if plan.stored_items >= settings.suspect_min_items:
        share = plan.churn / plan.stored_items
        if share > settings.suspect_share:
            reason = f"{share:.0%} of the source's items would be new or removed at once"
            return Verdict(state="suspect", reason=reason)
    new_documents = sum(1 for p in plan.documents if p.is_new)
    if plan.stored_documents >= 3 and new_documents > max(3, plan.stored_documents):
        reason = f"{new_documents} new documents at once; it had {plan.stored_documents}"
        return Verdict(state="suspect", reason=reason)
    return None
