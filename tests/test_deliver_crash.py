"""SIGKILL a real `notifier digest` process mid-run, restart it: every recipient ends with one
copy of their digest.

The one unavoidable window is a message the server accepted just before the kill, before its
sent state was committed: the restart sends it again with the same Message-ID, which is how a
receiver (and this test) drops the duplicate. So each recipient must receive exactly one
distinct Message-ID, nothing may be missing, and raw copies exceed that by at most one per kill.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from notifier.models import Frequency, SubscriberState
from notifier.store import Store
from tests.factories import Spec, publish
from tests.smtp import Received, Sink, running_sink

REPO = Path(__file__).resolve().parent.parent
PEOPLE = 16
NOW = datetime(2021, 4, 20, 5, 0, tzinfo=UTC)


async def prepare(database: Path) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{database}")
    try:
        for n in range(PEOPLE):
            await store.subscribers.add(
                email=f"p{n}@example.org",
                name=f"Person {n}",
                topics=("all",),
                councils=("all",),
                frequency=Frequency.DAILY,
                state=SubscriberState.ACTIVE,
                now=NOW,
            )
        await publish(
            store,
            [
                Spec(title="Klimaplan", topics=["klima_miljoe"], number="2"),
                Spec(title="Sundhedsaftale", topics=["sundhed"], number="3"),
            ],
        )
    finally:
        await store.close()


def command(config: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "notifier",
        "--config",
        str(config),
        "digest",
        "--frequency",
        "daily",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [1, 6, 13])
def test_sigkill_mid_run_then_restart_delivers_each_once(tmp_path: Path, kill_after: int) -> None:
    database = tmp_path / "notifier.db"
    asyncio.run(prepare(database))
    env = {**os.environ, "NOTIFIER_WEB__SECRET_KEY": "crash-test"}
    killed = threading.Event()
    process: subprocess.Popen[bytes] | None = None

    def reply(message: Received) -> str | None:
        # Count, and on the kill point kill the sender while it waits for this 250 reply.
        with counter_lock:
            counts["seen"] += 1
            if counts["seen"] == kill_after and process is not None:
                os.kill(process.pid, signal.SIGKILL)
                killed.set()
        return None

    counts = Counter[str]()
    counter_lock = threading.Lock()
    with running_sink(Sink(reply=reply)) as sink:
        config = tmp_path / "notifier.toml"
        config.write_text(
            f'database_url = "sqlite+aiosqlite:///{database}"\n'
            f'topics_file = "{REPO / "config" / "topics.toml"}"\n'
            "[smtp]\n"
            f'host = "127.0.0.1"\nport = {sink.port}\nsecurity = "none"\n'
            "messages_per_minute = 1200\nlease = 1\nconnections = 2\n"
            "[mail]\n"
            'from_address = "KKR <kkr@example.org>"\nlist_id = "kkr.example.org"\n'
        )
        process = subprocess.Popen(
            command(config), env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        process.wait(timeout=60)
        assert killed.is_set() and process.returncode == -signal.SIGKILL
        process = None
        restarted = subprocess.run(
            command(config), env=env, cwd=REPO, capture_output=True, timeout=60, check=False
        )
        assert restarted.returncode == 0, restarted.stderr.decode()

    ids: dict[str, set[str]] = {}
    for received in sink.received:
        [recipient] = received.recipients
        ids.setdefault(recipient, set()).add(received.message["Message-ID"])
    assert sorted(ids) == sorted(f"p{n}@example.org" for n in range(PEOPLE))
    assert all(len(distinct) == 1 for distinct in ids.values()), ids
    # At the kill, each of the 2 connections may hold one message the sink took but the
    # database never marked: those, and only those, go again (same Message-ID).
    assert PEOPLE <= len(sink.received) <= PEOPLE + 2
