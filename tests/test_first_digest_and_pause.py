"""Subscriptions that fit a life: the last month's items as a first digest when a new
subscriber asks for it, and mail paused until a day, with what happened meanwhile after."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from notifier.models import Council, Frequency, SubscriberState
from notifier.store import Store
from notifier.tokens import Purpose
from tests.factories import Spec, app_for, make_digests, publish
from tests.test_links import messages
from tests.test_web import asgi_client, csrf, link, make_settings, subscriber, text_of

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def days_ago(days: int) -> date:
    return datetime.now(COPENHAGEN).date() - timedelta(days=days)


async def signup(client: httpx.AsyncClient, address: str, *, first_digest: bool) -> None:
    form = await client.get("/abonnement")
    assert "Send mig den seneste måneds punkter som første mail" in form.text
    data = {
        "csrf_token": csrf(form),
        "email": address,
        "topics": ["sundhed"],
        "keywords": "Movia",
        "frequency": "weekly",
    }
    if first_digest:
        data["first_digest"] = "ja"
    assert (await client.post("/abonnement", data=data)).status_code == 200


async def confirm(client: httpx.AsyncClient, store: Store, address: str) -> httpx.Response:
    [mail] = await messages(store, address)
    page = await client.get(link(text_of(mail), Purpose.CONFIRM))
    return await client.post(page.url, data={"csrf_token": csrf(page)})


async def test_a_new_subscriber_who_asks_gets_the_last_month_when_confirming(
    store: Store,
) -> None:
    settings = make_settings(store, "http://testserver")
    await publish(store, [Spec(title="Akutberedskab", topics=["sundhed"])], day=days_ago(10))
    await publish(store, [Spec(title="Gammel sag", topics=["sundhed"])], day=days_ago(60))
    await publish(store, [Spec(title="Skolereform", topics=["uddannelse"])], day=days_ago(5))
    # A source added last week: its first poll is history, which is what they asked for.
    await publish(
        store,
        [Spec(title="Movias køreplan", topics=["trafik_infrastruktur"])],
        council=Council.SJAELLAND,
        day=days_ago(20),
        baseline=True,
    )
    app = app_for(settings, store)
    async with asgi_client(app) as client:
        await signup(client, "ja@kommune.dk", first_digest=True)
        await signup(client, "nej@kommune.dk", first_digest=False)
        confirmed = await confirm(client, store, "ja@kommune.dk")
        assert "Den første mail med den seneste måneds punkter er på vej" in confirmed.text
        await confirm(client, store, "nej@kommune.dk")

    _, first = await messages(store, "ja@kommune.dk")
    text = text_of(first)
    assert "Som du bad om, er her 2 punkter fra den seneste måned" in text
    assert "Akutberedskab" in text and "Movias køreplan" in text
    assert "Hvorfor: ordet »Movia«" in text
    assert "Gammel sag" not in text and "Skolereform" not in text
    assert len(await messages(store, "nej@kommune.dk")) == 1  # the confirmation only
    assert not (await subscriber(store, "ja@kommune.dk")).first_digest
    # Told once: the next digest does not repeat them.
    assert await make_digests(store, settings, Frequency.WEEKLY, now=datetime.now(UTC)) == 0


async def test_nothing_is_sent_while_paused_and_the_first_digest_after_catches_up(
    sqlite_store: Store,
) -> None:
    settings = make_settings(sqlite_store, "http://testserver")
    settings.digest.max_items = 2
    person = await sqlite_store.subscribers.add(
        email="ferie@kommune.dk",
        name="",
        topics=("sundhed",),
        councils=("all",),
        frequency=Frequency.DAILY,
        state=SubscriberState.ACTIVE,
        now=datetime.now(UTC),
    )
    back = datetime.now(COPENHAGEN).date() + timedelta(days=14)
    app = app_for(settings, sqlite_store)
    token = app.state.site.tokens.make(Purpose.MANAGE, person.id, person.token_generation)
    manage_url = f"/abonnement/administrer/{token}"
    async with asgi_client(app) as client:
        page = await client.get(manage_url)
        assert '<input type="date" id="until" name="until"' in page.text
        refused = await client.post(
            f"{manage_url}/pause", data={"csrf_token": csrf(page), "until": "1.1.2020"}
        )
        assert refused.status_code == 400 and "Skriv en dato efter i dag" in refused.text
        assert 'value="1.1.2020"' in refused.text  # found by a review: the day was lost
        paused = await client.post(
            f"{manage_url}/pause",
            data={"csrf_token": csrf(page), "until": f"{back.day}.{back.month}.{back.year}"},
        )
        assert paused.status_code == 200 and "Dine mails er sat på pause" in paused.text
        assert f"Du får ikke mail før <strong>{back.strftime('%d.%m.%Y')}</strong>" in paused.text
    assert (await subscriber(sqlite_store, person.email)).paused_until == back

    titles = ("Sygehusplan", "Akutberedskab", "Psykiatri")
    for day, title in enumerate(titles, start=1):
        await publish(sqlite_store, [Spec(title=title, topics=["sundhed"])], day=days_ago(day))
    during = datetime.now(UTC) + timedelta(days=3)
    assert await make_digests(sqlite_store, settings, Frequency.DAILY, now=during) == 0
    assert (await subscriber(sqlite_store, person.email)).event_cursor == person.event_cursor

    after = datetime.combine(back, datetime.min.time(), COPENHAGEN) + timedelta(hours=7)
    assert await make_digests(sqlite_store, settings, Frequency.DAILY, now=after) == 1
    assert await make_digests(sqlite_store, settings, Frequency.DAILY, now=after) == 1
    first, second = await messages(sqlite_store, person.email)
    told = text_of(first) + text_of(second)
    # One held point is "det", not "de".
    assert "Der er 1 punkt mere til dig. Det kommer i næste mail" in " ".join(
        text_of(first).split()
    )
    counts = {title: told.count(f"[Nyt] {title}") for title in titles}
    assert counts == dict.fromkeys(counts, 1), told


async def test_a_pause_can_be_ended_from_the_manage_page(sqlite_store: Store) -> None:
    settings = make_settings(sqlite_store, "http://testserver")
    person = await sqlite_store.subscribers.add(
        email="hjem@kommune.dk",
        name="",
        topics=("sundhed",),
        councils=("all",),
        frequency=Frequency.DAILY,
        state=SubscriberState.ACTIVE,
        now=datetime.now(UTC),
        paused_until=datetime.now(COPENHAGEN).date() + timedelta(days=30),
    )
    app = app_for(settings, sqlite_store)
    token = app.state.site.tokens.make(Purpose.MANAGE, person.id, 0)
    async with asgi_client(app) as client:
        page = await client.get(f"/abonnement/administrer/{token}")
        assert "Send mig mail igen nu" in page.text
        resumed = await client.post(
            f"/abonnement/administrer/{token}/pause",
            data={"csrf_token": csrf(page), "resume": "ja"},
        )
        assert "Du får mail igen fra nu af" in resumed.text
        assert "Send mig mail igen nu" not in resumed.text
    assert (await subscriber(sqlite_store, person.email)).paused_until is None
