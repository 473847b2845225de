"""In-process token buckets, for limiting subscribe requests per client IP and per address.

Each process keeps its own buckets, so with N replicas the effective limit is N times the
configured one; that is enough to stop one client from mail-bombing an address.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_KEYS = 10_000  # past this, full (idle) buckets are forgotten


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """Allows ``capacity`` requests per key at once, refilled at ``capacity`` per ``period``."""

    def __init__(
        self,
        *,
        capacity: int,
        period: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._capacity = float(capacity)
        self._rate = capacity / period
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def allow(self, key: str) -> bool:
        """Take one token for ``key``; False when its bucket is empty."""
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_KEYS:
                self._forget_idle(now)
            bucket = self._buckets[key] = _Bucket(tokens=self._capacity, at=now)
        bucket.tokens = min(self._capacity, bucket.tokens + (now - bucket.at) * self._rate)
        bucket.at = now
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    def _forget_idle(self, now: float) -> None:
        full = [
            key
            for key, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.at) * self._rate >= self._capacity
        ]
        for key in full:
            del self._buckets[key]
