"""`notifier console link EMAIL` and `notifier corrections export`: the console's sign-in
without mail, and the secretariat's topic corrections as labelled data."""

from __future__ import annotations

import json

import click

from notifier.cli import App, pass_app
from notifier.errors import ConfigError
from notifier.runtime import Runtime
from notifier.subscriptions import normalize_email


@click.group()
def console() -> None:
    """The secretariat's console at /admin."""


@console.command("link")
@click.argument("email")
@pass_app
def link(app: App, email: str) -> None:
    """Print a single-use sign-in link for an address in admin.addresses (for a console whose
    mail is not set up yet). It works only if NOTIFIER_WEB__SECRET_KEY is the service's."""
    from notifier.web.admin.auth import issue_link

    address = normalize_email(email)
    settings = app.settings
    if address not in settings.admin.addresses:
        raise ConfigError(f"{address} is not in admin.addresses")
    if not settings.web.secret_key.get_secret_value():
        raise ConfigError("set NOTIFIER_WEB__SECRET_KEY: the link is signed with it")

    async def work(runtime: Runtime) -> str:
        return await issue_link(
            runtime.store,
            settings,
            address,
            secret=runtime.secret,
            composer=None,
            now=runtime.now(),
        )

    click.echo(app.run(work))


@click.group()
def corrections() -> None:
    """Topics the secretariat corrected in the console."""


@corrections.command("export")
@pass_app
def export(app: App) -> None:
    """Every correction as JSON lines in tests/data/classify_*.jsonl's format (id, url, title,
    text, topics, kind, council, source, split), oldest first."""

    async def work(runtime: Runtime) -> list[dict[str, object]]:
        return await runtime.store.corrections.export()

    for row in app.run(work):
        click.echo(json.dumps(row, ensure_ascii=False))
