"""`notifier feeds --out DIR`: write every feed, the OPML list and the calendars as files."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from notifier import feeds, resources
from notifier.cli import App, main, pass_app
from notifier.config import Settings
from notifier.store.db import open_database
from notifier.topics import load_topics


@main.command("feeds")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory to write into (created); paths match the web app's URLs.",
)
@pass_app
def feeds_command(app: App, out_dir: Path) -> None:
    """Write RSS, Atom, OPML and iCalendar files for a static web server."""
    count = asyncio.run(_write(app.settings, out_dir))
    click.echo(f"wrote {count} files to {out_dir}")


def renderer_for(settings: Settings) -> feeds.FeedRenderer:
    return feeds.FeedRenderer(
        base_url=settings.web.base_url,
        topics=load_topics(settings.topics_file),
        templates_dir=settings.templates_dir or resources.templates_dir(),
    )


async def _write(settings: Settings, out_dir: Path) -> int:
    renderer = renderer_for(settings)
    engine = await open_database(settings.database_url)
    try:
        async with engine.connect() as conn:
            files = await feeds.build_files(conn, renderer)
    finally:
        await engine.dispose()
    for path, file in files.items():
        target = out_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write beside and rename, so a web server never serves half a file.
        partial = target.with_name(target.name + ".tmp")
        partial.write_bytes(file.body)
        partial.replace(target)
    return len(files)
