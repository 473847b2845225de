"""Two `notifier run` replicas on one PostgreSQL database: no double polls, no double sends."""

from __future__ import annotations

import asyncio
import itertools
import time
import tomllib
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from notifier.demo_site import SiteServer
from notifier.store.schema import outbox
from tests.conftest import POSTGRES_URL
from tests.smtp import Sink, free_port, running_sink
from tests.test_service_process import (
    SOURCES as SOURCES_FILE,
)
from tests.test_service_process import (
    Running,
    add_newsletter,
    add_subscriber,
    copy_site,
    counting_handler,
    wait_for,
    write_config,
)

INTERVAL = 2.0
SOURCES = ["hovedstaden-nyheder", "hovedstaden-moedemateriale", "sjaelland-nyheder"]
HEADING = "Aftale om akutpladser og genoptræning"
SUBSCRIBERS = [f"politiker{n}@example.dk" for n in range(6)]


@pytest.fixture
def postgres_database() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("two replicas need PostgreSQL: set NOTIFIER_TEST_POSTGRES_URL")
    name = f"notifier_replicas_{uuid.uuid4().hex[:12]}"

    async def admin(statement: str) -> None:
        engine = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(sa.text(statement))
        finally:
            await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES_URL.rpartition('/')[0]}/{name}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _mailed(sink: Sink, email: str, text: str) -> bool:
    return any(
        text in str(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
        for message in sink.to(email)
    )


def _sent_message_ids(database_url: str) -> list[str]:
    async def query() -> list[str]:
        engine = create_async_engine(database_url)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(
                    sa.select(outbox.c.message_id).where(outbox.c.state == "sent")
                )
                return [row.message_id for row in rows]
        finally:
            await engine.dispose()

    return asyncio.run(query())


@pytest.mark.slow
@pytest.mark.postgres
def test_two_replicas_never_double_poll_or_double_send(
    tmp_path: Path, postgres_database: str
) -> None:
    site_root = copy_site(tmp_path)
    handler = counting_handler()
    with SiteServer(site_root, handler=handler) as site, running_sink() as sink:
        replicas = []
        try:
            for name in ("a", "b"):
                config = write_config(
                    tmp_path / f"replica-{name}.toml",
                    database_url=postgres_database,
                    web_port=free_port(),
                    site_url=site.url,
                    source_ids=SOURCES,
                    interval=f"{INTERVAL}s",
                    smtp_port=sink.port,
                )
                replicas.append(Running(config, cwd=tmp_path))
            for replica in replicas:
                replica.wait_healthy()
            listings = {
                urlsplit(source["url"].replace("{base}", site.url)).path
                for source in tomllib.loads(SOURCES_FILE.read_text("utf-8"))["sources"]
                if source["id"] in SOURCES
            }
            wait_for(
                # A second request to every listing: the first polls are done.
                lambda: all(len(handler.requests.get(path, [])) >= 2 for path in listings),
                timeout=20,
                what="the first polls",
            )
            for email in SUBSCRIBERS:
                add_subscriber(postgres_database, email)
            add_newsletter(
                site_root,
                slug="nyhedsbrev-kkr-hovedstaden-replika",
                title="Nyhedsbrev KKR Hovedstaden, replika",
                sections={
                    HEADING: "KKR Hovedstaden godkendte en fælles aftale om akutpladser og "
                    "genoptræning efter udskrivning fra hospital."
                },
            )
            wait_for(
                lambda: all(_mailed(sink, email, HEADING) for email in SUBSCRIBERS),
                timeout=6 * INTERVAL,
                what="every subscriber's digest",
            )
            # Let both replicas tick a few more intervals while counting requests.
            wait_for(
                lambda: all(len(handler.requests.get(path, [])) >= 5 for path in listings),
                timeout=10 * INTERVAL,
                what="five polls of every source",
            )
            # A stop cuts short the poll in flight, which then counts for nothing (it writes
            # only at its end), so the other replica may rightly poll that source at once:
            # only requests made before the stop tell whether the replicas took turns.
            stopped_at = time.monotonic()
            codes = [replica.stop() for replica in replicas]
        finally:
            for replica in replicas:
                replica.kill()
    assert codes == [0, 0]

    for path in listings:
        times = [at for at in handler.requests[path] if at < stopped_at]
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        # min_gap is half the interval: a replica polls only when nobody did for that long.
        # Two replicas polling together would show a gap near 0; request arrival times jitter
        # by a few hundred ms on a loaded machine, hence half of min_gap as the bound.
        assert min(gaps) > INTERVAL / 2 * 0.5, (path, gaps)
        span = times[-1] - times[0]
        assert len(times) <= span / INTERVAL + 2, (path, len(times), span)

    received = Counter(str(r.message["Message-ID"]).strip("<>") for r in sink.received)
    assert received, "no mail was sent"
    assert max(received.values()) == 1, received
    assert sorted(received) == sorted(_sent_message_ids(postgres_database))
    pollers = {
        str(entry["worker"])
        for replica in replicas
        for entry in replica.logs()
        if "worker" in entry
    }
    assert len(pollers) == 2
