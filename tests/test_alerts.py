from __future__ import annotations

import http.server
import json
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest
import sqlalchemy as sa

from notifier import alerts
from notifier.config import Settings
from notifier.pipeline import source_ref
from notifier.runtime import Runtime
from notifier.store import Store
from notifier.store import sources as store_sources
from notifier.store.schema import outbox, outbox_bodies
from tests.factories import Spec, publish

NOW = datetime(2024, 6, 20, 9, 0, tzinfo=UTC)
SOURCE = {
    "id": "hovedstaden-nyheder",
    "kkr": "hovedstaden",
    "kind": "listing",
    "url": "https://www.kl.dk/politik/kkr/kkr-hovedstaden/nyheder",
    "quiet_period": "30d",
}


def _settings(operator: str = "Drift <drift@example.org>") -> Settings:
    return Settings(
        sources=[SOURCE],
        mail={"operator_address": operator, "list_id": "kkr.example.org"},
        ingest={"failure_alert_after": 3},
    )


async def _set(store: Store, settings: Settings, **values: object) -> None:
    async with store.db.engine.begin() as conn:
        await store_sources.ensure(conn, source_ref(settings.sources[0]))
        await store_sources.update(conn, SOURCE["id"], **values)


async def _check(store: Store, settings: Settings, now: datetime = NOW) -> list[str]:
    composer = Runtime(settings, store=store).composer
    found = await alerts.check(store, settings, composer, now=now)
    return [("recovered " if alert.recovered else "") + alert.key for alert in found]


async def _mails(store: Store) -> list[sa.RowMapping]:
    async with store.db.engine.connect() as conn:
        query = (
            sa.select(outbox, outbox_bodies.c.body)
            .join(outbox_bodies, outbox_bodies.c.outbox_id == outbox.c.id)
            .order_by(outbox.c.id)
        )
        return list((await conn.execute(query)).mappings().all())


async def test_failures_alert_once_then_recovery_once(store: Store) -> None:
    settings = _settings()
    success = NOW - timedelta(hours=5)
    await _set(store, settings, consecutive_failures=2, last_success_at=success)
    assert await _check(store, settings) == []  # below failure_alert_after

    await _set(store, settings, consecutive_failures=3, last_failure_reason="timed out")
    stamp = str(int(success.timestamp()))
    assert await _check(store, settings) == [f"failing:{stamp}"]
    await _set(store, settings, consecutive_failures=7)
    assert await _check(store, settings) == []  # the same incident: no second mail

    await _set(store, settings, consecutive_failures=0, last_success_at=NOW)
    assert await _check(store, settings) == [f"recovered failing:{stamp}"]
    assert await _check(store, settings) == []

    mails = await _mails(store)
    assert [mail["kind"] for mail in mails] == ["alert", "alert"]
    assert {mail["recipient"] for mail in mails} == {"drift@example.org"}
    first = message_from_bytes(mails[0]["body"])
    assert first["Subject"] == "[KKR Notifier] hovedstaden-nyheder: 3 failed polls in a row"
    assert first["Message-ID"] == f"<alert.hovedstaden-nyheder.failing.{stamp}@kkr.example.org>"
    assert "timed out" in first.get_payload(decode=True).decode()
    second = message_from_bytes(mails[1]["body"])
    assert second["In-Reply-To"] == first["Message-ID"]


async def test_broken_replaces_failing_and_suspect_alerts_per_held_result(
    store: Store,
) -> None:
    settings = _settings()
    await _set(store, settings, consecutive_failures=4, last_success_at=None)
    assert await _check(store, settings) == ["failing:0"]
    await _set(store, settings, state="broken", state_reason="listing has no document links")
    assert await _check(store, settings) == ["broken:0"]
    await _set(store, settings, state="suspect", held_fingerprint="a" * 64)
    assert await _check(store, settings) == ["suspect:" + "a" * 16]
    await _set(store, settings, held_fingerprint="b" * 64)
    assert await _check(store, settings) == ["suspect:" + "b" * 16]
    assert await _check(store, settings) == []


async def test_quiet_source_alerts_after_its_quiet_period(store: Store) -> None:
    settings = _settings()
    published = NOW - timedelta(days=29)
    await _set(store, settings, last_published_at=published, last_success_at=NOW)
    assert await _check(store, settings) == []
    later = NOW + timedelta(days=2)
    assert await _check(store, settings, later) == [f"quiet:{int(published.timestamp())}"]
    assert await _check(store, settings, later) == []
    await _set(store, settings, last_published_at=later)
    assert await _check(store, settings, later) == [f"recovered quiet:{int(published.timestamp())}"]


async def test_two_replicas_checking_alike_enqueue_one_mail(store: Store) -> None:
    settings = _settings()
    await _set(store, settings, state="broken", state_reason="x")
    assert await _check(store, settings) == ["broken:0"]
    # A replica that read the row before the first one wrote `alerted` sends the same id again.
    await _set(store, settings, alerted=None)
    assert await _check(store, settings) == ["broken:0"]
    assert len(await _mails(store)) == 1


async def test_without_an_operator_address_alerts_are_only_logged(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(operator="")
    await _set(store, settings, state="broken", state_reason="x")
    assert await _check(store, settings) == ["broken:0"]
    assert await _mails(store) == []
    assert [r.incident for r in caplog.records if r.message == "source alert"] == ["broken:0"]


class _Hooks:
    """A webhook receiver on 127.0.0.1: what Apprise's json:// posts, by path."""

    def __init__(self) -> None:
        received: list[tuple[str, dict[str, object]]] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                received.append((self.path, json.loads(self.rfile.read(length))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.received = received
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def titles(self, path: str) -> list[str]:
        return [str(body.get("title")) for where, body in self.received if where == path]


async def test_chat_hears_when_a_source_breaks_and_recovers(store: Store) -> None:
    hooks = _Hooks()
    try:
        settings = _settings()
        settings.notify.operator_urls = [f"{hooks.url}/drift"]
        settings.notify.secretariat_urls = [f"{hooks.url}/sekretariat"]
        chat = Runtime(settings, store=store).chat
        composer = Runtime(settings, store=store).composer
        await _set(store, settings, state="broken", state_reason="listing has no document links")
        await alerts.check(store, settings, composer, now=NOW, chat=chat)
        await _set(store, settings, state="ok", state_reason=None, last_success_at=NOW)
        await alerts.check(store, settings, composer, now=NOW, chat=chat)
        await alerts.check(store, settings, composer, now=NOW, chat=chat)  # nothing new
        assert hooks.titles("/drift") == [
            "[KKR Notifier] hovedstaden-nyheder: broken (listing has no document links)",
            "[KKR Notifier] hovedstaden-nyheder: recovered",
        ]
        # A document the quality gate holds: the secretariat's chat hears of it once.
        await publish(store, [Spec(title="Punkt", number="1")], problems=["no agenda points found"])
        await alerts.check(store, settings, composer, now=NOW, chat=chat)
        await alerts.check(store, settings, composer, now=NOW, chat=chat)
        [notice] = hooks.titles("/sekretariat")
        assert notice.startswith("Til gennemsyn: Dagsorden KKR Hovedstaden")
    finally:
        hooks.server.shutdown()
        hooks.server.server_close()
