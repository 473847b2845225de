"""Source rows (health and quarantine state) and per-URL fetch state.

The ``Sources`` facade is what the service, alerts, /readyz and the CLI use: every method is one
transaction. The module functions are the store's own conn-level helpers.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.errors import StoreError
from notifier.models import Council, FetchState, Message, SourceKind, SourceState, Validators
from notifier.store import outbox as store_outbox
from notifier.store.db import Database, per_dialect
from notifier.store.prepared import Prepared, Row
from notifier.store.schema import fetch_state, sources

# Every poll of a source runs these: built once (building a statement and its cache key cost
# SQLAlchemy more than SQLite takes to run it).
_GET = Prepared(sa.select(sources).where(sources.c.id == sa.bindparam("source_id")))
_INSERT = Prepared(sources.insert())
_UPDATE = Prepared(sources.update().where(sources.c.id == sa.bindparam("source_id")))
_URLS = sa.bindparam("urls", expanding=True, type_=fetch_state.c.url.type)
_FETCH_STATES = sa.select(fetch_state).where(fetch_state.c.url.in_(_URLS))
# One row per URL (executemany), not an IN list: an expanding IN makes SQLAlchemy render the
# statement's SQL again at every execution, which cost more than the update itself.
_CHECKED = Prepared(
    fetch_state.update()
    .where(fetch_state.c.url == sa.bindparam("checked_url", type_=fetch_state.c.url.type))
    .values(fetched_at=sa.bindparam("at", type_=fetch_state.c.fetched_at.type))
)
# A URL's fetch state read along with the row it belongs to (a LEFT JOIN): a poll's start then
# needs no statement of its own, nor an IN list, for the validators.
FETCH_COLUMNS = (
    fetch_state.c.url.label("fetch_url"),
    fetch_state.c.etag.label("fetch_etag"),
    fetch_state.c.last_modified.label("fetch_last_modified"),
    fetch_state.c.body_hash.label("fetch_body_hash"),
    fetch_state.c.fetched_at.label("fetch_fetched_at"),
)
_SOURCE_COLUMNS = tuple(sources.c.keys())
_GET_POLLED = Prepared(
    sa.select(sources, *FETCH_COLUMNS)
    .select_from(
        sources.outerjoin(
            fetch_state, fetch_state.c.url == sa.bindparam("url", type_=fetch_state.c.url.type)
        )
    )
    .where(sources.c.id == sa.bindparam("source_id"))
)


@per_dialect
def _save_statement(dialect: ModuleType) -> Any:
    statement = dialect.insert(fetch_state)
    columns = ("etag", "last_modified", "body_hash", "status", "fetched_at")
    return statement.on_conflict_do_update(
        index_elements=[fetch_state.c.url],
        set_={column: statement.excluded[column] for column in columns},
    )


@dataclass(frozen=True, kw_only=True)
class SourceRef:
    """What the store needs to know of a configured source."""

    id: str
    council: Council
    kind: SourceKind
    url: str


async def ensure(conn: AsyncConnection, source: SourceRef) -> SourceState:
    """Create the row for a configured source, or bring its council/kind/url up to date."""
    values = {"council": source.council.value, "kind": source.kind.value, "url": source.url}
    state = await get(conn, source.id)  # one statement when nothing changed, as usual
    if state is not None and (state.council, state.kind, state.url) == tuple(values.values()):
        return state
    if state is None:
        await _INSERT.execute(conn, {"id": source.id, **values})
    else:
        await update(conn, source.id, **values)
    state = await get(conn, source.id)
    assert state is not None
    return state


async def ensure_polled(
    conn: AsyncConnection, source: SourceRef
) -> tuple[SourceState, FetchState | None]:
    """``ensure``, with the fetch state of the source's URL: one statement when nothing
    changed, as usual."""
    values = {"council": source.council.value, "kind": source.kind.value, "url": source.url}
    arguments = {"source_id": source.id, "url": source.url}
    row = (await _GET_POLLED.execute(conn, arguments)).first()
    if row is None or (row["council"], row["kind"], row["url"]) != tuple(values.values()):
        await ensure(conn, source)
        row = (await _GET_POLLED.execute(conn, arguments)).first()
        if row is None:  # not expected: ensure made it in this transaction
            raise StoreError(f"source {source.id} vanished while it was being polled")
    state = SourceState(**{column: row[column] for column in _SOURCE_COLUMNS})
    return state, fetch_state_of(row)


def fetch_state_of(row: Row) -> FetchState | None:
    """The fetch state in a row that selected ``FETCH_COLUMNS`` (None: the URL has none)."""
    if row["fetch_url"] is None:
        return None
    return FetchState(
        validators=Validators(etag=row["fetch_etag"], last_modified=row["fetch_last_modified"]),
        body_hash=row["fetch_body_hash"],
        checked_at=row["fetch_fetched_at"],
    )


async def get(conn: AsyncConnection, source_id: str) -> SourceState | None:
    row = (await _GET.execute(conn, {"source_id": source_id})).first()
    return SourceState(**row) if row else None


async def all_states(conn: AsyncConnection) -> list[SourceState]:
    rows = (await conn.execute(sa.select(sources).order_by(sources.c.id))).mappings().all()
    return [SourceState(**row) for row in rows]


async def update(conn: AsyncConnection, source_id: str, **values: object) -> None:
    """Set these columns (plain values) of the source's row."""
    if values:  # the statement's SET is made from the keys given
        await _UPDATE.execute(conn, {"source_id": source_id, **values})


