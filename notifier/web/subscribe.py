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

import logging
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifier import mail
from notifier.errors import SubscriberError
from notifier.models import ALL, Council, Frequency, SubscriberState
from notifier.store import events as store_events
from notifier.store import outbox as store_outbox
from notifier.store import subscribers as store_subscribers
from notifier.store.subscribers import Subscriber
from notifier.subscribers import normalize_email, parse_councils, parse_topics
from notifier.tokens import PATHS, Purpose, TokenError
from notifier.web.csrf import FIELD
from notifier.web.site import FREQUENCY_NAMES, Site, site_of

log = logging.getLogger(__name__)

MAX_NAME = 200
MAX_FIELDS = 40


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
    choice = Choice(name=str(form.get("name") or "").strip()[:MAX_NAME])
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
    async with site.engine.begin() as conn:
        now = site.clock()
        subscriber = await store_subscribers.by_email(conn, choice.email)
        if subscriber is None:
            try:
                subscriber = await store_subscribers.add(
                    conn,
                    email=choice.email,
                    name=choice.name,
                    topics=choice.topics,
                    councils=choice.councils,
                    frequency=choice.frequency,
                    state=SubscriberState.PENDING,
                    now=now,
                )
            except SubscriberError:  # signed up by a concurrent request a moment ago
                subscriber = await store_subscribers.by_email(conn, choice.email)
                assert subscriber is not None
        elif subscriber.state is not SubscriberState.ACTIVE:
            if subscriber.state is SubscriberState.UNSUBSCRIBED:
                await store_subscribers.revoke_links(conn, subscriber.id)
            subscriber = await store_subscribers.update(
                conn,
                subscriber.id,
                now=now,
                name=choice.name,
                topics=choice.topics,
                councils=choice.councils,
                frequency=choice.frequency,
                state=SubscriberState.PENDING,
            )
        await _enqueue_confirmation(site, conn, subscriber)
    return site.message(
        request,
        "Tjek din indbakke",
        f"Vi har sendt en mail til {choice.email}. "
        "Klik på linket i mailen for at bekræfte dit abonnement.",
        "Kommer mailen ikke inden for et par minutter, så kig i spam-mappen.",
    )


async def _enqueue_confirmation(site: Site, conn: AsyncConnection, subscriber: Subscriber) -> None:
    already = subscriber.state is SubscriberState.ACTIVE
    purpose = Purpose.MANAGE if already else Purpose.CONFIRM
    link = site.tokens.url(purpose, subscriber.id, subscriber.token_generation)
    context = {
        "already": already,
        "name": subscriber.name,
        "link": link,
        "topics": _topic_names(site, subscriber.topics),
        "councils": _council_names(subscriber.councils),
        "frequency": FREQUENCY_NAMES[subscriber.frequency],
        "max_age_days": int(site.settings.web.token_max_age // 86400),
        "site_url": site.settings.web.base_url,
    }
    subject = (
        "Du abonnerer allerede på KKR Notifier"
        if already
        else "Bekræft dit abonnement på KKR Notifier"
    )
    host = urlsplit(site.settings.web.base_url).hostname or "localhost"
    now = site.clock()
    message_id = f"confirm.{subscriber.id}.{secrets.token_hex(8)}@{host}"
    body = mail.build_message(
        sender=site.settings.mail.from_address,
        recipient=subscriber.email,
        subject=subject,
        text=site.env.get_template("email/confirm.txt.j2").render(**context),
        html=site.env.get_template("email/confirm.html.j2").render(**context),
        message_id=message_id,
        date=now,
        headers={"Auto-Submitted": "auto-generated"},
    )
    await store_outbox.enqueue(
        conn,
        message_id=message_id,
        kind="confirm",
        recipient=subscriber.email,
        subject=subject,
        body=body,
        subscriber_id=subscriber.id,
        now=now,
    )


def _topic_names(site: Site, topics: tuple[str, ...]) -> list[str]:
    if ALL in topics:
        return ["Alle emner"]
    names = site.topic_names
    return [names[topic] for topic in topics if topic in names]


def _council_names(councils: tuple[str, ...]) -> list[str]:
    if ALL in councils:
        return ["Alle fem KKR'er"]
    return [Council(council).danish_name for council in councils]


async def _from_token(site: Site, purpose: Purpose, token: str) -> Subscriber | None:
    """The subscriber a link is for, or None if the link is forged, expired or revoked."""
    try:
        subscriber_id, generation = site.tokens.read(purpose, token)
    except TokenError as exc:
        log.info("refused link", extra={"purpose": purpose.value, "reason": str(exc)})
        return None
    async with site.engine.connect() as conn:
        subscriber = await store_subscribers.get(conn, subscriber_id)
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
    if subscriber.state is SubscriberState.PENDING:
        async with site.engine.begin() as conn:
            subscriber = await store_subscribers.update(
                conn, subscriber.id, now=site.clock(), state=SubscriberState.ACTIVE
            )
            # Mail starts with what happens from now on, not what happened while pending.
            await store_subscribers.set_cursor(
                conn, subscriber.id, await store_events.last_id(conn)
            )
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
    async with site.engine.begin() as conn:
        subscriber = await store_subscribers.update(
            conn,
            subscriber.id,
            now=site.clock(),
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
        async with site.engine.begin() as conn:
            await store_subscribers.update(
                conn, subscriber.id, now=site.clock(), state=SubscriberState.UNSUBSCRIBED
            )
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
