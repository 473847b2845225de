"""Subscribers: who gets which digests, and the cursor of what they have been told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from notifier.models.kinds import ALL, Frequency, SubscriberState


@dataclass(frozen=True, kw_only=True)
class Subscriber:
    id: int
    email: str
    name: str
    topics: tuple[str, ...]  # topic ids, ("all",), or () for keywords only
    councils: tuple[str, ...]  # council ids, or ("all",)
    frequency: Frequency
    state: SubscriberState
    created_at: datetime
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None
    event_cursor: int
    token_generation: int
    keywords: tuple[str, ...] = ()  # the subscriber's own words and phrases (notifier.keywords)
    excluded: tuple[str, ...] = ()  # an item holding any of these words is not sent
    paused_until: date | None = None  # no mail before this day (holidays)
    first_digest: bool = False  # asked at signup for the last month's items once confirmed

    def paused(self, today: date) -> bool:
        """Mail waits while paused; what happens meanwhile comes in the first digest after."""
        return self.paused_until is not None and today < self.paused_until

    def wants_council(self, council: str) -> bool:
        return ALL in self.councils or council in self.councils
