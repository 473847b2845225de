"""Pure: every published file kept current as events arrive, rendering only what they touch.

``FeedFiles.add`` folds new events into the entries it keeps (``feed_entries.Folding``) and
names the feeds whose selection (topic, council) one of them touched; ``render`` renders just
those again (the caller may do it in steps), and the other files stay the same objects, with
the same bytes and ETag. Meeting events rebuild the
calendars, from the meetings the caller read. Nothing here reads the database or the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from notifier.feed_entries import FEED_EVENTS, Entry, Folding, Recent
from notifier.feeds import (
    OPML_PATH,
    FeedRenderer,
    FeedSpec,
    File,
    calendar_files,
    feed_files,
    file_for,
)
from notifier.models import Event, EventType, StoredMeeting

MEETING_EVENTS = (EventType.MEETING_NEW, EventType.MEETING_CHANGED)
# What the published files show changes only with these; a source's failure changes nothing.
PUBLISHED_EVENTS = (*FEED_EVENTS, *MEETING_EVENTS)


class FeedFiles:
    """The feeds, the OPML list and the calendars of one site, with the entries they show."""

    def __init__(self, renderer: FeedRenderer) -> None:
        self._renderer = renderer
        self._folding = Folding()
        self._state = Recent(entries=[], changed={})
        self._started = False
        self.files: dict[str, File] = {
            OPML_PATH: file_for(OPML_PATH, renderer.opml(renderer.specs), None)
        }
        self.entries: list[Entry] = []  # newest document first, as the feeds and archive show

    @property
    def last_id(self) -> int:
        """The newest event folded in."""
        return self._folding.last_id

    @property
    def folded(self) -> int:
        """How many item events the entries were folded from."""
        return self._folding.count

    def add(
        self, events: Iterable[Event], meetings: Sequence[StoredMeeting] | None
    ) -> list[FeedSpec]:
        """Fold in events newer than any added before and rebuild the calendars from
        ``meetings`` (None: unchanged; else all stored meetings, read after a meeting event).
        Returns the feeds to ``render`` now: those the events touched, or all at first."""
        touched = self._folding.add(events)
        pending: list[FeedSpec] = []
        if touched or not self._started:
            self._state = self._folding.recent()
            self.entries = self._state.entries
            specs = self._renderer.specs
            pending = specs if not self._started else [s for s in specs if s.key in touched]
        if meetings is not None:
            self.files = {**self.files, **calendar_files(self._renderer, meetings)}
        self._started = True
        return pending

    def render(self, specs: Sequence[FeedSpec]) -> None:
        """Render these feeds from the entries folded so far."""
        # Swapped whole: a request never sees a half-updated set.
        self.files = {**self.files, **feed_files(self._renderer, self._state, specs)}
