"""What an operator deploying it relies on: secrets from files, placeholder keys refused,
config paths relative to the config file, and backups taken while the service runs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from notifier.cli import main
from notifier.config import load_settings
from notifier.demo_site import SiteServer
from notifier.errors import ConfigError
from notifier.store import Store
from notifier.store.schema import items, outbox, subscribers
from tests.smtp import free_port, running_sink
from tests.test_service_process import (
    Running,
    add_newsletter,
    add_subscriber,
    copy_site,
    wait_for,
    write_config,
)

KEY = "k" * 40


def test_secrets_and_other_settings_come_from_files_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "key").write_text(KEY + "\n")
    (tmp_path / "password").write_text("hemmelig")
    monkeypatch.setenv("NOTIFIER_WEB__SECRET_KEY_FILE", str(tmp_path / "key"))
    monkeypatch.setenv("NOTIFIER_SMTP__PASSWORD_FILE", str(tmp_path / "password"))
    settings = load_settings(Path("config/notifier.toml"))
    assert settings.web.secret_key.get_secret_value() == KEY
    assert settings.smtp.password.get_secret_value() == "hemmelig"
    monkeypatch.setenv("NOTIFIER_WEB__SECRET_KEY", KEY)
    with pytest.raises(ConfigError, match="both"):
        load_settings(Path("config/notifier.toml"))
    monkeypatch.delenv("NOTIFIER_WEB__SECRET_KEY")
    monkeypatch.setenv("NOTIFIER_WEB__SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(Path("config/notifier.toml"))


@pytest.mark.parametrize("key", ["change-me-to-a-long-random-value", "kort-nøgle"])
def test_the_service_refuses_a_placeholder_or_short_key(
    monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.setenv("NOTIFIER_WEB__SECRET_KEY", key)
    result = CliRunner().invoke(main, ["--config", "config/notifier.toml", "run"])
    assert result.exit_code == 2
    assert "web.secret_key: a placeholder or a short key" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_paths_in_the_config_are_relative_to_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "topics.toml").write_text(Path("config/topics.toml").read_text(encoding="utf-8"))
    (folder / "notifier.toml").write_text(
        'database_url = "sqlite+aiosqlite:///state/notifier.db"\n'
        'data_dir = "state"\ntopics_file = "topics.toml"\n'
    )
    elsewhere = tmp_path / "cron"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = load_settings(folder / "notifier.toml")
    assert settings.database_url == f"sqlite+aiosqlite:///{folder / 'state' / 'notifier.db'}"
    assert settings.data_dir == folder / "state" and settings.topics_file == folder / "topics.toml"
    result = CliRunner().invoke(main, ["--config", str(folder / "notifier.toml"), "reclassify"])
    assert result.exit_code == 0, result.output
    assert (folder / "state" / "notifier.db").exists()


async def _counts(url: str) -> tuple[int, int, int]:
    store = await Store.open(url)
    try:
        async with store.db.engine.connect() as conn:
            return tuple(  # type: ignore[return-value]
                [
                    int(await conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0)
                    for table in (subscribers, items, outbox)
                ]
            )
    finally:
        await store.close()


@pytest.mark.slow
def test_a_backup_taken_while_the_service_runs_restores_into_a_working_service(
    tmp_path: Path,
) -> None:
    site_root = copy_site(tmp_path)
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}"
    backup = tmp_path / "backups" / "notifier.db"
    with SiteServer(site_root) as site, running_sink() as sink:
        config = write_config(
            tmp_path / "notifier.toml",
            database_url=database_url,
            web_port=free_port(),
            site_url=site.url,
            source_ids=["hovedstaden-nyheder", "hovedstaden-moedemateriale"],
            interval="2s",
            smtp_port=sink.port,
        )
        process = Running(config, cwd=tmp_path)
        try:
            process.wait_healthy()
            feed = f"{process.web}/feeds/alle.rss"
            wait_for(lambda: "<item>" in httpx.get(feed, timeout=5).text, timeout=30, what="items")
            for n in range(3):
                add_subscriber(database_url, f"p{n}@example.dk")
            add_newsletter(
                site_root,
                slug="nyhedsbrev-kkr-hovedstaden-ny",
                title="Nyhedsbrev KKR Hovedstaden, nyt møde",
                sections={
                    "Ny aftale om akutpladser og genoptræning": "KKR Hovedstaden godkendte en "
                    "fælles aftale om akutpladser og genoptræning efter udskrivning fra hospital."
                },
            )
            wait_for(lambda: len(sink.received) >= 3, timeout=30, what="digests")
            before = asyncio.run(_counts(database_url))
            result = CliRunner().invoke(main, ["--config", str(config), "backup", str(backup)])
            assert result.exit_code == 0, result.output
        finally:
            process.stop()
        assert before[0] == 3 and before[1] > 0 and before[2] >= 3
        # A new home: restore into an empty database there, and run the service on it.
        restored_url = f"sqlite+aiosqlite:///{tmp_path / 'restored' / 'notifier.db'}"
        moved = write_config(
            tmp_path / "restored.toml",
            database_url=restored_url,
            web_port=free_port(),
            site_url=site.url,
            source_ids=["hovedstaden-nyheder", "hovedstaden-moedemateriale"],
            interval="1h",
            smtp_port=sink.port,
        )
        result = CliRunner().invoke(main, ["--config", str(moved), "restore", "--yes", str(backup)])
        assert result.exit_code == 0, result.output
        assert asyncio.run(_counts(restored_url)) == before
        again = Running(moved, cwd=tmp_path)
        try:
            again.wait_healthy()
            assert "<item>" in httpx.get(f"{again.web}/feeds/alle.rss", timeout=5).text
        finally:
            again.stop()
    assert CliRunner().invoke(main, ["--config", str(config), "backup", str(backup)]).exit_code == 1
