from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from notifier.config import Settings, SourceConfig
from notifier.models import Frequency
from notifier.scheduler import create_scheduler

START = datetime(2024, 6, 20, 10, 0, tzinfo=UTC)  # a Thursday, 12:00 in Copenhagen
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


class _Jobs:
    async def poll(self, source: SourceConfig) -> None: ...
    async def digest(self, frequency: Frequency) -> None: ...
    async def send(self) -> None: ...
    async def check_alerts(self) -> None: ...


def _settings() -> Settings:
    return Settings(
        sources=[
            {
                "id": "a",
                "kkr": "sjaelland",
                "kind": "listing",
                "url": "http://x/a",
                "interval": 600,
            },
            {"id": "b", "kkr": "sjaelland", "kind": "feed", "url": "http://x/b", "interval": 2},
        ],
        digest={"daily_at": "07:30", "weekly_day": "mon", "weekly_at": "08:00"},
    )


def test_a_poll_job_per_source_never_twice_at_once() -> None:
    scheduler = create_scheduler(_settings(), _Jobs(), mail=True, start_at=START)
    job = scheduler.get_job("poll:a")
    assert job.args[0].id == "a"
    assert job.max_instances == 1
    assert job.coalesce is True
    assert job.trigger.interval.total_seconds() == 600
    assert job.trigger.jitter == 60  # 10% of the interval
    assert scheduler.get_job("poll:b").trigger.jitter == 0.2
    assert job.next_run_time == START  # the first poll is at start


def test_digests_follow_copenhagen_time_across_daylight_saving() -> None:
    scheduler = create_scheduler(_settings(), _Jobs(), mail=True, start_at=START)
    daily = scheduler.get_job("digest:daily").trigger
    summer = daily.get_next_fire_time(None, START)
    assert summer.astimezone(COPENHAGEN).strftime("%H:%M") == "07:30"
    assert summer.utcoffset().total_seconds() == 7200
    winter = daily.get_next_fire_time(None, datetime(2024, 12, 1, tzinfo=UTC))
    assert winter.astimezone(COPENHAGEN).strftime("%H:%M") == "07:30"
    assert winter.utcoffset().total_seconds() == 3600
    weekly = scheduler.get_job("digest:weekly").trigger.get_next_fire_time(None, START)
    assert weekly.astimezone(COPENHAGEN).strftime("%a %H:%M") == "Mon 08:00"
    assert {job.id for job in scheduler.get_jobs()} >= {"digest:immediate", "send", "alerts"}


def test_without_mail_only_polls_and_alert_checks_run() -> None:
    scheduler = create_scheduler(_settings(), _Jobs(), mail=False, start_at=START)
    assert {job.id for job in scheduler.get_jobs()} == {"poll:a", "poll:b", "alerts"}
