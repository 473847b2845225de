"""The console's subscriber form and a subscriber's own words, excluded words and pause, on both
databases: set, stored, shown back, searched and audited; and refused, with a Danish message
and nothing stored, wherever the public pages would refuse them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import pytest
from markupsafe import escape

from notifier import keywords
from notifier.models import Subscriber
from notifier.store import Store
from notifier.web.admin.console import Console
from notifier.web.forms import PAUSE_ERROR
from tests.console_client import asgi_client, console_settings, post_form, sign_in
from tests.factories import app_for

NEW = "/admin/abonnenter/ny"


@pytest.fixture
async def admin(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app_for(console_settings(store), store)) as client:
        await sign_in(client, store)
        yield client


def _today(client: httpx.AsyncClient) -> date:
    console = client._transport.app.state.console  # type: ignore[attr-defined]
    assert isinstance(console, Console)
    return console.subscriptions.today()


async def _stored(store: Store, email: str) -> Subscriber:
    person = await store.subscribers.by_email(email)
    assert person is not None
    return person


async def test_the_console_sets_words_excluded_words_and_a_pause(
    admin: httpx.AsyncClient, store: Store
) -> None:
    until = _today(admin) + timedelta(days=10)
    added = await post_form(
        admin,
        NEW,
        NEW,
        {
            "email": "ordfoerer@kommune.dk",
            "frequency": "daily",
            # no topics: a subscription of own words only, as the public form allows
            "keywords": "Movia; Kattegatforbindelsen, movia",
            "excluded": "lufthavn",
            "paused_until": until.strftime("%d.%m.%Y"),  # as a Dane types it
        },
    )
    assert added.status_code == 303, added.text
    person = await _stored(store, "ordfoerer@kommune.dk")
    assert person.keywords == ("Movia", "Kattegatforbindelsen")  # the same word (folded) once
    assert (person.excluded, person.topics, person.paused_until) == (("lufthavn",), (), until)

    page = f"/admin/abonnenter/{person.id}"
    shown = (await admin.get(page)).text
    assert 'value="Movia, Kattegatforbindelsen"' in shown and 'value="lufthavn"' in shown
    assert f'value="{until.isoformat()}"' in shown
    assert f"ingen mail før <strong>{until.strftime('%d.%m.%Y')}</strong>" in shown
    listed = (await admin.get("/admin/abonnenter", params={"q": "KATTEGAT"})).text
    assert "ordfoerer@kommune.dk" in listed and "pause til" in listed
    assert "ordfoerer@" not in (await admin.get("/admin/abonnenter?q=sygehus")).text

    changed = await post_form(
        admin,
        page,
        page,
        {
            "topics": ["sundhed"],
            "frequency": "daily",
            "keywords": "Movia, sygehus*",
            "excluded": "",
            "paused_until": "",  # an empty field ends the pause
        },
    )
    assert changed.status_code == 303, changed.text
    person = await _stored(store, "ordfoerer@kommune.dk")
    assert (person.keywords, person.excluded, person.paused_until) == (
        ("Movia", "sygehus*"),
        (),
        None,
    )
    assert person.topics == ("sundhed",)
    assert "ordfoerer@" in (await admin.get("/admin/abonnenter?q=sygehus")).text

    (change, add) = await store.admin.log(target=f"subscriber:{person.id}")
    assert (change.action, add.action) == ("subscriber.change", "subscriber.add")
    assert change.detail["keywords"] == {
        "before": ["Movia", "Kattegatforbindelsen"],
        "after": ["Movia", "sygehus*"],
    }
    assert change.detail["excluded"] == {"before": ["lufthavn"], "after": []}
    assert change.detail["paused_until"] == {"before": until.isoformat(), "after": None}
    assert "ordfoerer" not in json.dumps(change.detail)  # named by id only
    history = (await admin.get(page)).text
    assert "egne ord: Movia, Kattegatforbindelsen → Movia, sygehus*" in history
    assert f"pause til: {until.isoformat()} → ingen" in history

    # Saving the form unchanged changes nothing and records no field as changed.
    again = await post_form(
        admin,
        page,
        page,
        {"topics": ["sundhed"], "frequency": "daily", "keywords": "Movia, sygehus*"},
    )
    assert again.status_code == 303
    assert await _stored(store, "ordfoerer@kommune.dk") == person
    newest, *_ = await store.admin.log(target=f"subscriber:{person.id}")
    assert newest.action == "subscriber.change" and newest.detail == {}


async def test_what_the_public_form_refuses_the_console_refuses(
    admin: httpx.AsyncClient, store: Store
) -> None:
    today = _today(admin)
    fine = {"topics": ["sundhed"], "frequency": "weekly", "keywords": "Movia"}
    words_error = f"Skriv højst {keywords.MAX_WORDS} ord eller udtryk"
    wrong = [
        ({"paused_until": (today - timedelta(days=1)).isoformat()}, PAUSE_ERROR),
        ({"paused_until": today.isoformat()}, PAUSE_ERROR),
        ({"paused_until": (today + timedelta(days=400)).isoformat()}, PAUSE_ERROR),
        ({"paused_until": "31.2.2030"}, PAUSE_ERROR),
        ({"paused_until": "næste mandag"}, PAUSE_ERROR),
        ({"keywords": ", ".join(f"ord{n}" for n in range(keywords.MAX_WORDS + 1))}, words_error),
        ({"keywords": "x" * (keywords.MAX_LENGTH + 1)}, words_error),
        ({"excluded": "*bus"}, words_error),
        ({"topics": [], "keywords": ""}, "Vælg mindst ét emne, eller skriv dine egne ord."),
    ]
    added = await post_form(admin, NEW, NEW, {"email": "fast@kommune.dk", **fine})
    assert added.status_code == 303
    person = await _stored(store, "fast@kommune.dk")
    page = f"/admin/abonnenter/{person.id}"
    for bad, message in wrong:
        refused = await post_form(admin, page, page, {**fine, **bad})
        assert refused.status_code == 400, bad
        assert message in refused.text and "Intet er gemt" in refused.text, bad
        assert await _stored(store, "fast@kommune.dk") == person, bad
        new = await post_form(admin, NEW, NEW, {"email": "ny@kommune.dk", **fine, **bad})
        assert new.status_code == 400 and message in new.text, bad
        # Found by a review: the refused words or day vanished from the form.
        for field, typed in bad.items():
            if isinstance(typed, str) and typed:
                assert f'name="{field}" value="{escape(typed)}"' in refused.text, bad
                assert f'name="{field}" value="{escape(typed)}"' in new.text, bad
        assert await store.subscribers.by_email("ny@kommune.dk") is None, bad
    assert [e.action for e in await store.admin.log(target=f"subscriber:{person.id}")] == [
        "subscriber.add"
    ]
