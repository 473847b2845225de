"""`notifier demo`: the whole chain, offline, in about a minute.

It serves the bundled kl.dk look-alike on 127.0.0.1, polls it once with a temporary config,
writes the feeds, gives a few sample subscribers their digests through the outbox into a mail
folder (a transport that saves every message as .eml and .html instead of sending it), saves a
few pages of the web app, and says where everything is. Nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import shutil
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from html import escape
from pathlib import Path

import httpx
import uvicorn
from pydantic import SecretStr

import notifier
from notifier import feeds, resources
from notifier.cli.feeds import write_files
from notifier.config import load_settings
from notifier.demo_site import SiteServer
from notifier.models import ALL, Frequency
from notifier.pipeline import SourceSummary
from notifier.runtime import Runtime
from notifier.subscriptions import normalize_email
from notifier.web.app import create_app

SOURCES = Path(notifier.__file__).parent / "demo_data" / "sources.toml"
# Pages of the web app saved as files, so they can be looked at after the demo has ended.
WEB_PAGES = {
    "index.html": "/",
    "abonnement.html": "/abonnement",
    "arkiv.html": "/arkiv",
    "healthz.txt": "/healthz",
    "alle.rss": "/feeds/alle.rss",
}
# While the web app is served, mail from it (confirmations) is sent this often.
SEND_EVERY = 1.0


@dataclass(frozen=True, kw_only=True)
class SampleSubscriber:
    name: str
    email: str
    topics: tuple[str, ...]  # topic ids; () for every topic
    councils: tuple[str, ...]  # council ids; () for every council
    frequency: Frequency


def samples(topic_ids: list[str]) -> list[SampleSubscriber]:
    """Subscribers who differ in topics, councils and frequency, as real ones would."""
    first, second, *_ = [*topic_ids, *topic_ids]
    return [
        SampleSubscriber(
            name="Anne Sørensen",
            email="anne@demo.example",
            topics=(),
            councils=("hovedstaden",),
            frequency=Frequency.IMMEDIATE,
        ),
        SampleSubscriber(
            name="Jens Østergaard",
            email="jens@demo.example",
            topics=(first,),
            councils=(),
            frequency=Frequency.DAILY,
        ),
        SampleSubscriber(
            name="Mia Ålund",
            email="mia@demo.example",
            topics=(first, second),
            councils=("sjaelland", "syddanmark", "nordjylland"),
            frequency=Frequency.WEEKLY,
        ),
    ]


@dataclass
class MailFolder:
    """A transport that saves each message as NN-recipient.eml and .html instead of sending."""

    directory: Path
    saved: list[Path] = field(default_factory=list)

    async def send(self, lane: int, sender: str, recipient: str, body: bytes) -> None:
        number = len(self.saved) + 1
        stem = f"{number:02d}-{re.sub(r'[^a-z0-9]+', '-', recipient.lower())}"
        (self.directory / f"{stem}.eml").write_bytes(body)
        (self.directory / f"{stem}.html").write_text(_as_html(body), encoding="utf-8")
        self.saved.append(self.directory / f"{stem}.eml")

    async def aclose(self) -> None:
        return None


def _as_html(data: bytes) -> str:
    parsed = message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    html = parsed.get_body(preferencelist=("html",))
    if html is not None:
        return str(html.get_content())
    text = parsed.get_body(preferencelist=("plain",))
    return f"<pre>{escape(str(text.get_content()) if text else '')}</pre>"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(path: Path, *, site: str, web_port: int, out: Path) -> None:
    """A config for the demo: the fixture sources, a fresh database; mail goes to a folder
    (``smtp.host`` only switches mail on, nothing connects to it)."""
    topics = resources.default_topics_file()
    sources = SOURCES.read_text(encoding="utf-8").replace("{base}", site)
    path.write_text(
        f"""# Written by `notifier demo`; safe to delete.
database_url = "sqlite+aiosqlite:///{(out / "data" / "notifier.db").as_posix()}"
data_dir = "{(out / "data").as_posix()}"
topics_file = "{topics.resolve().as_posix()}"

[fetch]
per_host_delay = 0
retries = 0
# The demo's kl.dk look-alike runs on this machine.
allowed_private_networks = ["127.0.0.0/8"]

[ingest]
# The demo's first poll is all it has: mail it, to show the digests (a real deployment lets
# a new source's back catalogue go to the archive and feeds only).
mail_first_poll = true

[smtp]
host = "mail-folder.invalid"
security = "none"

[mail]
from_address = "KKR Notifier (demo) <kkr-notifier@demo.example>"
list_id = "demo.kkr-notifier.example"

[web]
host = "127.0.0.1"
port = {web_port}
base_url = "http://127.0.0.1:{web_port}"

