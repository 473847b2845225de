"""The jobs of `notifier run` and when they run: APScheduler (3.x) in the service's event loop.

One job per source at its interval; the scheduled digests on cron in the digest timezone; the
immediate digests, the outbox sender and the health check of sources at fixed intervals. Every
job coalesces missed runs into one and never runs twice at once in this process; replicas are
kept apart by leases in the database (see ``service``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from notifier.config import Settings, SourceConfig
from notifier.models import Frequency

# Polls start up to this share of their interval late (at most MAX_JITTER seconds), so sources
# with equal intervals do not all hit kl.dk in the same second.
JITTER_SHARE = 0.1
MAX_JITTER = 60.0
# Every job: missed runs coalesce into one, never two at once, and a run delayed by a busy loop
# still happens (misfire_grace_time=None) instead of being dropped.
_ONCE: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}


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
            id=f"poll:{source.id}",
            name=f"poll {source.id}",
            next_run_time=start_at,
            **_ONCE,
        )
    service = settings.service
    scheduler.add_job(
        jobs.check_alerts,
        IntervalTrigger(seconds=service.alert_interval, timezone=zone),
        id="alerts",
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
        id="digest:daily",
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
        id="digest:weekly",
        name="weekly digests",
        **_ONCE,
    )
    scheduler.add_job(
        jobs.digest,
        IntervalTrigger(seconds=service.immediate_interval, timezone=zone),
        args=[Frequency.IMMEDIATE],
        id="digest:immediate",
        name="immediate digests",
        **_ONCE,
    )
    scheduler.add_job(
        jobs.send,
        IntervalTrigger(seconds=service.send_interval, timezone=zone),
        id="send",
        name="send the outbox",
        **_ONCE,
    )
    return scheduler


def _time(value: str) -> tuple[int, int]:
    hour, minute = value.split(":")
    return int(hour), int(minute)
