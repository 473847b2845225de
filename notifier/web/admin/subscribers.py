"""Subscribers in the console: search, add, change, unsubscribe, export (GDPR access) and
purge (GDPR erasure), each through ``Subscriptions`` like the CLI and the public pages, and each
written to the audit log with the subscriber's id (never the address, which a purge erases)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifier.errors import SubscriberError
from notifier.models import ALL, Council, Frequency, Subscriber, SubscriberState
from notifier.subscriptions import normalize_email, one_line, parse_councils, parse_topics
from notifier.web.admin.console import (
    PREFIX,
    Console,
    action,
    not_found,
    page,
    private,
    redirect,
)

LIST_LIMIT = 500
HOME = f"{PREFIX}/abonnenter"


@dataclass(kw_only=True)
class Choices:
    """The subscriber form's values and what was wrong with them (Danish, by field)."""

    email: str = ""
    name: str = ""
    topics: tuple[str, ...] = (ALL,)
    councils: tuple[str, ...] = (ALL,)
    frequency: Frequency = Frequency.WEEKLY
    errors: dict[str, str] = field(default_factory=dict)

    def has_topic(self, topic_id: str) -> bool:
        return ALL in self.topics or topic_id in self.topics

    def has_council(self, council: str) -> bool:
        return ALL in self.councils or council in self.councils

    @classmethod
    def of(cls, subscriber: Subscriber) -> Choices:
        return cls(
            email=subscriber.email,
            name=subscriber.name,
            topics=subscriber.topics,
            councils=subscriber.councils,
            frequency=subscriber.frequency,
        )


def _choices(form: FormData, console: Console, *, email: str | None = None) -> Choices:
    choices = Choices(name=one_line(str(form.get("name") or "")))
    if email is None:
        choices.email = str(form.get("email") or "").strip()[:320]
        try:
            choices.email = normalize_email(choices.email)
        except SubscriberError:
            choices.errors["email"] = "Skriv en gyldig e-mailadresse."
    else:
        choices.email = email
    known = [topic.id for topic in console.topics]
    try:
        topics = parse_topics([str(v) for v in form.getlist("topics")], known)
        choices.topics = (ALL,) if set(topics) == set(known) else topics
    except SubscriberError:
        choices.errors["topics"] = "Vælg mindst ét emne."
    try:
        councils = parse_councils([str(v) for v in form.getlist("councils")])
        choices.councils = (ALL,) if set(councils) == {str(c) for c in Council} else councils
    except SubscriberError:
        choices.errors["councils"] = "Vælg blandt de fem KKR'er."
    try:
        choices.frequency = Frequency(str(form.get("frequency") or ""))
    except ValueError:
        choices.errors["frequency"] = "Vælg en hyppighed."
    return choices


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
        people = [p for p in people if needle in p.email or needle in p.name.casefold()]
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
    )


@page
async def new_form(request: Request, console: Console, user: str) -> Response:
    return console.render(
        request, "subscriber_new.html.j2", user=user, title="Ny abonnent", choices=Choices()
    )


@action
async def add(request: Request, console: Console, user: str, form: FormData) -> Response:
    choices = _choices(form, console)
    if not choices.errors:
        try:
            subscriber = await console.subscriptions.add(
                email=choices.email,
                name=choices.name,
                topics=choices.topics,
                councils=choices.councils,
                frequency=choices.frequency,
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
    return await _full_detail(request, console, user, subscriber, Choices.of(subscriber))


async def _full_detail(
    request: Request,
    console: Console,
    user: str,
    subscriber: Subscriber,
    choices: Choices,
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
        messages=await console.store.send_log.messages(subscriber_id=subscriber.id),
        history=await console.store.admin.log(target=target(subscriber.id), limit=50),
        **context,
    )


@action
async def change(request: Request, console: Console, user: str, form: FormData) -> Response:
    subscriber = await _subscriber(request, console)
    if subscriber is None:
        return not_found(request, console, user, "Abonnenten")
    choices = _choices(form, console, email=subscriber.email)
    if choices.errors:
        return await _full_detail(request, console, user, subscriber, choices, status=400)
    before = Choices.of(subscriber)
    await console.subscriptions.change(
        subscriber.id,
        name=choices.name,
        topics=choices.topics,
        councils=choices.councils,
        frequency=choices.frequency,
    )
    changed = {
        key: {"before": _plain(getattr(before, key)), "after": _plain(getattr(choices, key))}
        for key in ("name", "topics", "councils", "frequency")
        if getattr(before, key) != getattr(choices, key)
    }
    await console.audit(user, "subscriber.change", target(subscriber.id), changed)
    return redirect(f"{HOME}/{subscriber.id}", ok="saved")


def _plain(value: object) -> object:
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
            Choices.of(subscriber),
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
    Route(f"{HOME}/{{id:int}}", detail, methods=["GET"]),
    Route(f"{HOME}/{{id:int}}", change, methods=["POST"]),
    Route(f"{HOME}/{{id:int}}/afmeld", unsubscribe, methods=["POST"]),
    Route(f"{HOME}/{{id:int}}/eksport", export, methods=["POST"]),
    Route(f"{HOME}/{{id:int}}/slet", purge, methods=["POST"]),
]
