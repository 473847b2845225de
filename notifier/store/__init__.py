"""Storage: the only package that speaks SQL. Use it through ``Store``; the records its
methods take and return are here or in ``notifier.models``."""

from notifier.store.admin import AuditEntry
from notifier.store.corrections import ReviewItem
from notifier.store.digests import Due, Planned
from notifier.store.leases import worker_id
from notifier.store.polls import PollStart
from notifier.store.review import Held
from notifier.store.send_log import Run, SentMessage, ToldItem
from notifier.store.sources import FetchRecord, SourceRef
from notifier.store.store import Store

__all__ = [
    "AuditEntry",
    "Due",
    "FetchRecord",
    "Held",
    "Planned",
    "PollStart",
    "ReviewItem",
    "Run",
    "SentMessage",
    "SourceRef",
    "Store",
    "ToldItem",
    "worker_id",
]
