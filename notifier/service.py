"""`notifier run`: the one process — scheduler, pipeline, digests, outbox, alerts and web app.

Everything shares one event loop: APScheduler runs the jobs (see ``scheduler``) and uvicorn serves
the web app. SIGTERM or SIGINT stops it: no new jobs start, running polls are cancelled at once
(they may be waiting minutes for a retry or a Retry-After), running sends get
``service.shutdown_timeout`` seconds to finish, then whatever is left is cancelled. That is safe
because a poll writes in one transaction at its end and a message is marked sent only after the
SMTP server took it, so the next run repeats cut-short work (a message whose send was cut short
after the server accepted it may go out twice; never zero times).

No job stops for good on an error: a run that fails (the database read-only or locked for a
while, a bug) is logged, recorded in ``health`` (which /readyz and /metrics report) and run
again after ``service.retry_backoff`` seconds, doubling with each failure in a row up to
``service.retry_max_wait``, unless its next regular run comes sooner. Locks a job holds are
released when it fails, so one failing job never blocks another. On start, a daily or weekly
digest whose time passed while no process ran is run once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from apscheduler.triggers.date import DateTrigger

from notifier import alerts, metrics
from notifier.config import Settings, SourceConfig
from notifier.errors import StoreError
from notifier.health import JobHealth
from notifier.models import Frequency
from notifier.runtime import Runtime
from notifier.scheduler import (
    ALERTS,
    SCHEDULED,
    SEND,
    create_scheduler,
    digest_job,
    latest_occurrence,
    poll_job,
)
from notifier.web.app import create_app

Clock = Callable[[], datetime]

log = logging.getLogger(__name__)


class _WebServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """The service handles SIGTERM/SIGINT itself, to stop the jobs before the web app."""
        yield


class Service:
    def __init__(self, runtime: Runtime, *, clock: Clock | None = None) -> None:
        """``clock``: the time jobs see (digests, sends); tests inject one. The scheduler's
        own triggers follow the real clock."""
        self.runtime = runtime
        self.settings: Settings = runtime.settings
        self.worker_id = runtime.worker_id
        self.health = JobHealth()
        self._clock: Clock = clock or (lambda: datetime.now(UTC))
        self._mail = runtime.settings.smtp.enabled
        self._inflight: set[asyncio.Task[Any]] = set()
        self._polls: set[asyncio.Task[Any]] = set()
        self._stopping = False
        self._immediate_due = False
        self._immediate_lock = asyncio.Lock()
        self._send_lock = asyncio.Lock()
        self.scheduler = create_scheduler(
            self.settings, self, mail=self._mail, start_at=datetime.now(UTC)
        )

    @classmethod
    async def open(cls, settings: Settings, *, clock: Clock | None = None) -> Service:
        """Migrate the database and build every part; nothing runs until ``run``."""
        runtime = Runtime(settings)
        await runtime.open()
        classifier = runtime.classifier
        changed = await runtime.store.item_topics.reclassify_if_stale(
            classifier.classify_item,
            topics_version=classifier.version,
            owner=runtime.worker_id,
            now=(clock or (lambda: datetime.now(UTC)))(),
        )
        if changed is not None:
            log.info(
                "reclassified stored items for new topic definitions", extra={"changed": changed}
            )
        return cls(runtime, clock=clock)

    # The jobs (see ``scheduler.Jobs``), each run under ``_guarded``.

    async def poll(self, source: SourceConfig) -> None:
        await self._guarded(poll_job(source.id), lambda: self._poll(source))

    async def digest(self, frequency: Frequency) -> None:
        if frequency is Frequency.IMMEDIATE:
            await self._guarded(digest_job(frequency), self._immediate)
        else:
            await self._guarded(digest_job(frequency), lambda: self._scheduled(frequency))

    async def send(self) -> None:
        if self._mail:
            await self._guarded(SEND, self._send)

    async def check_alerts(self) -> None:
        await self._guarded(ALERTS, self._check_alerts)

    async def _poll(self, source: SourceConfig) -> None:
        async with self._running(), self._cut_short_by_stop(source):
            # Half an interval: a replica that polled the source since the last tick wins.
            summary = await self.runtime.pipeline.poll(source, min_gap=source.interval / 2)
            metrics.record_poll(source.id, summary)
            if summary.changed and self._mail:
                self._spawn(self.digest(Frequency.IMMEDIATE))
            if summary.state != "skipped":
                await self.check_alerts()

    async def _scheduled(self, frequency: Frequency, *, catching_up: bool = False) -> None:
        async with self._running():
            now = self._now()
            await self.runtime.digests.make_scheduled(
                frequency,
                due_at=latest_occurrence(self.settings.digest, frequency, now),
                now=now,
                catching_up=catching_up,
            )
        await self.send()

    async def _send(self) -> None:
        async with self._running(), self._send_lock:
            await self.runtime.deliverer.run_once(now=self._now())

    async def _check_alerts(self) -> None:
        async with self._running():
            await alerts.check(
                self.runtime.store,
                self.settings,
                self.runtime.composer,
                now=self._now(),
                chat=self.runtime.chat,
            )
            if self._mail:
                self._spawn(self.send())

    async def _immediate(self) -> None:
        """Plan and send immediate digests; calls during a round make it go round once more."""
        self._immediate_due = True
        if self._immediate_lock.locked():
            return
        async with self._running(), self._immediate_lock:
            while self._immediate_due and not self._stopping:
                self._immediate_due = False
                await self.runtime.digests.make(Frequency.IMMEDIATE, now=self._now())
                await self.send()

    async def _catch_up(self) -> None:
        """Run each scheduled digest whose latest time passed while no process ran."""
        for frequency in SCHEDULED:
            await self._catch_up_one(frequency)

    async def _catch_up_one(self, frequency: Frequency) -> None:
        # A catch-up that fails is retried as a catch-up (its own one-off job), not by
        # bringing the regular run forward: the two differ when no run was ever recorded.
        await self._guarded(
            digest_job(frequency),
            functools.partial(self._scheduled, frequency, catching_up=True),
            retry=functools.partial(self._retry_catch_up, frequency),
        )

    def _retry_catch_up(self, frequency: Frequency, wait: timedelta) -> None:
        if not self._stopping:
            self.scheduler.add_job(
                self._catch_up_one,
                DateTrigger(run_date=datetime.now(UTC) + wait),
                args=[frequency],
                id=f"catch-up:{frequency.value}",
                name=f"catch up the {frequency.value} digest",
                replace_existing=True,
            )

    # Failures.

    async def _guarded(
        self,
        job: str,
        work: Callable[[], Awaitable[None]],
        *,
        retry: Callable[[timedelta], None] | None = None,
    ) -> None:
        """Run one job: record how it went, and after a failure make it run again soon
        (``retry``, given the wait; by default the job's next regular run comes sooner)."""
        try:
            await work()
        except Exception as exc:
            now = self._now()
            failures = self.health.failed(job, now=now, reason=f"{type(exc).__name__}: {exc}")
            wait = self._retry_wait(failures)
            extra = {"job": job, "failures": failures, "retry_in": wait.total_seconds()}
            if isinstance(exc, StoreError):
                log.warning("job failed on a database error: %s", exc, extra=extra)
            else:
                log.error("job failed", exc_info=exc, extra=extra)
            (retry or functools.partial(self._retry_soon, job))(wait)
        else:
            ended = self.health.succeeded(job, now=self._now())
            if ended:
                log.info("job recovered", extra={"job": job, "failures": ended})

    def _retry_wait(self, failures: int) -> timedelta:
        service = self.settings.service
        seconds = min(service.retry_backoff * 2 ** min(failures - 1, 32), service.retry_max_wait)
        return timedelta(seconds=seconds)

    def _retry_soon(self, job: str, wait: timedelta) -> None:
        """Bring the job's next run forward to ``wait`` from now (real time, as the scheduler
        keeps it), unless it runs sooner anyway."""
        if self._stopping:
            return
        scheduled = self.scheduler.get_job(job)
        if scheduled is None or scheduled.next_run_time is None:
            return
        when = datetime.now(UTC) + wait
        if when < scheduled.next_run_time:
            scheduled.modify(next_run_time=when)

    # Lifecycle.

    async def run(self, *, stop: asyncio.Event | None = None) -> None:
        """Run until SIGTERM/SIGINT (or ``stop`` is set), then stop cleanly and close."""
        stop = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        server = _WebServer(
            uvicorn.Config(
                create_app(
                    self.runtime,
                    scheduler_running=self._scheduling,
                    health=self.health,
                    send_outbox=self.send,
                ),
                host=self.settings.web.host,
                port=self.settings.web.port,
                log_config=None,  # logs go through our JSON handler
                access_log=False,
                proxy_headers=True,
                forwarded_allow_ips=self.settings.web.forwarded_allow_ips,
                timeout_graceful_shutdown=5,
            )
        )
        try:
            self.scheduler.start()
            web = asyncio.create_task(server.serve(), name="web")
            self._log_start()
            if self._mail:
                self._spawn(self._catch_up())
            stopped = asyncio.create_task(stop.wait())
            await asyncio.wait({web, stopped}, return_when=asyncio.FIRST_COMPLETED)
            log.info("stopping", extra={"running_jobs": len(self._inflight)})
            await self._stop_jobs()
            server.should_exit = True
            await web
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
            await self.aclose()
        log.info("stopped")

    async def _stop_jobs(self) -> None:
        self._stopping = True
        self.scheduler.pause()  # no new runs; shutdown() would cancel the running ones
        for poll in self._polls:
            poll.cancel()  # see _cut_short_by_stop
        running = {task for task in self._inflight if task is not asyncio.current_task()}
        if running:
            _, late = await asyncio.wait(running, timeout=self.settings.service.shutdown_timeout)
            for task in late:
                task.cancel()
            if late:
                log.warning("cut short running jobs", extra={"jobs": len(late)})
                await asyncio.gather(*late, return_exceptions=True)
        self.scheduler.shutdown(wait=False)

    async def aclose(self) -> None:
        await self.runtime.aclose()

    def _scheduling(self) -> bool:
        return bool(self.scheduler.running) and not self._stopping

    def _log_start(self) -> None:
        if not self._mail:
            log.warning(
                "mail is disabled: no SMTP host is configured ([smtp] host or "
                "NOTIFIER_SMTP__HOST); sources are polled and feeds published, but no "
                "digests are planned and nothing is sent (operator alerts appear in this log)"
            )
        log.info(
            "started",
            extra={
                "sources": len(self.settings.sources),
                "database": self.runtime.store.describe(),
                "web": f"http://{self.settings.web.host}:{self.settings.web.port}",
                "worker": self.worker_id,
            },
        )

    @contextlib.asynccontextmanager
    async def _running(self) -> AsyncIterator[None]:
        """Count the current task as a running job, which a stop lets finish."""
        task = asyncio.current_task()
        if task is None or task in self._inflight:
            yield
            return
        self._inflight.add(task)
        try:
            yield
        finally:
            self._inflight.discard(task)

    @contextlib.asynccontextmanager
    async def _cut_short_by_stop(self, source: SourceConfig) -> AsyncIterator[None]:
        """A stop cancels polls at once rather than waiting out their fetch delays, retries and
        Retry-After (minutes): a poll writes once, at its end, so the next run repeats it."""
        task = asyncio.current_task()
        assert task is not None
        self._polls.add(task)
        try:
            yield
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            log.info("poll cut short by the stop", extra={"source": source.id})
        finally:
            self._polls.discard(task)

    def _spawn(self, job: Coroutine[Any, Any, None]) -> None:
        """Start a follow-up job (digests after a poll) that a stop waits for like the others."""
        if self._stopping:
            job.close()
            return
        task = asyncio.create_task(job)
        self._inflight.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._inflight.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("job failed", exc_info=task.exception())

    def _now(self) -> datetime:
        return self._clock()
