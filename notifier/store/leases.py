"""Leases in the database: a portable advisory lock so replicas never run one job twice.

A lease is a row (name, owner, expires_at). Taking it is a conditional statement, atomic on
SQLite and PostgreSQL alike. Owners are worker ids (``host:pid:nonce``, made by ``worker_id``):
a holder that died frees its leases when they expire, and at once for a process on the same
host, which can see that the holder's process is gone (so a restarted service takes over its
own dead leases at once; this needs a host name of its own per replica, which containers have).

Work that runs under a lease holds it for a short ``LEASE_TTL`` and renews it with a
``heartbeat`` while it runs, so a holder that died on another host frees its lease within that
short time rather than after the longest the work could take.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import ModuleType

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.errors import StoreError
from notifier.store.db import Database, per_dialect
from notifier.store.prepared import Prepared
from notifier.store.schema import locks

log = logging.getLogger(__name__)

# Short, and renewed every third of it while the work runs.
LEASE_TTL = timedelta(seconds=90)

_OURS: set[str] = set()  # worker ids made by this process


@dataclass
class HeldLease:
    """A lease under a heartbeat; ``lost`` once a renewal found another owner holding it."""

    name: str
    lost: bool = False


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
    # One statement in the usual cases (no row, ours, or expired); atomic against a racing
    # taker on both databases.
    values = {"name": name, "owner": owner, "expires_at": expires, "now": now}
    if (await _take_statement(conn).execute(conn, values)).rowcount:
        return True
    holder = await conn.scalar(sa.select(locks.c.owner).where(locks.c.name == name))
    if holder is None or not holder_is_dead(holder):
        return False
    taken = await conn.execute(
        locks.update()
        .where(locks.c.name == name, locks.c.owner == holder)
        .values(owner=owner, expires_at=expires)
    )
    return bool(taken.rowcount)


async def give_up(conn: AsyncConnection, name: str, *, owner: str) -> None:
    await conn.execute(locks.delete().where(locks.c.name == name, locks.c.owner == owner))


async def give_back(conn: AsyncConnection, name: str, *, owner: str, now: datetime) -> bool:
    """Give back a lease the owner still holds (or one that ran out and nobody took), in the
    caller's transaction; False when another owner holds it now."""
    released = await _GIVE_BACK.execute(conn, {"name": name, "owner": owner, "now": now})
    if released.rowcount:
        return True
    # No row at all, or a holder that died on this host: taken and given back, as before.
    if not await take(conn, name, owner=owner, now=now, ttl=LEASE_TTL):
        return False
    await give_up(conn, name, owner=owner)
    return True


# A poll takes and gives back a lease per source: these statements are built once.
_NOW = sa.bindparam("now", type_=locks.c.expires_at.type)
_GIVE_BACK = Prepared(
    locks.delete().where(
        locks.c.name == sa.bindparam("name"),
        sa.or_(locks.c.owner == sa.bindparam("owner"), locks.c.expires_at < _NOW),
    )
)


@per_dialect
def _take_statement(dialect: ModuleType) -> Prepared:
    statement = dialect.insert(locks)
    return Prepared(
        statement.on_conflict_do_update(
            index_elements=[locks.c.name],
            set_={"owner": statement.excluded.owner, "expires_at": statement.excluded.expires_at},
            where=sa.or_(locks.c.owner == statement.excluded.owner, locks.c.expires_at < _NOW),
        )
    )


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

    @contextlib.asynccontextmanager
    async def heartbeat(
        self, name: str, *, owner: str, clock: Callable[[], datetime], ttl: timedelta = LEASE_TTL
    ) -> AsyncIterator[HeldLease]:
        """Renew a lease the owner holds every third of ``ttl`` while the block runs. A
        renewal that fails on a database error is tried again at the next beat (the work's
        own writes check the lease); one that finds the lease taken over marks it lost."""
        held = HeldLease(name)
        period = ttl.total_seconds() / 3

        async def beat() -> None:
            while True:
                try:
                    if not await self.renew(name, owner=owner, now=clock(), ttl=ttl):
                        held.lost = True
                        log.warning("lease lost to another worker", extra={"lease": name})
                        return
                except StoreError as exc:
                    log.warning("could not renew a lease: %s", exc, extra={"lease": name})
                await asyncio.sleep(period)

        # Most work under a lease (an idle poll: a few milliseconds) ends long before its first
        # beat: a timer, cheaper than a task made and cancelled each time, starts the beats.
        beating: list[asyncio.Task[None]] = []
        loop = asyncio.get_running_loop()
        timer = loop.call_later(
            period, lambda: beating.append(loop.create_task(beat(), name=f"heartbeat {name}"))
        )
        try:
            yield held
        finally:
            timer.cancel()
            for task in beating:
                task.cancel()
                await asyncio.wait({task})

    async def release(self, name: str, *, owner: str) -> None:
        async with self._db.write() as conn:
            await give_up(conn, name, owner=owner)

    async def retire(self, owner: str) -> None:
        """The owner is done (its runtime closes): give back every lease it still holds (a
        poll cut short by a stop holds one) and count it as dead from now on."""
        _OURS.discard(owner)
        async with self._db.write() as conn:
            await conn.execute(locks.delete().where(locks.c.owner == owner))
