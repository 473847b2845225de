"""`notifier demo`: the whole chain offline, into a directory of feeds, mails and pages."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import click


@click.command("demo")
@click.option(
    "--out",
    "out_dir",
    default=Path("demo-output"),
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory for the feeds, captured mails, web pages and the demo's database.",
)
@click.option(
    "--serve",
    "serve_for",
    default=0.0,
    show_default=True,
    help="Keep the web app running this many seconds at the end, to look around.",
)
def demo_command(out_dir: Path, serve_for: float) -> None:
    """Serve a sample kl.dk, poll it, and show the feeds, digests and web app it leads to."""
    from notifier.demo import run_demo  # the demo's imports are heavy; others need none

    # Plain warnings only: the demo's own lines tell the story.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    started = time.monotonic()
    asyncio.run(run_demo(out_dir.resolve(), serve_for=serve_for, echo=click.echo))
    click.echo(f"Done in {time.monotonic() - started:.1f} s.")
