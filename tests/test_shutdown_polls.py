"""Stopping `notifier run` while polls wait (Retry-After, retry backoff, per-site spacing): the
waits are cancelled at once, well inside `docker stop`'s 10 s, and a cut-short poll is not
recorded as a failure of its source."""

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
from notifier.store.schema import sources
from tests.smtp import free_port

LISTING = "/politik/kkr/kkr-hovedstaden/flere-nyheder"


async def _failures(url: str) -> list[tuple[object, ...]]:
    store = await Store.open(url)
    try:
        async with store.db.engine.connect() as conn:
            rows = await conn.execute(
                sa.select(sources.c.consecutive_failures, sources.c.last_failure_reason)
            )
            return [tuple(row) for row in rows]
    finally:
        await store.close()


async def test_a_stop_cancels_polls_waiting_in_retry_and_spacing(tmp_path: Path) -> None:
    asked = threading.Event()

    class Busy(StaticHandler):
        """Every newsletter answers 503, come back in five minutes."""

        def do_GET(self) -> None:
            if "nyhedsbrev" in self.path:
                asked.set()
                self.send_response(503)
                self.send_header("Retry-After", "300")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            super().do_GET()

    with SiteServer(handler=Busy) as site:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}",
            data_dir=tmp_path / "data",
            sources=[
                {
                    "id": "hovedstaden-nyheder",
                    "kkr": "hovedstaden",
                    "kind": "listing",
                    "url": f"{site.url}{LISTING}",
                    "link_pattern": "/kkr-hovedstaden/flere-nyheder/[^/]+$",
                }
            ],
            # Shipped waits: 30 s for running jobs to finish, Retry-After honoured up to 300 s,
            # a second between requests to the site (the other documents wait their turn).
            fetch={"allowed_private_networks": ["127.0.0.0/8"]},
            web={"port": free_port()},
        )
        assert settings.service.shutdown_timeout == 30
        stop = asyncio.Event()
        service = await Service.open(settings)
        run = asyncio.create_task(service.run(stop=stop))
        assert await asyncio.to_thread(asked.wait, 30), "the poll never reached a newsletter"
        await asyncio.sleep(0.5)  # now waiting: Retry-After for one, spacing for the others
        started = time.monotonic()
        stop.set()
        await asyncio.wait_for(run, 20)
        stopped_in = time.monotonic() - started
    assert stopped_in < 3, f"stop took {stopped_in:.1f} s"
    assert await _failures(settings.database_url) == [(0, None)]
