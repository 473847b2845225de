"""`notifier poll --once`, `release` and `reclassify` as operators' scripts call them."""

from __future__ import annotations

import asyncio
import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from notifier.cli import main
from notifier.models import Event, EventType
from notifier.store import Store
from tests.site import Site

POLL_KEYS = {
    "id",
    "requests",
    "not_modified",
    "documents_new",
    "documents_changed",
    "items_new",
    "items_changed",
    "items_removed",
    "errors",
}


@pytest.fixture
def config(site: Site, tmp_path: Path) -> Path:
    site.settings(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", tmp_path)
    return tmp_path / "notifier.toml"


def events(config: Path, tmp_path: Path) -> list[Event]:
    async def read() -> list[Event]:
        store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
        try:
            return await store.archive.since(0)
        finally:
            await store.close()

    return asyncio.run(read())


def test_poll_json_is_the_documented_contract(config: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(config), "poll", "--once", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert len(report["sources"]) == len(tomllib.loads(config.read_text())["sources"])
    for source in report["sources"]:
        assert set(source) >= POLL_KEYS
        assert source["errors"] == []
    assert sum(s["items_new"] for s in report["sources"]) > 50

    again = CliRunner().invoke(
        main, ["--config", str(config), "poll", "--once", "--json", "--source", "sjaelland-nyheder"]
    )
    [source] = json.loads(again.output)["sources"]
    assert source["id"] == "sjaelland-nyheder"
    # A new process asks for robots.txt once; everything else is a 304.
    assert source["requests"] == source["not_modified"] + 1 > 1


def test_poll_exits_1_when_a_source_fails(site: Site, config: Path) -> None:
    site.fault("/politik/kkr/kkr-nordjylland/flere-nyheder", "404")
    result = CliRunner().invoke(main, ["--config", str(config), "poll", "--once"])
    assert result.exit_code == 1
    assert "nordjylland-nyheder: failed" in result.output
    assert "HTTP 404" in result.output


def test_poll_needs_once(config: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(config), "poll"])
    assert result.exit_code == 2 and "notifier run" in result.output


def test_an_unknown_source_is_a_config_error(config: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(config), "poll", "--once", "--source", "x"])
    assert result.exit_code == 2 and "no source with id 'x'" in result.output


def test_a_tillaegsdagsorden_changes_its_meeting(config: Path, tmp_path: Path) -> None:
    CliRunner().invoke(main, ["--config", str(config), "poll", "--once"])
    meeting_events = [e for e in events(config, tmp_path) if e.type.value.startswith("meeting.")]
    nordjylland = [e for e in meeting_events if e.payload.council == "nordjylland"]
    # The agenda opens the meeting; its minutes and the tillægsdagsorden each change it.
    assert [e.type for e in nordjylland] == [
        EventType.MEETING_NEW,
        EventType.MEETING_CHANGED,
        EventType.MEETING_CHANGED,
    ]
    reasons = sorted(str(e.payload.reason) for e in nordjylland[1:])
    assert "Referat" in reasons[0] and "Tillægsdagsorden" in reasons[1]


def test_reclassify_tells_only_about_items_whose_topics_changed(
    config: Path, tmp_path: Path
) -> None:
    CliRunner().invoke(main, ["--config", str(config), "poll", "--once"])
    first = CliRunner().invoke(main, ["--config", str(config), "reclassify", "--json"])
    assert json.loads(first.output)["changed"] == 0
    # A secretariat adds a topic: items about DM i Skills now also match it.
    topics = tmp_path / "topics.toml"
    topics.write_text(
        Path("config/topics.toml").read_text(encoding="utf-8")
        + '\n[skills]\nname = "DM i Skills"\nterms = { "dm i skills" = 3 }\n',
        encoding="utf-8",
    )
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(str(Path("config/topics.toml").resolve()), str(topics)), encoding="utf-8"
    )
    second = CliRunner().invoke(main, ["--config", str(config), "reclassify", "--json"])
    report = json.loads(second.output)
    reclassified = [e for e in events(config, tmp_path) if e.type is EventType.ITEM_RECLASSIFIED]
    assert report["changed"] == len(reclassified) > 0
    assert all("skills" in e.snapshot.topic_ids for e in reclassified)
    assert all(e.snapshot.old and "skills" not in e.snapshot.old.topic_ids for e in reclassified)
    third = CliRunner().invoke(main, ["--config", str(config), "reclassify", "--json"])
    assert json.loads(third.output)["changed"] == 0


def test_release_applies_a_held_poll(site: Site, config: Path, tmp_path: Path) -> None:
    CliRunner().invoke(main, ["--config", str(config), "poll", "--once"])
    result = CliRunner().invoke(main, ["--config", str(config), "release", "sjaelland-nyheder"])
    assert result.exit_code == 0
    assert result.output.startswith("sjaelland-nyheder: released; polled: ok")
    discard = CliRunner().invoke(
        main, ["--config", str(config), "release", "sjaelland-nyheder", "--discard"]
    )
    assert discard.output.startswith("sjaelland-nyheder: discarded; polled: ok")
