"""Pure: every published file kept current as events arrive, rendering only what they touch.

``FeedFiles.add`` folds new events into the entries it keeps (``feed_entries.Folding``) and
renders again only the feeds whose selection (topic, council) one of them touched; the other
files stay the same objects, with the same bytes and ETag. Meeting events rebuild the
calendars, from the meetings the caller read. Nothing here reads the database or the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from notifier.feed_entries import FEED_EVENTS, Entry, Folding
from notifier.feeds import (
    OPML_PATH,
    FeedRenderer,
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
        self._built = False
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

    def add(self, events: Iterable[Event], meetings: Sequence[StoredMeeting] | None) -> None:
        """Fold in events newer than any added before; ``meetings`` (None: unchanged) are all
        stored meetings, read after a meeting event."""
        touched = self._folding.add(events)
        files = dict(self.files)
        if touched or not self._built:
            state = self._folding.recent()
            specs = self._renderer.specs
            chosen = specs if not self._built else [s for s in specs if s.key in touched]
            files.update(feed_files(self._renderer, state, chosen))
            self.entries = state.entries
        if meetings is not None:
            files.update(calendar_files(self._renderer, meetings))
        self._built = True
        self.files = files  # swapped whole: a request never sees a half-updated set
