"""Source rows (health and quarantine state) and per-URL fetch state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.config import SourceConfig
from notifier.fetch import Validators
from notifier.store.schema import fetch_state, sources


@dataclass(frozen=True, kw_only=True)
class SourceState:
    id: str
    council: str
    kind: str
    url: str
    state: str  # ok | broken | suspect
    state_reason: str | None
    consecutive_failures: int
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_failure_reason: str | None
    last_published_at: datetime | None
    release_requested: bool
    held_fingerprint: str | None
    discarded_fingerprint: str | None
    alerted: str | None


async def ensure(conn: AsyncConnection, source: SourceConfig) -> SourceState:
    """Create the row for a configured source, or bring its council/kind/url up to date."""
    values = {"council": source.kkr.value, "kind": source.kind.value, "url": source.url}
    updated = await conn.execute(sources.update().where(sources.c.id == source.id).values(**values))
    if updated.rowcount == 0:
        await conn.execute(sources.insert().values(id=source.id, **values))
    state = await get(conn, source.id)
    assert state is not None
    return state


async def get(conn: AsyncConnection, source_id: str) -> SourceState | None:
    row = (
        (await conn.execute(sa.select(sources).where(sources.c.id == source_id))).mappings().first()
    )
    return SourceState(**row) if row else None


async def all_states(conn: AsyncConnection) -> list[SourceState]:
    rows = (await conn.execute(sa.select(sources).order_by(sources.c.id))).mappings().all()
    return [SourceState(**row) for row in rows]


async def update(conn: AsyncConnection, source_id: str, **values: object) -> None:
    await conn.execute(sources.update().where(sources.c.id == source_id).values(**values))


async def record_failure(
    conn: AsyncConnection, source_id: str, *, reason: str, now: datetime
) -> int:
    """Count one more failed poll; return the number of consecutive failures."""
    await conn.execute(
        sources.update()
        .where(sources.c.id == source_id)
        .values(
            consecutive_failures=sources.c.consecutive_failures + 1,
            last_failure_at=now,
            last_failure_reason=reason,
            last_polled_at=now,
        )
    )
    count = await conn.scalar(
        sa.select(sources.c.consecutive_failures).where(sources.c.id == source_id)
    )
    return int(count or 0)


@dataclass(frozen=True, kw_only=True)
class FetchState:
    validators: Validators
    body_hash: str | None


async def fetch_states(conn: AsyncConnection, urls: list[str]) -> dict[str, FetchState]:
    if not urls:
        return {}
    rows = (
        (await conn.execute(sa.select(fetch_state).where(fetch_state.c.url.in_(urls))))
        .mappings()
        .all()
    )
    return {
        row["url"]: FetchState(
            validators=Validators(etag=row["etag"], last_modified=row["last_modified"]),
            body_hash=row["body_hash"],
        )
        for row in rows
    }


async def save_fetch_state(
    conn: AsyncConnection,
    url: str,
    *,
    validators: Validators,
    body_hash: str | None,
    status: int,
    now: datetime,
) -> None:
    values = {
        "etag": validators.etag,
        "last_modified": validators.last_modified,
        "body_hash": body_hash,
        "status": status,
        "fetched_at": now,
    }
    updated = await conn.execute(
        fetch_state.update().where(fetch_state.c.url == url).values(**values)
    )
    if updated.rowcount == 0:
        await conn.execute(fetch_state.insert().values(url=url, **values))
