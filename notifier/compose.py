"""The one message composer: digests, confirmations and operator alerts become complete
messages (``models.Message``) the same way — templates from the one environment, headers that
cannot be injected (``mail``), and a Message-ID that makes a re-plan a duplicate the outbox
drops. Sending is the deliverer's business, not this module's.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment

from notifier import mail
from notifier.config import Settings
from notifier.digest import Plan
from notifier.models import ALL, Council, Frequency, Message, Subscriber, SubscriberState, Topic
from notifier.render import DigestRenderer
from notifier.shared_renders import Personal, SharedRenders
from notifier.tokens import Purpose, Tokens

FREQUENCY_NAMES = {
    Frequency.IMMEDIATE: "Straks, når der er nyt",
    Frequency.DAILY: "Dagligt overblik",
    Frequency.WEEKLY: "Ugentligt overblik",
}
ALERT_PREFIX = "[KKR Notifier]"


@dataclass(frozen=True, kw_only=True)
class Composed:
    """A planned digest rendered into a complete message (text and HTML kept for previews)."""

    plan: Plan
    message: Message
    rendered: Personal  # joins its text and HTML on first use: planning needs only the message

    @property
    def text(self) -> str:
        return self.rendered.text

    @property
    def html(self) -> str:
        return self.rendered.html

    @property
    def subject(self) -> str:
        return self.message.subject

    @property
    def message_id(self) -> str:
        return self.message.message_id

    @property
    def body(self) -> bytes:
        return self.message.body


class Composer:
    def __init__(
        self, *, settings: Settings, env: Environment, topics: Sequence[Topic], tokens: Tokens
    ) -> None:
        self._mail = settings.mail
        self._web = settings.web
        self._env = env
        self._tokens = tokens
        self._topic_names = {topic.id: topic.name for topic in topics}
        self.digests = DigestRenderer(env=env, topics=topics, site_url=settings.web.base_url)
        self._host = urlsplit(settings.web.base_url).hostname or "localhost"

    def digest(self, plan: Plan, *, now: datetime, shared: SharedRenders | None = None) -> Composed:
        """``shared``: a planning run's renders, reused by subscribers who get the same digest
        (only their name, links and headers differ)."""
        subscriber = plan.subscriber
        unsubscribe = self._tokens.url(
            Purpose.UNSUBSCRIBE, subscriber.id, subscriber.token_generation
        )
        manage = self._tokens.url(Purpose.MANAGE, subscriber.id, subscriber.token_generation)
        message_id = plan.message_id(self._mail.list_id)
        rendered = self.digests.render(
            plan,
            manage_url=manage,
            unsubscribe_url=unsubscribe,
            view_url=self._tokens.view_url(message_id),
            shared=shared,
        )
        links = [f"<{unsubscribe}>"]
        if self._mail.unsubscribe_mailto:
            links.insert(0, f"<mailto:{self._mail.unsubscribe_mailto}?subject=afmeld>")
        headers = {
            "List-Id": f"KKR-overblik <{self._mail.list_id}>",
            "List-Unsubscribe": ", ".join(links),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        if self._mail.reply_to:
            headers["Reply-To"] = self._mail.reply_to
        message = self._message(
            kind="digest",
            subscriber=subscriber,
            subject=rendered.subject,
            # Encoded once for everyone who shares this digest, when the render could.
            text=rendered.text if rendered.encoded_text is None else rendered.encoded_text,
            html=rendered.html if rendered.encoded_html is None else rendered.encoded_html,
            message_id=message_id,
            now=now,
            headers=headers,
        )
        return Composed(plan=plan, message=message, rendered=rendered)

    def confirmation(self, subscriber: Subscriber, *, now: datetime) -> Message:
        """The mail a signup sends: a confirmation link, or, to an address already active,
        a link to manage the subscription (the same mail flow either way, so a stranger learns
        nothing about whether an address is known)."""
        already = subscriber.state is SubscriberState.ACTIVE
        purpose = Purpose.MANAGE if already else Purpose.CONFIRM
        context = {
            "already": already,
            "name": subscriber.name,
            "link": self._tokens.url(purpose, subscriber.id, subscriber.token_generation),
            "topics": self.topic_names(subscriber.topics),
            "keywords": list(subscriber.keywords),
            "excluded": list(subscriber.excluded),
            "councils": council_names(subscriber.councils),
            "frequency": FREQUENCY_NAMES[subscriber.frequency],
            "max_age_days": int(self._web.token_max_age // 86400),
            "site_url": self._web.base_url,
        }
        subject = (
            "Du abonnerer allerede på KKR Notifier"
            if already
            else "Bekræft dit abonnement på KKR Notifier"
        )
        return self._message(
            kind="confirm",
            subscriber=subscriber,
            subject=subject,
            text=self._env.get_template("email/confirm.txt.j2").render(**context),
            html=self._env.get_template("email/confirm.html.j2").render(**context),
            message_id=f"confirm.{subscriber.id}.{secrets.token_hex(8)}@{self._host}",
            now=now,
            headers={"Auto-Submitted": "auto-generated"},
        )

    def manage_link(self, subscriber: Subscriber, *, now: datetime) -> Message:
        """A fresh link for someone whose manage link expired: to the subscription's page, or,
        while it is unconfirmed, a new confirmation link."""
        if subscriber.state is not SubscriberState.ACTIVE:
            return self.confirmation(subscriber, now=now)
        context = {
            "name": subscriber.name,
            "link": self._tokens.url(Purpose.MANAGE, subscriber.id, subscriber.token_generation),
            "max_age_days": int(self._web.token_max_age // 86400),
            "site_url": self._web.base_url,
        }
        return self._message(
            kind="confirm",
            subscriber=subscriber,
            subject="Dit nye link til KKR Notifier",
            text=self._env.get_template("email/manage_link.txt.j2").render(**context),
            html=self._env.get_template("email/manage_link.html.j2").render(**context),
            message_id=f"link.{subscriber.id}.{secrets.token_hex(8)}@{self._host}",
            now=now,
            headers={"Auto-Submitted": "auto-generated"},
        )

    def alert(
        self,
        *,
        summary: str,
        context: Mapping[str, Any],
        message_id: str,
        now: datetime,
        headers: Mapping[str, str] = {},
    ) -> Message | None:
        """An operator alert (plain text); None when no operator address is configured."""
        operator = self._mail.operator_address
        if not operator:
            return None
        message = self._plain(
            kind="alert",
            recipient=operator,
            subject=f"{ALERT_PREFIX} {summary}",
            text=self._env.get_template("email/alert.txt.j2").render(**context),
            now=now,
            message_id=message_id,
            headers=headers,
        )
        # The operator address may carry a display name; the envelope takes the bare address.
        return replace(message, recipient=mail.addr_spec(operator))

    def signin_link(self, address: str, *, link: str, minutes: int, now: datetime) -> Message:
        """The console's sign-in mail: a single-use link (plain text, like the alerts)."""
        context = {"address": address, "link": link, "minutes": minutes}
        return self._plain(
            kind="signin",
            recipient=address,
            subject="Log ind i KKR Notifiers konsol",
            text=self._env.get_template("email/admin_signin.txt.j2").render(
                site_url=self._web.base_url, **context
            ),
            now=now,
        )

    def test_digest(self, plan: Plan, *, recipient: str, now: datetime) -> Message:
        """A digest of ``plan`` for the console's "send me a test digest": marked as a test in
        its subject and kind, tied to no subscriber, its links leading to the console."""
        console = f"{self._web.base_url}/admin"
        rendered = self.digests.render(plan, manage_url=console, unsubscribe_url=console)
        message_id = f"test.{secrets.token_hex(8)}@{self._host}"
        subject = f"[Test] {rendered.subject}"
        body = mail.build_message(
            sender=self._mail.from_address,
            recipient=recipient,
            subject=subject,
            text=rendered.text,
            html=rendered.html,
            message_id=message_id,
            date=now,
            headers={"Auto-Submitted": "auto-generated"},
        )
        return Message(
            message_id=message_id,
            kind="test",
            recipient=recipient,
            subject=subject,
            body=body,
            canonical=True,
        )

    def _plain(
        self,
        *,
        kind: str,
        recipient: str,
        subject: str,
        text: str,
        now: datetime,
        message_id: str | None = None,
        headers: Mapping[str, str] = {},
    ) -> Message:
        """A plain-text, auto-generated mail (operator alerts, console sign-in links)."""
        message_id = message_id or f"{kind}.{secrets.token_hex(8)}@{self._host}"
        body = mail.build_message(
            sender=self._mail.from_address,
            recipient=recipient,
            subject=subject,
            text=text,
            html=None,
            message_id=message_id,
            date=now,
            headers={"Auto-Submitted": "auto-generated", **headers},
        )
        return Message(
            message_id=message_id,
            kind=kind,
            recipient=recipient,
            subject=subject,
            body=body,
            canonical=True,
        )

    def topic_names(self, topics: Sequence[str]) -> list[str]:
        if ALL in topics:
            return ["Alle emner"]
        if not topics:
            return ["Ingen (kun dine egne ord)"]
        return [self._topic_names[topic] for topic in topics if topic in self._topic_names]

    def _message(
        self,
        *,
        kind: str,
        subscriber: Subscriber,
        subject: str,
        text: str | mail.QuotedPrintable,
        html: str | mail.QuotedPrintable,
        message_id: str,
        now: datetime,
        headers: Mapping[str, str],
    ) -> Message:
        body = mail.build_message(
            sender=self._mail.from_address,
            recipient=mail.mailbox(subscriber.name, subscriber.email),
            subject=subject,
            text=text,
            html=html,
            message_id=message_id,
            date=now,
            headers=headers,
        )
        return Message(
            message_id=message_id,
            kind=kind,
            recipient=subscriber.email,
            subject=subject,
            body=body,
            canonical=True,
            subscriber_id=subscriber.id,
            shared=mail.shared_runs(text, html),
        )


def council_names(councils: Sequence[str]) -> list[str]:
    if ALL in councils:
        return ["Alle fem KKR'er"]
    return [Council(council).danish_name for council in councils]
