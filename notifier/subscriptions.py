"""The subscription lifecycle, one module for the web pages and the command line.

Signup (pending, with a confirmation mail stored in the same transaction), confirmation (with
the last month's items as a first digest when asked for), changes, pauses, unsubscribing, fresh
links, operator adds and imports, export and erasure all go through ``Subscriptions``; every
input is checked by the same functions (``normalize_email``, ``parse_topics``,
``parse_councils``, ``keywords.parse``, ``check_subject``), so an address or a topic list is
accepted or refused the same way everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email

from notifier import digest, feed_entries
from notifier.compose import Composer
from notifier.config import DigestSettings
from notifier.errors import SubscriberError
from notifier.feeds import EVENT_WINDOW
from notifier.models import ALL, Council, Event, Subscriber, SubscriberState, slug
from notifier.store import FirstDigest, Planned, Store

MAX_PAUSE_DAYS = 366


def normalize_email(address: str) -> str:
    """The normalised, lower-case form of an address; SubscriberError if invalid.

    The local part is lower-cased too: no mail system our users are on treats it as case
    sensitive, and one person must not be subscribed twice as Anne@ and anne@. No DNS lookup:
    signups must not depend on the network, and delivery reports bad domains.

    A non-ASCII local part (``jørgen@``) is refused: it needs SMTPUTF8 from every server on
    the way, which ours and most receivers do not offer, and no header can carry it. An
    internationalised domain is kept in its ASCII (IDNA) form, the one SMTP commands and
    headers need, so ``anne@københavn.dk`` and ``anne@xn--kbenhavn-54a.dk`` are one person.
    """
    text = address.strip()
    if not text.rpartition("@")[0].isascii():
        raise SubscriberError(
            f"not a deliverable email address: {text!r}: letters such as æ, ø and å cannot "
            "be used before the @"
        )
    try:
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise SubscriberError(f"not a valid email address: {text!r}: {exc}") from None
    return str(result.ascii_email).lower()


NAME_LENGTH = 100


def one_line(name: str) -> str:
    """A name as it may appear in a greeting and a To: header: one line (every run of control
    characters, newlines included, becomes one space), at most NAME_LENGTH characters."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f\u2028\u2029\x85]+", " ", name).split())[
        :NAME_LENGTH
    ].strip()


def parse_topics(
    value: str | Sequence[str], known: Mapping[str, str] | Collection[str]
) -> tuple[str, ...]:
    """Topic ids from "a,b" (or ";"-separated, or a list); "all" (alone) means every topic.

    ``known`` is the topic ids, or ids with their display names: then a name ("Klima og
    miljø") is accepted for its id, with or without æ, ø, å.
    """
    names = known if isinstance(known, Mapping) else {topic: topic for topic in known}
    return _parse_ids(value, names, what="topic")


def check_subject(topics: Sequence[str], keywords: Sequence[str]) -> None:
    """A subscription needs something to match: topics, words of its own, or both."""
    if not topics and not keywords:
        raise SubscriberError(f"choose at least one topic (or {ALL}) or a word of your own")


def check_pause(until: date | None, *, today: date) -> date | None:
    """A pause ends on a coming day, within a year; None (no pause) passes."""
    if until is not None and not today < until <= today + timedelta(days=MAX_PAUSE_DAYS):
        raise SubscriberError(
            f"a pause ends on a day after today and at most {MAX_PAUSE_DAYS} days ahead"
        )
    return until


def parse_councils(value: str | Sequence[str]) -> tuple[str, ...]:
    """Council ids from "a,b" or a list; empty or "all" means every council. Names work too:
    "sjælland", "KKR Sjælland" and "sjaelland" are all ``sjaelland``."""
    if not _split(value):
        return (ALL,)
    names = {council.value: council.danish_name for council in Council}
    return _parse_ids(value, names, what="council")


def _split(value: str | Sequence[str]) -> list[str]:
    parts = re.split(r"[,;]", value) if isinstance(value, str) else list(value)
    return [part.strip() for part in parts if part.strip()]


def _parse_ids(
    value: str | Sequence[str], names: Mapping[str, str], *, what: str
) -> tuple[str, ...]:
    tokens = _split(value)
    if not tokens:
        raise SubscriberError(f"choose at least one {what} (or {ALL})")
    lookup = {ALL: ALL}
    for key, name in names.items():
        for spelling in (key, name):
            lookup[_folded(spelling)] = key
            lookup[_folded(spelling).removeprefix("kkr-")] = key
    ids = [lookup.get(_folded(token)) for token in tokens]
    unknown = [token for token, found in zip(tokens, ids, strict=True) if found is None]
    if unknown:
        raise SubscriberError(
            f"unknown {what} {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(sorted(names))}, {ALL}"
        )
    if ALL in ids:
        return (ALL,)
    return tuple(dict.fromkeys(found for found in ids if found is not None))


