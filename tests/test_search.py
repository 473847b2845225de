"""Full-text search on both databases: inflected Danish queries find the right points, the index
follows item versions in the same transaction, and the archive pages show the results."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from alembic import command

from notifier import feed_entries
from notifier.models import Council, DocumentKind
from notifier.store import Found, Store
from notifier.store.db import _alembic_config, migrate
from tests.factories import Spec, app_for, publish
from tests.test_web import asgi_client, make_settings

AGENDA = [
    Spec(
        title="Kattegatforbindelse",
        number="3",
        text="KKR drøfter kommunernes holdning til en fast forbindelse over Kattegat.",
        indstilling="Det indstilles, at KKR Sjælland anbefaler en VVM-undersøgelse.",
        topics=["trafik_infrastruktur"],
    ),
    Spec(
        title="Trafikselskabet Movias budget",
        number="4",
        text="Movias økonomi og busserne i landdistrikterne.",
        topics=["trafik_infrastruktur"],
    ),
    Spec(
        title="Nyt sygehusbyggeri",
        number="5",
        text="Status på sygehusbyggerierne i regionen.",
        topics=["sundhed"],
    ),
    Spec(title="Eventuelt", number="6", text="Movia blev nævnt.", procedural=True),
]

# The budget point of AGENDA in a later version: its old words must leave the index.
MOVIA_CHANGED = Spec(
    title="Trafikselskabet Movias budget",
    number="4",
    text="Movia varsler færre afgange på regionale ruter.",
    topics=["trafik_infrastruktur"],
)


async def search(store: Store, query: str, **options: object) -> list[str]:
    """The titles of the points a query finds, in order."""
    found: Found = await store.search.search(
        query,
        types=feed_entries.FEED_EVENTS,
        limit=50,
        **options,  # type: ignore[arg-type]
    )
    entries = {e.item_id: e for e in feed_entries.fold(found.events).entries}
    assert found.total == len(found.item_ids) == len(entries)
    return [entries[item_id].snapshot.title for item_id in found.item_ids]


async def test_inflected_danish_queries_find_the_right_points(store: Store) -> None:
    await publish(store, AGENDA, council=Council.SJAELLAND)
    await publish(
        store,
        [Spec(title="Bus til alle", text="En ny bus kører fra kommunen.", topics=["sundhed"])],
        council=Council.NORDJYLLAND,
        kind=DocumentKind.NEWSLETTER,
        day=date(2021, 5, 3),
    )
    assert await search(store, "Kattegatforbindelsen") == ["Kattegatforbindelse"]
    assert await search(store, "kattegatforbindelsens") == ["Kattegatforbindelse"]
    assert await search(store, "Movia") == ["Trafikselskabet Movias budget"]  # not "Eventuelt"
    assert sorted(await search(store, "kommune")) == ["Bus til alle", "Kattegatforbindelse"]
    assert sorted(await search(store, "busser")) == [
        "Bus til alle",
        "Trafikselskabet Movias budget",
    ]
    assert await search(store, "sygehus") == ["Nyt sygehusbyggeri"]  # the start of a compound
    assert await search(store, "VVM-undersøgelsen") == ["Kattegatforbindelse"]  # the Indstilling
    assert await search(store, "Movia og busserne") == ["Trafikselskabet Movias budget"]
    assert await search(store, "Movia sygehus") == []  # every word must occur
    assert await search(store, "og i på") == []  # only stop words: nothing to look for
    # Nothing in a query is syntax to either database.
    assert await search(store, '"Movia" * ( ) : ^ & | !') == ["Trafikselskabet Movias budget"]
    assert await search(store, "bus", council=Council.NORDJYLLAND) == ["Bus til alle"]
    assert await search(store, "bus", topic="trafik_infrastruktur") == [
        "Trafikselskabet Movias budget"
    ]
    # Newest first by the documents' own dates: the newsletter of 3 May, then the meeting of
    # 19 April; best first, the title with the word ranks above the text that has it once.
    newest = await search(store, "bus", newest_first=True)
    assert newest == ["Bus til alle", "Trafikselskabet Movias budget"]
    assert (await search(store, "Movia busser"))[0] == "Trafikselskabet Movias budget"


async def test_the_index_follows_versions_decisions_and_what_the_archive_hides(
    store: Store,
) -> None:
    await publish(store, AGENDA, council=Council.SJAELLAND)
    # The minutes bring a decision: a hit in it finds the agenda point.
    await publish(
        store,
        [
            Spec(
                title="Kattegatforbindelse",
                number="3",
                beslutning="Anbefalingen blev godkendt med bemærkninger om cykelstier.",
                topics=["trafik_infrastruktur"],
            )
        ],
        council=Council.SJAELLAND,
        kind=DocumentKind.MINUTES,
    )
    assert await search(store, "cykelstierne") == ["Kattegatforbindelse"]
    # A new version replaces the old text in the index; a removed point is gone.
    await publish(store, [AGENDA[0], MOVIA_CHANGED, AGENDA[3]], council=Council.SJAELLAND)
    assert await search(store, "afgangene") == ["Trafikselskabet Movias budget"]
    assert await search(store, "landdistrikter") == []
    assert await search(store, "sygehusbyggeri") == []
    # A document the quality gate holds is not told, so not found either.
    await publish(
        store,
        [Spec(title="Botilbud og socialtilsyn", text="Socialtilsynets rapport.")],
        council=Council.SYDDANMARK,
        problems=["the table of contents lists points the body lacks"],
    )
    assert await search(store, "botilbud") == []


async def test_the_migration_indexes_items_stored_before_it(store: Store) -> None:
    await publish(store, AGENDA, council=Council.SJAELLAND)
    engine = store.db.engine
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(_alembic_config(sync), "0003"))
        tables = await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names())
        assert "item_search" not in tables
    await migrate(engine)
    assert await search(store, "Kattegatforbindelsen") == ["Kattegatforbindelse"]


async def test_the_archive_searches_and_shows_a_page_per_point(sqlite_store: Store) -> None:
    await publish(sqlite_store, AGENDA, council=Council.SJAELLAND)
    await publish(
        sqlite_store,
        [
            Spec(
                title="Kattegatforbindelse",
                number="3",
                beslutning="Anbefalingen blev godkendt.",
                topics=["trafik_infrastruktur"],
            )
        ],
        council=Council.SJAELLAND,
        kind=DocumentKind.MINUTES,
    )
    app = app_for(make_settings(sqlite_store, "http://testserver"), sqlite_store)
    async with asgi_client(app) as client:
        front = await client.get("/")
        assert front.status_code == 200 and 'role="search"' in front.text
        assert '<label for="q">Søg i arkivet</label>' in front.text
        cells = front.text.count('.rss" aria-label="RSS: ')
        assert cells == 7 * 6  # (six topics + all) x (five councils + all)
        assert 'href="/feeds/kkr/nordjylland/emne/klima_miljoe.rss"' in front.text
        assert 'href="/feeds/alle.atom"' in front.text

        found = await client.get("/arkiv", params={"q": "kommunernes forbindelser"})
        assert (
            found.status_code == 200 and "1 punkt matcher »kommunernes forbindelser«" in found.text
        )
        assert "holdning til en fast forbindelse" in found.text  # the excerpt
        assert "Besluttet:</strong> Anbefalingen blev godkendt." in found.text
        [point_url] = set(re.findall(r'href="(/punkt/\d+)"', found.text))
        none = await client.get("/arkiv", params={"q": "metroen"})
        assert "Ingen punkter matcher »metroen«" in none.text

        point = await client.get(point_url)
        assert point.status_code == 200
        assert "<h1>3. Kattegatforbindelse</h1>" in point.text
        assert "Indstilling</h2>" in point.text and "VVM-undersøgelse" in point.text
        assert "Beslutning</h2>" in point.text and "Anbefalingen blev godkendt." in point.text
        movia = await client.get("/arkiv", params={"q": "Movia"})
        [movia_url] = set(re.findall(r'href="(/punkt/\d+)"', movia.text))
        waiting = await client.get(movia_url)
        assert "Referatet med beslutningen er ikke kommet endnu" in waiting.text
        assert (await client.get("/punkt/999999")).status_code == 404


async def test_sqlites_index_keeps_no_copy_of_the_text_and_forgets_old_versions(
    sqlite_store: Store,
) -> None:
    """Migrations 0011 and 0012: the FTS5 table is contentless and holds versions; a search
    finds an item only by its current version, also for items indexed before 0012."""
    await publish(sqlite_store, AGENDA, council=Council.SJAELLAND)
    engine = sqlite_store.db.engine
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(_alembic_config(sync), "0010"))
        copied = await conn.exec_driver_sql("SELECT count(*) FROM item_search_content")
        assert copied.scalar_one() == len(AGENDA)
    await migrate(engine)
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names())
    assert "item_search_content" not in tables
    assert await search(sqlite_store, "landdistrikter") == ["Trafikselskabet Movias budget"]
    await publish(sqlite_store, [AGENDA[0], MOVIA_CHANGED, AGENDA[3]], council=Council.SJAELLAND)
    assert await search(sqlite_store, "landdistrikter") == []
    assert await search(sqlite_store, "afgangene") == ["Trafikselskabet Movias budget"]
    # Again: now the stems forgotten are ones the new table was given itself.
    again = Spec(title=MOVIA_CHANGED.title, number="4", text="Movia holder fast i busserne.")
    await publish(sqlite_store, [AGENDA[0], again, AGENDA[3]], council=Council.SJAELLAND)
    assert await search(sqlite_store, "afgangene") == []
    assert await search(sqlite_store, "busserne") == ["Trafikselskabet Movias budget"]


async def test_a_downgrade_gives_the_older_code_its_index_of_items(sqlite_store: Store) -> None:
    """Before 0012 the index held items (rowid = item id) with the stems to forget them."""
    await publish(sqlite_store, AGENDA, council=Council.SJAELLAND)
    await publish(sqlite_store, [AGENDA[0], MOVIA_CHANGED, AGENDA[3]], council=Council.SJAELLAND)
    engine = sqlite_store.db.engine
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(_alembic_config(sync), "0011"))
        movia = await conn.exec_driver_sql(
            "SELECT id FROM items WHERE title = 'Trafikselskabet Movias budget'"
        )
        movia_id = movia.scalar_one()

        async def rowids(word: str) -> list[int]:
            found = await conn.exec_driver_sql(
                "SELECT rowid FROM item_search WHERE item_search MATCH ?", (word,)
            )
            return [row[0] for row in found]

        assert await rowids("afgang") == [movia_id]  # the current version's stem
        assert await rowids("landdistrikt") == []  # the old version's: gone
        stems = await conn.exec_driver_sql("SELECT count(*) FROM item_search_stems")
        items = await conn.exec_driver_sql("SELECT count(*) FROM items")
        assert stems.scalar_one() == items.scalar_one()
    await migrate(engine)
    assert await search(sqlite_store, "afgangene") == ["Trafikselskabet Movias budget"]
    assert await search(sqlite_store, "landdistrikter") == []


# The minutes of AGENDA's Kattegat point: its text and indstilling repeated, and the decision.
KATTEGAT_DECIDED = Spec(
    title=AGENDA[0].title,
    number="3",
    text=f"{AGENDA[0].text}\nFormanden supplerede om færgeruterne.",
    indstilling=AGENDA[0].indstilling,
    beslutning="Anbefalingen blev godkendt.",
    topics=["trafik_infrastruktur"],
)


async def test_a_query_may_mix_the_agenda_points_words_with_its_decisions(store: Store) -> None:
    """A query's words must all occur in what the archive shows for a point: the agenda point
    with its decision (the minutes point repeats the agenda's text)."""
    await publish(store, AGENDA, council=Council.SJAELLAND)
    await publish(store, [KATTEGAT_DECIDED], council=Council.SJAELLAND, kind=DocumentKind.MINUTES)
    for words in ("VVM-undersøgelsen godkendt", "faste forbindelse færgeruterne"):
        assert await search(store, words) == ["Kattegatforbindelse"], words
    assert await search(store, "VVM-undersøgelsen busserne") == []  # not in one point


async def test_an_agenda_point_edited_after_its_minutes_keeps_their_words_findable(
    store: Store,
) -> None:
    """An edit of the agenda point must not make the words its minutes still show unfindable."""
    await publish(store, AGENDA, council=Council.SJAELLAND)
    await publish(store, [KATTEGAT_DECIDED], council=Council.SJAELLAND, kind=DocumentKind.MINUTES)
    edited = Spec(
        title=AGENDA[0].title,
        number="3",
        text="KKR drøfter en fast forbindelse.",
        indstilling="Det indstilles, at KKR tager sagen til efterretning.",
        topics=["trafik_infrastruktur"],
    )
    await publish(store, [edited, *AGENDA[1:]], council=Council.SJAELLAND)
    for words in ("VVM-undersøgelsen", "kommunernes holdning", "efterretning", "færgeruter"):
        assert await search(store, words) == ["Kattegatforbindelse"], words


def test_sqlite_stems_with_the_c_build_of_snowball() -> None:
    """PyStemmer is a dependency so that indexing a new document does not run Snowball in
    pure Python (nine times slower, the same stems); snowballstemmer falls back to that
    silently when PyStemmer is missing."""
    import Stemmer

    from notifier.store.search_text import _STEMMER, stems

    assert isinstance(_STEMMER, Stemmer.Stemmer)
    assert stems("Kommunernes sygehusbyggerier") == ["kommun", "sygehusbyggeri"]
