"""Prometheus metrics: one registry for the whole process.

The pipeline calls ``record_poll`` after each poll and the deliverer ``record_delivery`` after
each batch; counters live in this process, so each replica reports its own (sum them in
queries). Values that the database knows better than one process — outbox depth and each
source's last successful poll — are gauges set from the store at scrape time
(``set_store_gauges``), so every replica reports the same truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

POLLS = Counter(
    "notifier_polls",
    "Polls of a source, by outcome (ok, failed, broken, suspect, skipped).",
    ["source", "outcome"],
    registry=REGISTRY,
)
FETCH_ERRORS = Counter(
    "notifier_fetch_errors",
    "Failed fetches (after retries) while polling a source.",
    ["source"],
    registry=REGISTRY,
)
ITEMS = Counter(
    "notifier_items",
    "Items stored by polls, by change (new, changed).",
    ["source", "change"],
    registry=REGISTRY,
)
MESSAGES_SENT = Counter("notifier_messages_sent", "Mails accepted by SMTP.", registry=REGISTRY)
MESSAGES_FAILED = Counter(
    "notifier_messages_failed", "Mail attempts that failed.", registry=REGISTRY
)
OUTBOX_DEPTH = Gauge(
    "notifier_outbox_depth", "Messages waiting in the outbox (read at scrape).", registry=REGISTRY
)
SMTP_UNREACHABLE = Gauge(
    "notifier_smtp_unreachable",
    "1 while this process's sender waits out an SMTP outage (messages keep their attempts).",
    registry=REGISTRY,
)
JOB_FAILURES = Gauge(
    "notifier_job_consecutive_failures",
    "Runs of each job that failed in a row (0: its last run succeeded); read at scrape.",
    ["job"],
    registry=REGISTRY,
)
JOB_LAST_SUCCESS = Gauge(
    "notifier_job_last_success_timestamp_seconds",
    "Unix time each job last ran successfully in this process (0: not yet); read at scrape.",
    ["job"],
    registry=REGISTRY,
)
LAST_SUCCESS = Gauge(
    "notifier_source_last_success_timestamp_seconds",
    "Unix time of each source's last successful poll (read at scrape).",
    ["source"],
    registry=REGISTRY,
)


class PollSummary(Protocol):
    """What metrics need of a poll (``pipeline.SourceSummary`` has it)."""

    @property
    def state(self) -> str: ...
    @property
    def items_new(self) -> int: ...
    @property
    def items_changed(self) -> int: ...
    @property
    def errors(self) -> Sequence[str]: ...


def record_poll(source_id: str, summary: PollSummary) -> None:
    POLLS.labels(source=source_id, outcome=summary.state).inc()
    if summary.state == "failed" or summary.errors:
        FETCH_ERRORS.labels(source=source_id).inc(max(1, len(summary.errors)))
    ITEMS.labels(source=source_id, change="new").inc(summary.items_new)
    ITEMS.labels(source=source_id, change="changed").inc(summary.items_changed)


def record_delivery(sent: int, failed: int) -> None:
    MESSAGES_SENT.inc(sent)
    MESSAGES_FAILED.inc(failed)


def set_smtp_unreachable(unreachable: bool) -> None:
    SMTP_UNREACHABLE.set(1 if unreachable else 0)


def set_job_gauges(jobs: dict[str, tuple[int, datetime | None]]) -> None:
    """Each job's consecutive failures and last success."""
    for job, (failures, success) in jobs.items():
        JOB_FAILURES.labels(job=job).set(failures)
        JOB_LAST_SUCCESS.labels(job=job).set(success.timestamp() if success else 0)


def set_store_gauges(*, outbox_depth: int, last_success: dict[str, datetime | None]) -> None:
    OUTBOX_DEPTH.set(outbox_depth)
    LAST_SUCCESS.clear()  # a source dropped from the config stops being reported
    for source_id, moment in last_success.items():
        LAST_SUCCESS.labels(source=source_id).set(moment.timestamp() if moment else 0)


def exposition() -> bytes:
    """The text format Prometheus scrapes."""
    return generate_latest(REGISTRY)
