"""Links in mails that must keep working: unsubscribe (the link and the RFC 8058 one-click URL)
for as long as the subscription exists, a digest's browser view; and an expired manage link,
which leads to a form that mails a new one without telling whether an address is known."""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import hmac
import random
import re
import time
import zlib
from datetime import UTC, datetime
from email.message import EmailMessage

import httpx
import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeSerializer, URLSafeTimedSerializer

from notifier.config import Settings, WebSettings
from notifier.models import Frequency, SubscriberState
from notifier.runtime import Runtime
from notifier.store import Store
from notifier.store import outbox as store_outbox
from notifier.store.schema import outbox
from notifier.tokens import Purpose, Tokens, _Sha1Hmac
from notifier.web.app import create_app
from notifier.web.subscribe import SIGNUP_FLOOR
from tests.factories import Spec, make_digests, publish, runtime_for, tampered
from tests.test_web import (
    SECRET,
    asgi_client,
    csrf,
    link,
    make_settings,
    one_click_url,
    subscriber,
    text_of,
)

MONTH_AND_A_DAY = 31 * 86400


async def messages(store: Store, address: str) -> list[EmailMessage]:
    async with store.db.engine.connect() as conn:
        ids = (
            await conn.scalars(
                sa.select(outbox.c.id).where(outbox.c.recipient == address).order_by(outbox.c.id)
            )
        ).all()
        bodies = await store_outbox.bodies(conn, ids)
        return [email.message_from_bytes(bodies[i], policy=email.policy.default) for i in ids]  # type: ignore[misc]


def app_at(settings: Settings, store: Store, *, offset: float) -> object:
    """The web app as it answers ``offset`` seconds from now (links are checked at that
    time)."""
    runtime: Runtime = runtime_for(store, settings)
    runtime.tokens = Tokens(settings.web, secret=SECRET, clock=lambda: time.time() + offset)
    return create_app(runtime)


async def digest_for(store: Store, settings: Settings, address: str) -> EmailMessage:
    await store.subscribers.add(
        email=address,
        name="Mette",
        topics=("sundhed",),
        councils=("all",),
        frequency=Frequency.DAILY,
        state=SubscriberState.ACTIVE,
        now=_now(),
    )
    await publish(store, [Spec(title="Akutberedskab i regionen", topics=["sundhed"])])
    assert await make_digests(store, settings, Frequency.DAILY, now=_now()) == 1
    [digest] = await messages(store, address)
    return digest


def _now() -> datetime:
    return datetime.now(UTC)


