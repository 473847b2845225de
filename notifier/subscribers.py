"""Pure checks for subscriber input: addresses, topic ids and council ids.

The CLI, the CSV/TOML import and the web signup pages all validate through here, so an address
or a topic list is accepted or refused the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from email_validator import EmailNotValidError, validate_email

from notifier.errors import SubscriberError
from notifier.models import ALL, Council


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
