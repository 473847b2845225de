"""A restart across digest.daily_at (or the weekly time) runs that digest once on start, and
only the latest one missed; a start with nothing missed runs none."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from notifier.config import DigestSettings, Settings
from notifier.models import Frequency
from notifier.scheduler import latest_occurrence
from notifier.service import Service
from notifier.store import Store
from tests.factories import Spec, publish, runtime_for
from tests.smtp import Sink, free_port, running_sink
from tests.test_digest import subscribe

REPO = Path(__file__).resolve().parent.parent
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
# Thursday 20 June 2024, 10:00 in Copenhagen: today's 07:00 digest is due, yesterday's ran.
NOW = datetime(2024, 6, 20, 10, 0, tzinfo=COPENHAGEN)
TODAY_0700 = datetime(2024, 6, 20, 7, 0, tzinfo=COPENHAGEN)
YESTERDAY_0700 = TODAY_0700 - timedelta(days=1)
MONDAY_0800 = datetime(2024, 6, 17, 8, 0, tzinfo=COPENHAGEN)


def settings_for(database_url: str, sink: Sink | None = None) -> Settings:
    return Settings(
        database_url=database_url,
        topics_file=REPO / "config" / "topics.toml",
        smtp={
            "host": "127.0.0.1" if sink else "",
            "port": sink.port if sink else 25,
            "security": "none",
        },
        mail={"from_address": "KKR <kkr@example.org>", "list_id": "kkr.example.org"},
        digest={"daily_at": "07:00", "weekly_day": "mon", "weekly_at": "08:00"},
        web={"port": free_port(), "secret_key": "test"},
        service={"send_interval": 0.5, "immediate_interval": 5, "shutdown_timeout": 5},
    )


def test_the_latest_occurrence_of_each_schedule() -> None:
    digest = DigestSettings(daily_at="07:00", weekly_day="mon", weekly_at="08:00")
    assert latest_occurrence(digest, Frequency.DAILY, NOW) == TODAY_0700
    assert latest_occurrence(digest, Frequency.DAILY, TODAY_0700) == TODAY_0700
    early = TODAY_0700 - timedelta(minutes=1)
    assert latest_occurrence(digest, Frequency.DAILY, early) == YESTERDAY_0700
    assert latest_occurrence(digest, Frequency.WEEKLY, NOW) == MONDAY_0800
    monday_early = MONDAY_0800 - timedelta(hours=1)
    assert latest_occurrence(digest, Frequency.WEEKLY, monday_early) == MONDAY_0800 - timedelta(
        days=7
    )
    # Across the change to summer time (31 March 2024): still 07:00 on the wall clock.
    spring = datetime(2024, 3, 31, 12, 0, tzinfo=UTC)
    due = latest_occurrence(digest, Frequency.DAILY, spring)
    assert due.astimezone(COPENHAGEN).strftime("%d %H:%M") == "31 07:00"
    assert due.utcoffset() == timedelta(hours=2)


async def test_catching_up_runs_a_missed_occurrence_once_and_counts_a_first_start_as_done(
    store: Store,
) -> None:
    await subscribe(store, "a@example.org", topics=("all",))
    await publish(store, [Spec(title="Klimaplan", topics=["klima_miljoe"], number="1")])
    url = store.db.engine.url.render_as_string(hide_password=False)
    runner = runtime_for(store, settings_for(url)).digests
    now = NOW.astimezone(UTC)
    # Nothing recorded (a first start, an upgrade): counted as done, not run.
    assert (
        await runner.make_scheduled(
            Frequency.DAILY, due_at=YESTERDAY_0700, now=now, catching_up=True
        )
        is None
    )
    assert await store.schedules.last("daily") == YESTERDAY_0700
    assert await store.outbox.depth() == 0
    # Today's passed while no process ran: run it once.
    assert (
        await runner.make_scheduled(Frequency.DAILY, due_at=TODAY_0700, now=now, catching_up=True)
        == 1
    )
    assert (
        await runner.make_scheduled(Frequency.DAILY, due_at=TODAY_0700, now=now, catching_up=True)
        is None
    )
    assert await store.schedules.last("daily") == TODAY_0700
    # A later recorded run is never moved back.
    await store.schedules.done("daily", due_at=YESTERDAY_0700, now=now)
    assert await store.schedules.last("daily") == TODAY_0700


async def run_service(settings: Settings) -> Service:
    """Start `notifier run` in process at NOW; stop once its start's catch-up has run."""
    service = await Service.open(settings, clock=lambda: NOW.astimezone(UTC))
    stop = asyncio.Event()
    run = asyncio.create_task(service.run(stop=stop))
    deadline = time.monotonic() + 20
    try:
        while not _caught_up(service):
            assert time.monotonic() < deadline, "the service did not catch up"
            await asyncio.sleep(0.1)
        await asyncio.sleep(1)  # a send round or two after it
    finally:
        stop.set()
        await asyncio.wait_for(run, 20)
    return service