async def test_unsubscribe_links_work_after_token_max_age_and_manage_links_offer_a_new_one(
    store: Store,
) -> None:
    settings = make_settings(store, "http://testserver")
    address = "mette@kommune.dk"
    digest = await digest_for(store, settings, address)
    text = text_of(digest)
    unsubscribe_url = link(text, Purpose.UNSUBSCRIBE)
    header_url = one_click_url(digest)
    manage_url = link(text, Purpose.MANAGE)

    later = app_at(settings, store, offset=MONTH_AND_A_DAY)
    async with asgi_client(later) as client:
        # The manage link has expired: it leads to the form for a new one.
        expired = await client.get(manage_url)
        assert expired.status_code == 400
        assert "Få et nyt link" in expired.text and "Linket er udløbet" in expired.text
        assert '<label for="email">E-mailadresse</label>' in expired.text
        started = asyncio.get_running_loop().time()
        sent = await client.post(
            "/abonnement/nyt-link", data={"csrf_token": csrf(expired), "email": address}
        )
        assert asyncio.get_running_loop().time() - started >= SIGNUP_FLOOR
        assert sent.status_code == 200 and "Tjek din indbakke" in sent.text
        [_, fresh] = await messages(store, address)
        assert fresh["Subject"] == "Dit nye link til KKR Notifier"
        page = await client.get(link(text_of(fresh), Purpose.MANAGE))
        assert page.status_code == 200 and "Dit abonnement" in page.text

        # The unsubscribe link in the mail and the List-Unsubscribe URL still work.
        page = await client.get(unsubscribe_url)
        assert page.status_code == 200 and "Klik på knappen" in page.text
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=later),  # type: ignore[arg-type]
        base_url="http://testserver",
    ) as mail_client:  # a mail client: no cookies, no CSRF token
        one_click = await mail_client.post(
            header_url,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert one_click.status_code == 200 and "Du er afmeldt" in one_click.text
    assert (await subscriber(store, address)).state is SubscriberState.UNSUBSCRIBED

    # Only a newer subscription revokes it: signing up again bumps the token generation.
    async with asgi_client(later) as client:
        form = await client.get("/abonnement")
        await client.post(
            "/abonnement",
            data={
                "csrf_token": csrf(form),
                "email": address,
                "topics": ["sundhed"],
                "frequency": "daily",
            },
        )
        assert (await client.get(unsubscribe_url)).status_code == 400
        assert (await client.post(header_url, data={})).status_code == 400


async def test_the_new_link_form_answers_alike_for_known_and_unknown_addresses(
    sqlite_store: Store,
) -> None:
    settings = make_settings(sqlite_store, "http://testserver")
    await sqlite_store.subscribers.add(
        email="kendt@kommune.dk",
        name="",
        topics=("sundhed",),
        councils=("all",),
        frequency=Frequency.DAILY,
        state=SubscriberState.ACTIVE,
        now=_now(),
    )
    answers = {}
    async with asgi_client(create_app(runtime_for(sqlite_store, settings))) as client:
        form = await client.get("/abonnement/nyt-link")
        assert form.status_code == 200 and "Send mig et nyt link" in form.text
        for address in ("kendt@kommune.dk", "ukendt@kommune.dk"):
            started = asyncio.get_running_loop().time()
            answers[address] = await client.post(
                "/abonnement/nyt-link", data={"csrf_token": csrf(form), "email": address}
            )
            assert asyncio.get_running_loop().time() - started >= SIGNUP_FLOOR
        refused = await client.post("/abonnement/nyt-link", data={"email": "kendt@kommune.dk"})
        assert refused.status_code == 403
    known, unknown = answers["kendt@kommune.dk"], answers["ukendt@kommune.dk"]
    assert known.status_code == unknown.status_code == 200
    assert unknown.text == known.text.replace("kendt@kommune.dk", "ukendt@kommune.dk")
    assert set(known.headers) == set(unknown.headers)
    assert len(await messages(sqlite_store, "kendt@kommune.dk")) == 1
    assert await messages(sqlite_store, "ukendt@kommune.dk") == []


async def test_a_digest_is_viewable_in_the_browser_through_its_signed_link(
    sqlite_store: Store,
) -> None:
    settings = make_settings(sqlite_store, "http://testserver")
    digest = await digest_for(sqlite_store, settings, "mette@kommune.dk")
    text = text_of(digest)
    match = re.search(r"Se mailen i din browser: (http://testserver/mail/\S+)", text)
    assert match, text
    view_url = match.group(1)
    html_part = digest.get_body(preferencelist=("html",))
    assert html_part is not None and view_url in str(html_part.get_content())
    async with asgi_client(create_app(runtime_for(sqlite_store, settings))) as client:
        page = await client.get(view_url)
        assert page.status_code == 200
        assert "Akutberedskab i regionen" in page.text and "KKR-overblik" in page.text
        policy = page.headers["content-security-policy"]
        assert "sandbox" in policy and "script-src" not in policy and "img-src 'none'" in policy
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["referrer-policy"] == "no-referrer"
        token = view_url.rsplit("/", 1)[1]
        forged = Tokens(settings.web, secret="not-our-secret").view_url(digest["Message-ID"][1:-1])
        for url in (tampered(view_url), forged, "/mail/garbage", f"/mail/{token}x"):
            missing = await client.get(url)
            assert missing.status_code == 404 and "Mailen findes ikke" in missing.text
        # Erasing the subscriber erases the message, and the view with it.
        await sqlite_store.subscribers.purge(
            (await subscriber(sqlite_store, "mette@kommune.dk")).id
        )
        assert (await client.get(view_url)).status_code == 404


def test_links_are_signed_exactly_as_itsdangerous_signs_them() -> None:
    """Links in mails already sent must keep working: the signers made once per purpose give
    the very tokens the serializers' own dumps gives, for any order of subscribers and
    purposes (two links of one subscriber share a payload)."""
    at = 1_700_000_000.0

    class Fixed(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(at)

    tokens = Tokens(WebSettings(), secret=SECRET, clock=lambda: at)
    reference = URLSafeTimedSerializer(SECRET, signer=Fixed)
    # Payloads of up to 10 bytes are never compressed (``tokens._payload``); 11 and more may be.
    asked = [(p, s, g) for s in (1, 2, 12345678, 10**9, 10**50) for g in (0, 3) for p in Purpose]
    asked += list(reversed(asked))
    for purpose, subscriber_id, generation in asked:
        token = tokens.make(purpose, subscriber_id, generation)
        assert token == reference.dumps([subscriber_id, generation], salt=purpose.value)
        assert tokens.read(purpose, token) == (subscriber_id, generation)
    views = URLSafeSerializer(SECRET, salt="view-message")
    # The last is long and repetitive enough for itsdangerous to compress its payload.
    for message_id in ("abc@kkr.example.org", "æøå<\"'>@x", "digest.7.70-70." + "7" * 40 + "@x"):
        url = tokens.view_url(message_id)
        assert url.rsplit("/", 1)[1] == views.dumps(message_id)
        assert tokens.read_view(url.rsplit("/", 1)[1]) == message_id
        assert url.rsplit("/", 1)[1].startswith(".") == (message_id[0] == "d")
    assert tokens.make(Purpose.MANAGE, 1, 0) != tokens.make(Purpose.UNSUBSCRIBE, 1, 0)


def test_zlib_never_makes_ten_bytes_shorter_than_nine() -> None:
    """Why ``tokens._payload`` need not try to compress a payload of up to 10 bytes:
    itsdangerous compresses only when that saves 2 bytes, and zlib gives at least 9."""
    rng = random.Random(3)
    samples = [bytes([b]) * n for b in range(256) for n in range(1, 11)]
    samples += [rng.randbytes(rng.randint(1, 10)) for _ in range(2000)]
    assert min(len(zlib.compress(sample)) for sample in samples) >= 9


def test_the_hmac_of_links_is_hmac_sha1() -> None:
    """The signature tokens compute from a keyed ``hmac`` object copied (``_Sha1Hmac``) is
    the standard library's HMAC-SHA1, for keys shorter than, as long as and longer than
    SHA-1's block, and for any value."""
    rng = random.Random(5)
    algorithm = _Sha1Hmac()
    for _ in range(300):
        key = rng.randbytes(rng.choice([0, 1, 20, 63, 64, 65, 200]))
        value = rng.randbytes(rng.randint(0, 300))
        expected = hmac.new(key, value, hashlib.sha1).digest()
        assert algorithm.get_signature(key, value) == expected
        assert algorithm.verify_signature(key, value, expected)
