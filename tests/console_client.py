"""Helpers for the console's tests: settings with an admin address, an in-process client, and
signing in through the mailed link exactly as a person would (the link is read from the outbox,
or from the SMTP sink's mail in the browser tests)."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import httpx

from notifier.config import Settings
from notifier.store import Store

TOPICS_FILE = Path(__file__).resolve().parent.parent / "config" / "topics.toml"
SECRET = "console-test-secret-that-is-long-enough-0123456789"
ADMIN = "sekretariat@kkr.example"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LINK = re.compile(r"https?://\S+/admin/log-ind/\S+")


def console_settings(
    store: Store,
    base_url: str = "http://testserver",
    *,
    smtp: dict[str, object] | None = None,
    **admin: object,
) -> Settings:
    return Settings(
        database_url=store.db.engine.url.render_as_string(hide_password=False),
        topics_file=TOPICS_FILE,
        # Sign-in links need mail switched on; nothing is sent unless a test sends the outbox.
        smtp=smtp or {"host": "127.0.0.1", "port": 25, "security": "none"},
        mail={"from_address": "KKR Notifier <kkr@kommune.example>"},
        web={"base_url": base_url, "secret_key": SECRET},
        admin={"addresses": [ADMIN], **admin},
    )


def asgi_client(app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def csrf(page: httpx.Response) -> str:
    match = CSRF.search(page.text)
    assert match, f"no CSRF field on {page.url}"
    return match.group(1)


def parse(body: bytes) -> EmailMessage:
    parsed = message_from_bytes(body, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def link_in(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    match = LINK.search(part.get_content())
    assert match, "no sign-in link in the mail"
    return match.group(0)


async def last_link(store: Store, address: str = ADMIN) -> str:
    """The newest sign-in link queued for ``address``."""
    (newest, *_) = await store.send_log.messages(kind="signin", recipient=address)
    found = await store.send_log.message(newest.id)
    assert found is not None
    return link_in(parse(found[1]))


async def ask_for_link(client: httpx.AsyncClient, address: str = ADMIN) -> httpx.Response:
    form = await client.get("/admin/log-ind")
    return await client.post("/admin/log-ind", data={"csrf_token": csrf(form), "email": address})


async def follow(client: httpx.AsyncClient, link: str) -> httpx.Response:
    """Open a sign-in link and press its button."""
    path = httpx.URL(link).path
    page = await client.get(path)
    assert page.status_code == 200, page.text
    return await client.post(path, data={"csrf_token": csrf(page)})


async def sign_in(client: httpx.AsyncClient, store: Store, address: str = ADMIN) -> None:
    await ask_for_link(client, address)
    answer = await follow(client, await last_link(store, address))
    assert answer.status_code == 303 and answer.headers["location"] == "/admin"


async def post_form(
    client: httpx.AsyncClient, page_path: str, action: str, data: dict[str, object] | None = None
) -> httpx.Response:
    """Submit a form found on ``page_path`` to ``action``, as the browser would."""
    page = await client.get(page_path)
    assert page.status_code == 200, page.text
    return await client.post(action, data={"csrf_token": csrf(page), **(data or {})})
