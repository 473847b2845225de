"""Leases in the database: a portable advisory lock so replicas never run one job twice.

A lease is a row (name, owner, expires_at). Taking it is a single conditional statement, so it
is atomic on SQLite and PostgreSQL alike; an owner that dies simply lets its lease expire.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from notifier.store.schema import locks


async def acquire(
    engine: AsyncEngine, name: str, *, owner: str, now: datetime, ttl: timedelta
) -> bool:
    """Take or renew the lease; False while someone else holds an unexpired one."""
    expires = now + ttl
    async with engine.begin() as conn:
        taken = await conn.execute(
            locks.update()
            .where(
                locks.c.name == name,
                sa.or_(locks.c.owner == owner, locks.c.expires_at < now),
            )
            .values(owner=owner, expires_at=expires)
        )
        if taken.rowcount:
            return True
    try:
        async with engine.begin() as conn:
            await conn.execute(locks.insert().values(name=name, owner=owner, expires_at=expires))
    except sa.exc.IntegrityError:
        return False  # another owner inserted it first
    return True


async def release(engine: AsyncEngine, name: str, *, owner: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(locks.delete().where(locks.c.name == name, locks.c.owner == owner))
