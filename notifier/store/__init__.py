"""Storage: the only package that speaks SQL. Use it through ``Store``; the records its
methods take and return are here or in ``notifier.models``."""

from notifier.store.admin import AuditEntry
from notifier.store.backup import backup as backup_database
from notifier.store.backup import restore as restore_database
from notifier.store.corrections import ReviewItem
from notifier.store.digests import Due, Planned
from notifier.store.first_digest import FirstDigest
from notifier.store.leases import HeldLease, worker_id
from notifier.store.polls import PollStart
from notifier.store.review import Held
from notifier.store.search import Found
from notifier.store.send_log import Run, SentMessage, ToldItem
from notifier.store.sources import FetchRecord, SourceRef
from notifier.store.store import Store

__all__ = [
    "AuditEntry",
    "Due",
    "FetchRecord",
    "FirstDigest",
    "Found",
    "Held",
    "HeldLease",
    "Planned",
    "PollStart",
    "ReviewItem",
    "Run",
    "SentMessage",
    "SourceRef",
    "Store",
    "ToldItem",
    "backup_database",
    "restore_database",
    "worker_id",
]
