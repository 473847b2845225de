"""Leases in the database: a portable advisory lock so replicas never run one job twice.

A lease is a row (name, owner, expires_at). Taking it is a conditional statement, atomic on
SQLite and PostgreSQL alike. Owners are worker ids (``host:pid:nonce``, made by ``worker_id``):
a holder that died frees its leases when they expire, and at once for a process on the same
host, which can see that the holder's process is gone.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.store.db import Database
from notifier.store.schema import locks

_OURS: set[str] = set()  # worker ids made by this process


def worker_id() -> str:
    """A new owner id for this process: ``host:pid:nonce``, unique across restarts."""
    owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
    _OURS.add(owner)
    return owner


async def take(
    conn: AsyncConnection, name: str, *, owner: str, now: datetime, ttl: timedelta
) -> bool:
    """Take or renew the lease in the caller's transaction; False while someone else holds a
    live one."""
    expires = now + ttl
    taken = await conn.execute(
        locks.update()
        .where(locks.c.name == name, sa.or_(locks.c.owner == owner, locks.c.expires_at < now))
        .values(owner=owner, expires_at=expires)
    )
    if taken.rowcount:
        return True
    holder = await conn.scalar(sa.select(locks.c.owner).where(locks.c.name == name))
    if holder is not None:
        if not holder_is_dead(holder):
            return False
        taken = await conn.execute(
            locks.update()
            .where(locks.c.name == name, locks.c.owner == holder)
            .values(owner=owner, expires_at=expires)
        )
        return bool(taken.rowcount)
    try:
        async with conn.begin_nested():  # a racing insert must not spoil the caller's transaction
            await conn.execute(locks.insert().values(name=name, owner=owner, expires_at=expires))
    except sa.exc.IntegrityError:
        return False  # another owner inserted it first
    return True


async def give_up(conn: AsyncConnection, name: str, *, owner: str) -> None:
    await conn.execute(locks.delete().where(locks.c.name == name, locks.c.owner == owner))


def holder_is_dead(owner: str) -> bool:
    """Whether ``owner`` is a process on this host that no longer runs (or a former process
    that had our pid: after a container restart the service is pid 1 again)."""
    host, _, rest = owner.partition(":")
    pid_text, _, nonce = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit() or not nonce:
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        # Our pid but not one of our owner ids: a previous life (a container's service is pid 1
        # after every restart).
        return owner not in _OURS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, someone else's
    return False


class Leases:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def acquire(self, name: str, *, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Take or renew the lease; False while someone else holds a live one."""
        async with self._db.write() as conn:
            return await take(conn, name, owner=owner, now=now, ttl=ttl)

    async def renew(self, name: str, *, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Extend a lease this owner holds; False when it was lost (expired and taken over)."""
        async with self._db.write() as conn:
            result = await conn.execute(
                locks.update()
                .where(locks.c.name == name, locks.c.owner == owner)
                .values(expires_at=now + ttl)
            )
        return bool(result.rowcount)

    async def release(self, name: str, *, owner: str) -> None:
        async with self._db.write() as conn:
            await give_up(conn, name, owner=owner)

    async def retire(self, owner: str) -> None:
        """The owner is done (its runtime closes): give back every lease it still holds (a
        poll cut short by a stop holds one) and count it as dead from now on."""
        _OURS.discard(owner)
        async with self._db.write() as conn:
            await conn.execute(locks.delete().where(locks.c.owner == owner))
