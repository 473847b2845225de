"""`notifier subscribers add|list|update|remove|import|export`: the operator's subscriber list.

Subscribers the operator adds are active at once (web signups stay pending until confirmed).
Imports read CSV or TOML (``notifier.subscriber_files``: what ``export`` writes, or a
secretariat's Excel sheet); a bad row is reported with its line and the good rows are imported
all the same. ``import --update`` changes subscribers already there, so ``export`` piped into
``import --update`` on another database reproduces every subscriber with its state.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from notifier import subscriber_files
from notifier.cli import App, pass_app
from notifier.errors import SubscriberError
from notifier.models import Frequency, Subscriber, SubscriberState
from notifier.runtime import Runtime
from notifier.subscriptions import normalize_email, one_line, parse_councils, parse_topics
from notifier.topics import load_topics

FREQUENCIES = click.Choice([f.value for f in Frequency])


@click.group()
def subscribers() -> None:
    """Add, change, remove, import and export subscribers."""


def _topic_names(app: App) -> dict[str, str]:
    return {topic.id: topic.name for topic in load_topics(app.settings.topics_file)}


@subscribers.command("add")
@click.argument("email")
@click.option("--name", default="", help="The subscriber's name, used in the greeting.")
@click.option("--topics", required=True, help="Topic ids or names, comma separated, or 'all'.")
@click.option(
    "--councils", default="all", show_default=True, help="Council ids or names, or 'all'."
)
@click.option("--frequency", type=FREQUENCIES, default="daily", show_default=True)
@pass_app
def add(app: App, email: str, name: str, topics: str, councils: str, frequency: str) -> None:
    """Add a subscriber; active at once."""
    values, _ = _row_values(
        {
            "email": email,
            "name": name,
            "topics": topics,
            "councils": councils,
            "frequency": frequency,
        },
        _topic_names(app),
    )

    async def work(runtime: Runtime) -> Subscriber:
        return await runtime.subscriptions.add(**values)

    subscriber = app.run(work)
    click.echo(f"added {subscriber.email} ({_describe(subscriber)})")


@subscribers.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--state", type=click.Choice([s.value for s in SubscriberState]), default=None)
@pass_app
def list_(app: App, as_json: bool, state: str | None) -> None:
    """List subscribers."""
    chosen = SubscriberState(state) if state else None
    people = app.run(lambda runtime: runtime.subscriptions.all(state=chosen))
    if as_json:
        click.echo(json.dumps([_public(p) for p in people], ensure_ascii=False, indent=2))
        return
    for person in people:
        click.echo(f"{person.email}\t{person.state.value}\t{_describe(person)}")
    click.echo(f"{len(people)} subscribers", err=True)


@subscribers.command("update")
@click.argument("email")
@click.option("--name", default=None)
@click.option("--topics", default=None, help="Topic ids, comma separated, or 'all'.")
@click.option("--councils", default=None, help="Council ids or 'all'.")
@click.option("--frequency", type=FREQUENCIES, default=None)
@click.option("--state", type=click.Choice([s.value for s in SubscriberState]), default=None)
@pass_app
def update(
    app: App,
    email: str,
    name: str | None,
    topics: str | None,
    councils: str | None,
    frequency: str | None,
    state: str | None,
) -> None:
    """Change a subscriber."""
    topic_ids = parse_topics(topics, _topic_names(app)) if topics is not None else None
    council_ids = parse_councils(councils) if councils is not None else None

    async def work(runtime: Runtime) -> Subscriber:
        person = await runtime.subscriptions.existing(email)
        return await runtime.subscriptions.change(
            person.id,
            name=name,
            topics=topic_ids,
            councils=council_ids,
            frequency=Frequency(frequency) if frequency else None,
            state=SubscriberState(state) if state else None,
        )

    person = app.run(work)
    click.echo(f"updated {person.email} ({person.state.value}, {_describe(person)})")


@subscribers.command("remove")
@click.argument("email")
@click.option(
    "--purge", is_flag=True, help="Delete the subscriber and everything stored about them."
)
@pass_app
def remove(app: App, email: str, purge: bool) -> None:
    """Unsubscribe (or, with --purge, erase) a subscriber."""
    address = normalize_email(email)

    async def work(runtime: Runtime) -> None:
        if purge:
            await runtime.subscriptions.purge(address)
        else:
            person = await runtime.subscriptions.existing(address)
            await runtime.subscriptions.unsubscribe(person, revoke=True)

    app.run(work)
    click.echo(f"{'purged' if purge else 'unsubscribed'} {address}")


@subscribers.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--update", is_flag=True, help="Change subscribers already there to match the file.")
@pass_app
def import_(app: App, file: Path, update: bool) -> None:
    """Import subscribers from CSV or TOML (what `export` writes, or Excel's CSV); bad rows
    are reported by line, good rows imported."""
    try:
        rows, problems = subscriber_files.read(file.read_bytes(), toml=file.suffix == ".toml")
    except SubscriberError as exc:
        raise SubscriberError(f"{file}: {exc}") from None
    problems = [f"{file}:{problem}" for problem in problems]
    known = _topic_names(app)

    async def work(runtime: Runtime) -> dict[str, int]:
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        now = runtime.now()
        for row in rows:
            try:
                values, times = _row_values(row.fields, known, imported=True)
                outcome = await runtime.store.subscribers.put(
                    **values, now=now, update=update, times=times
                )
                counts[outcome] += 1
            except SubscriberError as exc:
                problems.append(f"{file}:{row.where}: {exc}")
        return counts

    counts = app.run(work)
    for problem in problems:
        click.echo(problem, err=True)
    summary = f"imported {counts['added']} subscribers, {len(problems)} rows refused"
    if update:
        summary += f", {counts['updated']} updated, {counts['unchanged']} unchanged"
    click.echo(summary)
    if problems:
        sys.exit(1)


@subscribers.command("export")
@click.argument("email", required=False)
@pass_app
def export(app: App, email: str | None) -> None:
    """All subscribers as CSV (`import --update` reads it back); with EMAIL, everything stored
    about that one as JSON."""
    if email is None:
        people = app.run(lambda runtime: runtime.subscriptions.all())
        click.echo(subscriber_files.write(people), nl=False)
        return
    # The whole row, not the public view: an access request gets everything stored.
    exported = app.run(lambda runtime: runtime.subscriptions.export(email))
    click.echo(json.dumps(exported, ensure_ascii=False, indent=2, default=str))


def _row_values(
    row: Mapping[str, Any], known_topics: Mapping[str, str], *, imported: bool = False
) -> tuple[dict[str, Any], dict[str, datetime]]:
    """Validated values for a subscriber from one CLI call or import row, and the times an
    export carried."""
    allowed = set(subscriber_files.COLUMNS) if imported else set(subscriber_files.COLUMNS[:5])
    unknown = set(row) - allowed
    if unknown:
        raise SubscriberError(f"unknown field {', '.join(sorted(unknown))}")
    if not row.get("email"):
        raise SubscriberError("email is missing")
    values: dict[str, Any] = {
        "email": normalize_email(str(row["email"])),
        "name": one_line(str(row.get("name") or "")),
        "topics": parse_topics(_ids(row.get("topics")), known_topics),
        "councils": parse_councils(_ids(row.get("councils"))),
        "frequency": _choice(Frequency, row.get("frequency") or "daily", "frequency"),
    }
    if imported:
        values["state"] = _choice(SubscriberState, row.get("state") or "active", "state")
    times = {}
    for key in ("created_at", "confirmed_at", "unsubscribed_at"):
        if row.get(key):
            try:
                moment = datetime.fromisoformat(str(row[key]))
            except ValueError:
                raise SubscriberError(f"{key}: not a time: {row[key]!r}") from None
            times[key] = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return values, times


def _choice(kind: type[Frequency] | type[SubscriberState], value: object, name: str) -> Any:
    text = str(value).strip().lower()
    try:
        return kind(text)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise SubscriberError(f"unknown {name} {text!r}; use {choices}") from None


def _ids(value: Any) -> str | list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value or "")


def _describe(person: Subscriber) -> str:
    return (
        f"topics {','.join(person.topics)}; councils {','.join(person.councils)}; "
        f"{person.frequency.value}"
    )


def _public(person: Subscriber) -> dict[str, Any]:
    return {
        "id": person.id,
        "email": person.email,
        "name": person.name,
        "topics": list(person.topics),
        "councils": list(person.councils),
        "frequency": person.frequency.value,
        "state": person.state.value,
        "created_at": person.created_at.isoformat(),
        "confirmed_at": person.confirmed_at.isoformat() if person.confirmed_at else None,
        "unsubscribed_at": person.unsubscribed_at.isoformat() if person.unsubscribed_at else None,
        "event_cursor": person.event_cursor,
    }