def _caught_up(service: Service) -> bool:
    jobs = service.health.jobs()
    return all(
        f"digest:{f}" in jobs and jobs[f"digest:{f}"].last_success for f in ("daily", "weekly")
    )


async def test_a_restart_across_daily_at_sends_that_days_digest_once(
    store: Store, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="notifier")
    for email in ("a@example.org", "b@example.org"):
        await subscribe(store, email, topics=("all",))
    await publish(store, [Spec(title="Klimaplan", topics=["klima_miljoe"], number="1")])
    # The last run was yesterday's (and this week's), before the process went down.
    await store.schedules.done("daily", due_at=YESTERDAY_0700, now=YESTERDAY_0700)
    await store.schedules.done("weekly", due_at=MONDAY_0800, now=MONDAY_0800)

    with running_sink() as sink:
        await run_service(settings_for(database_url, sink))
        assert sorted(r.recipients[0] for r in sink.received) == ["a@example.org", "b@example.org"]
        assert await store.schedules.last("daily") == TODAY_0700
        assert await store.schedules.last("weekly") == MONDAY_0800

        # News after the catch-up waits for tomorrow's 07:00: a second start runs nothing.
        await publish(
            store,
            [Spec(title="Sundhedsaftale", topics=["sundhed"], number="2")],
            title="Dagsorden 2",
        )
        before = len(sink.received)
        await run_service(settings_for(database_url, sink))
        assert len(sink.received) == before
    planned = [r.getMessage() for r in caplog.records if r.getMessage() == "planned daily digests"]
    assert len(planned) == 1
    assert any(r.getMessage().startswith("catching up the daily digest") for r in caplog.records)


async def test_a_run_recorded_ahead_of_the_clock_does_not_skip_the_real_ones(
    store: Store,
) -> None:
    """A daily run recorded while the clock was a month ahead: back at real time, the next
    morning's digest runs (before, every day was skipped as already run, silently, for a
    month), and is then recorded as run, so it does not run twice."""
    settings = Settings(digest={"timezone": "Europe/Copenhagen"}, smtp={"host": "127.0.0.1"})
    runtime = runtime_for(store, settings)
    await subscribe(store, "anne@example.org", topics=("all",))
    ahead = NOW + timedelta(days=30)
    try:
        due = latest_occurrence(settings.digest, Frequency.DAILY, ahead)
        await runtime.digests.make_scheduled(Frequency.DAILY, due_at=due, now=ahead)
        await publish(store, [Spec(title="Klimaplan", topics=["klima_miljoe"], number="1")])
        morning = NOW + timedelta(days=1)
        due = latest_occurrence(settings.digest, Frequency.DAILY, morning)
        first = await runtime.digests.make_scheduled(Frequency.DAILY, due_at=due, now=morning)
        again = await runtime.digests.make_scheduled(Frequency.DAILY, due_at=due, now=morning)
    finally:
        await runtime.aclose()
    assert (first, again) == (1, None)
