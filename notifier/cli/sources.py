"""`notifier sources check [--source ID] [--json]`: every source against the live site, once,
before going live. Exit 1 when a source cannot be read or finds no documents."""

from __future__ import annotations

import asyncio
import json
import sys

import click

from notifier.cli import App, pass_app
from notifier.extract.worker import ExtractWorker
from notifier.fetch import Fetcher
from notifier.source_check import Checked, check_all


@click.group()
def sources() -> None:
    """Configured sources."""


@sources.command("check")
@click.option("--source", "source_ids", multiple=True, help="Check only this source (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def check(app: App, source_ids: tuple[str, ...], as_json: bool) -> None:
    """Fetch each source once, politely: reachable, status, documents found, the newest
    document's items and date. Nothing is stored."""
    settings = app.settings
    chosen = [settings.source(s) for s in source_ids] if source_ids else settings.sources

    async def run() -> list[Checked]:
        worker = ExtractWorker(
            timeout=settings.ingest.extract_timeout, memory_mb=settings.ingest.extract_memory_mb
        )
        try:
            async with Fetcher(settings.fetch) as fetcher:
                return await check_all(fetcher, worker, chosen)
        finally:
            worker.close()

    results = asyncio.run(run())
    if as_json:
        click.echo(json.dumps({"sources": [r.to_json() for r in results]}, ensure_ascii=False))
    else:
        for result in results:
            _print(result)
    bad = [r for r in results if not r.ok]
    for result in bad:
        line = f"{result.id}: finds no documents" if result.reachable else f"{result.id}: failed"
        if result.error:
            line += f" ({result.error})"
        if result.instead:
            line += "; the page links to: " + ", ".join(result.instead)
        click.echo(line, err=True)
    sys.exit(1 if bad else 0)


def _print(result: Checked) -> None:
    state = "ok" if result.ok else "PROBLEM"
    click.echo(f"{result.id}: {state}, HTTP {result.status or '-'}, {result.documents} documents")
    if result.newest:
        newest = result.newest
        day = newest.date.isoformat() if newest.date else "no date"
        click.echo(f"  newest: {newest.title} ({day}), {newest.items} items  {newest.url}")
        for problem in newest.problems:
            click.echo(f"  ! {problem}")
