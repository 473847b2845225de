"""`notifier poll --once`, `notifier release SOURCE`, `notifier reclassify`."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime

import click

from notifier import ingest, pipeline
from notifier.classify import Classifier
from notifier.cli import App, main, pass_app
from notifier.config import Settings, SourceConfig
from notifier.pipeline import SourceSummary
from notifier.store.db import open_database
from notifier.topics import load_topics

_HELD = ("failed", "broken", "suspect")


@main.command()
@click.option("--once", is_flag=True, help="Run one poll cycle and exit.")
@click.option("--source", "source_ids", multiple=True, help="Poll only this source (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
@pass_app
def poll(app: App, once: bool, source_ids: tuple[str, ...], as_json: bool) -> None:
    """Poll the configured sources: fetch, extract, diff, classify, store.

    Exits 1 when a source failed or was held back (details in the summary), else 0.
    """
    if not once:
        raise click.UsageError("continuous polling is `notifier run`; use --once for one cycle")
    settings = app.settings
    sources = [settings.source(s) for s in source_ids] if source_ids else settings.sources
    summaries = asyncio.run(_poll(settings, sources))
    if as_json:
        click.echo(json.dumps({"sources": [s.to_json() for s in summaries]}, ensure_ascii=False))
    else:
        _print_summaries(summaries)
    sys.exit(1 if any(s.state in _HELD for s in summaries) else 0)


async def _poll(settings: Settings, sources: list[SourceConfig]) -> list[SourceSummary]:
    engine = await open_database(settings.database_url)
    poller = pipeline.build(settings, engine)
    try:
        return await poller.poll_all(sources)
    finally:
        poller.close()
        await poller.fetcher.aclose()
        await engine.dispose()


def _print_summaries(summaries: list[SourceSummary]) -> None:
    for s in summaries:
        click.echo(
            f"{s.id}: {s.state}, {s.requests} requests ({s.not_modified} not modified), "
            f"documents {s.documents_new} new / {s.documents_changed} changed, "
            f"items {s.items_new} new / {s.items_changed} changed / {s.items_removed} removed"
        )
        for error in s.errors:
            click.echo(f"  ! {error}")


@main.command()
@click.argument("source_id")
@click.option("--discard", is_flag=True, help="Drop the held result instead of applying it.")
@pass_app
def release(app: App, source_id: str, discard: bool) -> None:
    """Let a held-back (suspect or broken) source's changes through, or discard them.

    Release: the changes are applied and told as usual. Discard: the same result is stored
    quietly as the new baseline (a renumbering, a redesign) and nobody is told. Either way the
    source is polled at once.
    """
    settings = app.settings
    source = settings.source(source_id)

    async def run() -> str:
        engine = await open_database(settings.database_url)
        try:
            outcome = await pipeline.release(
                engine, source_id, discard=discard, now=datetime.now(UTC)
            )
        finally:
            await engine.dispose()
        if outcome in ("released", "discarded"):
            [summary] = await _poll(settings, [source])
            outcome += f"; polled: {summary.state}, {summary.items_new} new items"
        return outcome

    click.echo(f"{source_id}: {asyncio.run(run())}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
@pass_app
def reclassify(app: App, as_json: bool) -> None:
    """Classify every stored item again with the current topics file.

    Items whose topics change get an item.reclassified event, so subscribers of a newly
    matching topic hear about them once.
    """
    settings = app.settings
    classifier = Classifier(load_topics(settings.topics_file))

    async def run() -> tuple[int, int]:
        engine = await open_database(settings.database_url)
        try:
            async with engine.begin() as conn:
                return await ingest.reclassify(conn, classifier=classifier, now=datetime.now(UTC))
        finally:
            await engine.dispose()

    looked, changed = asyncio.run(run())
    if as_json:
        click.echo(json.dumps({"items": looked, "changed": changed, "version": classifier.version}))
    else:
        click.echo(f"{looked} items classified, {changed} changed topics")
