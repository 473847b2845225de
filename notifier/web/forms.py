"""What the subscription pages share: the choices a form asks for (``Choice``, read and checked
with Danish messages by field, and the day a pause ends), the pages that refuse a request, the
subscriber a signed link is for, and the time floor that keeps answers about addresses from
telling them apart. The console's subscriber form reads its choices here too, so a subscriber
can be given nothing there that the public pages would refuse."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import date

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from notifier import keywords
from notifier.errors import SubscriberError
from notifier.models import ALL, Council, Frequency, Subscriber, Topic
from notifier.subscriptions import (
    check_pause,
    normalize_email,
    one_line,
    parse_councils,
    parse_topics,
)
from notifier.tokens import Purpose, TokenError
from notifier.web.site import Site

log = logging.getLogger(__name__)

MAX_FIELDS = 40
SIGNUP_FLOOR = 0.2  # seconds; well above what any signup or new-link path takes
PAUSE_ERROR = "Skriv en dato efter i dag og højst et år frem, fx 1.8.2025."
_DANISH_DAY = re.compile(r"^\s*(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{4})\s*$")


@dataclass(kw_only=True)
class Choice:
    """What a form asked for, and what was wrong with it (Danish messages by field)."""

    email: str = ""
    name: str = ""
    topics: tuple[str, ...] = ()
    councils: tuple[str, ...] = (ALL,)
    frequency: Frequency = Frequency.WEEKLY
    keywords: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    first_digest: bool = False
    paused_until: date | None = None  # a pause still to come (a past one is no pause)
    errors: dict[str, str] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)  # a refused field's text, shown again

    def topic_checked(self, topic_id: str) -> bool:
        return ALL in self.topics or topic_id in self.topics

    def council_checked(self, council: str) -> bool:
        return ALL in self.councils or council in self.councils

    @property
    def keywords_text(self) -> str:
        return self.typed.get("keywords", ", ".join(self.keywords))

    @property
    def excluded_text(self) -> str:
        return self.typed.get("excluded", ", ".join(self.excluded))

    @property
    def paused_text(self) -> str:
        shown = self.paused_until.isoformat() if self.paused_until else ""
        return self.typed.get("paused_until", shown)

    @classmethod
    def of(cls, subscriber: Subscriber, *, today: date | None = None) -> Choice:
        """The subscriber's choices; with ``today``, also a pause that has not ended."""
        paused = today is not None and subscriber.paused(today)
        return cls(
            email=subscriber.email,
            name=subscriber.name,
            topics=subscriber.topics,
            councils=subscriber.councils,
            frequency=subscriber.frequency,
            keywords=subscriber.keywords,
            excluded=subscriber.excluded,
            paused_until=subscriber.paused_until if paused else None,
        )


def read_choice(form: FormData, offered: Sequence[Topic], *, with_email: bool) -> Choice:
    """A signup, manage or console form's choices, each checked, with Danish messages."""
    choice = Choice(name=one_line(str(form.get("name") or "")))
    if with_email:
        choice.email = str(form.get("email") or "").strip()[:320]
        try:
            choice.email = normalize_email(choice.email)
        except SubscriberError:
            choice.errors["email"] = (
                # mail to such an address cannot be sent: say why, not just "invalid"
                "Vi kan ikke sende til adresser med æ, ø, å eller andre særlige tegn før @. "
                "Skriv en adresse uden dem, fx navn@kommune.dk."
                if not choice.email.rpartition("@")[0].isascii()
                else "Skriv en gyldig e-mailadresse, fx navn@kommune.dk."
            )
        choice.first_digest = form.get("first_digest") == "ja"
    for name in ("keywords", "excluded"):
        typed = str(form.get(name) or "")[:2000]
        try:
            setattr(choice, name, keywords.parse(typed))
        except SubscriberError:
            choice.typed[name] = typed
            choice.errors[name] = (
                f"Skriv højst {keywords.MAX_WORDS} ord eller udtryk, adskilt med komma, hver "
                f"på højst {keywords.MAX_LENGTH} tegn. Stjerne (*) kun sidst i et ord."
            )
    known = [topic.id for topic in offered]
    picked = [str(value) for value in form.getlist("topics")]
    if picked or not choice.keywords:
        try:
            topics = parse_topics(picked, known)
            choice.topics = (ALL,) if set(topics) == set(known) else topics
        except SubscriberError:
            choice.errors["topics"] = "Vælg mindst ét emne, eller skriv dine egne ord."
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


def read_day(value: str) -> date | None:
    """A day as a date field sends it (2025-07-01) or as a Dane types it (1.7.2025)."""
    value = value.strip()
    match = _DANISH_DAY.match(value)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def read_pause(value: str, *, today: date) -> date | None:
    """The day a pause ends, as typed into a form: None for an empty field; SubscriberError
    unless it is a day after today and within a year (the Danish words are PAUSE_ERROR)."""
    if not value.strip():
        return None
    day = read_day(value[:40])
    if day is None:
        raise SubscriberError(f"not a day: {value[:40]!r}")
    return check_pause(day, today=today)


async def read_form(request: Request) -> FormData:
    return await request.form(max_files=0, max_fields=MAX_FIELDS)


async def after_floor(work: Awaitable[object]) -> None:
    """Do the work, answering no sooner than SIGNUP_FLOOR after it began: a new, a pending and
    an active address take different work, and the time must not tell them apart."""
    started = asyncio.get_running_loop().time()
    await work
    left = SIGNUP_FLOOR - (asyncio.get_running_loop().time() - started)
    if left > 0:
        await asyncio.sleep(left)


def forbidden(site: Site, request: Request) -> Response:
    return site.message(
        request,
        "Formularen er udløbet",
        "Siden var for gammel, eller din browser sendte ikke den cookie, formularen bruger "
        "til at beskytte dig. Hent siden igen, og prøv en gang til.",
        status=403,
        link=(str(request.url.path), "Hent siden igen"),
    )


def too_many(site: Site, request: Request) -> Response:
    response = site.message(
        request,
        "For mange forsøg",
        "Der er sendt for mange forespørgsler på kort tid. Vent en time, og prøv igen.",
        status=429,
    )
    response.headers["Retry-After"] = "3600"
    return response


def invalid_link(site: Site, request: Request) -> Response:
    return site.message(
        request,
        "Linket virker ikke",
        "Linket er ugyldigt, udløbet eller erstattet af et nyere. "
        "Du kan tilmelde dig igen, så får du et nyt link.",
        status=400,
        link=("/abonnement", "Til tilmeldingen"),
    )


async def from_token(site: Site, purpose: Purpose, token: str) -> Subscriber | None:
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
