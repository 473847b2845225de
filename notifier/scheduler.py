"""The jobs of `notifier run` and when they run: APScheduler (3.x) in the service's event loop.

One job per source at its interval; the scheduled digests on cron in the digest timezone; the
immediate digests, the outbox sender and the health check of sources at fixed intervals. Every
job coalesces missed runs into one and never runs twice at once in this process; replicas are
kept apart by leases in the database (see ``service``). A scheduled digest whose time passed
while no process ran is caught up on start: ``latest_occurrence`` says which one was due.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from notifier.config import DigestSettings, Settings, SourceConfig
from notifier.models import Frequency

# Polls start up to this share of their interval late (at most MAX_JITTER seconds), so sources
# with equal intervals do not all hit kl.dk in the same second.
JITTER_SHARE = 0.1
MAX_JITTER = 60.0
# Every job: missed runs coalesce into one, never two at once, and a run delayed by a busy loop
# still happens (misfire_grace_time=None) instead of being dropped.
_ONCE: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
SCHEDULED = (Frequency.DAILY, Frequency.WEEKLY)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SEND = "send"
ALERTS = "alerts"


def poll_job(source_id: str) -> str:
    return f"poll:{source_id}"


def digest_job(frequency: Frequency) -> str:
    return f"digest:{frequency.value}"


class Jobs(Protocol):
    async def poll(self, source: SourceConfig) -> None: ...
    async def digest(self, frequency: Frequency) -> None: ...
    async def send(self) -> None: ...
    async def check_alerts(self) -> None: ...


def create_scheduler(
    settings: Settings, jobs: Jobs, *, mail: bool, start_at: datetime
) -> AsyncIOScheduler:
    """A scheduler (not yet started) with every job; polls first run at ``start_at``."""
    zone = ZoneInfo(settings.digest.timezone)
    scheduler = AsyncIOScheduler(timezone=zone)
    for source in settings.sources:
        scheduler.add_job(
            jobs.poll,
            IntervalTrigger(
                seconds=source.interval,
                jitter=min(source.interval * JITTER_SHARE, MAX_JITTER),
                timezone=zone,
            ),
            args=[source],
            id=poll_job(source.id),
            name=f"poll {source.id}",
            next_run_time=start_at,
            **_ONCE,
        )
    service = settings.service
    scheduler.add_job(
        jobs.check_alerts,
        IntervalTrigger(seconds=service.alert_interval, timezone=zone),
        id=ALERTS,
        name="check sources for operator alerts",
        **_ONCE,
    )
    if not mail:
        return scheduler  # no digests are planned while mail cannot be sent
    daily_hour, daily_minute = _time(settings.digest.daily_at)
    weekly_hour, weekly_minute = _time(settings.digest.weekly_at)
    scheduler.add_job(
        jobs.digest,
        CronTrigger(hour=daily_hour, minute=daily_minute, timezone=zone),
        args=[Frequency.DAILY],
        id=digest_job(Frequency.DAILY),
        name="daily digests",
        **_ONCE,
    )
    scheduler.add_job(
        jobs.digest,
        CronTrigger(
            day_of_week=settings.digest.weekly_day,
            hour=weekly_hour,
            minute=weekly_minute,
            timezone=zone,
        ),
        args=[Frequency.WEEKLY],
        id=digest_job(Frequency.WEEKLY),
        name="weekly digests",
        **_ONCE,
    )
    scheduler.add_job(
        jobs.digest,
        IntervalTrigger(seconds=service.immediate_interval, timezone=zone),
        args=[Frequency.IMMEDIATE],
        id=digest_job(Frequency.IMMEDIATE),
        name="immediate digests",
        **_ONCE,
    )
    scheduler.add_job(
        jobs.send,
        IntervalTrigger(seconds=service.send_interval, timezone=zone),
        id=SEND,
        name="send the outbox",
        **_ONCE,
    )
    return scheduler


def latest_occurrence(settings: DigestSettings, frequency: Frequency, now: datetime) -> datetime:
    """The newest time at or before ``now`` when the daily or weekly digest was due."""
    zone = ZoneInfo(settings.timezone)
    local = now.astimezone(zone)
    if frequency is Frequency.DAILY:
        hour, minute = _time(settings.daily_at)
        back = 0
    elif frequency is Frequency.WEEKLY:
        hour, minute = _time(settings.weekly_at)
        back = (local.weekday() - WEEKDAYS.index(settings.weekly_day)) % 7
    else:
        raise ValueError(f"{frequency.value} digests have no schedule of their own")
    step = 1 if frequency is Frequency.DAILY else 7
    day = local.date() - timedelta(days=back)
    while True:
        due = datetime.combine(day, time(hour, minute), tzinfo=zone)
        if due <= now:
            return due
        day -= timedelta(days=step)


def _time(value: str) -> tuple[int, int]:
    hour, minute = value.split(":")
    return int(hour), int(minute)
