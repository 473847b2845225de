"""Subscription pages: sign up with double opt-in, confirm, unsubscribe.

Every answer to the signup form is the same page and every signup sends one mail, whether
the address is new (a confirmation link), pending (the link again), unsubscribed (a fresh
link; older links are revoked) or active (a "you are already subscribed" mail with a link to
manage), so neither the page nor the mail flow tells a stranger whether an address is known.

While mail is disabled (no SMTP host), the form says so and takes no signups: a promise of a
confirmation mail that cannot be sent would be a lie, and the queued mail would arrive whenever
mail is switched on, perhaps with a link that no longer works.

Confirming and unsubscribing are reached only through signed links (notifier.tokens) whose
generation must still be the subscriber's; unsubscribe links never expire. Actions are POSTs:
mail scanners that fetch links must not confirm or unsubscribe anyone. The unsubscribe URL also
takes the RFC 8058 one-click POST (``List-Unsubscribe=One-Click``), which mail clients send
without a CSRF token; the signed link is the authority there. Managing a subscription is in
``web.manage``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifier.models import SubscriberState
from notifier.tokens import PATHS, Purpose
from notifier.web.csrf import FIELD
from notifier.web.forms import (
    SIGNUP_FLOOR,
    Choice,
    after_floor,
    forbidden,
    from_token,
    invalid_link,
    read_choice,
    read_form,
    too_many,
)
from notifier.web.manage import manage_link
from notifier.web.site import Site, site_of

__all__ = ["SIGNUP_FLOOR", "routes"]


def _mail_disabled(site: Site, request: Request, *, status: int) -> Response:
    return site.message(
        request,
        "Tilmelding er lukket lige nu",
        "Denne KKR Notifier sender ikke mail endnu, så du kan ikke tilmelde dig her i øjeblikket.",
        "Du kan stadig følge med i arkivet og i feeds.",
        status=status,
        link=("/arkiv", "Til arkivet"),
    )


async def subscribe_form(request: Request) -> Response:
    site = site_of(request)
    if not site.settings.smtp.enabled:
        return _mail_disabled(site, request, status=200)
    return site.page(request, "subscribe.html.j2", form=True, choice=Choice())


async def subscribe(request: Request) -> Response:
    site = site_of(request)
    if not site.settings.smtp.enabled:
        return _mail_disabled(site, request, status=503)
    form = await read_form(request)
    if not site.csrf.valid(request, str(form.get(FIELD) or "")):
        return forbidden(site, request)
    client = request.client.host if request.client else "unknown"
    if not site.ip_limit.allow(client):
        return too_many(site, request)
    choice = read_choice(form, site.topics, with_email=True)
    if choice.errors:
        return site.page(request, "subscribe.html.j2", status=400, form=True, choice=choice)
    if not site.address_limit.allow(choice.email):
        return too_many(site, request)
    await after_floor(
        site.subscriptions.signup(
            email=choice.email,
            name=choice.name,
            topics=choice.topics,
            councils=choice.councils,
            frequency=choice.frequency,
            keywords=choice.keywords,
            excluded=choice.excluded,
            first_digest=choice.first_digest,
        )
    )
    return site.message(
        request,
        "Tjek din indbakke",
        f"Vi har sendt en mail til {choice.email}. "
        "Klik på linket i mailen for at bekræfte dit abonnement.",
        "Kommer mailen ikke inden for et par minutter, så kig i spam-mappen.",
    )


async def confirm_page(request: Request) -> Response:
    site = site_of(request)
    subscriber = await from_token(site, Purpose.CONFIRM, request.path_params["token"])
    if subscriber is None or subscriber.state is SubscriberState.UNSUBSCRIBED:
        return invalid_link(site, request)
    return site.page(request, "confirm.html.j2", form=True, subscriber=subscriber)


async def confirm(request: Request) -> Response:
    site = site_of(request)
    form = await read_form(request)
    if not site.csrf.valid(request, str(form.get(FIELD) or "")):
        return forbidden(site, request)
    subscriber = await from_token(site, Purpose.CONFIRM, request.path_params["token"])
    if subscriber is None or subscriber.state is SubscriberState.UNSUBSCRIBED:
        return invalid_link(site, request)
    first = subscriber.first_digest and subscriber.state is SubscriberState.PENDING
    subscriber = await site.subscriptions.confirm(subscriber)
    return site.message(
        request,
        "Dit abonnement er bekræftet",
        "Du får nu mail fra KKR Notifier om de emner, ord og KKR'er, du har valgt.",
        *(["Den første mail med den seneste måneds punkter er på vej."] if first else []),
        "Hver mail har et link, hvor du kan ændre dit abonnement eller afmelde dig.",
        link=manage_link(site, subscriber),
    )


async def unsubscribe_page(request: Request) -> Response:
    site = site_of(request)
    subscriber = await from_token(site, Purpose.UNSUBSCRIBE, request.path_params["token"])
    if subscriber is None:
        return invalid_link(site, request)
    return site.page(request, "unsubscribe.html.j2", subscriber=subscriber)


async def unsubscribe(request: Request) -> Response:
    """The button on the page and RFC 8058 one-click alike; no CSRF token (see module doc)."""
    site = site_of(request)
    subscriber = await from_token(site, Purpose.UNSUBSCRIBE, request.path_params["token"])
    if subscriber is None:
        return invalid_link(site, request)
    if subscriber.state is not SubscriberState.UNSUBSCRIBED:
        await site.subscriptions.unsubscribe(subscriber)
    return site.message(
        request,
        "Du er afmeldt",
        f"{subscriber.email} får ikke flere mails fra KKR Notifier.",
        link=("/abonnement", "Tilmeld dig igen"),
    )


_CONFIRM = f"{PATHS[Purpose.CONFIRM]}/{{token}}"
_UNSUBSCRIBE = f"{PATHS[Purpose.UNSUBSCRIBE]}/{{token}}"

routes = [
    Route("/abonnement", subscribe_form, methods=["GET"]),
    Route("/abonnement", subscribe, methods=["POST"]),
    Route(_CONFIRM, confirm_page, methods=["GET"]),
    Route(_CONFIRM, confirm, methods=["POST"]),
    Route(_UNSUBSCRIBE, unsubscribe_page, methods=["GET"]),
    Route(_UNSUBSCRIBE, unsubscribe, methods=["POST"]),
]
