from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

from click.testing import CliRunner

from notifier.cli import main
from notifier.demo import run_demo


async def test_demo_runs_the_whole_chain_offline(tmp_path: Path) -> None:
    lines: list[str] = []
    await run_demo(tmp_path, echo=lines.append)
    mails = sorted((tmp_path / "mail").glob("*.eml"))
    # Three sample subscribers (immediate, daily, weekly), one digest each.
    recipients = {message_from_bytes(path.read_bytes())["To"] for path in mails}
    assert len(mails) == 3, lines
    assert {to.rsplit("<", 1)[-1].rstrip(">") for to in recipients} == {
        "anne@demo.example",
        "jens@demo.example",
        "mia@demo.example",
    }
    assert all(path.with_suffix(".html").read_text().strip() for path in mails)
    assert b"<rss" in (tmp_path / "public/feeds/alle.rss").read_bytes()
    assert (tmp_path / "public/feeds/feeds.opml").exists()
    assert (tmp_path / "web/healthz.txt").read_text().startswith("{")
    assert not [line for line in lines if "answered" in line], lines
    assert any(line.startswith("Mails:") and str(tmp_path) in line for line in lines)
    # Started again, it starts fresh instead of finding the first run's subscribers.
    await run_demo(tmp_path, echo=lines.append)
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 3


def test_demo_command_has_an_output_option() -> None:
    result = CliRunner().invoke(main, ["demo", "--help"])
    assert result.exit_code == 0
    assert "--out" in result.output
