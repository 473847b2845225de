"""Acceptance: `notifier run` against the fixture site and a real SMTP server.

A newsletter published on the (copied) site reaches the feeds and an immediate subscriber's
mailbox within one poll interval; SIGTERM then ends the process with exit code 0.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from notifier.demo_site import SiteServer
from tests.smtp import free_port, running_sink
from tests.test_service_process import (
    Running,
    add_newsletter,
    add_subscriber,
    copy_site,
    wait_for,
    write_config,
)

INTERVAL = 2.0
HEADING = "Ny aftale om akutpladser og genoptræning"


@pytest.mark.slow
def test_a_new_newsletter_reaches_feeds_and_mailbox_within_one_interval(tmp_path: Path) -> None:
    site_root = copy_site(tmp_path)
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}"
    with SiteServer(site_root) as site, running_sink() as sink:
        config = write_config(
            tmp_path / "notifier.toml",
            database_url=database_url,
            web_port=free_port(),
            site_url=site.url,
            source_ids=["hovedstaden-nyheder", "hovedstaden-moedemateriale"],
            interval=f"{INTERVAL}s",
            smtp_port=sink.port,
        )
        process = Running(config, cwd=tmp_path)
        try:
            process.wait_healthy()
            feed = f"{process.web}/feeds/alle.rss"

            def feed_has(text: str) -> bool:
                return text in httpx.get(feed, timeout=5).text

            wait_for(lambda: feed_has("Rekruttering"), timeout=20, what="the first poll's items")
            add_subscriber(database_url, "politiker@example.dk")

            add_newsletter(
                site_root,
                slug="nyhedsbrev-kkr-hovedstaden-ny",
                title="Nyhedsbrev KKR Hovedstaden, nyt møde",
                sections={
                    HEADING: "KKR Hovedstaden godkendte en fælles aftale om akutpladser og "
                    "genoptræning efter udskrivning fra hospital.",
                    "Praktikpladser til social- og sundhedselever": "Kommunerne vil oprette "
                    "flere praktikpladser til social- og sundhedsassistentelever.",
                },
            )
            published = time.monotonic()
            wait_for(lambda: feed_has(HEADING), timeout=3 * INTERVAL, what="the feed entry")
            in_feed = time.monotonic() - published

            def mailed() -> bool:
                return any(
                    HEADING in str(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
                    for message in sink.to("politiker@example.dk")
                )

            wait_for(mailed, timeout=3 * INTERVAL, what="the immediate digest")
            in_mail = time.monotonic() - published
            print(
                f"new newsletter: in the feed after {in_feed:.1f} s, mailed after {in_mail:.1f} s"
            )
            # One interval, plus the jitter and the time a poll and a send take.
            assert in_mail < INTERVAL * 1.1 + 2

            assert process.stop() == 0
        finally:
            process.kill()
    messages = [entry["message"] for entry in process.logs()]
    assert "stopped" in messages
    assert not [entry for entry in process.logs() if entry["level"] in ("ERROR", "CRITICAL")]