{sources}""",
        encoding="utf-8",
    )


async def run_demo(
    out: Path,
    *,
    serve_for: float = 0.0,
    echo: Callable[[str], None] = print,
    stop: asyncio.Event | None = None,
) -> None:
    """Run the demo into ``out`` (an absolute path), printing progress with ``echo``; then
    serve the web app for ``serve_for`` seconds, or until ``stop`` is set."""
    for part in ("data", "mail", "public", "web"):
        shutil.rmtree(out / part, ignore_errors=True)  # a demo always starts fresh
        (out / part).mkdir(parents=True)
    folder = MailFolder(out / "mail")
    with SiteServer() as site:
        web_port = free_port()
        config = out / "notifier.toml"
        write_config(config, site=site.url, web_port=web_port, out=out)
        settings = load_settings(config)
        # Links in the demo's mails need a signing key; they only have to work while it runs.
        settings.web.secret_key = SecretStr(secrets.token_urlsafe(32))
        echo(f"Sample site:  {site.url}/politik/kkr/")
        async with Runtime(settings, transport=folder) as runtime:
            await _chain(runtime, out, echo)
            async with _web_app(runtime) as base:
                await _save_pages(base, out, echo)
                _summary(out, config, len(folder.saved), echo)
                if serve_for > 0:
                    echo("")
                    echo(f"Serving {base}/ for {serve_for:.0f} s; Ctrl-C stops it.")
                    echo(f"Sign up at {base}/abonnement: the mails land in {out / 'mail'}.")
                    await _serve(runtime, folder, serve_for, echo, stop)


def _summary(out: Path, config: Path, mails: int, echo: Callable[[str], None]) -> None:
    echo("")
    echo(f"Config:       {config}")
    echo(f"Feeds:        {out / 'public' / feeds.OPML_PATH} lists them all")
    echo(f"Mails:        {out / 'mail'} ({mails} messages, .eml and .html)")
    echo(f"Web pages:    {out / 'web'}")
    echo(f"Run it again: notifier --config {config} run")


async def _chain(runtime: Runtime, out: Path, echo: Callable[[str], None]) -> None:
    # Subscribers start at the newest event, so they come first and hear about the first poll.
    for sample in samples([topic.id for topic in runtime.topics]):
        await runtime.subscriptions.add(
            email=normalize_email(sample.email),
            name=sample.name,
            topics=sample.topics or (ALL,),
            councils=sample.councils or (ALL,),
            frequency=sample.frequency,
        )
        echo(
            f"Subscriber:   {sample.name} <{sample.email}>, {sample.frequency.value}, "
            f"topics {', '.join(sample.topics) or 'all'}, "
            f"councils {', '.join(sample.councils) or 'all'}"
        )
    for summary in await runtime.pipeline.poll_all(runtime.settings.sources):
        echo(_poll_line(summary))
    count = await write_files(runtime, out / "public")
    echo(f"Feeds:        {count} files written")
    planned = 0
    for frequency in Frequency:
        planned += await runtime.digests.make(frequency, now=runtime.now())
    report = await runtime.deliverer.run_once(now=runtime.now())
    echo(f"Digests:      {planned} planned, {report.sent} saved in the mail folder")


def _poll_line(summary: SourceSummary) -> str:
    line = (
        f"Polled:       {summary.id}: {summary.state}, {summary.documents_new} documents, "
        f"{summary.items_new} items"
    )
    return line + (f" ({'; '.join(summary.errors)})" if summary.errors else "")


@contextlib.asynccontextmanager
async def _web_app(runtime: Runtime) -> AsyncIterator[str]:
    """The web app under uvicorn on the demo's port while the block runs; yields its URL."""
    settings = runtime.settings
    app = create_app(runtime, scheduler_running=lambda: True)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=settings.web.host,
            port=settings.web.port,
            log_config=None,
            access_log=False,
        )
    )
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                await task  # raises what stopped it
                raise RuntimeError("the web app did not start")
            await asyncio.sleep(0.05)
        yield settings.web.base_url
    finally:
        server.should_exit = True
        await task


async def _save_pages(base: str, out: Path, echo: Callable[[str], None]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        for name, path in WEB_PAGES.items():
            response = await client.get(path)
            (out / "web" / name).write_bytes(response.content)
            if response.status_code != 200:
                echo(f"Web app:      {path} answered {response.status_code}")
    echo(f"Web app:      {base}/ (pages saved in {out / 'web'})")


async def _serve(
    runtime: Runtime,
    folder: MailFolder,
    serve_for: float,
    echo: Callable[[str], None],
    stop: asyncio.Event | None,
) -> None:
    """Keep serving, and send what the web app queues (confirmation mails) to the mail folder."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    until = loop.time() + serve_for
    while (left := until - loop.time()) > 0 and not stop.is_set():
        before = len(folder.saved)
        await runtime.deliverer.run_once(now=runtime.now())
        for path in folder.saved[before:]:
            echo(f"Mail:         {path}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), min(SEND_EVERY, left))
