"""Meeting rows: one per council and day (conn-level helpers for the store's use cases)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.models import Council, Meeting, StoredDocument, StoredMeeting
from notifier.store.prepared import Prepared
from notifier.store.schema import meetings


async def upsert(
    conn: AsyncConnection,
    *,
    council: Council,
    meeting: Meeting,
    title: str,
    agenda_url: str | None,
    now: datetime,
) -> tuple[int, Literal["new", "changed", "same"]]:
    """The meeting row for (council, day); reports whether it is new or its details moved."""
    assert meeting.day is not None
    row = (await _GET.execute(conn, {"council": council.value, "day": meeting.day})).first()
    if row is None:
        inserted = await _INSERT.execute(
            conn,
            {
                "council": council.value,
                "day": meeting.day,
                "starts_at": meeting.starts_at,
                "place": meeting.place,
                "title": title,
                "agenda_url": agenda_url,
                "updated_at": now,
            },
        )
        return int(inserted.rows[0]["id"]), "new"
    changes: dict[str, object] = {}
    if meeting.starts_at and meeting.starts_at != row["starts_at"]:
        changes["starts_at"] = meeting.starts_at
    if meeting.place and meeting.place != row["place"]:
        changes["place"] = meeting.place
    if agenda_url and not row["agenda_url"]:
        changes["agenda_url"] = agenda_url
    if not changes:
        return int(row["id"]), "same"
    await _UPDATE.execute(conn, {"meeting_ref": row["id"], "updated_at": now, **changes})
    return int(row["id"]), "changed"


# Built once: every agenda and set of minutes asks (the update's SET follows the keys given).
_GET = Prepared(
    sa.select(meetings).where(
        meetings.c.council == sa.bindparam("council"), meetings.c.day == sa.bindparam("day")
    )
)
_INSERT = Prepared(meetings.insert().returning(meetings.c.id))
_UPDATE = Prepared(meetings.update().where(meetings.c.id == sa.bindparam("meeting_ref")))


async def all_meetings(
    conn: AsyncConnection, council: Council | None = None
) -> list[StoredMeeting]:
    query = sa.select(meetings).order_by(meetings.c.day.desc())
    if council is not None:
        query = query.where(meetings.c.council == council.value)
    rows = (await conn.execute(query)).mappings().all()
    return [StoredMeeting(**{**row, "council": Council(row["council"])}) for row in rows]


async def of_document(conn: AsyncConnection, document: StoredDocument) -> Meeting | None:
    """The meeting a stored document belongs to, for its items' snapshots (date and place)."""
    if document.meeting_id is None:
        return None
    row = (
        (await conn.execute(sa.select(meetings).where(meetings.c.id == document.meeting_id)))
        .mappings()
        .first()
    )
    if row is None:
        return None
    return Meeting(
        council=document.council, starts_at=row["starts_at"], place=row["place"], on=row["day"]
    )
