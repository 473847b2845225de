"""Subscribers: who gets which digests, and the cursor of what they have been told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from notifier.models.kinds import ALL, Frequency, SubscriberState


@dataclass(frozen=True, kw_only=True)
class Subscriber:
    id: int
    email: str
    name: str
    topics: tuple[str, ...]  # topic ids, or ("all",)
    councils: tuple[str, ...]  # council ids, or ("all",)
    frequency: Frequency
    state: SubscriberState
    created_at: datetime
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None
    event_cursor: int
    token_generation: int

    def wants_council(self, council: str) -> bool:
        return ALL in self.councils or council in self.councils
