"""`notifier classify` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from notifier.cli import main

TOPICS = Path(__file__).resolve().parent.parent / "config" / "topics.toml"


def run(stdin: str, *args: str) -> tuple[int, list[dict[str, object]], str]:
    result = CliRunner().invoke(main, ["classify", "--topics", str(TOPICS), *args], input=stdin)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line]
    return result.exit_code, lines, result.stderr


def test_classifies_json_lines() -> None:
    stdin = (
        json.dumps({"id": "a", "title": "Ny sundhedsaftale", "text": "Aftalen med regionen."})
        + "\n"
        + json.dumps({"id": 7, "title": "Godkendelse af dagsorden", "text": ""})
        + "\n"
    )
    code, lines, _ = run(stdin)
    assert code == 0
    assert lines[0]["id"] == "a"
    assert lines[0]["topics"] == ["sundhed"]
    assert lines[0]["scores"]["sundhed"] > 0  # type: ignore[index]
    assert lines[0]["evidence"]["sundhed"][0] == {  # type: ignore[index]
        "term": "sundhedsaftale*",
        "matched": "sundhedsaftale",
        "where": "title",
    }
    assert lines[1] == {"id": 7, "topics": [], "scores": {}, "evidence": {}}


def test_bad_lines_are_reported_and_skipped() -> None:
    stdin = 'not json\n{"title": "no id"}\n\n{"id": "ok", "title": "Movia"}\n'
    code, lines, stderr = run(stdin)
    assert code == 1
    assert [line["id"] for line in lines] == ["ok"]
    assert "line 1: not valid JSON" in stderr
    assert "line 2:" in stderr and '"id"' in stderr


def test_a_deeply_nested_line_is_reported_and_later_lines_go_through() -> None:
    stdin = "[" * 100_000 + "]" * 100_000 + '\n{"id": "after", "title": "Movia"}\n'
    code, lines, stderr = run(stdin)
    assert code == 1
    assert [line["id"] for line in lines] == ["after"]
    assert "line 1: not valid here: nested too deeply" in stderr


def test_bad_topics_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "topics.toml"
    path.write_text('[x]\nname = "X"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["classify", "--topics", str(path)], input="")
    assert result.exit_code == 2
    assert "x.terms" in result.stderr


def test_a_date_of_entry_into_force_is_no_topic() -> None:
    """ "træder i kraft": "kraft" is not an OCR reading of "kræft" (short stems match as spelt)."""
    stdin = json.dumps({"id": "x", "title": "Budget", "text": "Aftalen træder i kraft 1. maj."})
    code, lines, _ = run(stdin + "\n")
    assert code == 0
    assert lines == [{"id": "x", "topics": [], "scores": {}, "evidence": {}}]


def test_topics_are_listed_strongest_first() -> None:
    stdin = json.dumps(
        {
            "id": "y",
            "title": "Kollektiv trafik",
            "text": "Elbusser skal mindske CO2-udledningen fra busserne.",
        }
    )
    _, lines, _ = run(stdin + "\n")
    (line,) = lines
    assert line["topics"] == ["trafik_infrastruktur", "klima_miljoe"]
    scores = line["scores"]
    assert isinstance(scores, dict)
    assert scores["trafik_infrastruktur"] > scores["klima_miljoe"]
