from __future__ import annotations

import asyncio
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import httpx
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
    assert 'lang="da"' in (tmp_path / "web/abonnement.html").read_text()
    assert '<ol class="items">' in (tmp_path / "web/arkiv.html").read_text()
    assert not [line for line in lines if "answered" in line], lines
    assert any(line.startswith("Mails:") and str(tmp_path) in line for line in lines)
    # Started again, it starts fresh instead of finding the first run's subscribers.
    await run_demo(tmp_path, echo=lines.append)
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 3


async def test_demo_serves_and_mails_a_signup(tmp_path: Path) -> None:
    """While it serves, a signup on its web app gets its confirmation mail in the folder."""
    lines: list[str] = []
    mailed = asyncio.Event()
    stop = asyncio.Event()

    def echo(line: str) -> None:
        lines.append(line)
        if line.startswith("Mail:"):
            mailed.set()

    demo = asyncio.create_task(run_demo(tmp_path, serve_for=120, echo=echo, stop=stop))
    try:
        while not any(line.startswith("Serving ") for line in lines):
            await asyncio.wait({demo}, timeout=0.05)
            assert not demo.done(), lines
        summary = next(i for i, line in enumerate(lines) if line.startswith("Mails:"))
        assert summary < len(lines) - 1  # where things are is said before serving, not after
        serving = next(line for line in lines if line.startswith("Serving "))
        base = serving.split()[1].rstrip("/")
        async with httpx.AsyncClient(base_url=base) as client:
            form = await client.get("/abonnement")
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
            assert token
            data = {
                "csrf_token": token.group(1),
                "email": "ny@demo.example",
                "topics": "sundhed",
                "frequency": "daily",
            }
            assert (await client.post("/abonnement", data=data)).status_code == 200
        await asyncio.wait_for(mailed.wait(), 30)
    finally:
        stop.set()
        await demo
    (saved,) = [path for path in (tmp_path / "mail").glob("*.eml") if "ny-demo" in path.name]
    message = message_from_bytes(saved.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == "Bekræft dit abonnement på KKR Notifier"
    assert saved.with_suffix(".html").read_text().count("/abonnement/bekraeft/") == 1


def test_demo_command_has_an_output_option() -> None:
    result = CliRunner().invoke(main, ["demo", "--help"])
    assert result.exit_code == 0
    assert "--out" in result.output
