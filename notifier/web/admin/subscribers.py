"""Subscribers in the console: search, add, change (topics, councils, frequency, own words,
excluded words, a pause), unsubscribe, export (GDPR access) and purge (GDPR erasure), each
through ``Subscriptions`` like the CLI and the public pages, and each written to the audit log
with the subscriber's id (never the address, which a purge erases). The form is read by the
public pages' ``read_choice`` and ``read_pause``, so the console refuses what they refuse."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifier.errors import SubscriberError
from notifier.models import ALL, Subscriber, SubscriberState
from notifier.web.admin.console import (
    PREFIX,
    Console,
    action,
    not_found,
    page,
    private,
    redirect,
)
from notifier.web.forms import PAUSE_ERROR, Choice, read_choice, read_pause

LIST_LIMIT = 500
HOME = f"{PREFIX}/abonnenter"
CHANGES = ("name", "topics", "councils", "frequency", "keywords", "excluded", "paused_until")


def _choice(form: FormData, console: Console, *, email: str | None = None) -> Choice:
    """The form read as the public pages read theirs (``read_choice``), plus the pause."""
    choice = read_choice(form, console.topics, with_email=email is None)
    choice.first_digest = False  # not offered here: an operator's add is active at once
    if email is not None:
        choice.email = email
    day = str(form.get("paused_until") or "")
    try:
        choice.paused_until = read_pause(day, today=console.subscriptions.today())
    except SubscriberError:
        choice.errors["paused_until"] = PAUSE_ERROR
        choice.typed["paused_until"] = day[:40]
    return choice


def target(subscriber_id: int) -> str:
    return f"subscriber:{subscriber_id}"


@page
async def subscribers(request: Request, console: Console, user: str) -> Response:
    query = request.query_params.get("q", "").strip()[:200]
    state = request.query_params.get("status", "")
    wanted = SubscriberState(state) if state in set(SubscriberState) else None
    people = await console.subscriptions.all(state=wanted)
    if query:
        needle = query.casefold()
        people = [p for p in people if needle in _searched(p)]
    return console.render(
        request,
        "subscribers.html.j2",
        user=user,
        title="Abonnenter",
        people=people[:LIST_LIMIT],
        total=len(people),
        query=query,
        state=state,
        states=list(SubscriberState),
        today=console.subscriptions.today(),
    )


def _searched(person: Subscriber) -> str:
    """What a search looks in: address, name and own words (who follows "Movia"?)."""
    return "\n".join((person.email, person.name, *person.keywords, *person.excluded)).casefold()


@page
async def new_form(request: Request, console: Console, user: str) -> Response:
    return console.render(
        request,
        "subscriber_new.html.j2",
        user=user,
        title="Ny abonnent",
        choices=Choice(topics=(ALL,)),
    )


@action
async def add(request: Request, console: Console, user: str, form: FormData) -> Response:
    choices = _choice(form, console)
    if not choices.errors:
        try:
            subscriber = await console.subscriptions.add(
                email=choices.email,
                name=choices.name,
                topics=choices.topics,
                councils=choices.councils,
                frequency=choices.frequency,
                keywords=choices.keywords,
                excluded=choices.excluded,
                paused_until=choices.paused_until,
            )
        except SubscriberError:
            choices.errors["email"] = "Adressen abonnerer allerede. Find den på listen."
        else:
            await console.audit(user, "subscriber.add", target(subscriber.id))
            return redirect(f"{HOME}/{subscriber.id}", ok="added")
    return console.render(
        request,
        "subscriber_new.html.j2",
        user=user,
        status=400,
        title="Ny abonnent",
        choices=choices,
    )


async def _subscriber(request: Request, console: Console) -> Subscriber | None:
    try:
        subscriber_id = int(request.path_params["id"])
    except ValueError:
        return None
    return await console.store.subscribers.get(subscriber_id)


@page
async def detail(request: Request, console: Console, user: str) -> Response:
    subscriber = await _subscriber(request, console)
    if subscriber is None:
        return not_found(request, console, user, "Abonnenten")
    return await _full_detail(request, console, user, subscriber, _current(console, subscriber))


def _current(console: Console, subscriber: Subscriber) -> Choice:
    return Choice.of(subscriber, today=console.subscriptions.today())


async def _full_detail(
    request: Request,
    console: Console,
    user: str,
    subscriber: Subscriber,
    choices: Choice,
    status: int = 200,
    **context: Any,
) -> Response:
    return console.render(
        request,
        "subscriber.html.j2",
        user=user,
        status=status,
        title=subscriber.email,
        subscriber=subscriber,
        choices=choices,
        paused=_current(console, subscriber).paused_until,
        messages=await console.store.send_log.messages(subscriber_id=subscriber.id),
        history=await console.store.admin.log(target=target(subscriber.id), limit=50),
        **context,
    )


@action
async def change(request: Request, console: Console, user: str, form: FormData) -> Response:
    subscriber = await _subscriber(request, console)
    if subscriber is None:
        return not_found(request, console, user, "Abonnenten")
    choices = _choice(form, console, email=subscriber.email)
    if choices.errors:
        return await _full_detail(request, console, user, subscriber, choices, status=400)
    before = _current(console, subscriber)
    pause: dict[str, Any] = {}
    if choices.paused_until != before.paused_until:
        pause = {"paused_until": choices.paused_until, "resume": choices.paused_until is None}
    await console.subscriptions.change(
        subscriber.id,
        name=choices.name,
        topics=choices.topics,
        councils=choices.councils,
        frequency=choices.frequency,
        keywords=choices.keywords,
        excluded=choices.excluded,
        **pause,
    )
    changed = {
        key: {"before": _plain(getattr(before, key)), "after": _plain(getattr(choices, key))}
        for key in CHANGES
        if getattr(before, key) != getattr(choices, key)
    }
    await console.audit(user, "subscriber.change", target(subscriber.id), changed)
    return redirect(f"{HOME}/{subscriber.id}", ok="saved")


def _plain(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return list(value) if isinstance(value, tuple) else str(value)


@action
async def unsubscribe(request: Request, console: Console, user: str, form: FormData) -> Response:
    subscriber = await _subscriber(request, console)
    if subscriber is None:
        return not_found(request, console, user, "Abonnenten")
    if subscriber.state is not SubscriberState.UNSUBSCRIBED:
        await console.subscriptions.unsubscribe(subscriber)
        await console.audit(user, "subscriber.unsubscribe", target(subscriber.id))
    return redirect(f"{HOME}/{subscriber.id}", ok="unsubscribed")


@action
async def export(request: Request, console: Console, user: str, form: FormData) -> Response:
    subscriber = await _subscriber(request, console)
    if subscriber is None:
        return not_found(request, console, user, "Abonnenten")
    data = await console.subscriptions.export(subscriber.email)
    await console.audit(user, "subscriber.export", target(subscriber.id))
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    response = Response(
        body.encode("utf-8"),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="abonnent-{subscriber.id}.json"'},
    )
    private(response)
    return response


@action
async def purge(request: Request, console: Console, user: str, form: FormData) -> Response:
    subscriber = await _subscriber(request, console)
    if subscriber is None:
        return not_found(request, console, user, "Abonnenten")
    if form.get("confirm") != "yes":
        return await _full_detail(
            request,
            console,
            user,
            subscriber,
            _current(console, subscriber),
            status=400,
            purge_error="Sæt kryds for at bekræfte, at alt om personen skal slettes.",
        )
    await console.subscriptions.purge(subscriber.email)
    await console.audit(user, "subscriber.purge", target(subscriber.id))
    return redirect(HOME, ok="purged")


routes = [
    Route(HOME, subscribers, methods=["GET"]),
    Route(f"{HOME}/ny", new_form, methods=["GET"]),
    Route(f"{HOME}/ny", add, methods=["POST"]),
    Route(f"{HOME}/{{id:id}}", detail, methods=["GET"]),
    Route(f"{HOME}/{{id:id}}", change, methods=["POST"]),
    Route(f"{HOME}/{{id:id}}/afmeld", unsubscribe, methods=["POST"]),
    Route(f"{HOME}/{{id:id}}/eksport", export, methods=["POST"]),
    Route(f"{HOME}/{{id:id}}/slet", purge, methods=["POST"]),
]
