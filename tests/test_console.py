"""The console at /admin, in-process through httpx: signing in by a mailed single-use link,
sessions, CSRF and rate limits, the audit log, subscribers, the send log with the mail itself,
the review queue and the test digest. (tests/test_console_browser.py walks it in a browser.)"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from starlette.applications import Starlette

from notifier.models import Frequency, SubscriberState
from notifier.store import Store
from notifier.store.schema import admin_audit
from notifier.web.admin.console import Console
from tests.console_client import (
    ADMIN,
    asgi_client,
    ask_for_link,
    console_settings,
    csrf,
    follow,
    last_link,
    post_form,
    sign_in,
)
from tests.factories import Spec, app_for, make_digests, publish

POINTS = [
    Spec(title="Sundhedsaftale for 2024", number="1", topics=["sundhed"]),
    Spec(title="Busplan for regionen", number="2", topics=["trafik_infrastruktur"]),
]


def _app(store: Store, **admin: object) -> Starlette:
    return app_for(console_settings(store, **admin), store)


@pytest.fixture
async def client(sqlite_store: Store) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(_app(sqlite_store)) as client:
        yield client


@pytest.fixture
async def admin(client: httpx.AsyncClient, sqlite_store: Store) -> httpx.AsyncClient:
    """The client, signed in as ADMIN."""
    await sign_in(client, sqlite_store)
    return client


def _console(client: httpx.AsyncClient) -> Console:
    app = client._transport.app  # type: ignore[attr-defined]
    console = app.state.console
    assert isinstance(console, Console)
    return console


async def test_only_listed_addresses_get_a_link_and_nobody_can_tell(
    client: httpx.AsyncClient, sqlite_store: Store
) -> None:
    stranger = await ask_for_link(client, "nogen@andetsted.example")
    listed = await ask_for_link(client, ADMIN.upper())  # addresses are compared folded
    assert stranger.status_code == listed.status_code == 200
    assert "Tjek din indbakke" in stranger.text and "Tjek din indbakke" in listed.text
    (message,) = await sqlite_store.send_log.messages(kind="signin")
    assert message.recipient == ADMIN and message.subscriber_id is None
    assert (await last_link(sqlite_store)).startswith("http://testserver/admin/log-ind/")


async def test_a_link_signs_in_once(client: httpx.AsyncClient, sqlite_store: Store) -> None:
    assert (await client.get("/admin")).headers["location"] == "/admin/log-ind"
    await ask_for_link(client)
    link = await last_link(sqlite_store)
    signed_in = await follow(client, link)
    assert signed_in.status_code == 303
    cookie = signed_in.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/admin" in cookie
    assert "secure" not in cookie  # base_url is http here
    home = await client.get("/admin")
    assert home.status_code == 200 and f"Logget ind som <strong>{ADMIN}" in home.text
    # The same link again, from another browser: spent.
    async with asgi_client(client._transport.app) as other:  # type: ignore[attr-defined]
        again = await other.get(httpx.URL(link).path)
        assert again.status_code == 400 and "Linket virker ikke" in again.text
    log = await client.get("/admin/log")
    assert "Loggede ind" in log.text


async def test_a_forged_or_expired_link_signs_nobody_in(
    client: httpx.AsyncClient, sqlite_store: Store
) -> None:
    await ask_for_link(client)
    link = await last_link(sqlite_store)
    forged = link[:-3] + ("abc" if not link.endswith("abc") else "xyz")
    assert (await client.get(httpx.URL(forged).path)).status_code == 400
    console = _console(client)
    later = datetime.now(UTC) + timedelta(seconds=console.settings.admin.link_max_age + 1)
    console.clock = lambda: later
    page = await client.get(httpx.URL(link).path)
    assert page.status_code == 400 and "Bed om et nyt link" in page.text


async def test_signing_out_ends_the_session_on_the_server(admin: httpx.AsyncClient) -> None:
    cookie = admin.cookies.get("kkr_admin")
    assert cookie
    out = await post_form(admin, "/admin", "/admin/log-ud")
    assert out.status_code == 303 and out.headers["location"] == "/admin/log-ind?ok=signed_out"
    assert (await admin.get("/admin")).status_code == 303
    # The old cookie, replayed, is worth nothing: the session ended in the database.
    admin.cookies.set("kkr_admin", cookie, path="/admin")
    assert (await admin.get("/admin")).status_code == 303


async def test_an_address_taken_off_the_list_loses_access_at_once(
    admin: httpx.AsyncClient,
) -> None:
    assert (await admin.get("/admin")).status_code == 200
    _console(admin).settings.admin.addresses = ["anden@kkr.example"]
    assert (await admin.get("/admin")).headers["location"] == "/admin/log-ind"


async def test_every_form_needs_its_csrf_field_and_a_session(
    client: httpx.AsyncClient, sqlite_store: Store
) -> None:
    page = await client.get("/admin/log-ind")
    token = csrf(page)
    refused = await client.post("/admin/testoverblik", data={})
    assert refused.status_code == 403 and "Formularen er udløbet" in refused.text
    anonymous = await client.post("/admin/testoverblik", data={"csrf_token": token})
    assert anonymous.status_code == 403 and "Du er ikke logget ind" in anonymous.text
    no_link = await client.post("/admin/log-ind", data={"email": ADMIN})
    assert no_link.status_code == 403
    assert await sqlite_store.send_log.messages(kind="signin") == []


async def test_sign_in_requests_are_rate_limited(sqlite_store: Store) -> None:
    async with asgi_client(_app(sqlite_store, signins_per_hour=2)) as client:
        answers = [(await ask_for_link(client)).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    assert len(await sqlite_store.send_log.messages(kind="signin")) == 2


async def test_on_https_the_session_cookie_is_secure(sqlite_store: Store) -> None:
    settings = console_settings(sqlite_store, "https://konsol.example")
    transport = httpx.ASGITransport(app=app_for(settings, sqlite_store))
    async with httpx.AsyncClient(transport=transport, base_url="https://konsol.example") as c:
        await ask_for_link(c)
        signed_in = await follow(c, await last_link(sqlite_store))
    assert "secure" in signed_in.headers["set-cookie"].lower()


async def test_console_pages_are_private(admin: httpx.AsyncClient) -> None:
    for path in ("/admin", "/admin/abonnenter", "/admin/kilder", "/admin/log-ind"):
        page = await admin.get(path, follow_redirects=True)
        assert page.headers["cache-control"] == "no-store"
        assert "noindex" in page.headers["x-robots-tag"]


async def test_ids_too_large_for_the_database_are_not_found(store: Store) -> None:
    """Found by a review: an id beyond the database's integer reached a query: a 500."""
    huge = "9" * 30
    async with asgi_client(_app(store)) as admin:
        await sign_in(admin, store)
        for path in (
            f"/admin/abonnenter/{huge}",
            f"/admin/udsendelser/{huge}",
            f"/admin/udsendelser/{huge}/html",
            f"/admin/gennemgang/dokument/{huge}",
        ):
            assert (await admin.get(path)).status_code == 404, path
        for action in (
            f"/admin/abonnenter/{huge}",
            f"/admin/abonnenter/{huge}/afmeld",
            f"/admin/gennemgang/punkt/{huge}",
            f"/admin/gennemgang/dokument/{huge}/frigiv",
        ):
            assert (await post_form(admin, "/admin", action)).status_code == 404, action


