"""`notifier poll --once`, `notifier release SOURCE`, `notifier reclassify`."""

from __future__ import annotations

import json
import sys

import click

from notifier.cli import App, pass_app
from notifier.pipeline import SourceSummary
from notifier.runtime import Runtime

_HELD = ("failed", "broken", "suspect")


@click.command()
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

    async def work(runtime: Runtime) -> list[SourceSummary]:
        return await runtime.pipeline.poll_all(sources)

    summaries = app.run(work)
    if as_json:
        click.echo(json.dumps({"sources": [s.to_json() for s in summaries]}, ensure_ascii=False))
    else:
        _print_summaries(summaries)
    sys.exit(1 if any(s.state in _HELD for s in summaries) else 0)


def _print_summaries(summaries: list[SourceSummary]) -> None:
    for s in summaries:
        click.echo(
            f"{s.id}: {s.state}, {s.requests} requests ({s.not_modified} not modified), "
            f"documents {s.documents_new} new / {s.documents_changed} changed, "
            f"items {s.items_new} new / {s.items_changed} changed / {s.items_removed} removed"
        )
        for error in s.errors:
            click.echo(f"  ! {error}")


@click.command()
@click.argument("source_id")
@click.option("--discard", is_flag=True, help="Drop the held result instead of applying it.")
@pass_app
def release(app: App, source_id: str, discard: bool) -> None:
    """Let a held-back (suspect or broken) source's changes through, or discard them.

    Release: the changes are applied and told as usual. Discard: the same result is stored
    quietly as the new baseline (a renumbering, a redesign) and nobody is told. Either way the
    source is polled at once.
    """
    source = app.settings.source(source_id)

    async def work(runtime: Runtime) -> str:
        outcome = await runtime.store.sources.release(source_id, discard=discard)
        if outcome in ("released", "discarded"):
            summary = await runtime.pipeline.poll(source)
            outcome += f"; polled: {summary.state}, {summary.items_new} new items"
        return outcome

    click.echo(f"{source_id}: {app.run(work)}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
@pass_app
def reclassify(app: App, as_json: bool) -> None:
    """Classify every stored item again with the current topics file.

    Items whose topics change get an item.reclassified event, so subscribers of a newly
    matching topic hear about them once.
    """

    async def work(runtime: Runtime) -> tuple[int, int, str]:
        classifier = runtime.classifier
        looked, changed = await runtime.store.item_topics.reclassify(
            classifier.classify_item, topics_version=classifier.version, now=runtime.now()
        )
        return looked, changed, classifier.version

    looked, changed, version = app.run(work)
    if as_json:
        click.echo(json.dumps({"items": looked, "changed": changed, "version": version}))
    else:
        click.echo(f"{looked} items classified, {changed} changed topics")
