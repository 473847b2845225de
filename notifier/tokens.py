"""Signed, expiring links for confirming, managing and leaving a subscription.

itsdangerous signs (subscriber id, token generation) with a purpose-specific salt; bumping a
subscriber's generation revokes every link sent before. The secret is the runtime's (from
NOTIFIER_WEB__SECRET_KEY, see ``notifier.runtime``).
"""

from __future__ import annotations

from enum import StrEnum

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

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


class TokenError(NotifierError):
    """A link that is forged, altered, meant for something else, expired or revoked."""


class Tokens:
    def __init__(self, settings: WebSettings, *, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret)
        self._max_age = settings.token_max_age
        self._base_url = settings.base_url.rstrip("/")

    def make(self, purpose: Purpose, subscriber_id: int, generation: int) -> str:
        return self._serializer.dumps([subscriber_id, generation], salt=purpose.value)

    def read(self, purpose: Purpose, token: str) -> tuple[int, int]:
        """Return (subscriber id, generation); the caller checks the generation is current."""
        try:
            value = self._serializer.loads(token, salt=purpose.value, max_age=int(self._max_age))
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