async def test_subscribers_added_changed_exported_and_purged(
    admin: httpx.AsyncClient, sqlite_store: Store
) -> None:
    new = {"email": "Borgmester@Kommune.dk", "name": "Bo", "topics": ["sundhed"]}
    added = await post_form(
        admin, "/admin/abonnenter/ny", "/admin/abonnenter/ny", {**new, "frequency": "daily"}
    )
    assert added.status_code == 303
    person = await sqlite_store.subscribers.by_email("borgmester@kommune.dk")
    assert person is not None and person.state is SubscriberState.ACTIVE
    again = await post_form(
        admin, "/admin/abonnenter/ny", "/admin/abonnenter/ny", {**new, "frequency": "daily"}
    )
    assert again.status_code == 400 and "abonnerer allerede" in again.text
    found = await admin.get("/admin/abonnenter", params={"q": "BORGMESTER"})
    assert "borgmester@kommune.dk" in found.text
    assert "borgmester" not in (await admin.get("/admin/abonnenter?q=ingen")).text

    page = f"/admin/abonnenter/{person.id}"
    changed = await post_form(
        admin,
        page,
        page,
        {
            "name": "Bo",
            "topics": ["klima_miljoe"],
            "frequency": "weekly",
            "councils": ["sjaelland"],
        },
    )
    assert changed.status_code == 303
    person = await sqlite_store.subscribers.get(person.id)
    assert person is not None
    assert (person.topics, person.councils, person.frequency) == (
        ("klima_miljoe",),
        ("sjaelland",),
        Frequency.WEEKLY,
    )
    await post_form(admin, page, f"{page}/afmeld")
    person = await sqlite_store.subscribers.get(person.id)
    assert person is not None and person.state is SubscriberState.UNSUBSCRIBED

    exported = await post_form(admin, page, f"{page}/eksport")
    assert "attachment" in exported.headers["content-disposition"]
    assert json.loads(exported.text)["subscriber"]["email"] == "borgmester@kommune.dk"

    unconfirmed = await post_form(admin, page, f"{page}/slet")
    assert unconfirmed.status_code == 400
    assert await sqlite_store.subscribers.get(person.id) is not None
    purged = await post_form(admin, page, f"{page}/slet", {"confirm": "yes"})
    assert purged.status_code == 303
    assert await sqlite_store.subscribers.get(person.id) is None

    # Every step is in the audit log, by subscriber id; the address is nowhere in it.
    actions = [e.action for e in await sqlite_store.admin.log(target=f"subscriber:{person.id}")]
    assert actions == [
        "subscriber.purge",
        "subscriber.export",
        "subscriber.unsubscribe",
        "subscriber.change",
        "subscriber.add",
    ]
    async with sqlite_store.db.engine.connect() as conn:
        rows = (await conn.execute(sa.select(admin_audit))).mappings().all()
    assert "borgmester" not in json.dumps([dict(r) for r in rows], default=str).lower()


