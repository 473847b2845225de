"""`notifier feeds --out DIR`: write every feed, the OPML list and the calendars as files."""

from __future__ import annotations

from pathlib import Path

import click

from notifier import feeds
from notifier.cli import App, pass_app
from notifier.runtime import Runtime


@click.command("feeds")
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
    count = app.run(lambda runtime: write_files(runtime, out_dir))
    click.echo(f"wrote {count} files to {out_dir}")


async def write_files(runtime: Runtime, out_dir: Path) -> int:
    renderer = feeds.FeedRenderer(
        base_url=runtime.settings.web.base_url, topics=runtime.topics, env=runtime.templates
    )
    archive = runtime.store.archive
    state = feeds.fold(await archive.latest(types=feeds.FEED_EVENTS, limit=feeds.EVENT_WINDOW))
    files = feeds.build_files(renderer, state, await archive.meetings())
    for path, file in files.items():
        target = out_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write beside and rename, so a web server never serves half a file.
        partial = target.with_name(target.name + ".tmp")
        partial.write_bytes(file.body)
        partial.replace(target)
    return len(files)
