"""Stopping `notifier run` mid-poll: the cut-short poll leaves no trace; the next run repeats it."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from notifier.config import Settings
from notifier.demo_site import SiteServer, StaticHandler
from notifier.service import Service
from notifier.store import Store
from notifier.store.schema import documents, sources
from tests.smtp import free_port

SOURCE_PATH = "/politik/kkr/kkr-hovedstaden/flere-nyheder"


def _settings(tmp_path: Path, site_url: str) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}",
        data_dir=tmp_path / "data",
        sources=[
            {
                "id": "hovedstaden-nyheder",
                "kkr": "hovedstaden",
                "kind": "listing",
                "url": f"{site_url}{SOURCE_PATH}",
                "link_pattern": "/kkr-hovedstaden/flere-nyheder/[^/]+$",
                "interval": 3600,
            }
        ],
        fetch={"per_host_delay": 0, "retries": 0, "allowed_private_networks": ["127.0.0.0/8"]},
        web={"port": free_port()},
        service={"shutdown_timeout": 0.5},
    )


async def _stored(url: str) -> tuple[int, object]:
    store = await Store.open(url)
    try:
        async with store.db.engine.connect() as conn:
            count = await conn.scalar(sa.select(sa.func.count()).select_from(documents))
            success = await conn.scalar(sa.select(sources.c.last_success_at))
        return int(count or 0), success
    finally:
        await store.close()


async def test_a_poll_cut_short_by_a_stop_is_repeated_by_the_next_run(tmp_path: Path) -> None:
    reached = threading.Event()
    hold = threading.Event()

    class Slow(StaticHandler):
        def do_GET(self) -> None:
            if "nyhedsbrev" in self.path and not hold.is_set():
                reached.set()
                hold.wait(10)  # the document hangs until the test lets it go
            super().do_GET()

    with SiteServer(handler=Slow) as site:
        settings = _settings(tmp_path, site.url)
        stop = asyncio.Event()
        service = await Service.open(settings)
        run = asyncio.create_task(service.run(stop=stop))
        assert await asyncio.to_thread(reached.wait, 10), "the poll never fetched the document"
        started = time.monotonic()
        stop.set()
        await asyncio.wait_for(run, 10)
        # shutdown_timeout (0.5 s) for the hanging poll, then closing; not the fetch timeout.
        assert time.monotonic() - started < 5
        assert await _stored(settings.database_url) == (0, None)

        hold.set()
        stop = asyncio.Event()
        service = await Service.open(settings)
        run = asyncio.create_task(service.run(stop=stop))
        deadline = time.monotonic() + 15
        while (await _stored(settings.database_url))[0] == 0:
            assert time.monotonic() < deadline, "the next run did not repeat the poll"
            await asyncio.sleep(0.1)
        stop.set()
        await asyncio.wait_for(run, 10)
    count, success = await _stored(settings.database_url)
    assert count == 1
    assert success is not None
