"""Sources in the console: health (last success, failures, state), held-back polls released or
discarded, and "poll now".

A poll can take a while (a slow site, many PDFs): the page waits up to ``POLL_WAIT`` seconds
for it and otherwise says it is still running; the poll carries on either way. Two polls of
one source never run at once: the store's poll lease turns the second into "skipped".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifier.config import SourceConfig
from notifier.errors import ConfigError
from notifier.models import SourceState
from notifier.web.admin.console import (
    PREFIX,
    Console,
    action,
    int_param,
    not_found,
    page,
    redirect,
)

HOME = f"{PREFIX}/kilder"
POLL_WAIT = 20.0  # seconds a "poll now" answer waits for the poll
HELD_STATES = ("broken", "suspect")
POLL_STATES = {
    "ok": "hentet",
    "failed": "fejlede",
    "broken": "tilbageholdt: siden ser ødelagt ud",
    "suspect": "tilbageholdt: usædvanlig mange ændringer",
}
STATE_NAMES = {
    "ok": "OK",
    "broken": "Fejl i siden (tilbageholdt)",
    "suspect": "Usædvanlig ændring (tilbageholdt)",
}


@dataclass(frozen=True, kw_only=True)
class Row:
    config: SourceConfig
    state: SourceState | None

    @property
    def held(self) -> bool:
        return self.state is not None and (
            self.state.state in HELD_STATES or self.state.held_fingerprint is not None
        )


@page
async def sources(request: Request, console: Console, user: str) -> Response:
    states = {state.id: state for state in await console.store.sources.states()}
    rows = [Row(config=source, state=states.get(source.id)) for source in console.settings.sources]
    return console.render(
        request,
        "sources.html.j2",
        user=user,
        title="Kilder",
        rows=rows,
        state_names=STATE_NAMES,
        poll_states=POLL_STATES,
        summary=_summary(request, {row.config.id for row in rows}),
    )


def _summary(request: Request, known: set[str]) -> dict[str, object] | None:
    """What the last poll did, from the redirect's query (checked: it came through a URL)."""
    params = request.query_params
    if params.get("kilde") not in known:
        return None
    counts = {key: int_param(params.get(key)) or 0 for key in ("nye", "aendrede", "fjernede")}
    state = params.get("tilstand", "")
    return {"source": params["kilde"], "state": state if state in POLL_STATES else "", **counts}


def _source(request: Request, console: Console) -> SourceConfig | None:
    try:
        return console.settings.source(request.path_params["id"])
    except ConfigError:
        return None


async def _poll_and_answer(console: Console, source: SourceConfig, done: str) -> Response:
    task = console.spawn(console.poll(source))
    try:
        summary = await asyncio.wait_for(asyncio.shield(task), timeout=POLL_WAIT)
    except TimeoutError:
        return redirect(HOME, ok="polling")
    if summary.state == "skipped":
        return redirect(HOME, ok="busy")
    return redirect(
        HOME,
        ok=done,
        kilde=source.id,
        nye=summary.items_new,
        aendrede=summary.items_changed,
        fjernede=summary.items_removed,
        tilstand=summary.state,
    )


@action
async def poll_now(request: Request, console: Console, user: str, form: FormData) -> Response:
    source = _source(request, console)
    if source is None:
        return not_found(request, console, user, "Kilden")
    await console.audit(user, "source.poll", f"source:{source.id}")
    return await _poll_and_answer(console, source, "polled")


async def _release(request: Request, console: Console, user: str, *, discard: bool) -> Response:
    source = _source(request, console)
    if source is None:
        return not_found(request, console, user, "Kilden")
    outcome = await console.store.sources.release(source.id, discard=discard)
    if outcome not in ("released", "discarded"):
        return not_found(request, console, user, "Kilden")
    await console.audit(
        user, "source.discard" if discard else "source.release", f"source:{source.id}"
    )
    return await _poll_and_answer(console, source, outcome)


@action
async def release(request: Request, console: Console, user: str, form: FormData) -> Response:
    return await _release(request, console, user, discard=False)


@action
async def discard(request: Request, console: Console, user: str, form: FormData) -> Response:
    return await _release(request, console, user, discard=True)


routes = [
    Route(HOME, sources, methods=["GET"]),
    Route(f"{HOME}/{{id}}/hent", poll_now, methods=["POST"]),
    Route(f"{HOME}/{{id}}/frigiv", release, methods=["POST"]),
    Route(f"{HOME}/{{id}}/kasser", discard, methods=["POST"]),
]
