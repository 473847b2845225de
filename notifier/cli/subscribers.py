"""`notifier subscribers add|list|update|remove|import|export`: the operator's subscriber list.

Subscribers the operator adds are active at once (web signups stay pending until confirmed).
Imports read CSV (header ``email,name,topics,councils,frequency``; ids separated by ``;`` or
``,``) or TOML (``[[subscribers]]`` tables with the same keys); a bad row is reported with its
line and the good rows are imported all the same.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from notifier.cli import App, pass_app
from notifier.errors import SubscriberError
from notifier.models import Frequency, Subscriber, SubscriberState
from notifier.runtime import Runtime
from notifier.subscriptions import normalize_email, parse_councils, parse_topics
from notifier.topics import load_topics

FIELDS = ("email", "name", "topics", "councils", "frequency", "state", "created_at")
FREQUENCIES = click.Choice([f.value for f in Frequency])


@click.group()
def subscribers() -> None:
    """Add, change, remove, import and export subscribers."""


def _topic_ids(app: App) -> list[str]:
    return [topic.id for topic in load_topics(app.settings.topics_file)]


@subscribers.command("add")
@click.argument("email")
@click.option("--name", default="", help="The subscriber's name, used in the greeting.")
@click.option("--topics", required=True, help="Topic ids, comma separated, or 'all'.")
@click.option("--councils", default="all", show_default=True, help="Council ids or 'all'.")
@click.option("--frequency", type=FREQUENCIES, default="daily", show_default=True)
@pass_app
def add(app: App, email: str, name: str, topics: str, councils: str, frequency: str) -> None:
    """Add a subscriber; active at once."""
    values = _row_values(
        {
            "email": email,
            "name": name,
            "topics": topics,
            "councils": councils,
            "frequency": frequency,
        },
        _topic_ids(app),
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
    topic_ids = parse_topics(topics, _topic_ids(app)) if topics is not None else None
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
@pass_app
def import_(app: App, file: Path) -> None:
    """Import subscribers from CSV or TOML; bad rows are reported, good rows imported."""
    rows = _read_rows(file)
    known = _topic_ids(app)

    async def work(runtime: Runtime) -> tuple[int, list[str]]:
        added, problems = 0, []
        for where, row in rows:
            try:
                await runtime.subscriptions.add(**_row_values(row, known))
                added += 1
            except SubscriberError as exc:
                problems.append(f"{file}:{where}: {exc}")
        return added, problems

    added, problems = app.run(work)
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(f"imported {added} subscribers, {len(problems)} rows refused")
    if problems:
        sys.exit(1)


@subscribers.command("export")
@click.argument("email", required=False)
@pass_app
def export(app: App, email: str | None) -> None:
    """All subscribers as CSV; with EMAIL, everything stored about that one as JSON."""
    if email is None:
        people = app.run(lambda runtime: runtime.subscriptions.all())
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(FIELDS)
        for person in people:
            public = _public(person)
            writer.writerow(
                [",".join(v) if isinstance(v, list) else v for v in (public[f] for f in FIELDS)]
            )
        click.echo(out.getvalue(), nl=False)
        return
    # The whole row, not the public view: an access request gets everything stored.
    exported = app.run(lambda runtime: runtime.subscriptions.export(email))
    click.echo(json.dumps(exported, ensure_ascii=False, indent=2, default=str))


def _row_values(row: Mapping[str, Any], known_topics: list[str]) -> dict[str, Any]:
    """Validated keyword arguments for ``Subscriptions.add`` from one CLI call or import row."""
    unknown = set(row) - {"email", "name", "topics", "councils", "frequency"}
    if unknown:
        raise SubscriberError(f"unknown field {', '.join(sorted(unknown))}")
    if not row.get("email"):
        raise SubscriberError("email is missing")
    frequency = str(row.get("frequency") or "daily").strip().lower()
    if frequency not in {f.value for f in Frequency}:
        raise SubscriberError(
            f"unknown frequency {frequency!r}; use {', '.join(f.value for f in Frequency)}"
        )
    return {
        "email": normalize_email(str(row["email"])),
        "name": str(row.get("name") or "").strip(),
        "topics": parse_topics(_ids(row.get("topics")), known_topics),
        "councils": parse_councils(_ids(row.get("councils"))),
        "frequency": Frequency(frequency),
    }


def _ids(value: Any) -> str | list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value or "").replace(";", ",")


def _read_rows(file: Path) -> list[tuple[str, Mapping[str, Any]]]:
    """(where, row) pairs; ``where`` is the line (CSV) or the table (TOML) for messages."""
    text = file.read_text(encoding="utf-8-sig")
    if file.suffix.lower() == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SubscriberError(f"{file}: not valid TOML: {exc}") from None
        entries = data.get("subscribers", [])
        if not isinstance(entries, list):
            raise SubscriberError(f"{file}: expected [[subscribers]] tables")
        return [
            (f"subscribers[{n}]", entry if isinstance(entry, dict) else {})
            for n, entry in enumerate(entries, start=1)
        ]
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "email" not in reader.fieldnames:
        raise SubscriberError(f"{file}: the first line must name the columns, including email")
    rows: list[tuple[str, Mapping[str, Any]]] = []
    for row in reader:
        cleaned = {k.strip().lower(): v for k, v in row.items() if k is not None and v}
        if None in row:
            cleaned["extra"] = row[None]
        rows.append((f"line {reader.line_num}", cleaned))
    return rows


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
