"""Operator alerts: one mail when a source goes wrong, one more when it recovers.

A source is in at most one incident at a time, the worst that applies: broken, suspect, failing
(``failure_alert_after`` failed polls in a row) or quiet (nothing new for longer than its
``quiet_period``). An incident is named ``kind:stamp`` with a stamp read from the source's row
(the last success, the held result's fingerprint, the last publication), so every replica names
it alike. The name is kept in ``sources.alerted`` and is the Message-ID's seed: a replica that
checks at the same moment enqueues the same Message-ID, which the outbox ignores.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from notifier.config import Settings, SourceConfig
from notifier.mail import addr_spec, build_message
from notifier.store import outbox
from notifier.store import sources as store_sources
from notifier.store.sources import SourceState

log = logging.getLogger(__name__)

SUBJECT_PREFIX = "[KKR Notifier]"


@dataclass(frozen=True, kw_only=True)
class Incident:
    kind: str  # broken | suspect | failing | quiet
    stamp: str
    summary: str  # one line for the subject and the log

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.stamp}"


@dataclass(frozen=True, kw_only=True)
class Alert:
    """One alert decided by a check: an incident that began, or one that ended."""

    source_id: str
    key: str  # the incident's name
    recovered: bool
    subject: str


def incident(
    state: SourceState, source: SourceConfig, *, failure_alert_after: int, now: datetime
) -> Incident | None:
    """The incident the source is in now, if any."""
    since_success = _epoch(state.last_success_at)
    if state.state == "broken":
        return Incident(
            kind="broken", stamp=since_success, summary=f"broken ({state.state_reason})"
        )
    if state.state == "suspect":
        # A different held result is a new incident, as it is a new event in the pipeline.
        stamp = (state.held_fingerprint or since_success)[:16]
        return Incident(
            kind="suspect", stamp=stamp, summary=f"changes held back ({state.state_reason})"
        )
    if state.consecutive_failures >= failure_alert_after:
        return Incident(
            kind="failing",
            stamp=since_success,
            summary=f"{state.consecutive_failures} failed polls in a row",
        )
    published = state.last_published_at
    if published is not None and (now - published).total_seconds() > source.quiet_period:
        days = (now - published).days
        return Incident(
            kind="quiet", stamp=_epoch(published), summary=f"nothing new for {days} days"
        )
    return None


async def check(
    engine: AsyncEngine, settings: Settings, *, now: datetime, templates_dir: Path
) -> list[Alert]:
    """Compare each configured source with the incident it was last alerted for; alert changes."""
    renderer = _Renderer(settings, templates_dir)
    alerts: list[Alert] = []
    async with engine.begin() as conn:
        states = {state.id: state for state in await store_sources.all_states(conn)}
        for source in settings.sources:
            state = states.get(source.id)
            if state is None:
                continue  # never polled yet
            current = incident(
                state, source, failure_alert_after=settings.ingest.failure_alert_after, now=now
            )
            if (current.key if current else None) == state.alerted:
                continue
            if current is not None:
                # A worse or newer incident replaces the previous one without a recovery mail.
                alert = await renderer.send(conn, source, state, current, now=now)
            else:
                assert state.alerted is not None
                alert = await renderer.send_recovered(conn, source, state, now=now)
            await store_sources.update(conn, source.id, alerted=current.key if current else None)
            alerts.append(alert)
    return alerts


class _Renderer:
    def __init__(self, settings: Settings, templates_dir: Path) -> None:
        self._settings = settings
        self._template = Environment(
            loader=FileSystemLoader(templates_dir / "email"),
            autoescape=False,  # plain text to an operator
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        ).get_template("alert.txt.j2")

    async def send(
        self,
        conn: AsyncConnection,
        source: SourceConfig,
        state: SourceState,
        current: Incident,
        *,
        now: datetime,
    ) -> Alert:
        subject = f"{SUBJECT_PREFIX} {source.id}: {current.summary}"
        text = self._template.render(
            recovered=False,
            source=source,
            state=state,
            council=source.kkr.danish_name,
            incident=current.summary,
            kind=current.kind,
            reason=state.state_reason or state.last_failure_reason or current.summary,
            quiet_days=round(source.quiet_period / 86400),
        )
        message_id = self._message_id(source.id, current.key)
        await self._enqueue(conn, subject, text, message_id, now=now)
        log.warning(
            "source alert",
            extra={"source": source.id, "incident": current.key, "summary": current.summary},
        )
        return Alert(source_id=source.id, key=current.key, recovered=False, subject=subject)

    async def send_recovered(
        self, conn: AsyncConnection, source: SourceConfig, state: SourceState, *, now: datetime
    ) -> Alert:
        assert state.alerted is not None
        subject = f"{SUBJECT_PREFIX} {source.id}: recovered"
        text = self._template.render(
            recovered=True,
            source=source,
            state=state,
            council=source.kkr.danish_name,
            incident=state.alerted,
            kind="",
            reason="",
            quiet_days=0,
        )
        first = self._message_id(source.id, state.alerted)
        message_id = self._message_id(source.id, state.alerted, suffix=".recovered")
        # Threaded under the incident's first mail, so a mail client shows the pair together.
        headers = {"In-Reply-To": f"<{first}>", "References": f"<{first}>"}
        await self._enqueue(conn, subject, text, message_id, now=now, headers=headers)
        log.info("source recovered", extra={"source": source.id, "incident": state.alerted})
        return Alert(source_id=source.id, key=state.alerted, recovered=True, subject=subject)

    def _message_id(self, source_id: str, key: str, *, suffix: str = "") -> str:
        return f"alert.{source_id}.{key.replace(':', '.')}{suffix}@{self._settings.mail.list_id}"

    async def _enqueue(
        self,
        conn: AsyncConnection,
        subject: str,
        text: str,
        message_id: str,
        *,
        now: datetime,
        headers: dict[str, str] | None = None,
    ) -> None:
        operator = self._settings.mail.operator_address
        if not operator:
            return  # the log line is the alert
        body = build_message(
            sender=self._settings.mail.from_address,
            recipient=operator,
            subject=subject,
            text=text,
            html=None,
            message_id=message_id,
            date=now,
            headers=headers or {},
        )
        await outbox.enqueue(
            conn,
            message_id=message_id,
            kind="alert",
            recipient=addr_spec(operator),
            subject=subject,
            body=body,
            subscriber_id=None,
            now=now,
        )


def _epoch(moment: datetime | None) -> str:
    return str(int(moment.timestamp())) if moment else "0"
