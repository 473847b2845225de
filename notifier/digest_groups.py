"""Pure: digest planning shared between subscribers with the same subscription.

Many subscribers choose the same topics, councils and words, and most stand at the same
cursor, so planning each one against every event repeats the same work thousands of times.
A ``Planner`` is made once per planning run: it buckets the events by topic once, finds each
of the subscribers' words in the events once, and plans once per group of subscribers who
would get the same digest: the same topics, councils, words and excluded words, the same
cursor and the same send-log state for the items in question (``Told``). Every member of a
group gets that plan with themselves as its subscriber, so name, links and Message-ID stay
their own. The cost grows with events plus subscribers, not with their product.

``digest.plan`` stays the definition of a digest: the planner only hands it the window of
events and the matching it would otherwise work out itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from notifier import keywords
from notifier.digest import ItemEvent, Plan, Told, Window, plan, window
from notifier.models import ALL, Subscriber

Match = tuple[tuple[str, ...], tuple[str, ...]]  # (the subscription's topics, its own words)
_NONE: Match = ((), ())
Choice = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # topics, words, excluded


class Planner:
    def __init__(self, item_events: Sequence[ItemEvent], *, until: int, max_items: int) -> None:
        self._events = item_events
        self._until = until
        self._max_items = max_items
        self._by_topic: dict[str, list[ItemEvent]] = {}
        for event in item_events:
            for topic in event.topics:
                self._by_topic.setdefault(topic, []).append(event)
        self._with_word: dict[str, frozenset[int]] = {}  # word -> ids of events holding it
        self._matches: dict[Choice, dict[int, Match]] = {}
        self._windows: dict[int, Window] = {}
        self._plans: dict[tuple[object, ...], Plan | None] = {}

    def plan(self, subscriber: Subscriber, told: Told) -> Plan | None:
        """``digest.plan`` for this subscriber, planned once per group of alike subscribers."""
        choice = (subscriber.topics, subscriber.keywords, subscriber.excluded)
        key = (choice, subscriber.councils, subscriber.event_cursor, told)
        if key not in self._plans:
            matches = self._matching(choice)
            self._plans[key] = plan(
                subscriber,
                self._events,
                told=told,
                until_event=self._until,
                max_items=self._max_items,
                events=self._window(subscriber.event_cursor),
                matching=lambda event: matches.get(event.id, _NONE),
            )
        shared = self._plans[key]
        if shared is None or shared.subscriber is subscriber:
            return shared
        return shared.for_subscriber(subscriber)

    def _window(self, cursor: int) -> Window:
        found = self._windows.get(cursor)
        if found is None:
            found = self._windows[cursor] = window(self._events, after=cursor, until=self._until)
        return found

    def _matching(self, choice: Choice) -> dict[int, Match]:
        """What ``digest._matching`` gives for each event that matches anything (by event id),
        found from the buckets: the subscription's topics, then its words."""
        found = self._matches.get(choice)
        if found is not None:
            return found
        topics, words, excluded = choice
        found = {}
        if ALL in topics:
            candidates: Sequence[ItemEvent] = self._events
        else:
            candidates = [e for topic in set(topics) for e in self._by_topic.get(topic, ())]
        for event in candidates:
            if event.id not in found:
                if ALL in topics:
                    found[event.id] = (event.topics, ())
                else:
                    found[event.id] = (tuple(t for t in event.topics if t in topics), ())
        if words or excluded:
            holding = {word: self._holding(word) for word in words}
            for word in words:
                for event_id in holding[word]:
                    found.setdefault(event_id, ((), ()))
            barred = frozenset().union(*(self._holding(word) for word in excluded))
            for event_id in list(found):
                if event_id in barred:
                    del found[event_id]
                else:
                    own = tuple(word for word in words if event_id in holding[word])
                    found[event_id] = (found[event_id][0], own)
        self._matches[choice] = found
        return found

    def _holding(self, word: str) -> frozenset[int]:
        """The events whose text holds ``word`` (as ``keywords`` finds words), looked for once
        per run however many subscriptions name it."""
        ids = self._with_word.get(word)
        if ids is None:
            pattern = keywords.matcher((word,))
            ids = frozenset(e.id for e in self._events if pattern.found(e.folded))
            self._with_word[word] = ids
        return ids
