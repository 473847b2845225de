"""`notifier extract` through click's CliRunner on fixture files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from notifier.cli import main

SITE = Path(__file__).resolve().parents[1] / "notifier" / "demo_data" / "site"
AGENDA = SITE / "media/24712/dagsorden-kkr-hovedstaden-19-april-2021.pdf"
ITEM_KEYS = {
    "key",
    "number",
    "title",
    "text",
    "case_number",
    "indstilling",
    "beslutning",
    "procedural",
}


def test_json_shape() -> None:
    result = CliRunner().invoke(main, ["extract", str(AGENDA), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    document = payload["document"]
    assert {"url", "kind", "title", "date", "meeting", "council", "supplementary"} <= set(document)
    assert document["kind"] == "agenda" and document["council"] == "hovedstaden"
    assert document["date"] == "2021-04-19"
    assert document["meeting"]["starts_at"] == "2021-04-19T10:00:00+02:00"
    assert document["supplementary"] is False
    assert all(set(item) == ITEM_KEYS for item in payload["items"])
    assert [item["key"] for item in payload["items"]][:3] == ["1.1", "1.2", "2.1"]
    assert "æ" in result.output  # ensure_ascii=False


def test_summary_for_a_site_directory() -> None:
    page = SITE / "politik/kkr/kkr-syddanmark/flere-nyheder/nyhedsbrev-kkr-syddanmark-november-2022"
    result = CliRunner().invoke(main, ["extract", str(page)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Nyhedsbrev KKR Syddanmark, november 2022")
    assert "3 items" in result.output and "Oplev DM i Skills" in result.output


def test_extract_error_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(AGENDA.read_bytes()[:3000])
    result = CliRunner().invoke(main, ["extract", str(broken)])
    assert result.exit_code == 1
    assert "error:" in result.output
    assert "Traceback" not in result.output
