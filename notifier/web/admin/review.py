"""The review queue: documents the quality gate holds (release or dismiss them), and recent
items whose topics the secretariat can correct before a digest tells them.

A correction wins over the classifier for its item from then on (``store.corrections``); an
item may be given no topic at all, which is a label too (procedure, general texts).
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifier.errors import StoreError
from notifier.web.admin.console import PREFIX, Console, action, not_found, page, redirect

HOME = f"{PREFIX}/gennemgang"
RECENT = 60  # items listed for correction


@page
async def queue(request: Request, console: Console, user: str) -> Response:
    return console.render(
        request,
        "review.html.j2",
        user=user,
        title="Gennemgang",
        held=await console.store.review.held(),
        items=await console.store.corrections.recent(limit=RECENT),
        back=HOME,
    )


@page
async def document(request: Request, console: Console, user: str) -> Response:
    document_id = request.path_params["id"]
    items = await console.store.corrections.recent(document_id=document_id, limit=1000)
    held = [h for h in await console.store.review.held() if h.id == document_id]
    if not items and not held:
        return not_found(request, console, user, "Dokumentet")
    title = held[0].title if held else items[0].document_title
    return console.render(
        request,
        "review_document.html.j2",
        user=user,
        title=title,
        held=held[0] if held else None,
        items=items,
        back=f"{HOME}/dokument/{document_id}",
    )


@action
async def correct(request: Request, console: Console, user: str, form: FormData) -> Response:
    item_id = request.path_params["id"]
    known = {topic.id for topic in console.topics}
    chosen = [str(value) for value in form.getlist("topics") if str(value) in known]
    # In the order the topics are defined; the classifier's order wins for those it found.
    chosen.sort(key=[topic.id for topic in console.topics].index)
    try:
        changed = await console.store.corrections.correct(
            item_id, chosen, by=user, now=console.now()
        )
    except StoreError:
        return not_found(request, console, user, "Punktet")
    back = str(form.get("back") or HOME)
    if not back.startswith(HOME):
        back = HOME
    response = redirect(back, ok="corrected" if changed else "unchanged")
    response.headers["Location"] += f"#punkt-{item_id}"
    return response


@action
async def release(request: Request, console: Console, user: str, form: FormData) -> Response:
    document_id = request.path_params["id"]
    try:
        told = await console.store.review.release(document_id, now=console.now())
    except StoreError:
        return not_found(request, console, user, "Det tilbageholdte dokument")
    await console.audit(user, "document.release", f"document:{document_id}", {"items": told})
    return redirect(HOME, ok="document_released")


@action
async def dismiss(request: Request, console: Console, user: str, form: FormData) -> Response:
    document_id = request.path_params["id"]
    try:
        await console.store.review.dismiss(document_id)
    except StoreError:
        return not_found(request, console, user, "Det tilbageholdte dokument")
    await console.audit(user, "document.dismiss", f"document:{document_id}")
    return redirect(HOME, ok="document_dismissed")


routes = [
    Route(HOME, queue, methods=["GET"]),
    Route(f"{HOME}/dokument/{{id:id}}", document, methods=["GET"]),
    Route(f"{HOME}/dokument/{{id:id}}/frigiv", release, methods=["POST"]),
    Route(f"{HOME}/dokument/{{id:id}}/afvis", dismiss, methods=["POST"]),
    Route(f"{HOME}/punkt/{{id:id}}", correct, methods=["POST"]),
]
