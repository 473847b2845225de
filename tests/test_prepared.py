"""Statements run straight on SQLite's connection (``store.prepared``) read and write what
SQLAlchemy's own execution of the same statement does, inside the caller's transaction, and
fail as the store's other statements do."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite as sqlite_dialect

from notifier.errors import StoreError
from notifier.models import Council, Validators
from notifier.store import Store, leases, sqlite_inline
from notifier.store import documents as store_documents
from notifier.store import sources as store_sources
from notifier.store.column_types import UTCDateTime
from notifier.store.prepared import Prepared
from notifier.store.schema import fetch_state, sources
from notifier.store.sources import FetchRecord
from tests.factories import Spec, offloads, publish, source_for
from tests.faults import ReadOnly

NOW = datetime(2026, 12, 3, 9, 30, 15, 123456, tzinfo=UTC)


async def _stored(store: Store) -> None:
    """A source with three documents: one held by the quality gate (a review list), one
    undated, one with validators (the others have no fetch state: NULLs from the outer join)."""
    specs = [
        Spec(title="Status for klima VIP-projekterne", topics=["klima og miljø"], number="3.2")
    ]
    for day, problems in ((date(2026, 11, 2), ()), (date(2026, 11, 9), ("no points found",))):
        await publish(store, specs, council=Council.SJAELLAND, day=day, now=NOW, problems=problems)
    await publish(
        store, specs, council=Council.SJAELLAND, day=date(2026, 11, 16), now=NOW, title="Udateret"
    )
    async with store.db.write() as conn:
        await conn.execute(sa.text("UPDATE documents SET date = NULL WHERE title = 'Udateret'"))
        newest, _ = await store_documents.newest_of_source(conn, "test-sjaelland", 10)
        record = FetchRecord(
            url=newest[-1].url,
            validators=Validators(etag='"abc"', last_modified="Mon, 02 Nov 2026 08:00:00 GMT"),
            body_hash="f" * 64,
            status=200,
        )
        await store_sources.save_fetch_states(conn, [record], NOW)


def _as_sqlalchemy_reads(result: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in result.mappings().all()]


async def test_rows_are_what_sqlalchemy_reads(store: Store) -> None:
    await _stored(store)
    source = source_for(Council.SJAELLAND)
    cases: list[tuple[Prepared, dict[str, Any]]] = [
        (store_documents._NEWEST, {"source_id": source.id, "limit": 10}),
        (store_sources._GET_POLLED, {"source_id": source.id, "url": source.url}),
        (store_sources._GET_POLLED, {"source_id": "nobody", "url": source.url}),
    ]
    async with store.db.read() as conn:
        for prepared, parameters in cases:
            outcome = await prepared.execute(conn, parameters)
            result = await conn.execute(prepared.statement, parameters)
            direct = [dict(row) for row in outcome.rows]
            assert outcome.rowcount == result.rowcount  # -1 on SQLite: it counts no reads
            expected = _as_sqlalchemy_reads(result)
            assert direct == expected
            for row, other in zip(direct, expected, strict=True):  # the same types, not only ==
                assert {k: type(v) for k, v in row.items()} == {
                    k: type(v) for k, v in other.items()
                }
        newest = (await store_documents._NEWEST.execute(conn, cases[0][1])).rows
    assert [row["date"] for row in newest][-1] is None  # undated documents come last
    assert any(row["review"] for row in newest) and any(row["fetch_etag"] for row in newest)
    assert all(row["first_seen_at"] == NOW for row in newest)  # aware, in UTC


async def test_row_counts_are_what_sqlalchemy_counts(store: Store) -> None:
    name, ttl = "poll:s", timedelta(seconds=90)
    async with store.db.write() as conn:
        assert await leases.take(conn, name, owner="a", now=NOW, ttl=ttl)
        assert not await leases.take(conn, name, owner="b", now=NOW, ttl=ttl)  # a holds it
        assert await leases.take(conn, name, owner="b", now=NOW + 2 * ttl, ttl=ttl)  # expired
        assert not await leases.give_back(conn, name, owner="a", now=NOW + 2 * ttl)
        assert await leases.give_back(conn, name, owner="b", now=NOW + 2 * ttl)
        taken = await conn.scalar(sa.select(sa.func.count()).select_from(leases.locks))
        assert taken == 0


async def test_it_is_part_of_the_callers_transaction(store: Store) -> None:
    source = source_for(Council.SJAELLAND)
    async with store.db.write() as conn:
        await store_sources.ensure(conn, source)
    with pytest.raises(RuntimeError):
        async with store.db.write() as conn:
            await store_sources.update(conn, source.id, state="failing", last_polled_at=NOW)
            state = await store_sources.get(conn, source.id)
            assert state is not None and state.state == "failing"  # seen inside
            raise RuntimeError("the poll fails after the update")
    state = await store.sources.get(source.id)
    assert state is not None
    assert (state.state, state.last_polled_at) == ("ok", None)  # rolled back with the rest


async def test_a_refused_statement_is_a_store_error(store: Store) -> None:
    source = source_for(Council.SJAELLAND)
    async with store.db.write() as conn:
        await store_sources.ensure(conn, source)
    with pytest.raises(StoreError, match="naive datetime"):
        async with store.db.write() as conn:
            await store_sources.update(conn, source.id, last_polled_at=datetime(2026, 12, 3))
    with pytest.raises(StoreError, match=r"(?i)null"):
        async with store.db.write() as conn:
            await store_sources.update(conn, source.id, state=None)
    # The writer's connection is usable after both failures.
    async with store.db.write() as conn:
        await store_sources.update(conn, source.id, last_polled_at=NOW)
    state = await store.sources.get(source.id)
    assert state is not None and state.last_polled_at == NOW


async def test_an_executemany_writes_every_row(store: Store) -> None:
    urls = [f"http://127.0.0.1/{n}" for n in range(3)]
    records = [
        FetchRecord(
            url=url,
            validators=Validators(etag=None, last_modified=None),
            body_hash=None,
            status=304,
        )
        for url in urls
    ]
    async with store.db.write() as conn:
        await store_sources.save_fetch_states(conn, records, NOW)
        await store_sources.mark_checked(conn, urls[:2], NOW + timedelta(hours=1))
    states = await store.polls.fetch_states(urls)
    assert [states[url].checked_at for url in urls] == [
        NOW + timedelta(hours=1),
        NOW + timedelta(hours=1),
        NOW,
    ]


async def test_returning_gives_the_rows_of_every_execution(store: Store) -> None:
    statement = Prepared(
        sources.insert().returning(
            sources.c.id, sources.c.last_polled_at, sources.c.consecutive_failures
        )
    )
    given = [
        {
            "id": f"s{n}",
            "council": "sjaelland",
            "kind": "listing",
            "url": f"http://127.0.0.1/{n}",
            "last_polled_at": NOW + timedelta(minutes=n),
        }
        for n in (3, 1, 2)
    ]
    async with store.db.write() as conn:
        many = await statement.execute(conn, given)
        one = await statement.execute(conn, {**given[0], "id": "s9"})
        read = await conn.execute(
            sa.select(sources.c.id, sources.c.last_polled_at, sources.c.consecutive_failures)
        )
        expected = _as_sqlalchemy_reads(read)
    # In order on SQLite, where it runs a row at a time; PostgreSQL's multi-row insert
    # need not keep it, so callers tell rows apart by what they return.
    by_id = {row["id"]: dict(row) for row in [*many.rows, *one.rows]}
    assert sorted(by_id) == ["s1", "s2", "s3", "s9"]
    assert sorted(by_id.values(), key=lambda row: row["id"]) == sorted(
        expected, key=lambda row: row["id"]
    )
    assert by_id["s2"]["last_polled_at"] == NOW + timedelta(minutes=2)  # aware, in UTC
    assert by_id["s2"]["consecutive_failures"] == 0  # the column's default, as stored
    assert (many.rowcount, one.rowcount) == (3, 1)
    if store.db.dialect == "sqlite":
        assert [row["id"] for row in many.rows] == ["s3", "s1", "s2"]


@pytest.mark.parametrize(
    ("count", "url_bytes", "in_thread"),
    [
        (sqlite_inline.OFFLOAD_ROWS + 1, 20, True),
        (20, sqlite_inline.OFFLOAD_BYTES // 10, True),
        (20, 20, False),
    ],
    ids=["many rows", "many bytes", "small"],
)
async def test_a_large_batch_with_returning_goes_to_a_thread_as_an_executemany_would(
    sqlite_store: Store,
    monkeypatch: pytest.MonkeyPatch,
    count: int,
    url_bytes: int,
    in_thread: bool,
) -> None:
    # A document's items and their versions came back from one multi-row INSERT ... RETURNING
    # through SQLAlchemy, which went to a thread when large (sqlite_inline.OFFLOAD_BYTES); run
    # a row at a time, every row of however large a batch held the event loop.
    offloaded = offloads(monkeypatch)
    statement = Prepared(sources.insert().returning(sources.c.id, sources.c.state))
    given = [
        {"id": f"s{n}", "council": "sjaelland", "kind": "listing", "url": "u" * url_bytes}
        for n in range(count)
    ]
    async with sqlite_store.db.write() as conn:
        outcome = await statement.execute(conn, given)
        ran = list(offloaded)  # not the commit's
    assert bool(ran) is in_thread, ran
    assert [row["id"] for row in outcome.rows] == [row["id"] for row in given]  # in order
    assert {row["state"] for row in outcome.rows} == {"ok"}
    assert outcome.rowcount == count
    async with sqlite_store.db.read() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(sources)) == count


async def test_outside_a_transaction_it_begins_one_as_sqlalchemy_does(sqlite_store: Store) -> None:
    # On the driver straight away it would commit at once, and a rollback would undo nothing.
    source = source_for(Council.SJAELLAND)
    async with sqlite_store.db.write() as conn:
        await store_sources.ensure(conn, source)
    async with sqlite_store.db.engine.connect() as conn:
        assert not conn.in_transaction()
        await store_sources.update(conn, source.id, state="failing")
        assert conn.in_transaction()
        await conn.rollback()
    state = await sqlite_store.sources.get(source.id)
    assert state is not None and state.state == "ok"


@pytest.mark.parametrize(
    "statement",
    [
        # Rows by column name would keep one of the two urls.
        sa.select(sources.c.id, sources.c.url, fetch_state.c.url).select_from(
            sources.outerjoin(fetch_state, fetch_state.c.url == sources.c.url)
        ),
        # An expanding IN is rendered anew at each execution.
        sa.select(sources.c.id).where(sources.c.id.in_(sa.bindparam("ids", expanding=True))),
        # Rows whose columns (names, types) the statement does not say.
        sa.text("SELECT id FROM sources"),
    ],
    ids=["same-named columns", "expanding IN", "textual SELECT"],
)
async def test_a_statement_it_cannot_run_as_sqlalchemy_would_is_refused(
    sqlite_store: Store, statement: Any
) -> None:
    async with sqlite_store.db.read() as conn:
        with pytest.raises(ValueError, match="not for a prepared statement"):
            await Prepared(statement).execute(conn, {"ids": ["a"]})


async def test_the_read_only_fault_refuses_a_writers_begin(sqlite_store: Store) -> None:
    # As a read-only standby would: SQLite refuses BEGIN IMMEDIATE under query_only, and the
    # fault switches it on before the store's BEGIN (tests/faults.py).
    fault = ReadOnly(sqlite_store.db.engine)
    await fault.set(True)
    try:
        with pytest.raises(StoreError, match="readonly"):
            async with sqlite_store.db.write():
                pass
    finally:
        await fault.set(False)
    async with sqlite_store.db.write():
        pass


async def test_engines_alike_share_compiled_statements(tmp_path: Any) -> None:
    """A process compiles a statement once, not once per engine it opens (a CLI command, a
    test): the second database's run of a statement compiles nothing new, and each runs on
    its own database."""
    statement = Prepared(sa.select(sources.c.url).where(sources.c.id == sa.bindparam("id")))
    urls = []
    for name in ("a", "b"):
        store = await Store.open(f"sqlite+aiosqlite:///{tmp_path}/{name}.db")
        try:
            async with store.db.write() as conn:
                await conn.execute(
                    sources.insert().values(
                        id="s", council="sjaelland", kind="listing", url=f"http://{name}.invalid/"
                    )
                )
                outcome = await statement.execute(conn, {"id": "s"})
        finally:
            await store.close()
        urls.append(outcome.rows[0]["url"])
        assert [len(compiled) for compiled in statement._compiled.values()] == [1]
    assert urls == ["http://a.invalid/", "http://b.invalid/"]


@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5, minutes=30))]
        ),
    )
)
def test_stamps_bind_as_sqlite_datetime_writes_them(value: datetime) -> None:
    """UTCDateTime's own SQLite conversion writes the very text SQLite's DATETIME type
    writes for the UTC time (rows written before, and comparisons in SQL, depend on it)."""
    dialect = sqlite_dialect.dialect()
    ours = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    theirs = sa.DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert ours is not None and theirs is not None
    assert ours(value) == theirs(value.astimezone(UTC))
    assert ours(None) is None
    with pytest.raises(ValueError, match="naive"):
        ours(value.replace(tzinfo=None))
