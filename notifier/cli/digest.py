"""`notifier digest --frequency daily|weekly|immediate [--dry-run] [--preview DIR]`."""

from __future__ import annotations

import asyncio
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

import click

from notifier.cli import App, main, pass_app
from notifier.config import Settings
from notifier.deliver import Deliverer, DeliveryReport
from notifier.digest import Composed, compose_digests, make_digests
from notifier.models import Frequency, slug
from notifier.store import outbox as store_outbox
from notifier.store.db import open_database

WAIT_FOR_LEASES = 1.0  # seconds between looks at messages another sender holds


@main.command()
@click.option(
    "--frequency",
    type=click.Choice([f.value for f in Frequency]),
    required=True,
    help="Which subscribers' digests to make.",
)
@click.option("--dry-run", is_flag=True, help="Plan and print; store and send nothing.")
@click.option(
    "--preview",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write each message as .eml and .html here; store and send nothing.",
)
@pass_app
def digest(app: App, frequency: str, dry_run: bool, preview: Path | None) -> None:
    """Plan the due digests, then send everything due in the outbox."""
    settings = app.settings
    chosen = Frequency(frequency)
    if dry_run or preview:
        composed = asyncio.run(_compose(settings, chosen))
        if preview:
            _write_preview(preview, composed)
        for message in composed:
            click.echo(
                f"{message.plan.subscriber.email}: {message.subject} "
                f"({len(message.plan.entries)} items)"
            )
            if dry_run and not preview:
                click.echo(message.text)
        click.echo(f"{len(composed)} digests planned; nothing stored or sent")
        return
    planned, report, pending = asyncio.run(_make_and_send(settings, chosen))
    click.echo(
        f"{planned} digests planned; sent {report.sent}, retried {report.retried}, "
        f"failed {report.failed}; {pending} messages pending"
    )
    if report.disabled:
        click.echo("mail is disabled (smtp.host is empty): nothing was sent", err=True)


async def _compose(settings: Settings, frequency: Frequency) -> list[Composed]:
    engine = await open_database(settings.database_url)
    try:
        return await compose_digests(engine, settings, frequency, now=datetime.now(UTC))
    finally:
        await engine.dispose()


async def _make_and_send(
    settings: Settings, frequency: Frequency
) -> tuple[int, DeliveryReport, int]:
    engine = await open_database(settings.database_url)
    deliverer = Deliverer(engine, settings, worker_id=f"{socket.gethostname()}-{os.getpid()}")
    total = DeliveryReport()
    try:
        planned = await make_digests(engine, settings, frequency, now=datetime.now(UTC))
        while True:
            report = await deliverer.run_once(now=datetime.now(UTC))
            total.sent += report.sent
            total.retried += report.retried
            total.failed += report.failed
            total.disabled = report.disabled
            if report.disabled or report.unreachable:
                break
            async with engine.connect() as conn:
                if not await store_outbox.due(conn, now=datetime.now(UTC)):
                    break
            # Due messages someone else holds (a crashed sender's lease): wait for them.
            await asyncio.sleep(WAIT_FOR_LEASES)
        async with engine.connect() as conn:
            pending = await store_outbox.depth(conn)
        return planned, total, pending
    finally:
        await deliverer.aclose()
        await engine.dispose()


def _write_preview(directory: Path, composed: list[Composed]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for number, message in enumerate(composed, start=1):
        stem = f"{number:04d}-{slug(message.plan.subscriber.email)}"
        (directory / f"{stem}.eml").write_bytes(message.body)
        (directory / f"{stem}.html").write_text(message.html, encoding="utf-8")
