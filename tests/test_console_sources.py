"""The console's sources page against the kl.dk look-alike on 127.0.0.1: "poll now" shows what a
poll did and a failing source's error; and `notifier console link` signs in without mail."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from notifier.cli import main
from notifier.config import Settings
from notifier.store import Store
from notifier.web.app import create_app
from tests.console_client import (
    ADMIN,
    SECRET,
    TOPICS_FILE,
    asgi_client,
    follow,
    post_form,
    sign_in,
)
from tests.factories import app_for, runtime_for
from tests.site import Site

SOURCE = "sjaelland-nyheder"


def _settings(site: Site, store: Store, tmp_path: Path) -> Settings:
    polled = site.settings(store.db.engine.url.render_as_string(), tmp_path)
    return Settings(
        database_url=polled.database_url,
        topics_file=TOPICS_FILE,
        fetch=polled.fetch,
        sources=[polled.source(SOURCE)],
        smtp={"host": "127.0.0.1", "port": 25, "security": "none"},
        web={"base_url": "http://testserver", "secret_key": SECRET},
        admin={"addresses": [ADMIN]},
    )


async def test_poll_now_shows_what_the_poll_did_and_why_a_source_fails(
    site: Site, sqlite_store: Store, tmp_path: Path
) -> None:
    settings = _settings(site, sqlite_store, tmp_path)
    # The runtime is closed at the end: its pipeline runs an extraction worker process.
    async with (
        runtime_for(sqlite_store, settings) as runtime,
        asgi_client(create_app(runtime)) as admin,
    ):
        await sign_in(admin, sqlite_store)
        before = await admin.get("/admin/kilder")
        assert "Ikke hentet endnu" in before.text

        polled = await post_form(admin, "/admin/kilder", f"/admin/kilder/{SOURCE}/hent")
        assert polled.status_code == 303
        page = await admin.get(polled.headers["location"])
        assert f"{SOURCE}: hentet;" in page.text
        state = await sqlite_store.sources.get(SOURCE)
        assert state is not None and state.last_success_at is not None

        site.fault("/politik/kkr/kkr-sjaelland/flere-nyheder", "500")
        failed = await post_form(admin, "/admin/kilder", f"/admin/kilder/{SOURCE}/hent")
        page = await admin.get(failed.headers["location"])
        assert f"{SOURCE}: fejlede;" in page.text and "500" in page.text
        state = await sqlite_store.sources.get(SOURCE)
        assert state is not None and state.consecutive_failures == 1

        unknown = await post_form(admin, "/admin/kilder", "/admin/kilder/ingen-kilde/hent")
        assert unknown.status_code == 404
        actions = [e.action for e in await sqlite_store.admin.log(target=f"source:{SOURCE}")]
        assert actions == ["source.poll", "source.poll"]


async def test_a_printed_link_signs_in_without_mail(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "notifier.toml"
    url = sqlite_store.db.engine.url.render_as_string()
    config.write_text(
        f'database_url = "{url}"\n[web]\nbase_url = "http://testserver"\n'
        f'[admin]\naddresses = ["{ADMIN}"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("NOTIFIER_WEB__SECRET_KEY", SECRET)

    def cli(*args: str) -> Result:  # the CLI runs its own event loop: give it a thread
        return CliRunner().invoke(main, ["--config", str(config), *args])

    refused = await asyncio.to_thread(cli, "console", "link", "x@y.dk")
    assert refused.exit_code == 2 and "not in admin.addresses" in refused.output
    printed = await asyncio.to_thread(cli, "console", "link", ADMIN)
    assert printed.exit_code == 0, printed.output
    link = printed.output.strip()
    assert link.startswith("http://testserver/admin/log-ind/")

    settings = Settings(
        database_url=url,
        topics_file=TOPICS_FILE,
        web={"base_url": "http://testserver", "secret_key": SECRET},
        admin={"addresses": [ADMIN]},
    )
    async with asgi_client(app_for(settings, sqlite_store)) as client:
        await follow(client, link)
        home = await client.get("/admin")
    assert home.status_code == 200 and f"Logget ind som <strong>{ADMIN}" in home.text
    assert await sqlite_store.send_log.messages() == []  # no mail was queued
