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

from notifier.chat import Chat
from notifier.compose import ALERT_PREFIX, Composer
from notifier.config import Settings, SourceConfig
from notifier.models import Message, SourceState
from notifier.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Incident:
    kind: str  # broken | suspect | failing | empty | quiet
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
    if state.last_success_at is not None and state.found_documents == 0:
        # Read fine, but its page leads to nothing the link pattern takes: a wrong address or
        # pattern (or a redesign before anything was stored). Waiting for the quiet period
        # would hide a source that never worked.
        return Incident(
            kind="empty",
            stamp="0",  # one incident for as long as it lasts
            summary="its page leads to no documents (check url and link_pattern)",
        )
    published = state.last_published_at
    if published is not None and (now - published).total_seconds() > source.quiet_period:
        days = (now - published).days
        return Incident(
            kind="quiet", stamp=_epoch(published), summary=f"nothing new for {days} days"
        )
    return None


async def check(
    store: Store,
    settings: Settings,
    composer: Composer,
    *,
    now: datetime,
    chat: Chat | None = None,
) -> list[Alert]:
    """Compare each configured source with the incident it was last alerted for; alert changes."""
    alerts: list[Alert] = []
    states = {state.id: state for state in await store.sources.states()}
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
            alert, message = _began(composer, settings, source, state, current, now)
        else:
            alert, message = _ended(composer, settings, source, state, now)
        recorded = await store.sources.record_alert(
            source.id,
            previous=state.alerted,
            alerted=current.key if current else None,
            message=message,
            now=now,
        )
        if not recorded:
            continue  # another replica told of it
        alerts.append(alert)
        if chat is not None:
            text = f"{source.kkr.danish_name}: {source.url}"
            if current is not None:
                text = f"{current.summary}. {text}"
            await chat.operator(alert.subject, text)
    if chat is not None and chat.wants("secretariat"):
        await _review_notices(store, chat, base_url=settings.web.base_url)
    return alerts


async def _review_notices(store: Store, chat: Chat, *, base_url: str) -> None:
    """Tell the secretariat's chat of each document newly held for review, once."""
    for held in await store.review.unannounced():
        reasons = "; ".join(held.reasons)
        title = f"Til gennemsyn: {held.title}"
        body = (
            f"{held.council.danish_name} · {held.url}\nHvorfor: {reasons}\n"
            f"Se listen med `notifier review` eller i konsollen: {base_url}/admin"
        )
        if await store.review.announced(held.id) and not await chat.secretariat(title, body):
            log.warning("review notice not delivered", extra={"document": held.id})


def _began(
    composer: Composer,
    settings: Settings,
    source: SourceConfig,
    state: SourceState,
    current: Incident,
    now: datetime,
) -> tuple[Alert, Message | None]:
    summary = f"{source.id}: {current.summary}"
    message = composer.alert(
        summary=summary,
        context={
            "recovered": False,
            "source": source,
            "state": state,
            "council": source.kkr.danish_name,
            "incident": current.summary,
            "kind": current.kind,
            "reason": state.state_reason or state.last_failure_reason or current.summary,
            "quiet_days": round(source.quiet_period / 86400),
        },
        message_id=_message_id(settings, source.id, current.key),
        now=now,
    )
    log.warning(
        "source alert",
        extra={"source": source.id, "incident": current.key, "summary": current.summary},
    )
    alert = Alert(
        source_id=source.id, key=current.key, recovered=False, subject=f"{ALERT_PREFIX} {summary}"
    )
    return alert, message


def _ended(
    composer: Composer, settings: Settings, source: SourceConfig, state: SourceState, now: datetime
) -> tuple[Alert, Message | None]:
    assert state.alerted is not None
    first = _message_id(settings, source.id, state.alerted)
    summary = f"{source.id}: recovered"
    message = composer.alert(
        summary=summary,
        context={
            "recovered": True,
            "source": source,
            "state": state,
            "council": source.kkr.danish_name,
            "incident": state.alerted,
            "kind": "",
            "reason": "",
            "quiet_days": 0,
        },
        message_id=_message_id(settings, source.id, state.alerted, suffix=".recovered"),
        now=now,
        # Threaded under the incident's first mail, so a mail client shows the pair together.
        headers={"In-Reply-To": f"<{first}>", "References": f"<{first}>"},
    )
    log.info("source recovered", extra={"source": source.id, "incident": state.alerted})
    return Alert(
        source_id=source.id, key=state.alerted, recovered=True, subject=f"{ALERT_PREFIX} {summary}"
    ), message


def _message_id(settings: Settings, source_id: str, key: str, *, suffix: str = "") -> str:
    return f"alert.{source_id}.{key.replace(':', '.')}{suffix}@{settings.mail.list_id}"


def _epoch(moment: datetime | None) -> str:
    return str(int(moment.timestamp())) if moment else "0"
