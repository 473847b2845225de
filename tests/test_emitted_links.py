"""Links the service shows (feeds, mails, web pages) leave out the tracking and language
parameters a listing or newsletter put on them; what is stored, and every feed entry's id, stay
as they were.

kl.dk's own newsletters link its articles with campaign tags ("?utm_source=nyhedsbrev&
utm_medium=email"), Sitecore adds "?la=da", Facebook "fbclid", and kl.dk's PDFs are linked
"?format=noformat" (docs/kl-dk.md).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import feedparser
import pytest
import sqlalchemy as sa

from notifier import ical
from notifier.feed_entries import Entry
from notifier.models import Council, DocumentKind, Frequency
from notifier.store import Store
from notifier.store.schema import documents
from notifier.untrusted import safe_url
from notifier.web.cards import card
from tests.factories import Spec, compose_digests, publish
from tests.test_digest import settings_for, subscribe
from tests.test_feeds import events, recent, renderer, spec, unfold

ARTICLE = "https://www.kl.dk/politik/kkr/kkr-nordjylland/flere-nyheder/nyhedsbrev-juni-2024"
TRACKED = f"{ARTICLE}?utm_source=nyhedsbrev&utm_medium=email&la=da&fbclid=IwAR0x"
PDF = "https://www.kl.dk/media/ugjnkfvp/dagsorden-kkr-nordjylland-19-april-2021.pdf"


@pytest.mark.parametrize(
    ("found", "shown"),
    [
        (TRACKED, ARTICLE),
        (f"{PDF}?format=noformat&", PDF),
        (f"{PDF}?format=noformat&amp;", PDF),
        (f"{ARTICLE}?id=7&utm_campaign=juni&sc_lang=da-DK", f"{ARTICLE}?id=7"),
        # What names another page stays: another language, a real parameter, a fragment.
        (f"{ARTICLE}?la=en", f"{ARTICLE}?la=en"),
        (f"{ARTICLE}?side=2#punkt-3", f"{ARTICLE}?side=2#punkt-3"),
        (ARTICLE, ARTICLE),
        ("javascript:alert(1)", "#"),
    ],
)
def test_a_shown_link_leaves_out_what_names_no_other_document(found: str, shown: str) -> None:
    assert safe_url(found) == shown


async def _published(store: Store) -> list[Entry]:
    await publish(
        store,
        [Spec(title="Praktikpladser", topics=["uddannelse"])],
        council=Council.NORDJYLLAND,
        kind=DocumentKind.NEWSLETTER,
        day=date(2024, 6, 20),
        url=TRACKED,
    )
    await publish(
        store,
        [Spec(title="Letbane og busser", topics=["trafik_infrastruktur"], number="1")],
        council=Council.NORDJYLLAND,
        url=f"{PDF}?format=noformat&utm_source=x",
    )
    return (await recent(store)).entries


async def test_feeds_link_without_tracking_and_keep_every_entrys_id(store: Store) -> None:
    entries = await _published(store)
    feed = spec("alle")
    for body in (renderer().rss(feed, entries), renderer().atom(feed, entries)):
        parsed = feedparser.parse(body)
        links = {e.title: e.link for e in parsed.entries}
        assert links == {"Praktikpladser": ARTICLE, "1. Letbane og busser": PDF}
        assert [e.enclosures[0].href for e in parsed.entries if e.enclosures] == [PDF]
        assert b"utm_" not in body and b"fbclid" not in body and b"noformat" not in body
        # An entry is its item: its id is what it was with the link as found.
        ids = {e.id for e in parsed.entries}
        assert ids == {renderer().entry_id(entry.snapshot.item_id) for entry in entries}
    as_found = [
        dataclasses.replace(e, snapshot=dataclasses.replace(e.snapshot, document_url=TRACKED))
        for e in entries
    ]
    before = feedparser.parse(renderer().rss(feed, as_found))
    after = feedparser.parse(renderer().rss(feed, entries))
    assert [e.id for e in before.entries] == [e.id for e in after.entries]
    # The store keeps the document as found: its URL (fetch state, redirects) and its key.
    async with store.db.engine.connect() as conn:
        urls = set((await conn.scalars(sa.select(documents.c.url))).all())
    assert TRACKED in urls


async def test_mails_and_web_pages_link_without_tracking(sqlite_store: Store) -> None:
    await subscribe(sqlite_store, "a@example.org", topics=("all",))
    entries = await _published(sqlite_store)
    names = {"uddannelse": "Uddannelse", "trafik_infrastruktur": "Trafik"}
    assert {card(entry, names).document_url for entry in entries} == {ARTICLE, PDF}
    now = datetime(2024, 6, 21, 5, 0, tzinfo=UTC)
    [digest] = await compose_digests(sqlite_store, settings_for(None), Frequency.DAILY, now=now)
    for body in (digest.text, digest.rendered.html):
        assert ARTICLE in body and PDF in body
        assert "utm_" not in body and "fbclid" not in body and "la=da" not in body


async def test_the_calendar_links_an_agenda_without_tracking_and_keeps_its_uid(
    sqlite_store: Store,
) -> None:
    await publish(
        sqlite_store, [Spec(title="Punkt")], council=Council.HOVEDSTADEN, url=f"{PDF}?fbclid=x"
    )
    [meeting] = await sqlite_store.archive.meetings(Council.HOVEDSTADEN)
    body = ical.render_calendar([meeting], council=None, base_url="https://kkr.example.dk")
    [event] = events(unfold(body))
    assert event["URL"] == PDF and event["DESCRIPTION"] == f"Dagsorden: {PDF}"
    assert event["UID"] == f"kkr-meeting-{meeting.id}@kkr.example.dk"
    # A scraped address that is no web link is not put in a calendar either.
    hostile = dataclasses.replace(meeting, agenda_url="javascript:alert(1)")
    [event] = events(unfold(ical.render_calendar([hostile], council=None, base_url="https://x")))
    assert "URL" not in event
