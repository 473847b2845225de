"""/healthz, /readyz and /metrics of the web app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from notifier.config import Settings, SourceConfig
from notifier.models import Council, Message, SourceKind
from notifier.pipeline import source_ref
from notifier.store import Store
from notifier.store import sources as store_sources
from notifier.store.db import Database, create_engine
from tests.factories import app_for

TOPICS_FILE = Path(__file__).resolve().parent.parent / "config" / "topics.toml"
NOW = datetime.now(UTC)
SOURCES = [
    SourceConfig(
        id=f"kkr-{council.value}",
        kkr=council,
        kind=SourceKind.LISTING,
        url=f"https://www.kl.dk/politik/kkr/kkr-{council.value}/",
        interval=3600,
    )
    for council in (Council.HOVEDSTADEN, Council.SJAELLAND)
]


def settings(store: Store) -> Settings:
    return Settings(
        database_url=store.db.engine.url.render_as_string(hide_password=False),
        topics_file=TOPICS_FILE,
        sources=SOURCES,
    )


async def polled(store: Store, **ago: timedelta) -> None:
    async with store.db.engine.begin() as conn:
        for source in SOURCES:
            await store_sources.ensure(conn, source_ref(source))
            last = ago.get(source.id.replace("-", "_"))
            if last is not None:
                await store_sources.update(conn, source.id, last_success_at=NOW - last)


def client(
    store: Store, *, scheduler: bool = True, started: timedelta = timedelta(days=1)
) -> httpx.AsyncClient:
    app = app_for(settings(store), store, scheduler_running=lambda: scheduler)
    app.state.site.started_at = NOW - started
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_healthz_answers_while_the_process_runs(sqlite_store: Store) -> None:
    async with client(sqlite_store, scheduler=False) as http:
        response = await http.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_ready_when_every_source_polled_recently(store: Store) -> None:
    await polled(store, kkr_hovedstaden=timedelta(minutes=5), kkr_sjaelland=timedelta(hours=2))
    async with client(store) as http:
        response = await http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"ready": True, "problems": []}


async def test_not_ready_when_a_source_is_stale_or_never_polled(
    sqlite_store: Store,
) -> None:
    await polled(sqlite_store, kkr_hovedstaden=timedelta(hours=3, minutes=1))
    async with client(sqlite_store) as http:
        response = await http.get("/readyz")
    assert response.status_code == 503
    problems = {p["check"]: p["problem"] for p in response.json()["problems"]}
    assert set(problems) == {"source:kkr-hovedstaden", "source:kkr-sjaelland"}
    assert "more than 3:00:00 ago" in problems["source:kkr-hovedstaden"]
    assert problems["source:kkr-sjaelland"] == "never polled successfully"


async def test_a_fresh_process_is_ready_while_first_polls_run(sqlite_store: Store) -> None:
    await polled(sqlite_store)
    async with client(sqlite_store, started=timedelta(minutes=5)) as http:
        assert (await http.get("/readyz")).status_code == 200
    async with client(sqlite_store, started=timedelta(hours=4)) as http:
        assert (await http.get("/readyz")).status_code == 503


async def test_not_ready_without_scheduler_or_database(sqlite_store: Store, tmp_path: Path) -> None:
    await polled(sqlite_store, kkr_hovedstaden=timedelta(0), kkr_sjaelland=timedelta(0))
    async with client(sqlite_store, scheduler=False) as http:
        response = await http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["problems"] == [
        {"check": "scheduler", "problem": "the scheduler is not running"}
    ]
    missing = Store(
        Database(
            create_engine(f"sqlite+aiosqlite:///{tmp_path / 'no' / 'such.db'}?mode=ro&uri=true")
        )
    )
    try:
        app = app_for(settings(sqlite_store), missing)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            response = await http.get("/readyz")
    finally:
        await missing.close()
    assert response.status_code == 503
    assert response.json()["problems"][0]["check"] == "database"


async def test_metrics_report_outbox_depth_and_last_success(sqlite_store: Store) -> None:
    await polled(sqlite_store, kkr_hovedstaden=timedelta(minutes=10))
    await sqlite_store.outbox.enqueue(
        [
            Message(
                message_id=f"m{n}@test",
                kind="digest",
                recipient="a@kommune.dk",
                subject="s",
                body=b"x",
            )
            for n in range(3)
        ],
        now=NOW,
    )
    async with client(sqlite_store) as http:
        response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }
    assert samples[("notifier_outbox_depth", ())] == 3
    key = ("notifier_source_last_success_timestamp_seconds", (("source", "kkr-hovedstaden"),))
    assert abs(samples[key] - (NOW - timedelta(minutes=10)).timestamp()) < 1
    never = ("notifier_source_last_success_timestamp_seconds", (("source", "kkr-sjaelland"),))
    assert samples[never] == 0
    for family in ("polls", "fetch_errors", "items", "messages_sent", "messages_failed"):
        assert f"# TYPE notifier_{family}_total counter" in response.text
