"""`notifier review`: the documents the quality gate holds, and releasing or dismissing them."""

from __future__ import annotations

import json

import click

from notifier.cli import App, pass_app
from notifier.runtime import Runtime
from notifier.store import Held


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def review(ctx: click.Context, as_json: bool) -> None:
    """List documents held for review (stored, told to nobody); release or dismiss one."""
    if ctx.invoked_subcommand is not None:
        return
    app = ctx.find_object(App)
    assert app is not None

    async def work(runtime: Runtime) -> list[Held]:
        return await runtime.store.review.held()

    held = app.run(work)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": h.id,
                        "source": h.source_id,
                        "council": h.council.value,
                        "kind": h.kind.value,
                        "url": h.url,
                        "title": h.title,
                        "reasons": list(h.reasons),
                        "since": h.since.isoformat(),
                    }
                    for h in held
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for h in held:
        click.echo(f"{h.id}\t{h.council.value}\t{h.title}\n\t{h.url}")
        for reason in h.reasons:
            click.echo(f"\t- {reason}")
    click.echo(f"{len(held)} documents held for review", err=True)


@review.command("release")
@click.argument("document_id", type=int)
@pass_app
def release(app: App, document_id: int) -> None:
    """Tell about a held document's items now (they reach digests and feeds)."""

    async def work(runtime: Runtime) -> int:
        return await runtime.store.review.release(document_id, now=runtime.now())

    click.echo(f"released document {document_id}: {app.run(work)} items told")


@review.command("dismiss")
@click.argument("document_id", type=int)
@pass_app
def dismiss(app: App, document_id: int) -> None:
    """Leave a held document untold and off the list."""

    async def work(runtime: Runtime) -> None:
        await runtime.store.review.dismiss(document_id)

    app.run(work)
    click.echo(f"dismissed document {document_id}")
