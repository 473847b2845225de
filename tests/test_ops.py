"""/healthz, /readyz and /metrics of the web app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from notifier.config import Settings, SourceConfig
from notifier.health import JobHealth
from notifier.models import Council, Message, SourceKind
from notifier.pipeline import source_ref
from notifier.store import Store
from notifier.store import sources as store_sources
from notifier.store.db import Database, create_engine
from notifier.web.app import create_app
from tests.factories import app_for, runtime_for

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


TOKEN = "status-token-for-tests"
DETAILS = {"Authorization": f"Bearer {TOKEN}"}


def settings(store: Store) -> Settings:
    return Settings(
        database_url=store.db.engine.url.render_as_string(hide_password=False),
        topics_file=TOPICS_FILE,
        sources=SOURCES,
        web={"status_token": TOKEN},
    )


async def polled(store: Store, **ago: timedelta) -> None:
    async with store.db.engine.begin() as conn:
        for source in SOURCES:
            await store_sources.ensure(conn, source_ref(source))
            last = ago.get(source.id.replace("-", "_"))
            if last is not None:
                await store_sources.update(conn, source.id, last_success_at=NOW - last)


def client(
    store: Store,
    *,
    scheduler: bool = True,
    started: timedelta = timedelta(days=1),
    health: JobHealth | None = None,
) -> httpx.AsyncClient:
    app = create_app(
        runtime_for(store, settings(store)),
        scheduler_running=lambda: scheduler,
        health=health,
    )
    app.state.site.started_at = NOW - started
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_healthz_answers_while_the_process_runs(sqlite_store: Store) -> None:
    async with client(sqlite_store, scheduler=False) as http:
        response = await http.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_ready_when_sources_polled_recently_and_the_public_body_says_only_that(
    store: Store,
) -> None:
    await polled(store, kkr_hovedstaden=timedelta(minutes=5), kkr_sjaelland=timedelta(hours=2))
    async with client(store) as http:
        public = await http.get("/readyz")
        wrong = await http.get("/readyz", headers={"Authorization": "Bearer guess"})
        detailed = await http.get("/readyz", headers=DETAILS)
    assert public.status_code == 200 and public.json() == {"ready": True}
    assert wrong.json() == {"ready": True}
    body = detailed.json()
    assert body["ready"] is True and body["problems"] == []
    assert [(s["id"], s["fresh"]) for s in body["sources"]] == [
        ("kkr-hovedstaden", True),
        ("kkr-sjaelland", True),
    ]


async def test_one_failing_source_is_an_alert_not_unreadiness(sqlite_store: Store) -> None:
    await polled(sqlite_store, kkr_hovedstaden=timedelta(minutes=5))
    async with client(sqlite_store) as http:
        response = await http.get("/readyz", headers=DETAILS)
    assert response.status_code == 200
    fresh = {s["id"]: s["fresh"] for s in response.json()["sources"]}
    assert fresh == {"kkr-hovedstaden": True, "kkr-sjaelland": False}


async def test_not_ready_when_no_source_succeeded_within_three_intervals(
    sqlite_store: Store,
) -> None:
    await polled(sqlite_store, kkr_hovedstaden=timedelta(hours=3, minutes=1))
    async with client(sqlite_store) as http:
        public = await http.get("/readyz")
        detailed = await http.get("/readyz", headers=DETAILS)
    assert public.status_code == 503 and public.json() == {"ready": False}
    assert detailed.json()["problems"] == [
        {
            "check": "sources",
            "problem": "no source has polled successfully within 3 of its intervals",
        }
    ]


async def test_a_fresh_process_is_ready_while_first_polls_run(sqlite_store: Store) -> None:
    await polled(sqlite_store)
    async with client(sqlite_store, started=timedelta(minutes=5)) as http:
        assert (await http.get("/readyz")).status_code == 200
    async with client(sqlite_store, started=timedelta(hours=4)) as http:
        assert (await http.get("/readyz")).status_code == 503


async def test_not_ready_while_a_core_job_fails_and_ready_once_it_runs_again(
    sqlite_store: Store,
) -> None:
    await polled(sqlite_store, kkr_hovedstaden=timedelta(0), kkr_sjaelland=timedelta(0))
    health = JobHealth()
    health.failed("alerts", now=NOW, reason="StoreError: database error: locked")
    async with client(sqlite_store, health=health) as http:
        assert (await http.get("/readyz")).status_code == 200  # alerts are not a core job
        health.succeeded("send", now=NOW)
        health.failed("send", now=NOW, reason="StoreError: database error: read-only")
        health.failed("send", now=NOW, reason="StoreError: database error: read-only")
        response = await http.get("/readyz", headers=DETAILS)
        assert response.status_code == 503
        [problem] = response.json()["problems"]
        assert problem["check"] == "job:send"
        assert problem["problem"].startswith("failed 2 times in a row")
        assert response.json()["jobs"]["send"]["failures"] == 2
        health.succeeded("send", now=NOW)
        assert (await http.get("/readyz")).status_code == 200


async def test_not_ready_without_scheduler_or_database(sqlite_store: Store, tmp_path: Path) -> None:
    await polled(sqlite_store, kkr_hovedstaden=timedelta(0), kkr_sjaelland=timedelta(0))
    async with client(sqlite_store, scheduler=False) as http:
        response = await http.get("/readyz", headers=DETAILS)
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
            response = await http.get("/readyz", headers=DETAILS)
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


async def test_metrics_report_each_jobs_failures_and_last_success(sqlite_store: Store) -> None:
    health = JobHealth()
    health.succeeded("poll:kkr-sjaelland", now=NOW)
    health.failed("send", now=NOW, reason="StoreError: read-only")
    health.failed("send", now=NOW, reason="StoreError: read-only")
    async with client(sqlite_store, health=health) as http:
        response = await http.get("/metrics")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }
    assert samples[("notifier_job_consecutive_failures", (("job", "send"),))] == 2
    assert samples[("notifier_job_consecutive_failures", (("job", "poll:kkr-sjaelland"),))] == 0
    poll = ("notifier_job_last_success_timestamp_seconds", (("job", "poll:kkr-sjaelland"),))
    assert abs(samples[poll] - NOW.timestamp()) < 1
    assert ("notifier_smtp_unreachable", ()) in samples


async def test_a_success_recorded_ahead_of_the_clock_is_not_fresh(store: Store) -> None:
    """Stamped while the clock was a month ahead (a machine resumed with a bad clock): back at
    real time it says nothing of polls now, and /readyz must not count it as fresh until then.
    A few seconds ahead (replicas' clocks differ) still counts."""
    await polled(store, kkr_hovedstaden=-timedelta(days=30))
    async with client(store) as http:
        ahead = await http.get("/readyz", headers=DETAILS)
    await polled(store, kkr_hovedstaden=-timedelta(seconds=20))
    async with client(store) as http:
        skewed = await http.get("/readyz", headers=DETAILS)
    assert ahead.status_code == 503, ahead.json()
    assert skewed.status_code == 200, skewed.json()
