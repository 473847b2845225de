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
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from notifier import keywords, subscriber_files
from notifier.cli import App, pass_app
from notifier.errors import SubscriberError
from notifier.models import Frequency, Subscriber, SubscriberState
from notifier.runtime import Runtime
from notifier.subscriptions import (
    check_pause,
    check_subject,
    normalize_email,
    one_line,
    parse_councils,
    parse_topics,
)
from notifier.topics import load_topics

FREQUENCIES = click.Choice([f.value for f in Frequency])
# What an operator's add or update may set; an import also takes state, times and the rest.
_CHOICE_COLUMNS = {"email", "name", "topics", "councils", "frequency", "keywords", "excluded"}


@click.group()
def subscribers() -> None:
    """Add, change, remove, import and export subscribers."""


def _topic_names(app: App) -> dict[str, str]:
    return {topic.id: topic.name for topic in load_topics(app.settings.topics_file)}


@subscribers.command("add")
@click.argument("email")
@click.option("--name", default="", help="The subscriber's name, used in the greeting.")
@click.option("--topics", default="", help="Topic ids or names, comma separated, or 'all'.")
@click.option(
    "--councils", default="all", show_default=True, help="Council ids or names, or 'all'."
)
@click.option("--frequency", type=FREQUENCIES, default="daily", show_default=True)
@click.option("--keywords", default="", help="Own words or phrases, comma separated.")
@click.option("--exclude", default="", help="Words that keep an item out, comma separated.")
@pass_app
def add(
    app: App,
    email: str,
    name: str,
    topics: str,
    councils: str,
    frequency: str,
    keywords: str,
    exclude: str,
) -> None:
    """Add a subscriber (topics, own words or both); active at once."""
    values, _ = _row_values(
        {
            "email": email,
            "name": name,
            "topics": topics,
            "councils": councils,
            "frequency": frequency,
            "keywords": keywords,
            "excluded": exclude,
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
@click.option("--keywords", default=None, help="Own words or phrases, comma separated ('' none).")
@click.option("--exclude", default=None, help="Words that keep an item out ('' for none).")
@click.option("--pause-until", default=None, help="No mail before this day (YYYY-MM-DD).")
@click.option("--resume", is_flag=True, help="End a pause now.")
@pass_app
def update(
    app: App,
    email: str,
    name: str | None,
    topics: str | None,
    councils: str | None,
    frequency: str | None,
    state: str | None,
    keywords: str | None,
    exclude: str | None,
    pause_until: str | None,
    resume: bool,
) -> None:
    """Change a subscriber."""
    # --topics "" leaves only the subscriber's own words
    topic_ids = parse_topics(topics, _topic_names(app)) if topics else None
    if topics == "":
        topic_ids = ()
    council_ids = parse_councils(councils) if councils is not None else None
    words = _words(keywords) if keywords is not None else None
    excluded = _words(exclude) if exclude is not None else None
    paused = _day(pause_until, "pause-until") if pause_until else None

    async def work(runtime: Runtime) -> Subscriber:
        subscriptions = runtime.subscriptions
        person = await subscriptions.existing(email)
        check_subject(
            person.topics if topic_ids is None else topic_ids,
            person.keywords if words is None else words,
        )
        if paused is not None:
            check_pause(paused, today=subscriptions.today())
        return await subscriptions.change(
            person.id,
            name=name,
            topics=topic_ids,
            councils=council_ids,
            frequency=Frequency(frequency) if frequency else None,
            state=SubscriberState(state) if state else None,
            keywords=words,
            excluded=excluded,
            paused_until=paused,
            resume=resume,
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
    allowed = set(subscriber_files.COLUMNS) if imported else _CHOICE_COLUMNS
    unknown = set(row) - allowed
    if unknown:
        raise SubscriberError(f"unknown field {', '.join(sorted(unknown))}")
    if not row.get("email"):
        raise SubscriberError("email is missing")
    topics = _ids(row.get("topics"))
    values: dict[str, Any] = {
        "email": normalize_email(str(row["email"])),
        "name": one_line(str(row.get("name") or "")),
        "topics": parse_topics(topics, known_topics) if topics else (),
        "councils": parse_councils(_ids(row.get("councils"))),
        "frequency": _choice(Frequency, row.get("frequency") or "daily", "frequency"),
        "keywords": _words(row.get("keywords")),
        "excluded": _words(row.get("excluded")),
    }
    check_subject(values["topics"], values["keywords"])
    if imported:
        values["state"] = _choice(SubscriberState, row.get("state") or "active", "state")
        paused = row.get("paused_until")
        values["paused_until"] = _day(paused, "paused_until") if paused else None
        values["first_digest"] = str(row.get("first_digest") or "").strip().lower() in _YES
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


_YES = {"1", "true", "yes", "ja", "x"}


def _words(value: Any) -> tuple[str, ...]:
    return keywords.parse(_ids(value))


def _day(value: Any, name: str) -> date:
    if isinstance(value, date):  # a TOML date
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise SubscriberError(f"{name}: not a day (YYYY-MM-DD): {value!r}") from None


def _ids(value: Any) -> str | list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value or "")


def _describe(person: Subscriber) -> str:
    described = f"topics {','.join(person.topics) or '-'}; councils {','.join(person.councils)}"
    if person.keywords:
        described += f"; words {','.join(person.keywords)}"
    if person.excluded:
        described += f"; excluding {','.join(person.excluded)}"
    if person.paused_until:
        described += f"; paused until {person.paused_until.isoformat()}"
    return f"{described}; {person.frequency.value}"


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
        "keywords": list(person.keywords),
        "excluded": list(person.excluded),
        "paused_until": person.paused_until.isoformat() if person.paused_until else None,
    }
