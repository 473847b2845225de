"""SIGKILL a real `notifier run` while one source's poll hangs and the first digests are being
sent, then start it again: polling and digests resume within one interval, not after the
leases and claims the dead process left run out, and every subscriber gets each digest once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from notifier.demo_site import SiteServer, StaticHandler
from notifier.models import Frequency
from notifier.store.schema import locks, outbox, sources
from tests.smtp import Received, Sink, free_port, running_sink
from tests.test_service_process import (
    REPO,
    Running,
    add_newsletter,
    add_subscriber,
    copy_site,
    wait_for,
    write_config,
)

INTERVAL = 60.0  # seconds; the restart must not need anything near it
PEOPLE = [f"politiker{n}@example.dk" for n in range(4)]
HANGING = "/politik/kkr/kkr-sjaelland/flere-nyheder/"  # documents of this listing hang


class Hanging(StaticHandler):
    hold: ClassVar[threading.Event]
    reached: ClassVar[threading.Event]

    def do_GET(self) -> None:
        if self.path.startswith(HANGING) and not self.hold.is_set():
            self.reached.set()
            self.hold.wait(30)
        super().do_GET()


def query(database_url: str, statement: sa.Executable) -> list[sa.Row[tuple[object, ...]]]:
    async def run() -> list[sa.Row[tuple[object, ...]]]:
        engine = create_async_engine(database_url)
        try:
            async with engine.begin() as conn:
                result = await conn.execute(statement)
                return list(result.all()) if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.mark.slow
def test_sigkill_mid_poll_and_mid_send_then_restart_resumes_within_an_interval(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}"
    handler = type("Hang", (Hanging,), {"hold": threading.Event(), "reached": threading.Event()})
    first: Running | None = None
    killed = threading.Event()

    def reply(message: Received) -> str | None:
        # The first digest reaches the server: kill the sender while the other poll hangs.
        if first is not None and not killed.is_set() and handler.reached.wait(10):
            os.kill(first.process.pid, signal.SIGKILL)
            killed.set()
        return None

    site_root = copy_site(tmp_path)
    with (
        SiteServer(site_root, handler=handler) as site,
        running_sink(Sink(reply=reply)) as sink,
    ):
        config = write_config(
            tmp_path / "notifier.toml",
            database_url=database_url,
            web_port=free_port(),
            site_url=site.url,
            source_ids=["hovedstaden-nyheder", "sjaelland-nyheder"],
            interval=f"{INTERVAL:.0f}s",
            smtp_port=sink.port,
        )
        # The hanging requests must still hang when the kill comes, and leave the other
        # source free to poll.
        config.write_text(
            config.read_text().replace(
                "read_timeout = 5",
                # Its listing is unchanged after the baseline: the documents must be asked
                # again at once (not after a day) for the poll to hang.
                "read_timeout = 30\nper_host_concurrency = 8\n"
                "revalidate_interval = 0.001\nrevalidate_per_poll = 100",
            )
        )
        # The sources were polled before; then a newsletter comes out, for subscribers to hear.
        handler.hold.set()
        baseline = subprocess.run(
            [sys.executable, "-m", "notifier", "--config", str(config), "poll", "--once"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert baseline.returncode in (0, 1), baseline.stderr.decode()
        an_hour_ago = datetime.now(UTC) - timedelta(hours=1)  # due again at start
        query(database_url, sa.update(sources).values(last_polled_at=an_hour_ago))
        handler.hold.clear()
        for email in PEOPLE:
            add_subscriber(database_url, email, frequency=Frequency.IMMEDIATE)
        add_newsletter(
            site_root,
            slug="nyhedsbrev-kkr-hovedstaden-efter-nedbrud",
            title="Nyhedsbrev KKR Hovedstaden, nyt møde",
            sections={
                "Aftale om akutpladser": "KKR Hovedstaden godkendte en fælles aftale om "
                "akutpladser og genoptræning efter udskrivning fra hospital."
            },
        )

        first = Running(config, cwd=tmp_path)
        try:
            assert first.process.wait(timeout=60) == -signal.SIGKILL
        finally:
            first.kill()
        assert killed.is_set()
        dead = next(str(e["worker"]) for e in first.logs() if e.get("message") == "started")
        host, pid, _ = dead.split(":")
        held = dict(query(database_url, sa.select(locks.c.name, locks.c.owner)))
        assert held.get("poll:sjaelland-nyheder") == dead, held
        claimed = query(database_url, sa.select(outbox.c.id).where(outbox.c.claimed_by == dead))
        assert claimed, "the kill came before any digest was claimed"
        # A kill while planning digests leaves the planning lease too (held for minutes).
        query(
            database_url,
            sa.insert(locks).values(
                name="digest:immediate",
                owner=f"{host}:{pid}:0badc0",
                expires_at=datetime.now(UTC) + timedelta(minutes=15),
            ),
        )

        handler.hold.set()
        restarted_at = time.monotonic()
        second = Running(config, cwd=tmp_path)
        try:
            second.wait_healthy()

            def outbox_drained() -> bool:
                # The dead sender's claims (five minutes by default) must not hold them back.
                states = [row[0] for row in query(database_url, sa.select(outbox.c.state))]
                return len(states) >= len(PEOPLE) and set(states) == {"sent"}

            def sjaelland_polled() -> bool:
                rows = query(
                    database_url,
                    sa.select(sources.c.last_success_at).where(sources.c.id == "sjaelland-nyheder"),
                )
                return bool(rows and rows[0][0])

            def planned_again() -> bool:
                return any(
                    str(e.get("message")) == "planned immediate digests" for e in second.logs()
                )

            for check, what in (
                (outbox_drained, "every digest sent"),
                (sjaelland_polled, "the poll the kill cut short"),
                (planned_again, "digest planning"),
            ):
                wait_for(check, timeout=20, what=what)
            took = time.monotonic() - restarted_at
            assert second.stop() == 0
        finally:
            second.kill()
    assert took < INTERVAL / 2, took

    distinct: dict[str, set[str]] = defaultdict(set)
    for received in sink.received:
        distinct[received.recipients[0]].add(str(received.message["Message-ID"]))
    assert sorted(distinct) == sorted(PEOPLE)
    # Each digest once; the one the server took as the kill came may come again, same id.
    sent = query(database_url, sa.select(outbox.c.message_id).where(outbox.c.state == "sent"))
    assert sum(len(ids) for ids in distinct.values()) == len(sent)
    assert len(sink.received) <= len(sent) + 1
    assert not query(
        database_url, sa.select(locks.c.name).where(locks.c.owner.like(f"{host}:{pid}:%"))
    )
