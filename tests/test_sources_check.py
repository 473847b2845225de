"""`notifier sources check`: every shipped source, pointed at the fixture site, finds its
documents; a listing whose news links moved is named, with what it links to instead."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from notifier.cli import main
from tests.site import Site


def _check(config: Path, *args: str) -> tuple[int, dict[str, dict[str, object]], str]:
    result = CliRunner().invoke(main, ["--config", str(config), "sources", "check", *args])
    report = json.loads(result.stdout) if "--json" in args else {}
    by_id = {s["id"]: s for s in report.get("sources", [])}
    return result.exit_code, by_id, result.stderr


def test_every_shipped_source_finds_documents_on_the_fixture_site(
    site: Site, tmp_path: Path
) -> None:
    settings = site.settings(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", tmp_path, shipped=True)
    code, found, stderr = _check(tmp_path / "notifier.toml", "--json")
    assert code == 0, stderr
    assert set(found) == {source.id for source in settings.sources}
    for source in found.values():
        assert source["ok"] and source["reachable"] and source["status"] in (200, None)
        newest = source["newest"]
        assert isinstance(newest, dict) and int(newest["items"]) > 0, source
    meeting = found["hovedstaden-moedemateriale"]["newest"]
    assert isinstance(meeting, dict) and meeting["date"]


def test_a_listing_whose_links_moved_is_named_with_what_it_links_to(
    site: Site, tmp_path: Path
) -> None:
    site.settings(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", tmp_path, shipped=True)
    listing = site.root / "politik/kkr/kkr-syddanmark/flere-nyheder/index.html"
    html = listing.read_text(encoding="utf-8")
    listing.write_text(html.replace("/flere-nyheder/", "/artikler/"), encoding="utf-8")
    code, found, stderr = _check(
        tmp_path / "notifier.toml", "--source", "syddanmark-nyheder", "--json"
    )
    assert code == 1
    assert found["syddanmark-nyheder"]["documents"] == 0
    assert "syddanmark-nyheder: finds no documents" in stderr
    assert "/politik/kkr/kkr-syddanmark/artikler/" in stderr
