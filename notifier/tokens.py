"""Signed links for confirming, managing and leaving a subscription, and for viewing a digest in
the browser.

itsdangerous signs (subscriber id, token generation) with a purpose-specific salt; bumping a
subscriber's generation revokes every link sent before (a signup after unsubscribing does).
Confirm and manage links expire after ``web.token_max_age``; unsubscribe links do not: the link
in a year-old mail and its List-Unsubscribe header must still let the person go, for as long as
the subscription exists. A digest's "see it in your browser" link signs the message's
Message-ID; it does not expire either, and stops working when the message is erased. The secret
is the runtime's (from NOTIFIER_WEB__SECRET_KEY, see ``notifier.runtime``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from itsdangerous import (
    BadSignature,
    SignatureExpired,
    TimestampSigner,
    URLSafeSerializer,
    URLSafeTimedSerializer,
)

from notifier.config import WebSettings
from notifier.errors import NotifierError


class Purpose(StrEnum):
    CONFIRM = "confirm"
    MANAGE = "manage"
    UNSUBSCRIBE = "unsubscribe"


PATHS: dict[Purpose, str] = {
    Purpose.CONFIRM: "/abonnement/bekraeft",
    Purpose.MANAGE: "/abonnement/administrer",
    Purpose.UNSUBSCRIBE: "/abonnement/afmeld",
}
NEVER_EXPIRE = frozenset({Purpose.UNSUBSCRIBE})
VIEW_PATH = "/mail"
_VIEW_SALT = "view-message"


class TokenError(NotifierError):
    """A link that is forged, altered, meant for something else, expired or revoked."""


class Tokens:
    def __init__(
        self,
        settings: WebSettings,
        *,
        secret: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``clock`` is the time links are signed and checked at (seconds since the epoch)."""
        self._serializer = URLSafeTimedSerializer(secret, signer=_signer_with_clock(clock))
        self._views = URLSafeSerializer(secret, salt=_VIEW_SALT)
        self._max_age = settings.token_max_age
        self._base_url = settings.base_url.rstrip("/")

    def make(self, purpose: Purpose, subscriber_id: int, generation: int) -> str:
        return self._serializer.dumps([subscriber_id, generation], salt=purpose.value)

    def read(self, purpose: Purpose, token: str) -> tuple[int, int]:
        """Return (subscriber id, generation); the caller checks the generation is current."""
        max_age = None if purpose in NEVER_EXPIRE else int(self._max_age)
        try:
            value = self._serializer.loads(token, salt=purpose.value, max_age=max_age)
        except SignatureExpired:
            raise TokenError("the link has expired") from None
        except BadSignature:
            raise TokenError("the link is not valid") from None
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(part, int) for part in value)
        ):
            raise TokenError("the link is not valid")
        return value[0], value[1]

    def url(self, purpose: Purpose, subscriber_id: int, generation: int) -> str:
        return f"{self._base_url}{PATHS[purpose]}/{self.make(purpose, subscriber_id, generation)}"

    def view_url(self, message_id: str) -> str:
        """The unguessable address of a stored message's browser view."""
        return f"{self._base_url}{VIEW_PATH}/{self._views.dumps(message_id)}"

    def read_view(self, token: str) -> str:
        """The Message-ID a browser-view link is for; TokenError if it is not ours."""
        try:
            value = self._views.loads(token)
        except BadSignature:
            raise TokenError("the link is not valid") from None
        if not isinstance(value, str):
            raise TokenError("the link is not valid")
        return value


def _signer_with_clock(clock: Callable[[], float]) -> type[TimestampSigner]:
    class _ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock())

    return _ClockSigner
