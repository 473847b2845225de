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

import hmac
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from itsdangerous import (
    BadSignature,
    Serializer,
    SignatureExpired,
    Signer,
    TimestampSigner,
    URLSafeSerializer,
    URLSafeTimedSerializer,
)
from itsdangerous.encoding import base64_encode, want_bytes
from itsdangerous.signer import HMACAlgorithm, SigningAlgorithm

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
        self._views = URLSafeSerializer(secret, salt=_VIEW_SALT, signer=_KeyOnce)
        self._max_age = settings.token_max_age
        self._base_url = settings.base_url.rstrip("/")
        # A digest run signs three links per subscriber: the signers are made once (see
        # _KeyOnce), and a subscriber's two links share one payload. The output is exactly
        # what the serializers' dumps makes (tests/test_links.py checks).
        self._signers = {
            purpose: self._serializer.make_signer(purpose.value) for purpose in Purpose
        }
        self._view_signer = self._views.make_signer()
        self._last_payload: tuple[tuple[int, int], bytes] | None = None

    def make(self, purpose: Purpose, subscriber_id: int, generation: int) -> str:
        key = (subscriber_id, generation)
        last = self._last_payload  # one read: planning's thread and the web app share it
        if last is None or last[0] != key:
            last = (key, _payload(self._serializer, [subscriber_id, generation]))
            self._last_payload = last
        return self._signers[purpose].sign(last[1]).decode("utf-8")

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
        token = self._view_signer.sign(want_bytes(self._views.dump_payload(message_id)))
        return f"{self._base_url}{VIEW_PATH}/{token.decode('utf-8')}"

    def read_view(self, token: str) -> str:
        """The Message-ID a browser-view link is for; TokenError if it is not ours."""
        try:
            value = self._views.loads(token)
        except BadSignature:
            raise TokenError("the link is not valid") from None
        if not isinstance(value, str):
            raise TokenError("the link is not valid")
        return value


# zlib's output is never shorter than 9 bytes (header, a block, checksum), and itsdangerous
# takes it only when it is 2 bytes shorter than the JSON: JSON of 10 bytes or fewer is never
# compressed.
_NEVER_COMPRESSED = 10


def _payload(serializer: URLSafeTimedSerializer, value: object) -> bytes:
    """``serializer.dump_payload(value)``, without compressing a payload too short to compress
    (a subscriber's id and generation): zlib sets up more than signing costs."""
    data = Serializer.dump_payload(serializer, value)
    if len(data) <= _NEVER_COMPRESSED:
        return base64_encode(data)
    return want_bytes(serializer.dump_payload(value))


class _Sha1Hmac(SigningAlgorithm):
    """itsdangerous's HMAC-SHA1 with the key set up once: each signature copies a keyed ``hmac``
    object and hashes only the value. itsdangerous keys a new one for every signature, through
    a Python digest function that keeps ``hmac`` off OpenSSL's own HMAC. The same bytes."""

    def __init__(self) -> None:
        self._keyed: dict[bytes, hmac.HMAC] = {}

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        keyed = self._keyed.get(key)
        if keyed is None:
            keyed = hmac.new(key, digestmod="sha1")
            if len(self._keyed) < 64:  # one key per secret and salt: a handful
                self._keyed[key] = keyed
        signature = keyed.copy()
        signature.update(value)
        return signature.digest()


_SHA1_HMAC = _Sha1Hmac()


class _KeyOnce(Signer):
    """Derives its key once: itsdangerous derives it (a hash of secret and salt) for every
    signature, about a third of the cost of signing a link. Signs with ``_Sha1Hmac`` when
    itsdangerous would use its default HMAC-SHA1."""

    _key: bytes | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = self.digest_method is Signer.default_digest_method
        if default and type(self.algorithm) is HMACAlgorithm:
            self.algorithm = _SHA1_HMAC

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        if secret_key is not None:
            return super().derive_key(secret_key)
        if self._key is None:
            self._key = super().derive_key()
        return self._key


def _signer_with_clock(clock: Callable[[], float]) -> type[TimestampSigner]:
    class _ClockSigner(_KeyOnce, TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock())

    return _ClockSigner
