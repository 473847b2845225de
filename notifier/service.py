"""`notifier run`: the one process — scheduler, pipeline, digests, outbox, alerts and web app.

Everything shares one event loop: APScheduler runs the jobs (see ``scheduler``) and uvicorn serves
the web app. SIGTERM or SIGINT stops it: no new jobs start, running polls are cancelled at once
(they may be waiting minutes for a retry or a Retry-After), running sends get
``service.shutdown_timeout`` seconds to finish, then whatever is left is cancelled. That is safe
because a poll writes in one transaction at its end and a message is marked sent only after the
SMTP server took it, so the next run repeats cut-short work (a message whose send was cut short
after the server accepted it may go out twice; never zero times).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Coroutine, Iterator
from datetime import UTC, datetime
from typing import Any

import uvicorn

from notifier import alerts, metrics
from notifier.config import Settings, SourceConfig
from notifier.models import Frequency
from notifier.runtime import Runtime
from notifier.scheduler import create_scheduler
from notifier.web.app import create_app

log = logging.getLogger(__name__)


class _WebServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """The service handles SIGTERM/SIGINT itself, to stop the jobs before the web app."""
        yield


class Service:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings: Settings = runtime.settings
        self.worker_id = runtime.worker_id
        self._mail = runtime.settings.smtp.enabled
        self._inflight: set[asyncio.Task[Any]] = set()
        self._polls: set[asyncio.Task[Any]] = set()
        self._stopping = False
        self._immediate_due = False
        self._immediate_lock = asyncio.Lock()
        self._send_lock = asyncio.Lock()
        self.scheduler = create_scheduler(
            self.settings, self, mail=self._mail, start_at=self._now()
        )

    @classmethod
    async def open(cls, settings: Settings) -> Service:
        """Migrate the database and build every part; nothing runs until ``run``."""
        runtime = Runtime(settings)
        await runtime.open()
        classifier = runtime.classifier
        changed = await runtime.store.item_topics.reclassify_if_stale(
            classifier.classify_item,
            topics_version=classifier.version,
            owner=runtime.worker_id,
            now=cls._now(),
        )
        if changed is not None:
            log.info(
                "reclassified stored items for new topic definitions", extra={"changed": changed}
            )
        return cls(runtime)

    # The jobs (see ``scheduler.Jobs``).

    async def poll(self, source: SourceConfig) -> None:
        async with self._running(), self._cut_short_by_stop(source):
            # Half an interval: a replica that polled the source since the last tick wins.
            summary = await self.runtime.pipeline.poll(source, min_gap=source.interval / 2)
            metrics.record_poll(source.id, summary)
            if summary.changed and self._mail:
                self._spawn(self.digest(Frequency.IMMEDIATE))
            if summary.state != "skipped":
                await self.check_alerts()

    async def digest(self, frequency: Frequency) -> None:
        if frequency is Frequency.IMMEDIATE:
            await self._immediate()
            return
        async with self._running():
            await self.runtime.digests.make(frequency, now=self._now())
            await self.send()

    async def send(self) -> None:
        if not self._mail:
            return
        async with self._running(), self._send_lock:
            await self.runtime.deliverer.run_once(now=self._now())

    async def check_alerts(self) -> None:
        async with self._running():
            await alerts.check(
                self.runtime.store, self.settings, self.runtime.composer, now=self._now()
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

    # Lifecycle.

    async def run(self, *, stop: asyncio.Event | None = None) -> None:
        """Run until SIGTERM/SIGINT (or ``stop`` is set), then stop cleanly and close."""
        stop = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        server = _WebServer(
            uvicorn.Config(
                create_app(self.runtime, scheduler_running=self._scheduling),
                host=self.settings.web.host,
                port=self.settings.web.port,
                log_config=None,  # logs go through our JSON handler
                access_log=False,
                timeout_graceful_shutdown=5,
            )
        )
        try:
            self.scheduler.start()
            web = asyncio.create_task(server.serve(), name="web")
            self._log_start()
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

    @staticmethod
    def _now() -> datetime:
        return datetime.now(UTC)
