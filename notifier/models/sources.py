"""A source's health as the store keeps it, and what a server said about a URL last time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# How far ahead of this process's clock a stored time may be and still count as real: replicas'
# clocks differ a little. A time further ahead was written while a clock was wrong (a machine
# resumed with a bad hardware clock, a bad NTP answer), and must not make polls, digests or
# /readyz wait until real time catches up with it.
CLOCK_SKEW = timedelta(minutes=5)


def from_the_future(stamp: datetime | None, now: datetime) -> bool:
    """Whether a stored time is ahead of ``now`` by more than clocks differ."""
    return stamp is not None and stamp > now + CLOCK_SKEW


@dataclass(frozen=True, kw_only=True)
class Validators:
    """What the server said last time, sent back so an unchanged page costs a 304."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, kw_only=True)
class FetchState:
    validators: Validators
    body_hash: str | None
    checked_at: datetime | None = None  # when the server was last asked about the URL


@dataclass(frozen=True, kw_only=True)
class SourceState:
    id: str
    council: str
    kind: str
    url: str
    state: str  # ok | broken | suspect
    state_reason: str | None
    consecutive_failures: int
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_failure_reason: str | None
    last_published_at: datetime | None
    release_requested: bool
    held_fingerprint: str | None
    discarded_fingerprint: str | None
    alerted: str | None
    found_documents: int | None = None
