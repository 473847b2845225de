"""Subscription pages: sign up with double opt-in, confirm, manage, unsubscribe.

Every answer to the signup form is the same page and every signup sends one mail, whether
the address is new (a confirmation link), pending (the link again), unsubscribed (a fresh
link; older links are revoked) or active (a "you are already subscribed" mail with a link to
manage), so neither the page nor the mail flow tells a stranger whether an address is known.

While mail is disabled (no SMTP host), the form says so and takes no signups: a promise of a
confirmation mail that cannot be sent would be a lie, and the queued mail would arrive whenever
mail is switched on, perhaps with a link that no longer works.

Confirming, managing and unsubscribing are reached only through signed links (notifier.tokens)
whose generation must still be the subscriber's. Actions are POSTs: mail scanners that fetch
links must not confirm or unsubscribe anyone. The unsubscribe URL also takes the RFC 8058
one-click POST (``List-Unsubscribe=One-Click``), which mail clients send without a CSRF token;
the signed link is the authority there.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifier.errors import SubscriberError
from notifier.models import ALL, Council, Frequency, Subscriber, SubscriberState
from notifier.subscriptions import normalize_email, one_line, parse_councils, parse_topics
from notifier.tokens import PATHS, Purpose, TokenError
from notifier.web.csrf import FIELD
from notifier.web.site import Site, site_of

log = logging.getLogger(__name__)

MAX_FIELDS = 40
SIGNUP_FLOOR = 0.2  # seconds; well above what any signup path takes


@dataclass(kw_only=True)
class Choice:
    """What a form asked for, and what was wrong with it (Danish messages by field)."""

    email: str = ""
    name: str = ""
    topics: tuple[str, ...] = ()
    councils: tuple[str, ...] = (ALL,)
    frequency: Frequency = Frequency.WEEKLY
    errors: dict[str, str] = field(default_factory=dict)

    def topic_checked(self, topic_id: str) -> bool:
        return ALL in self.topics or topic_id in self.topics

    def council_checked(self, council: str) -> bool:
        return ALL in self.councils or council in self.councils


def _choice(form: FormData, site: Site, *, with_email: bool) -> Choice:
    choice = Choice(name=one_line(str(form.get("name") or "")))
    if with_email:
        choice.email = str(form.get("email") or "").strip()[:320]
        try:
            choice.email = normalize_email(choice.email)
        except SubscriberError:
            choice.errors["email"] = "Skriv en gyldig e-mailadresse, fx navn@kommune.dk."
    known = [topic.id for topic in site.topics]
    picked = [str(value) for value in form.getlist("topics")]
    try:
        topics = parse_topics(picked, known)
        choice.topics = (ALL,) if set(topics) == set(known) else topics
    except SubscriberError:
        choice.errors["topics"] = "Vælg mindst ét emne."
    try:
        councils = parse_councils([str(value) for value in form.getlist("councils")])
        choice.councils = (ALL,) if set(councils) == {str(c) for c in Council} else councils
    except SubscriberError:
        choice.errors["councils"] = "Vælg blandt de fem KKR'er."
    try:
        choice.frequency = Frequency(str(form.get("frequency") or ""))
    except ValueError:
        choice.errors["frequency"] = "Vælg hvor ofte du vil have mail."
    return choice


async def _form(request: Request) -> FormData:
    return await request.form(max_files=0, max_fields=MAX_FIELDS)


def _forbidden(site: Site, request: Request) -> Response:
    return site.message(
        request,
        "Formularen er udløbet",
        "Siden var for gammel, eller din browser sendte ikke den cookie, formularen bruger "
        "til at beskytte dig. Hent siden igen, og prøv en gang til.",
        status=403,
        link=(str(request.url.path), "Hent siden igen"),
    )


def _too_many(site: Site, request: Request) -> Response:
    response = site.message(
        request,
        "For mange forsøg",
        "Der er sendt for mange tilmeldinger på kort tid. Vent en time, og prøv igen.",
        status=429,
    )
    response.headers["Retry-After"] = "3600"
    return response


def _invalid_link(site: Site, request: Request) -> Response:
    return site.message(
        request,
        "Linket virker ikke",
        "Linket er ugyldigt, udløbet eller erstattet af et nyere. "
        "Du kan tilmelde dig igen, så får du et nyt link.",
        status=400,
        link=("/abonnement", "Til tilmeldingen"),
    )


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
    form = await _form(request)
    if not site.csrf.valid(request, str(form.get(FIELD) or "")):
        return _forbidden(site, request)
    client = request.client.host if request.client else "unknown"
    if not site.ip_limit.allow(client):
        return _too_many(site, request)
    choice = _choice(form, site, with_email=True)
    if choice.errors:
        return site.page(request, "subscribe.html.j2", status=400, form=True, choice=choice)
    if not site.address_limit.allow(choice.email):
        return _too_many(site, request)
    started = asyncio.get_running_loop().time()
    await site.subscriptions.signup(
        email=choice.email,
        name=choice.name,
        topics=choice.topics,
        councils=choice.councils,
        frequency=choice.frequency,
    )
    # A new, a pending and an active address take different work; answering no sooner than
    # SIGNUP_FLOOR after the work began keeps the time from telling them apart.
    left = SIGNUP_FLOOR - (asyncio.get_running_loop().time() - started)
    if left > 0:
        await asyncio.sleep(left)
    return site.message(
        request,
        "Tjek din indbakke",
        f"Vi har sendt en mail til {choice.email}. "
        "Klik på linket i mailen for at bekræfte dit abonnement.",
        "Kommer mailen ikke inden for et par minutter, så kig i spam-mappen.",
    )


async def _from_token(site: Site, purpose: Purpose, token: str) -> Subscriber | None:
    """The subscriber a link is for, or None if the link is forged, expired or revoked."""
    try:
        subscriber_id, generation = site.tokens.read(purpose, token)
    except TokenError as exc:
        log.info("refused link", extra={"purpose": purpose.value, "reason": str(exc)})
        return None
    subscriber = await site.store.subscribers.get(subscriber_id)
    if subscriber is None or subscriber.token_generation != generation:
        return None
    return subscriber


def _manage_link(site: Site, subscriber: Subscriber) -> tuple[str, str]:
    url = site.tokens.url(Purpose.MANAGE, subscriber.id, subscriber.token_generation)
    return (url, "Ret dit abonnement")


async def confirm_page(request: Request) -> Response:
    site = site_of(request)
    subscriber = await _from_token(site, Purpose.CONFIRM, request.path_params["token"])
    if subscriber is None or subscriber.state is SubscriberState.UNSUBSCRIBED:
        return _invalid_link(site, request)
    return site.page(request, "confirm.html.j2", form=True, subscriber=subscriber)


async def confirm(request: Request) -> Response:
    site = site_of(request)
    form = await _form(request)
    if not site.csrf.valid(request, str(form.get(FIELD) or "")):
        return _forbidden(site, request)
    subscriber = await _from_token(site, Purpose.CONFIRM, request.path_params["token"])
    if subscriber is None or subscriber.state is SubscriberState.UNSUBSCRIBED:
        return _invalid_link(site, request)
    subscriber = await site.subscriptions.confirm(subscriber)
    return site.message(
        request,
        "Dit abonnement er bekræftet",
        "Du får nu mail fra KKR Notifier om de emner og KKR'er, du har valgt.",
        "Hver mail har et link, hvor du kan ændre dit abonnement eller afmelde dig.",
        link=_manage_link(site, subscriber),
    )


async def manage_page(request: Request) -> Response:
    site = site_of(request)
    subscriber = await _from_token(site, Purpose.MANAGE, request.path_params["token"])
    if subscriber is None:
        return _invalid_link(site, request)
    return _manage(site, request, subscriber, _current(subscriber))


def _current(subscriber: Subscriber) -> Choice:
    return Choice(
        email=subscriber.email,
        name=subscriber.name,
        topics=subscriber.topics,
        councils=subscriber.councils,
        frequency=subscriber.frequency,
    )


def _manage(
    site: Site,
    request: Request,
    subscriber: Subscriber,
    choice: Choice,
    *,
    saved: bool = False,
    status: int = 200,
) -> Response:
    unsubscribe = site.tokens.url(Purpose.UNSUBSCRIBE, subscriber.id, subscriber.token_generation)
    return site.page(
        request,
        "manage.html.j2",
        status=status,
        form=True,
        subscriber=subscriber,
        choice=choice,
        saved=saved,
        unsubscribe_url=unsubscribe,
    )


async def manage(request: Request) -> Response:
    site = site_of(request)
    form = await _form(request)
    if not site.csrf.valid(request, str(form.get(FIELD) or "")):
        return _forbidden(site, request)
    subscriber = await _from_token(site, Purpose.MANAGE, request.path_params["token"])
    if subscriber is None or subscriber.state is SubscriberState.UNSUBSCRIBED:
        return _invalid_link(site, request)
    choice = _choice(form, site, with_email=False)
    choice.email = subscriber.email
    if choice.errors:
        return _manage(site, request, subscriber, choice, status=400)
    subscriber = await site.subscriptions.change(
        subscriber.id,
        name=choice.name,
        topics=choice.topics,
        councils=choice.councils,
        frequency=choice.frequency,
    )
    return _manage(site, request, subscriber, _current(subscriber), saved=True)


async def unsubscribe_page(request: Request) -> Response:
    site = site_of(request)
    subscriber = await _from_token(site, Purpose.UNSUBSCRIBE, request.path_params["token"])
    if subscriber is None:
        return _invalid_link(site, request)
    return site.page(request, "unsubscribe.html.j2", subscriber=subscriber)


async def unsubscribe(request: Request) -> Response:
    """The button on the page and RFC 8058 one-click alike; no CSRF token (see module doc)."""
    site = site_of(request)
    subscriber = await _from_token(site, Purpose.UNSUBSCRIBE, request.path_params["token"])
    if subscriber is None:
        return _invalid_link(site, request)
    if subscriber.state is not SubscriberState.UNSUBSCRIBED:
        await site.subscriptions.unsubscribe(subscriber)
    return site.message(
        request,
        "Du er afmeldt",
        f"{subscriber.email} får ikke flere mails fra KKR Notifier.",
        link=("/abonnement", "Tilmeld dig igen"),
    )


_CONFIRM = f"{PATHS[Purpose.CONFIRM]}/{{token}}"
_MANAGE = f"{PATHS[Purpose.MANAGE]}/{{token}}"
_UNSUBSCRIBE = f"{PATHS[Purpose.UNSUBSCRIBE]}/{{token}}"

routes = [
    Route("/abonnement", subscribe_form, methods=["GET"]),
    Route("/abonnement", subscribe, methods=["POST"]),
    Route(_CONFIRM, confirm_page, methods=["GET"]),
    Route(_CONFIRM, confirm, methods=["POST"]),
    Route(_MANAGE, manage_page, methods=["GET"]),
    Route(_MANAGE, manage, methods=["POST"]),
    Route(_UNSUBSCRIBE, unsubscribe_page, methods=["GET"]),
    Route(_UNSUBSCRIBE, unsubscribe, methods=["POST"]),
]
