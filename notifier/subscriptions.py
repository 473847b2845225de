"""The subscription lifecycle, one module for the web pages and the command line.

Signup (pending, with a confirmation mail stored in the same transaction), confirmation,
changes, unsubscribing, operator adds and imports, export and erasure all go through
``Subscriptions``; every input is checked by the same functions (``normalize_email``,
``parse_topics``, ``parse_councils``), so an address or a topic list is accepted or refused the
same way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email

from notifier.compose import Composer
from notifier.errors import SubscriberError
from notifier.models import ALL, Council, Frequency, Subscriber, SubscriberState
from notifier.store import Store


def normalize_email(address: str) -> str:
    """The normalised, lower-case form of an address; SubscriberError if invalid.

    The local part is lower-cased too: no mail system our users are on treats it as case
    sensitive, and one person must not be subscribed twice as Anne@ and anne@. No DNS lookup:
    signups must not depend on the network, and delivery reports bad domains.
    """
    try:
        result = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise SubscriberError(f"not a valid email address: {address.strip()!r}: {exc}") from None
    return str(result.normalized).lower()


def parse_topics(value: str | Sequence[str], known: Collection[str]) -> tuple[str, ...]:
    """Topic ids from "a,b" or a list; "all" (alone) means every topic."""
    return _parse_ids(value, known, what="topic")


def parse_councils(
    value: str | Sequence[str], known: Collection[str] = tuple(Council)
) -> tuple[str, ...]:
    """Council ids from "a,b" or a list; empty or "all" means every council."""
    if not _split(value):
        return (ALL,)
    return _parse_ids(value, [str(council) for council in known], what="council")


def _split(value: str | Sequence[str]) -> list[str]:
    parts = value.split(",") if isinstance(value, str) else list(value)
    return [part.strip().lower() for part in parts if part.strip()]


def _parse_ids(value: str | Sequence[str], known: Collection[str], *, what: str) -> tuple[str, ...]:
    ids = _split(value)
    if not ids:
        raise SubscriberError(f"choose at least one {what} (or {ALL})")
    if ALL in ids:
        return (ALL,)
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise SubscriberError(
            f"unknown {what} {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(sorted(known))}, {ALL}"
        )
    return tuple(dict.fromkeys(ids))


class Subscriptions:
    def __init__(
        self,
        *,
        store: Store,
        composer: Composer,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._subscribers = store.subscribers
        self._composer = composer
        self._clock = clock

    async def signup(
        self,
        *,
        email: str,
        name: str,
        topics: Sequence[str],
        councils: Sequence[str],
        frequency: Frequency,
    ) -> Subscriber:
        """A web signup: pending until confirmed; every signup sends one mail (see
        ``Composer.confirmation``)."""
        now = self._clock()
        return await self._subscribers.signup(
            email=email,
            name=name,
            topics=topics,
            councils=councils,
            frequency=frequency,
            now=now,
            compose=lambda subscriber: self._composer.confirmation(subscriber, now=now),
        )

    async def confirm(self, subscriber: Subscriber) -> Subscriber:
        if subscriber.state is not SubscriberState.PENDING:
            return subscriber
        return await self._subscribers.confirm(subscriber.id, now=self._clock())

    async def change(self, subscriber_id: int, **fields: Any) -> Subscriber:
        """Change name, topics, councils, frequency or state."""
        return await self._subscribers.change(subscriber_id, now=self._clock(), **fields)

    async def unsubscribe(self, subscriber: Subscriber, *, revoke: bool = False) -> Subscriber:
        """No more mail; ``revoke`` also invalidates every link sent before."""
        return await self._subscribers.change(
            subscriber.id, now=self._clock(), state=SubscriberState.UNSUBSCRIBED, revoke=revoke
        )

    async def add(
        self,
        *,
        email: str,
        name: str,
        topics: Sequence[str],
        councils: Sequence[str],
        frequency: Frequency,
    ) -> Subscriber:
        """An operator's add: active at once (web signups wait for confirmation)."""
        return await self._subscribers.add(
            email=email,
            name=name,
            topics=topics,
            councils=councils,
            frequency=frequency,
            state=SubscriberState.ACTIVE,
            now=self._clock(),
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
