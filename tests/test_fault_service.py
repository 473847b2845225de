"""`notifier run` (in process) while its database refuses every write for a while: no job
wedges, /readyz says not ready while the core jobs cannot run and ready again once they can,
and the mail waiting in the outbox goes out once, without a restart.

Both backends; a real aiosmtpd and the fixture site on 127.0.0.1; see ``tests.faults``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import tomllib
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from notifier.config import Settings
from notifier.models import Frequency
from notifier.service import Service
from notifier.store import Store
from tests.factories import Spec, make_digests, publish
from tests.faults import ReadOnly
from tests.site import SOURCES, Site
from tests.smtp import Sink, free_port, running_sink
from tests.test_digest import subscribe

REPO = Path(__file__).resolve().parent.parent
PEOPLE = [f"p{n}@example.org" for n in range(4)]


def service_settings(database_url: str, site: Site, sink: Sink, tmp_path: Path) -> Settings:
    [source] = [
        {**source, "url": source["url"].replace("{base}", site.url), "interval": 2}
        for source in tomllib.loads(SOURCES.read_text("utf-8"))["sources"]
        if source["id"] == "sjaelland-nyheder"
    ]
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        topics_file=REPO / "config" / "topics.toml",
        sources=[source],
        fetch={"per_host_delay": 0, "retries": 0, "read_timeout": 5},
        smtp={"host": sink.host, "port": sink.port, "security": "none"},
        mail={"from_address": "KKR <kkr@example.org>", "list_id": "kkr.example.org"},
        web={"port": free_port(), "secret_key": "test", "status_token": "ops-token"},
        service={
            "send_interval": 0.5,
            "immediate_interval": 2,
            "alert_interval": 60,
            "shutdown_timeout": 5,
            "retry_backoff": 0.2,
            "retry_max_wait": 1,
        },
    )


async def eventually(check: Callable[[], Awaitable[object]], *, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, f"timed out after {within} s waiting for {what}"
        await asyncio.sleep(0.2)


async def test_mail_and_readiness_come_back_after_the_database_was_read_only(
    store: Store, database_url: str, site: Site, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for email in PEOPLE:
        await subscribe(store, email, topics=("all",), frequency=Frequency.DAILY)
    await publish(store, [Spec(title="Klimaplan", topics=["klima_miljoe"], number="1")])
    with running_sink() as sink:
        settings = service_settings(database_url, site, sink, tmp_path)
        assert await make_digests(store, settings, Frequency.DAILY, now=datetime.now(UTC)) == 4
        service = await Service.open(settings)
        read_only = ReadOnly(service.runtime.store.db.engine)
        await read_only.set(True)
        stop = asyncio.Event()
        run = asyncio.create_task(service.run(stop=stop))
        base = f"http://127.0.0.1:{settings.web.port}"

        http = httpx.AsyncClient(base_url=base, timeout=5)

        async def readiness() -> bool | None:
            try:
                response = await http.get("/readyz")
            except httpx.HTTPError:
                return None  # not listening yet
            return bool(response.json()["ready"])

        async def not_ready() -> bool:
            return await readiness() is False

        async def details() -> dict[str, object]:
            response = await http.get("/readyz", headers={"Authorization": "Bearer ops-token"})
            return dict(response.json())

        async def sender_retried() -> bool:
            send = service.health.jobs().get("send")
            return send is not None and send.failures >= 3

        async def mailed() -> bool:
            return len(sink.received) >= len(PEOPLE)

        try:
            await eventually(not_ready, within=20, what="not ready")
            # The jobs keep running (and failing): none holds the others up.
            await eventually(sender_retried, within=20, what="the sender trying again")
            problems = (await details())["problems"]
            failing = {problem["check"] for problem in problems}  # type: ignore[attr-defined]
            assert {"job:send", "job:poll:sjaelland-nyheder"} <= failing, failing
            assert sink.received == []

            await read_only.set(False)
            await eventually(mailed, within=30, what="mail")
            await eventually(readiness, within=30, what="ready again")
            assert not service.health.problems()
        finally:
            await http.aclose()
            stop.set()
            await asyncio.wait_for(run, 30)
            await read_only.set(False)
    ids = Counter(str(r.message["Message-ID"]) for r in sink.received)
    assert sorted(r.recipients[0] for r in sink.received) == sorted(PEOPLE)
    assert set(ids.values()) == {1}
    messages = [record.getMessage() for record in caplog.records]
    assert any(m.startswith("job failed on a database error") for m in messages)
    assert "job recovered" in messages
