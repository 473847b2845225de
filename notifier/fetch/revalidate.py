"""Which of a source's document URLs to ask the server about in this poll.

A listing that answers 304 has led to no new document, so its known documents need no request
each poll; they can still change at the same URL while the listing stays the same, so each is
asked again once ``interval`` has passed since it was last asked, a few per poll (the least
recently asked first) so the checks spread over polls instead of arriving at a site together.
A URL without fetch state is new and is fetched at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from notifier.models import FetchState

_NEVER = datetime.min.replace(tzinfo=UTC)


def to_fetch(
    urls: Sequence[str],
    states: Mapping[str, FetchState],
    *,
    now: datetime,
    interval: timedelta,
    limit: int,
    new_at_once: bool = True,
) -> list[str]:
    """The URLs to request, in their given order: every new one (when ``new_at_once``) and up
    to ``limit`` known ones not asked within ``interval``."""
    due_before = now - interval
    new = {url for url in urls if url not in states} if new_at_once else set()
    known = [url for url in urls if url not in new]
    due = sorted(
        (url for url in known if _checked(states.get(url)) <= due_before),
        key=lambda url: _checked(states.get(url)),
    )[:limit]
    chosen = new | set(due)
    return [url for url in urls if url in chosen]


def _checked(state: FetchState | None) -> datetime:
    return state.checked_at if state is not None and state.checked_at is not None else _NEVER
