"""Managing a subscription through its signed link: topics, councils, own words, frequency, a
pause until a day; and the "send me a new link" form an expired or invalid manage link leads to.

The new-link form answers with the same page, no sooner than the same floor as a signup,
whether or not the address is known; only a subscriber's own inbox learns the difference (a
fresh manage link, or a confirmation link while unconfirmed).
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifier.errors import SubscriberError
from notifier.models import Subscriber, SubscriberState
from notifier.subscriptions import normalize_email
from notifier.tokens import PATHS, Purpose
from notifier.web.csrf import FIELD
from notifier.web.forms import (
    PAUSE_ERROR,
    Choice,
    after_floor,
    forbidden,
    from_token,
    read_choice,
    read_form,
    read_pause,
    too_many,
)
from notifier.web.site import Site, site_of

NEW_LINK = "/abonnement/nyt-link"


def manage_link(site: Site, subscriber: Subscriber) -> tuple[str, str]:
    url = site.tokens.url(Purpose.MANAGE, subscriber.id, subscriber.token_generation)
    return (url, "Ret dit abonnement")


def _new_link_form(
    site: Site, request: Request, *, expired: bool, error: str = "", email: str = ""
) -> Response:
    return site.page(
        request,
        "new_link.html.j2",
        status=400 if expired or error else 200,
        form=True,
        expired=expired,
        error=error,
        email=email,
    )


def _manage(
    site: Site,
    request: Request,
    subscriber: Subscriber,
    choice: Choice,
    *,
    saved: str = "",
    pause_error: str = "",
    until: str | None = None,
    status: int = 200,
) -> Response:
    unsubscribe = site.tokens.url(Purpose.UNSUBSCRIBE, subscriber.id, subscriber.token_generation)
    today = site.subscriptions.today()
    return site.page(
        request,
        "manage.html.j2",
        status=status,
        form=True,
        subscriber=subscriber,
        choice=choice,
        saved=saved,
        paused=subscriber.paused(today),
        pause_error=pause_error,
        until=until,  # a refused day as typed, shown again
        today=today,
        manage_path=f"{PATHS[Purpose.MANAGE]}/{request.path_params['token']}",
        unsubscribe_url=unsubscribe,
    )


async def manage_page(request: Request) -> Response:
    site = site_of(request)
    subscriber = await from_token(site, Purpose.MANAGE, request.path_params["token"])
    if subscriber is None:
        return _new_link_form(site, request, expired=True)
    return _manage(site, request, subscriber, Choice.of(subscriber))


async def _posted(request: Request) -> tuple[Site, FormData, Subscriber] | Response:
    """The site, form and subscriber of a form posted to a manage link, or the page to answer
    instead: forbidden for a bad CSRF token, the new-link form when the link no longer
    manages a subscription."""
    site = site_of(request)
    form = await read_form(request)
    if not site.csrf.valid(request, str(form.get(FIELD) or "")):
        return forbidden(site, request)
    subscriber = await from_token(site, Purpose.MANAGE, request.path_params["token"])
    if subscriber is None or subscriber.state is SubscriberState.UNSUBSCRIBED:
        return _new_link_form(site, request, expired=True)
    return site, form, subscriber


async def manage(request: Request) -> Response:
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    site, form, subscriber = posted
    choice = read_choice(form, site.topics, with_email=False)
    choice.email = subscriber.email
    if choice.errors:
        return _manage(site, request, subscriber, choice, status=400)
    subscriber = await site.subscriptions.change(
        subscriber.id,
        name=choice.name,
        topics=choice.topics,
        councils=choice.councils,
        frequency=choice.frequency,
        keywords=choice.keywords,
        excluded=choice.excluded,
    )
    return _manage(
        site, request, subscriber, Choice.of(subscriber), saved="Dine ændringer er gemt."
    )


async def pause(request: Request) -> Response:
    """Pause mail until a day, or resume now (the "resume" button)."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    site, form, subscriber = posted
    if form.get("resume"):
        subscriber = await site.subscriptions.change(subscriber.id, resume=True)
        saved = "Du får mail igen fra nu af."
    else:
        typed = str(form.get("until") or "")
        try:
            day = read_pause(typed, today=site.subscriptions.today())
            if day is None:
                raise SubscriberError("no day")
        except SubscriberError:
            return _manage(
                site,
                request,
                subscriber,
                Choice.of(subscriber),
                pause_error=PAUSE_ERROR,
                until=typed[:40],
                status=400,
            )
        subscriber = await site.subscriptions.change(subscriber.id, paused_until=day)
        saved = "Dine mails er sat på pause."
    return _manage(site, request, subscriber, Choice.of(subscriber), saved=saved)


async def new_link_form(request: Request) -> Response:
    return _new_link_form(site_of(request), request, expired=False)


async def new_link(request: Request) -> Response:
    site = site_of(request)
    form = await read_form(request)
    if not site.csrf.valid(request, str(form.get(FIELD) or "")):
        return forbidden(site, request)
    client = request.client.host if request.client else "unknown"
    if not site.ip_limit.allow(client):
        return too_many(site, request)
    typed = str(form.get("email") or "").strip()[:320]
    try:
        address = normalize_email(typed)
    except SubscriberError:
        return _new_link_form(
            site,
            request,
            expired=False,
            error="Skriv en gyldig e-mailadresse, fx navn@kommune.dk.",
            email=typed,
        )
    if not site.address_limit.allow(address):
        return too_many(site, request)
    await after_floor(site.subscriptions.send_link(address))
    return site.message(
        request,
        "Tjek din indbakke",
        f"Hvis {address} abonnerer på KKR Notifier, har vi sendt en mail med et nyt link.",
        "Kommer mailen ikke inden for et par minutter, så kig i spam-mappen.",
    )


_MANAGE = f"{PATHS[Purpose.MANAGE]}/{{token}}"

routes = [
    Route(NEW_LINK, new_link_form, methods=["GET"]),
    Route(NEW_LINK, new_link, methods=["POST"]),
    Route(_MANAGE, manage_page, methods=["GET"]),
    Route(_MANAGE, manage, methods=["POST"]),
    Route(f"{_MANAGE}/pause", pause, methods=["POST"]),
]
