"""`notifier run` as a real process: helpers for the end-to-end and replica tests, and the
check that it starts on a fresh machine with nothing but its defaults."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar, TypeVar
from urllib.parse import urlsplit

import httpx
import pytest

from notifier.demo_site import SITE, StaticHandler
from notifier.errors import StoreError
from notifier.models import ALL, Frequency, SubscriberState
from notifier.store import Store
from tests.smtp import free_port

REPO = Path(__file__).resolve().parent.parent
SOURCES = SITE.parent / "sources.toml"
T = TypeVar("T")


class CountingHandler(StaticHandler):
    """Static files; remembers when each path was requested (for the double-poll checks)."""

    requests: ClassVar[dict[str, list[float]]] = {}

    def do_GET(self) -> None:
        self.requests.setdefault(urlsplit(self.path).path, []).append(time.monotonic())
        super().do_GET()


def counting_handler() -> type[CountingHandler]:
    """A handler class with its own request log, so tests do not share one."""
    return type("Counting", (CountingHandler,), {"requests": {}})


def copy_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    return site


DANISH_MONTHS = [
    *("januar", "februar", "marts", "april", "maj", "juni"),
    *("juli", "august", "september", "oktober", "november", "december"),
]


def add_newsletter(site: Path, *, slug: str, title: str, sections: dict[str, str]) -> None:
    """Publish a new KKR Hovedstaden newsletter page and link it first on the news listing."""
    today = datetime.now(UTC).date()
    date = f"{today.day}. {DANISH_MONTHS[today.month - 1]} {today.year}"
    news = site / "politik/kkr/kkr-hovedstaden/flere-nyheder"
    template = (news / "nyhedsbrev-kkr-hovedstaden-juni-2021/index.html").read_text("utf-8")
    head, _, rest = template.partition('<div class="page-hero">')
    _, _, tail = rest.partition("</main>")
    body = "".join(f"<h2>{heading}</h2>\n<p>{text}</p>\n" for heading, text in sections.items())
    article = (
        f'<div class="page-hero">\n<p class="page-hero__date">{date}</p>\n<h1>{title}</h1>\n'
        '<p class="page-hero__lead">KKR Hovedstaden holdt møde i dag.</p>\n</div>\n'
        f'<div class="page-body">\n{body}</div>\n</main>'
    )
    page = news / slug / "index.html"
    page.parent.mkdir()
    page.write_text(head.replace("juni 2021", "") + article + tail, encoding="utf-8")
    listing = news / "index.html"
    html = listing.read_text("utf-8")
    link = (
        f'<li class="news-list__item"><p class="news-list__date">{date}</p> '
        f'<h2><a href="/politik/kkr/kkr-hovedstaden/flere-nyheder/{slug}">{title}</a></h2></li>\n'
    )
    first = html.index('<li class="news-list__item">')
    listing.write_text(html[:first] + link + html[first:], encoding="utf-8")


def write_config(
    path: Path,
    *,
    database_url: str,
    web_port: int,
    site_url: str | None = None,
    source_ids: list[str] | None = None,
    interval: str = "2s",
    smtp_port: int | None = None,
    extra: str = "",
) -> Path:
    """A config for `notifier run` against the fixture site (or no sources at all)."""
    lines = [
        f"database_url = {json.dumps(database_url)}",
        f"data_dir = {json.dumps(str(path.parent / 'data'))}",
        f"topics_file = {json.dumps(str(REPO / 'config/topics.toml'))}",
        'log_level = "DEBUG"',
        "[fetch]\nper_host_delay = 0\nretries = 0\nconnect_timeout = 2\nread_timeout = 5\n"
        'allowed_private_networks = ["127.0.0.0/8"]',
        f"[web]\nport = {web_port}\nbase_url = 'http://127.0.0.1:{web_port}'",
        "[service]\nsend_interval = 1\nimmediate_interval = 2\nalert_interval = 5\n"
        "shutdown_timeout = 10",
    ]
    if smtp_port is not None:
        lines.append(f"[smtp]\nhost = '127.0.0.1'\nport = {smtp_port}\nsecurity = 'none'")
    lines.append(extra)
    if site_url is not None:
        sources = tomllib.loads(SOURCES.read_text("utf-8"))["sources"]
        for source in sources:
            if source_ids is not None and source["id"] not in source_ids:
                continue
            lines.append("[[sources]]")
            source["url"] = source["url"].replace("{base}", site_url)
            source["interval"] = interval
            lines += [f"{key} = {json.dumps(value)}" for key, value in source.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def wait_for(check: Callable[[], T | None], *, timeout: float, what: str, every: float = 0.1) -> T:
    """Poll ``check`` until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


class Running:
    """A `notifier run` subprocess whose JSON log lines are kept in a file."""

    def __init__(self, config: Path, *, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.log_path = config.with_suffix(".log")
        self._log = self.log_path.open("wb")
        self.web = f"http://127.0.0.1:{tomllib.loads(config.read_text())['web']['port']}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "notifier", "--config", str(config), "run"],
            cwd=cwd,
            env={
                **os.environ,
                "PYTHONPATH": str(REPO),
                "NOTIFIER_WEB__SECRET_KEY": "test-secret-key-for-signed-links",
                **(env or {}),
            },
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def logs(self) -> list[dict[str, object]]:
        lines = self.log_path.read_text("utf-8", errors="replace").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def healthy(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"notifier run exited early:\n{self.log_path.read_text()}")
        try:
            return httpx.get(f"{self.web}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_healthy(self, timeout: float = 20) -> None:
        wait_for(self.healthy, timeout=timeout, what="/healthz")

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM, then the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log.close()


@contextmanager
def running(config: Path, *, cwd: Path) -> Iterator[Running]:
    process = Running(config, cwd=cwd)
    try:
        yield process
    finally:
        process.kill()


def add_subscriber(
    database_url: str, email: str, *, frequency: Frequency = Frequency.IMMEDIATE
) -> None:
    """Add an active subscriber next to a running service (retrying while SQLite is busy)."""

    async def add() -> bool:
        store = await Store.open(database_url)
        try:
            await store.subscribers.add(
                email=email,
                name="Test Testesen",
                topics=[ALL],
                councils=[ALL],
                frequency=frequency,
                state=SubscriberState.ACTIVE,
                now=datetime.now(UTC),
            )
        except StoreError:
            return False  # SQLite refuses a read-then-write transaction that raced a writer
        finally:
            await store.close()
        return True

    wait_for(lambda: asyncio.run(add()), timeout=10, what="adding a subscriber")


@pytest.mark.slow
def test_starts_with_defaults_on_a_fresh_machine_and_stops_on_sigterm(tmp_path: Path) -> None:
    """No config file, no sources, no SMTP: it migrates SQLite in data/, serves, and says once
    that mail is disabled."""
    config = tmp_path / "notifier.toml"
    config.write_text(f"[web]\nport = {free_port()}\n", encoding="utf-8")
    shutil.copytree(REPO / "config", tmp_path / "config")
    process = Running(config, cwd=tmp_path, env={"NOTIFIER_LOG_LEVEL": "INFO"})
    try:
        process.wait_healthy()
        assert (tmp_path / "data" / "notifier.db").exists()
        assert process.stop() == 0
    finally:
        process.kill()
    messages = [str(entry["message"]) for entry in process.logs()]
    assert sum(message.startswith("mail is disabled") for message in messages) == 1
    assert "started" in messages
    assert messages[-1] == "stopped"
