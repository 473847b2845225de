"""Renders shared by the subscribers who get the same digest (``render``): the digest rendered
once with placeholders for a subscriber's name and links, and encoded for mail once
(``mail.Prepared``), so that only those are put in per subscriber."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import cached_property

from markupsafe import escape

from notifier import mail

# Where a subscriber's own name and links go in a shared render: a random token per process,
# which no scraped text can hold, that neither clean_text nor escaping changes.
_TOKEN = secrets.token_hex(8)
NAME, MANAGE, UNSUBSCRIBE, VIEW = (
    f"kkr{_TOKEN}{part}" for part in ("name", "manage", "unsubscribe", "view")
)
PLACEHOLDER = re.compile(f"({NAME}|{MANAGE}|{UNSUBSCRIBE}|{VIEW})")


@dataclass(frozen=True, kw_only=True)
class Rendered:
    subject: str
    text: str
    html: str
    # The same, quoted-printable (``mail``), when a shared render had them encoded already.
    encoded_text: mail.QuotedPrintable | None = None
    encoded_html: mail.QuotedPrintable | None = None


@dataclass(frozen=True, kw_only=True)
class Impersonal:
    """A digest rendered with placeholders for the name and links, split around them (the
    placeholders are the odd parts), and encoded for mail once for all who share it."""

    subject: str
    text: list[str]
    html: list[str]
    encoded_text: mail.Prepared  # the text stripped, as ``render`` strips it once filled in
    encoded_html: mail.Prepared
    ends: tuple[str, ...]  # placeholders at the start or end of the text

    @classmethod
    def of(cls, rendered: Rendered) -> Impersonal:
        text = rendered.text.strip() + "\n"
        parts = PLACEHOLDER.split(text)
        ends: tuple[str, ...] = (parts[1],) if len(parts) > 1 and not parts[0] else ()
        ends += (parts[-2],) if len(parts) > 1 and not parts[-1].strip() else ()
        return cls(
            subject=rendered.subject,
            text=PLACEHOLDER.split(rendered.text),
            html=PLACEHOLDER.split(rendered.html),
            encoded_text=mail.Prepared(text, PLACEHOLDER),
            encoded_html=mail.Prepared(rendered.html, PLACEHOLDER),
            ends=ends,
        )

    def encodable(self, values: dict[str, str]) -> bool:
        """``encoded_text`` filled in is the text filled in and stripped when no value breaks a
        line and stripping would stop at once in a value at either end."""
        unbroken = not any("\r" in v or "\n" in v for v in values.values())
        return unbroken and all(values[e] and values[e].strip() == values[e] for e in self.ends)


class Personal:
    """A shared render with one subscriber's name and links put in. Planning stores only the
    encoded message (``encoded_text``, ``encoded_html``): the decoded text and HTML, about as
    large, are joined on first use, by the previews and the fallback for values ``Impersonal``
    cannot encode. Either way they are what a ``Rendered`` of the filled-in digest holds."""

    def __init__(self, found: Impersonal, personal: dict[str, str]) -> None:
        self.subject = found.subject
        self._found = found
        self._personal = personal
        self._escaped = {placeholder: str(escape(value)) for placeholder, value in personal.items()}
        encodable = found.encodable(personal)
        self.encoded_text = found.encoded_text.fill(personal) if encodable else None
        self.encoded_html = found.encoded_html.fill(self._escaped) if encodable else None

    @cached_property
    def text(self) -> str:
        text = "".join([self._personal.get(part, part) for part in self._found.text])
        return text.strip() + "\n"

    @cached_property
    def html(self) -> str:
        return "".join([self._escaped.get(part, part) for part in self._found.html])


class SharedRenders:
    """The digests one planning run rendered, before the name and links went in: subscribers
    whose plans share their entries (``digest_groups``) share one render. A render is kept with
    the entries it was made of, so an id reused by another tuple cannot match it."""

    def __init__(self) -> None:
        self._renders: dict[tuple[object, ...], tuple[object, Impersonal]] = {}

    def get(self, key: tuple[object, ...], entries: object) -> Impersonal | None:
        found = self._renders.get(key)
        return found[1] if found is not None and found[0] is entries else None

    def put(self, key: tuple[object, ...], entries: object, rendered: Impersonal) -> None:
        self._renders[key] = (entries, rendered)
