"""The published files in memory, served without a database round trip per request.

A request is answered from the files built last. The cache asks the database for new events
(of the types the files show: items and meetings, never a source's failure) at most once per
``interval`` seconds, so replicas converge within that; events this process commits itself
are seen at once (``Archive.appended_here`` counts them in memory). New events are folded
into the entries kept in memory and only the feeds they touch are rendered again.

The entries start from the newest ``window`` item events and then grow by what arrives;
once they were folded from twice that many, the next check starts over from the window, so
memory stays bounded and the feeds show what a fresh start would.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from notifier.feed_entries import Entry
from notifier.feed_files import MEETING_EVENTS, PUBLISHED_EVENTS, FeedFiles
from notifier.feeds import EVENT_WINDOW, FEED_EVENTS, FeedRenderer, File
from notifier.store import Store

CHECK_INTERVAL = 5.0  # seconds between checks for other processes' events
FEEDS_PER_STEP = 4  # feeds rendered between yields to the event loop in a full build


class FileCache:
    """The rendered feeds and calendars, and the entries the archive lists."""

    def __init__(
        self,
        store: Store,
        renderer: FeedRenderer,
        *,
        interval: float = CHECK_INTERVAL,
        window: int = EVENT_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._renderer = renderer
        self._interval = interval
        self._window = window
        self._clock = clock
        self._lock = asyncio.Lock()
        self._built: FeedFiles | None = None
        self._next_check = 0.0
        self._seen_here = -1  # appended_here when last checked
        self._cursor = 0  # the newest event id of any type looked at

    async def files(self) -> dict[str, File]:
        return (await self._current()).files

    async def entries(self) -> list[Entry]:
        return (await self._current()).entries

    async def _current(self) -> FeedFiles:
        built = self._built
        if built is not None and not self._due():
            return built
        if built is not None and self._lock.locked():
            return built  # another request is checking; this one need not wait for it
        async with self._lock:
            if self._built is None or self._due():
                await self._check()
        assert self._built is not None
        return self._built

    def _due(self) -> bool:
        return (
            self._clock() >= self._next_check
            or self._store.archive.appended_here(PUBLISHED_EVENTS) != self._seen_here
        )

    async def _check(self) -> None:
        # Noted before reading, so an event committed meanwhile makes the next request check.
        seen_here = self._store.archive.appended_here(PUBLISHED_EVENTS)
        archive = self._store.archive
        built = self._built
        if built is None or built.folded >= 2 * self._window:
            events, self._cursor = await archive.newest(types=FEED_EVENTS, limit=self._window)
            self._renderer.forget()
            built = FeedFiles(self._renderer)
            pending = built.add(events, await archive.meetings())
            for start in range(0, len(pending), FEEDS_PER_STEP):
                built.render(pending[start : start + FEEDS_PER_STEP])
                await asyncio.sleep(0)  # seconds of rendering: let other requests in between
        else:
            events, self._cursor = await archive.after(self._cursor, types=PUBLISHED_EVENTS)
            if events:
                news = any(event.type in MEETING_EVENTS for event in events)
                built.render(built.add(events, await archive.meetings() if news else None))
        self._built = built
        self._seen_here = seen_here
        self._next_check = self._clock() + self._interval
