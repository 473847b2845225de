"""CSRF protection for the forms: a double-submit cookie checked against a signed form field.

The cookie holds a random value; each form carries that value signed with the app's secret.
A cross-site page can make the browser send the cookie but can neither read it nor forge the
signature, so it cannot fill in the field. The field is signed, not copied, so a cookie planted
from a sibling domain is useless without the secret too. Works without JavaScript.
"""

from __future__ import annotations

import hmac
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "kkr_csrf"
FIELD = "csrf_token"
MAX_AGE = 2 * 86400  # a form left open for two days must be reloaded


class Csrf:
    def __init__(self, secret: str, *, secure: bool) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="csrf")
        self._secure = secure

    def cookie_value(self, request: Request) -> str:
        """The browser's current value, or a new one (set it with ``set_cookie``)."""
        value = request.cookies.get(COOKIE, "")
        return value if 20 <= len(value) <= 100 and value.isascii() else secrets.token_urlsafe(32)

    def field_value(self, cookie_value: str) -> str:
        return self._serializer.dumps(cookie_value)

    def set_cookie(self, response: Response, cookie_value: str) -> None:
        response.set_cookie(
            COOKIE,
            cookie_value,
            max_age=MAX_AGE,
            path="/",
            secure=self._secure,
            httponly=True,
            samesite="strict",
        )

    def valid(self, request: Request, field_value: str) -> bool:
        cookie = request.cookies.get(COOKIE, "")
        if not cookie or not field_value:
            return False
        try:
            signed = self._serializer.loads(field_value, max_age=MAX_AGE)
        except BadSignature:
            return False
        return isinstance(signed, str) and hmac.compare_digest(signed, cookie)
