"""Sends the outbox over SMTP: claimed with a lease, committed as sent right after acceptance.

Exactly once, and the one window left: a message is marked sent in the database right after
the server's 250 reply to DATA. A crash (or SIGKILL) after the server accepted a message but
before that commit leaves it pending, so the next run sends it again. Both copies carry the same
deterministic Message-ID (``digest.<subscriber>.<from>-<to>.<entries hash>@<list-id>``), which
is what lets receiving systems, and our tests, drop the duplicate. Everything else is safe: a
crash before the 250 loses nothing (the message is still pending once its lease runs out, or at
once for a restart on the same host), and a crash after the commit sends nothing twice.

When the database fails instead (read-only, locked, gone), the run stops claiming and sending,
lets the sends under way finish and raises ``StoreError`` for the caller to retry. Messages the
server accepted but that could not be marked sent are kept in memory and marked first thing on
the next run, before anything is claimed, so this process never sends them again.

A 4xx reply to a message, or none to its end of DATA (``smtp.data_timeout``: it may have gone),
retries it later with exponential backoff and counts as one of its ``smtp.max_attempts``; a 5xx
reply fails that one message. A failed digest is not lost: the store puts its items back into the
subscriber's next digest. When the server itself is the problem (no connection, a dropped one,
421), the messages keep their attempts and the whole sender waits, ``smtp.retry_backoff`` at first
and doubling up to ``smtp.outage_max_wait``, for as long as the outage lasts. A claimed message's
lease is renewed when it would run out before or while it is sent, and the message is left alone if
another sender took it over. Connections are kept open across messages and runs
(``smtp.connections``); a shared limiter keeps ``smtp.messages_per_minute``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from notifier import mail, metrics
from notifier.config import Settings
from notifier.errors import (
    ConnectionTrouble,
    PermanentDeliveryError,
    StoreError,
    TemporaryDeliveryError,
)
from notifier.models import OutboxMessage
from notifier.store import Store
from notifier.transport import Transport

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
BATCH_PER_CONNECTION = 25

Clock = Callable[[], datetime]


@dataclass(kw_only=True)
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    disabled: bool = False  # smtp.host is empty: nothing was sent
    unreachable: bool = False  # the server is out; the rest stays pending with its attempts
    waiting: bool = False  # nothing was tried: the sender is waiting out an outage


class _RateLimit:
    def __init__(self, per_minute: int) -> None:
        self._interval = 60.0 / per_minute
        self._next = 0.0

    async def wait(self) -> None:
        now = asyncio.get_running_loop().time()
        slot = max(self._next, now)
        self._next = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)


@dataclass
class _Outage:
    """The server is out: the whole sender waits until ``until``."""

    since: datetime
    until: datetime
    wait: timedelta
    tries: int = 1


@dataclass
class _Run:
    """What the tasks of one run share."""

    report: DeliveryReport
    clock: Clock
    halt: asyncio.Event  # stop claiming and sending: the server or the database failed
    claimed: set[int]
    handled: set[int]  # claimed messages whose outcome is settled (or that were sent)
    errors: list[Exception]  # the database's (or a bug's): raised once the run has wound down

    def failed(self, exc: Exception) -> None:
        self.errors.append(exc)
        self.halt.set()


class Deliverer:
    def __init__(
        self, store: Store, settings: Settings, *, transport: Transport, worker_id: str
    ) -> None:
        self._outbox = store.outbox
        self._transport = transport
        self._smtp = settings.smtp
        self._worker_id = worker_id
        self._sender = mail.addr_spec(settings.mail.from_address)
        self._limit = _RateLimit(self._smtp.messages_per_minute)
        # Claimed messages (a batch queued, a batch in hand) must go well within their lease
        # even at the rate limit.
        at_rate = int(self._smtp.messages_per_minute / 60 * self._smtp.lease / 4)
        self._batch = max(1, min(self._smtp.connections * BATCH_PER_CONNECTION, at_rate))
        # A send is a few commands, each allowed smtp.timeout: renew a lease closer than this;
        # then again while it lasts (the reply to the end of DATA may take smtp.data_timeout).
        self._send_margin = timedelta(seconds=min(4 * self._smtp.timeout, self._smtp.lease / 2))
        self._lease, self._renew_after = timedelta(seconds=self._smtp.lease), self._send_margin / 2
        self._outage: _Outage | None = None
        self._unrecorded: list[int] = []  # accepted by the server, not yet marked sent

    async def run_once(self, *, now: datetime) -> DeliveryReport:
        """Send every message due at ``now``; messages that fail temporarily wait for later.
        Raises StoreError when the database fails (after letting the sends under way end)."""
        report = DeliveryReport()
        if not self._smtp.enabled:
            waiting = await self._outbox.depth()
            log.warning(
                "mail is disabled (smtp.host is empty): sending nothing, %d messages wait in "
                "the outbox",
                waiting,
            )
            report.disabled = True
            return report
        loop = asyncio.get_running_loop()
        started = loop.time()

        def clock() -> datetime:
            # The injected time, moving on as this run takes real time (leases, backoff).
            return now + timedelta(seconds=loop.time() - started)

        if self._unrecorded:
            await self._record_unrecorded(clock())
        if self._outage is not None and now < self._outage.until:
            report.unreachable = report.waiting = True
            return report
        freed = await self._outbox.free_dead_claims(worker_id=self._worker_id, now=now)
        if freed:
            log.info("took over %d messages claimed by a sender that died on this host", freed)
        try:
            await self._pipeline(report, clock)
        finally:
            metrics.record_delivery(report.sent, report.failed)
            self._track_outage(report, clock())
            if report.sent or report.retried or report.failed:
                log.info(
                    "delivered outbox messages",
                    extra={
                        "sent": report.sent,
                        "retried": report.retried,
                        "failed": report.failed,
                    },
                )
        return report

    async def aclose(self) -> None:
        if self._unrecorded:
            log.warning(
                "%d messages the SMTP server accepted could not be marked sent (database "
                "failure): they go again, with the same Message-ID, once their claims run out",
                len(self._unrecorded),
            )
        await self._transport.aclose()

    async def _record_unrecorded(self, now: datetime) -> None:
        """Mark sent what an earlier run could not; until then nothing else is claimed, so a
        message this process already sent is never claimed (and sent) again."""
        ids = list(self._unrecorded)
        await self._outbox.mark_sent(ids, worker_id=self._worker_id, now=now)
        self._unrecorded = []
        log.info("marked sent %d messages accepted before a database failure", len(ids))

    async def _pipeline(self, report: DeliveryReport, clock: Clock) -> None:
        """Claim ahead while the connections send, so sending never waits for the database.

        Every task ends by itself: the producer always closes the queue (also when a claim
        fails), the workers catch the database's errors and then only drain the queue, and
        the committer keeps what it could not mark. Any failure halts the run gracefully.
        """
        run = _Run(
            report=report,
            clock=clock,
            halt=asyncio.Event(),
            claimed=set(),
            handled=set(),
            errors=[],
        )
        connections = self._smtp.connections
        todo: asyncio.Queue[OutboxMessage | None] = asyncio.Queue(
            maxsize=max(self._batch, connections)
        )
        sent: asyncio.Queue[int | None] = asyncio.Queue()
        committer = asyncio.create_task(self._commit_sent(sent, run))
        workers = [
            asyncio.create_task(self._worker(index, todo, sent, run))
            for index in range(connections)
        ]
        producer = asyncio.create_task(self._produce(todo, run))
        try:
            await asyncio.gather(producer, *workers)
        finally:
            for task in (producer, *workers):
                task.cancel()  # only when this run itself is cancelled (a stop cut it short)
            await asyncio.gather(producer, *workers, return_exceptions=True)
            sent.put_nowait(None)
            await committer
        left = sorted(run.claimed - run.handled)
        if left:  # halted: give these back untouched for the next run
            try:
                await self._outbox.release(left, worker_id=self._worker_id)
            except StoreError as exc:
                log.warning("could not give back %d claims (they run out): %s", len(left), exc)
        if run.errors:
            raise run.errors[0]

    async def _produce(self, todo: asyncio.Queue[OutboxMessage | None], run: _Run) -> None:
        try:
            while not run.halt.is_set():
                claimed_at = run.clock()
                batch = await self._outbox.claim(
                    worker_id=self._worker_id,
                    now=claimed_at,
                    lease_until=claimed_at + timedelta(seconds=self._smtp.lease),
                    limit=self._batch,
                )
                if not batch:
                    break
                for message in batch:
                    run.claimed.add(message.id)
                    await todo.put(message)  # waits while the queue is full
        except StoreError as exc:
            log.warning("could not claim messages from the outbox: %s", exc)
            run.failed(exc)
        except Exception as exc:
            log.exception("claiming from the outbox failed")
            run.failed(exc)
        for _ in range(self._smtp.connections):
            await todo.put(None)  # the workers drain the queue, so this never waits long

    async def _worker(
        self,
        index: int,
        todo: asyncio.Queue[OutboxMessage | None],
        sent: asyncio.Queue[int | None],
        run: _Run,
    ) -> None:
        while True:
            message = await todo.get()
            if message is None:
                return
            if run.halt.is_set():
                continue  # left claimed but unhandled: released at the end of the run
            try:
                await self._send(index, message, sent, run)
            except StoreError as exc:
                log.warning("outbox bookkeeping failed: %s", exc)
                run.failed(exc)
            except Exception as exc:  # a bug must not leave the producer waiting on the queue
                log.exception("sending failed", extra={"message_id": message.message_id})
                run.failed(exc)

    async def _send(
        self, lane: int, message: OutboxMessage, sent: asyncio.Queue[int | None], run: _Run
    ) -> None:
        await self._limit.wait()
        if not await self._hold(message, run.clock()):
            run.handled.add(message.id)
            log.warning(
                "lease lost before sending; another sender has the message",
                extra={"message_id": message.message_id},
            )
            return
        report = run.report
        try:
            async with self._outbox.holding(
                message.id, self._worker_id, run.clock, lease=self._lease, first=self._renew_after
            ):
                await self._transport.send(lane, self._sender, message.recipient, message.body)
        except ConnectionTrouble as exc:
            report.unreachable = True
            run.halt.set()
            # Untried as far as the message goes: its attempts stay as they were.
            await self._outbox.postpone(
                [message.id],
                worker_id=self._worker_id,
                error=str(exc),
                next_attempt_at=run.clock() + self._next_outage_wait(),
            )
        except PermanentDeliveryError as exc:
            await self._fail(message, str(exc), report)
        except TemporaryDeliveryError as exc:
            await self._retry(message, str(exc), report, run.clock())
        else:
            report.sent += 1
            sent.put_nowait(message.id)
        run.handled.add(message.id)

    async def _hold(self, message: OutboxMessage, now: datetime) -> bool:
        """Make sure the lease outlasts a send (slow server, long queue): renew it when it
        would not, and say False when it already ran out and another sender took over."""
        if now + self._send_margin < message.claimed_until:
            return True
        return await self._outbox.renew(
            message.id,
            worker_id=self._worker_id,
            lease_until=now + timedelta(seconds=self._smtp.lease),
        )

    async def _retry(
        self, message: OutboxMessage, error: str, report: DeliveryReport, now: datetime
    ) -> None:
        attempts = message.attempts + 1
        if attempts >= self._smtp.max_attempts:
            await self._fail(message, f"gave up after {attempts} tries: {error}", report)
            return
        report.retried += 1
        delay = min(timedelta(seconds=self._smtp.retry_backoff * 2 ** (attempts - 1)), MAX_BACKOFF)
        await self._outbox.mark_retry(
            message.id, worker_id=self._worker_id, error=error, next_attempt_at=now + delay
        )

    async def _fail(self, message: OutboxMessage, error: str, report: DeliveryReport) -> None:
        report.failed += 1
        replayed = await self._outbox.mark_failed(
            message.id, worker_id=self._worker_id, error=error
        )
        log.warning(
            "message failed for good%s",
            "; its items go into the subscriber's next digest" if replayed else "",
            extra={"message_id": message.message_id, "reason": error},
        )

    async def _commit_sent(self, sent: asyncio.Queue[int | None], run: _Run) -> None:
        """Group commit: mark everything accepted so far as sent, as soon as possible. What the
        database refuses is kept for the next run (see ``_record_unrecorded``)."""
        done = False
        while not done:
            ids: list[int] = []
            item = await sent.get()
            while True:
                if item is None:
                    done = True
                    break
                ids.append(item)
                if sent.empty():
                    break
                item = sent.get_nowait()
            if not ids:
                continue
            try:
                await self._outbox.mark_sent(ids, worker_id=self._worker_id, now=run.clock())
            except StoreError as exc:
                log.warning("could not mark %d sent messages as sent: %s", len(ids), exc)
                self._unrecorded += ids
                run.failed(exc)

    def _next_outage_wait(self) -> timedelta:
        longest = timedelta(seconds=self._smtp.outage_max_wait)
        if self._outage is None:
            return min(timedelta(seconds=self._smtp.retry_backoff), longest)
        return min(self._outage.wait * 2, longest)

    def _track_outage(self, report: DeliveryReport, now: datetime) -> None:
        """Start, extend or end the sender-wide wait after a run."""
        if report.unreachable:
            wait = self._next_outage_wait()
            if self._outage is None:
                self._outage = _Outage(since=now, until=now + wait, wait=wait)
                log.warning(
                    "SMTP server unreachable: messages wait with their attempts untouched; "
                    "trying again in %s",
                    wait,
                )
            else:
                outage = self._outage
                outage.until, outage.wait, outage.tries = now + wait, wait, outage.tries + 1
                log.warning(
                    "SMTP server still unreachable (since %s, %d tries); trying again in %s",
                    outage.since.isoformat(timespec="seconds"),
                    outage.tries,
                    wait,
                )
            metrics.set_smtp_unreachable(True)
        elif self._outage is not None:
            log.info("SMTP server reachable again after %s", now - self._outage.since)
            self._outage = None
            metrics.set_smtp_unreachable(False)
