"""`notifier digest --frequency daily|weekly|immediate [--dry-run] [--preview DIR]`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from notifier.cli import App, pass_app
from notifier.compose import Composed
from notifier.deliver import DeliveryReport
from notifier.models import Frequency, slug
from notifier.runtime import Runtime

WAIT_FOR_LEASES = 1.0  # seconds between looks at messages another sender holds


@click.command()
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
    chosen = Frequency(frequency)
    if dry_run or preview:

        async def compose(runtime: Runtime) -> list[Composed]:
            return await runtime.digests.compose(chosen, now=runtime.now())

        composed = app.run(compose)
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
    planned, report, pending = app.run(lambda runtime: _make_and_send(runtime, chosen))
    click.echo(
        f"{planned} digests planned; sent {report.sent}, retried {report.retried}, "
        f"failed {report.failed}; {pending} messages pending"
    )
    if report.disabled:
        click.echo("mail is disabled (smtp.host is empty): nothing was sent", err=True)


async def _make_and_send(runtime: Runtime, frequency: Frequency) -> tuple[int, DeliveryReport, int]:
    total = DeliveryReport()
    planned = await runtime.digests.make(frequency, now=runtime.now())
    outbox = runtime.store.outbox
    while True:
        report = await runtime.deliverer.run_once(now=runtime.now())
        total.sent += report.sent
        total.retried += report.retried
        total.failed += report.failed
        total.disabled = report.disabled
        if report.disabled or report.unreachable:
            break
        if not await outbox.due(now=runtime.now()):
            break
        # Due messages someone else holds (a crashed sender's lease): wait for them.
        await asyncio.sleep(WAIT_FOR_LEASES)
    return planned, total, await outbox.depth()


def _write_preview(directory: Path, composed: list[Composed]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for number, message in enumerate(composed, start=1):
        stem = f"{number:04d}-{slug(message.plan.subscriber.email)}"
        (directory / f"{stem}.eml").write_bytes(message.body)
        (directory / f"{stem}.html").write_text(message.html, encoding="utf-8")