def _folded(text: str) -> str:
    """Case, spaces, underscores and æ/ae, ø/oe, å/aa do not matter in a topic or council."""
    return slug(text.replace("_", " "))


class Subscriptions:
    def __init__(
        self,
        *,
        store: Store,
        composer: Composer,
        digest_settings: DigestSettings | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._subscribers = store.subscribers
        self._composer = composer
        self._digest = digest_settings or DigestSettings()
        self._clock = clock

    async def signup(self, *, email: str, first_digest: bool = False, **choices: Any) -> Subscriber:
        """A web signup: pending until confirmed; every signup sends one mail (see
        ``Composer.confirmation``). ``choices``: name, topics, councils, frequency, keywords,
        excluded; ``first_digest`` asks for the last month's items once confirmed."""
        check_subject(choices.get("topics", ()), choices.get("keywords", ()))
        now = self._clock()
        return await self._subscribers.signup(
            email=email,
            now=now,
            first_digest=first_digest,
            compose=lambda subscriber: self._composer.confirmation(subscriber, now=now),
            **choices,
        )

    async def confirm(self, subscriber: Subscriber) -> Subscriber:
        if subscriber.state is not SubscriberState.PENDING:
            return subscriber
        now = self._clock()
        first = FirstDigest(
            types=feed_entries.FEED_EVENTS,
            limit=EVENT_WINDOW,
            plan=lambda person, events: self._first_digest(person, events, now=now),
        )
        return await self._subscribers.confirm(subscriber.id, now=now, first=first)

    def _first_digest(
        self, person: Subscriber, events: list[Event], *, now: datetime
    ) -> Planned | None:
        since = now - timedelta(days=self._digest.first_digest_days)
        entries = feed_entries.fold(events).entries
        found = digest.first(person, entries, since=since, max_items=self._digest.max_items)
        if found is None:
            return None
        composed = self._composer.digest(found, now=now)
        return Planned(
            message=composed.message,
            subscriber_id=person.id,
            told=digest.told_rows(found),
            cursor=person.event_cursor,
            # a failed first digest is not replayed (its back catalogue is in the archive);
            # the next digest starts where this subscriber's news starts anyway
            start=person.event_cursor,
        )

    async def change(self, subscriber_id: int, **fields: Any) -> Subscriber:
        """Change name, topics, councils, frequency, keywords, excluded, paused_until (or
        ``resume=True``) or state."""
        return await self._subscribers.change(subscriber_id, now=self._clock(), **fields)

    async def unsubscribe(self, subscriber: Subscriber, *, revoke: bool = False) -> Subscriber:
        """No more mail; ``revoke`` also invalidates every link sent before."""
        return await self._subscribers.change(
            subscriber.id, now=self._clock(), state=SubscriberState.UNSUBSCRIBED, revoke=revoke
        )

    async def send_link(self, email: str) -> None:
        """Mail a fresh link to manage (or, unconfirmed, to confirm) the subscription of this
        address; nothing for an unknown or unsubscribed one. The caller answers the same
        either way."""
        now = self._clock()
        await self._subscribers.mail_link(
            email, now=now, compose=lambda person: self._composer.manage_link(person, now=now)
        )

    def today(self) -> date:
        """Today where the digests are sent (pauses are days there)."""
        return self._clock().astimezone(self._digest.zone).date()

    async def add(self, *, email: str, **choices: Any) -> Subscriber:
        """An operator's add: active at once (web signups wait for confirmation)."""
        check_subject(choices.get("topics", ()), choices.get("keywords", ()))
        return await self._subscribers.add(
            email=email, state=SubscriberState.ACTIVE, now=self._clock(), **choices
        )

    async def existing(self, email: str) -> Subscriber:
        address = normalize_email(email)
        subscriber = await self._subscribers.by_email(address)
        if subscriber is None:
            raise SubscriberError(f"no subscriber with the address {address}")
        return subscriber

    async def all(self, *, state: SubscriberState | None = None) -> list[Subscriber]:
        return await self._subscribers.all(state=state)

    async def export(self, email: str) -> dict[str, Any]:
        """Everything stored about one person, for an access request."""
        return await self._subscribers.export((await self.existing(email)).id)

    async def purge(self, email: str) -> None:
        """Erase the person and everything stored about them."""
        await self._subscribers.purge((await self.existing(email)).id)
