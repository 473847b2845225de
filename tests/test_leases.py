"""Leases after a crash: a dead holder on this host frees them at once, one elsewhere within the
short TTL, and a heartbeat keeps a live holder's lease for as long as its work runs."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from notifier.errors import StoreError
from notifier.models import Council
from notifier.store import Store, worker_id
from notifier.store.leases import LEASE_TTL, holder_is_dead
from notifier.store.schema import locks, sources
from tests.factories import source_for

NOW = datetime(2024, 6, 20, 10, 0, tzinfo=UTC)
HOST = socket.gethostname()


@pytest.fixture
def live_pid() -> Iterator[int]:
    process = subprocess.Popen(["sleep", "60"])
    try:
        yield process.pid
    finally:
        process.kill()
        process.wait()


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_who_counts_as_dead(live_pid: int) -> None:
    assert holder_is_dead(f"{HOST}:{dead_pid()}:abc123")
    assert not holder_is_dead(f"{HOST}:{live_pid}:abc123")
    # A former life of this process's pid (a container's service is pid 1 after each restart).
    assert holder_is_dead(f"{HOST}:{os.getpid()}:ffffff")
    assert not holder_is_dead(worker_id())
    # Another host: nobody here can tell, so only the lease's expiry frees it.
    assert not holder_is_dead(f"elsewhere.example:{dead_pid()}:abc123")
    assert not holder_is_dead("digest-1a2b3c")


async def test_a_dead_holder_here_frees_a_lease_at_once_one_elsewhere_after_the_ttl(
    store: Store,
) -> None:
    leases = store.leases
    here = f"{HOST}:{dead_pid()}:abc123"
    assert await leases.acquire("poll:a", owner=here, now=NOW, ttl=timedelta(minutes=30))
    assert await leases.acquire("poll:a", owner=worker_id(), now=NOW, ttl=LEASE_TTL)

    elsewhere = "elsewhere.example:1:abc123"
    ours = worker_id()
    assert await leases.acquire("poll:b", owner=elsewhere, now=NOW, ttl=LEASE_TTL)
    assert not await leases.acquire("poll:b", owner=ours, now=NOW + LEASE_TTL / 2, ttl=LEASE_TTL)
    assert await leases.acquire(
        "poll:b", owner=ours, now=NOW + LEASE_TTL + timedelta(seconds=1), ttl=LEASE_TTL
    )


async def test_a_heartbeat_keeps_the_lease_while_the_work_runs(store: Store) -> None:
    leases = store.leases
    ttl = timedelta(seconds=0.3)
    ours, other = worker_id(), "elsewhere.example:1:abc123"

    def clock() -> datetime:
        return datetime.now(UTC)

    assert await leases.acquire("digest:daily", owner=ours, now=clock(), ttl=ttl)
    async with leases.heartbeat("digest:daily", owner=ours, clock=clock, ttl=ttl) as held:
        await asyncio.sleep(1.0)  # more than three TTLs
        assert not await leases.acquire("digest:daily", owner=other, now=clock(), ttl=ttl)
        # Taken over behind its back (as after a stall longer than the TTL): the next beat
        # says so.
        async with store.db.engine.begin() as conn:
            await conn.execute(
                locks.update().where(locks.c.name == "digest:daily").values(owner=other)
            )
        await asyncio.sleep(0.3)
        assert held.lost


async def test_a_heartbeat_makes_no_task_for_work_shorter_than_a_beat(store: Store) -> None:
    # An idle poll holds its source's lease for milliseconds, 26 sources a poll: a task made
    # and cancelled for each was a good part of what the poll itself cost.
    ours = worker_id()
    assert await store.leases.acquire("poll:quick", owner=ours, now=NOW, ttl=LEASE_TTL)
    before = len(asyncio.all_tasks())
    async with store.leases.heartbeat("poll:quick", owner=ours, clock=lambda: NOW, ttl=LEASE_TTL):
        assert len(asyncio.all_tasks()) == before
        await asyncio.sleep(0)
    assert len(asyncio.all_tasks()) == before


async def test_a_poll_that_lost_its_lease_writes_nothing(store: Store) -> None:
    source = source_for(Council.SJAELLAND)
    ours, other = worker_id(), "elsewhere.example:1:abc123"
    start = await store.polls.begin(source, owner=ours, now=NOW, ttl=LEASE_TTL)
    assert start is not None
    later = NOW + LEASE_TTL * 2  # stalled past the lease; another worker took it over
    assert await store.leases.acquire(f"poll:{source.id}", owner=other, now=later, ttl=LEASE_TTL)
    with pytest.raises(StoreError, match="lost the lease"):
        await store.polls.finish(
            source,
            previous=start.state,
            plan=None,
            fetched=[],
            errors=[],
            failed=False,
            owner=ours,
            now=later,
        )
    async with store.db.engine.connect() as conn:
        success = await conn.scalar(
            sa.select(sources.c.last_success_at).where(sources.c.id == source.id)
        )
        holder = await conn.scalar(
            sa.select(locks.c.owner).where(locks.c.name == f"poll:{source.id}")
        )
    assert success is None and holder == other