async def test_what_went_to_whom_and_the_mail_itself(
    admin: httpx.AsyncClient, sqlite_store: Store
) -> None:
    settings = _console(admin).settings
    await sqlite_store.subscribers.add(
        email="laeser@kommune.dk",
        name="Læser",
        topics=("all",),
        councils=("all",),
        frequency=Frequency.DAILY,
        state=SubscriberState.ACTIVE,
        now=datetime.now(UTC),
    )
    await publish(sqlite_store, POINTS)
    assert await make_digests(sqlite_store, settings, Frequency.DAILY, now=datetime.now(UTC)) == 1

    listing = await admin.get("/admin/udsendelser?type=digest")
    assert "laeser@kommune.dk" in listing.text and "Runder af overblik" in listing.text
    assert "laeser@" not in (await admin.get("/admin/udsendelser?type=test")).text
    (digest,) = await sqlite_store.send_log.messages(kind="digest")
    (run,) = await sqlite_store.send_log.runs()
    in_run = await admin.get("/admin/udsendelser", params={"runde": run.created_at.isoformat()})
    assert "laeser@kommune.dk" in in_run.text and "Hvad gik til hvem" in in_run.text
    # Found by a review: a round at the calendar's edge has no Copenhagen time: was a 500.
    for edge in ("9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+01:00"):
        assert (await admin.get("/admin/udsendelser", params={"runde": edge})).status_code == 200

    shown = await admin.get(f"/admin/udsendelser/{digest.id}")
    assert "Sundhedsaftale for 2024" in shown.text and "Busplan for regionen" in shown.text
    html = await admin.get(f"/admin/udsendelser/{digest.id}/html")
    policies = html.headers.get_list("content-security-policy")
    assert any(p.startswith("sandbox;") and "allow-scripts" not in p for p in policies)
    assert "<script" not in html.text.lower() and "Sundhedsaftale for 2024" in html.text
    person_page = await admin.get(f"/admin/abonnenter/{digest.subscriber_id}")
    assert f"/admin/udsendelser/{digest.id}" in person_page.text


async def test_the_test_digest_goes_to_the_signed_in_address_only(
    admin: httpx.AsyncClient, sqlite_store: Store
) -> None:
    empty = await post_form(admin, "/admin", "/admin/testoverblik")
    assert empty.headers["location"] == "/admin?ok=test_empty"
    await publish(sqlite_store, POINTS)
    sent = await post_form(admin, "/admin", "/admin/testoverblik")
    assert sent.headers["location"] == "/admin/udsendelser?ok=test_sent"
    (message,) = await sqlite_store.send_log.messages(kind="test")
    assert message.recipient == ADMIN and message.subscriber_id is None
    assert message.subject.startswith("[Test] ") and message.items == 0  # no send log
    found = await sqlite_store.send_log.message(message.id)
    assert found is not None and b"Busplan for regionen" in found[1]


async def test_the_review_queue_corrects_releases_and_dismisses(
    admin: httpx.AsyncClient, sqlite_store: Store
) -> None:
    await publish(sqlite_store, POINTS)
    await publish(
        sqlite_store,
        [Spec(title="Trafikplan", number="1", topics=["trafik_infrastruktur"])],
        title="Dagsorden med fejl",
        day=date(2024, 6, 3),
        problems=["numbering skips 1.2"],
    )
    await publish(
        sqlite_store,
        [Spec(title="Skolepladser", number="1", topics=["uddannelse"])],
        title="Dagsorden der afvises",
        day=date(2024, 9, 2),
        problems=["no agenda points found"],
    )
    queue = await admin.get("/admin/gennemgang")
    assert "numbering skips 1.2" in queue.text and "Ikke sendt til nogen" in queue.text
    (bus,) = [i for i in await sqlite_store.corrections.recent() if i.title.startswith("Bus")]

    corrected = await post_form(
        admin,
        "/admin/gennemgang",
        f"/admin/gennemgang/punkt/{bus.id}",
        {"topics": ["klima_miljoe", "trafik_infrastruktur", "ukendt"], "back": "https://x.example"},
    )
    assert corrected.headers["location"] == f"/admin/gennemgang?ok=corrected#punkt-{bus.id}"
    (bus,) = [i for i in await sqlite_store.corrections.recent() if i.id == bus.id]
    assert bus.topics == ("trafik_infrastruktur", "klima_miljoe") and bus.corrected_by == ADMIN

    held = {h.title: h.id for h in await sqlite_store.review.held()}
    document = f"/admin/gennemgang/dokument/{held['Dagsorden med fejl']}"
    assert "Trafikplan" in (await admin.get(document)).text
    await post_form(admin, document, f"{document}/frigiv")
    dismiss = f"/admin/gennemgang/dokument/{held['Dagsorden der afvises']}"
    await post_form(admin, "/admin/gennemgang", f"{dismiss}/afvis")
    assert await sqlite_store.review.held() == []
    log = (await admin.get("/admin/log")).text
    assert "Rettede emner" in log and "Frigav dokument" in log and "Afviste dokument" in log