async def record_failure(
    conn: AsyncConnection, source_id: str, *, reason: str, now: datetime, polled: bool = True
) -> int:
    """Count one more failed poll; return the number of consecutive failures. ``polled``:
    the source was polled (it answered, or failed to); a poll whose write the database
    refused polled nothing, so ``min_gap`` does not skip its retry."""
    values: dict[str, object] = {"last_polled_at": now} if polled else {}
    await conn.execute(
        sources.update()
        .where(sources.c.id == source_id)
        .values(
            consecutive_failures=sources.c.consecutive_failures + 1,
            last_failure_at=now,
            last_failure_reason=reason,
            **values,
        )
    )
    count = await conn.scalar(
        sa.select(sources.c.consecutive_failures).where(sources.c.id == source_id)
    )
    return int(count or 0)


async def fetch_states(conn: AsyncConnection, urls: Collection[str]) -> dict[str, FetchState]:
    if not urls:
        return {}
    return {
        row["url"]: FetchState(
            validators=Validators(etag=row["etag"], last_modified=row["last_modified"]),
            body_hash=row["body_hash"],
            checked_at=row["fetched_at"],
        )
        for row in (await conn.execute(_FETCH_STATES, {"urls": list(urls)})).mappings().all()
    }


@dataclass(frozen=True, kw_only=True)
class FetchRecord:
    """What to remember of one fetched URL for the next conditional request."""

    url: str
    validators: Validators
    body_hash: str | None
    status: int


async def save_fetch_states(
    conn: AsyncConnection, records: Sequence[FetchRecord], now: datetime
) -> None:
    """Remember the validators of these URLs: one upsert for them all."""
    if not records:
        return
    rows = {  # one row per URL: an upsert may not touch the same row twice
        record.url: {
            "url": record.url,
            "etag": record.validators.etag,
            "last_modified": record.validators.last_modified,
            "body_hash": record.body_hash,
            "status": record.status,
            "fetched_at": now,
        }
        for record in records
    }
    await conn.execute(_save_statement(conn), list(rows.values()))


async def mark_checked(conn: AsyncConnection, urls: Collection[str], now: datetime) -> None:
    """The server was asked about these URLs and said they had not changed."""
    if urls:
        await _CHECKED.execute(conn, [{"checked_url": url, "at": now} for url in urls])


class Sources:
    """Source health for alerts, readiness, metrics and the operator's commands."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def states(self) -> list[SourceState]:
        async with self._db.read() as conn:
            return await all_states(conn)

    async def get(self, source_id: str) -> SourceState | None:
        async with self._db.read() as conn:
            return await get(conn, source_id)

    async def release(self, source_id: str, *, discard: bool) -> str:
        """Let a held-back source's next poll through, or discard the held result: the next
        poll that finds the same result stores it quietly as the new baseline. Returns
        "released", "discarded" or "unknown source"."""
        async with self._db.write() as conn:
            state = await get(conn, source_id)
            if state is None:
                return "unknown source"
            if discard:
                await update(
                    conn,
                    source_id,
                    discarded_fingerprint=state.held_fingerprint,
                    held_fingerprint=None,
                    release_requested=False,
                )
                return "discarded"
            await update(conn, source_id, release_requested=True)
            return "released"

    async def record_alert(
        self,
        source_id: str,
        *,
        previous: str | None,
        alerted: str | None,
        message: Message | None,
        now: datetime,
    ) -> bool:
        """Remember which incident the operator was told of, and queue the mail, together;
        only if the source was still at ``previous`` (False: another replica got there
        first, and its mail is the one that goes)."""
        async with self._db.write() as conn:
            changed = await conn.execute(
                sources.update()
                .where(
                    sources.c.id == source_id,
                    sources.c.alerted.is_(None)
                    if previous is None
                    else sources.c.alerted == previous,
                )
                .values(alerted=alerted)
            )
            if not changed.rowcount:
                return False
            if message is not None:
                await store_outbox.enqueue(conn, [message], now=now)
            return True
