"""The migrations build exactly the schema ``store/schema.py`` declares, on both backends."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from notifier.store import Store
from notifier.store.db import _alembic_config, create_engine, migrate
from notifier.store.documents import _MATCHING_SQLITE
from notifier.store.review import HELD, UNTOLD
from notifier.store.schema import (
    documents,
    metadata,
    outbox,
    outbox_bodies,
    send_log,
    send_log_set_rows,
)
from notifier.store.send_log import _messages, told_query, told_sets_query
from notifier.subscriptions import normalize_email

NOW = datetime(2024, 6, 21, 5, 0, tzinfo=UTC)


def _compared(item: Any, name: str | None, kind: str, reflected: bool, other: Any) -> bool:
    """The full-text index (migration 0004) is backend-specific SQL, declared in the schema
    only as far as queries need it: an FTS5 virtual table and its shadow tables, or a
    tsvector table."""
    table = name if kind == "table" else getattr(getattr(item, "table", None), "name", "")
    return not (table or "").startswith("item_search")


async def test_migrated_database_matches_the_declared_schema(store: Store) -> None:
    def differences(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"include_object": _compared})
        return list(compare_metadata(context, metadata))

    async with store.db.engine.connect() as conn:
        assert await conn.run_sync(differences) == []


async def test_outbox_bodies_move_to_their_own_table(database_url: str) -> None:
    """A database with messages waiting (schema 0003) keeps every body, byte for byte."""
    engine = create_engine(database_url)
    bodies = {
        "a@example.org": b"Subject: a\r\n\r\n.first\r\n",
        "b@example.org": bytes(range(256)) * 200,  # binary-safe, and large
    }
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.upgrade(_alembic_config(sync), "0003"))
            for n, (recipient, body) in enumerate(bodies.items()):
                await conn.execute(
                    sa.text(
                        "INSERT INTO outbox (message_id, kind, recipient, subject, body, state,"
                        " attempts, next_attempt_at, created_at)"
                        " VALUES (:mid, 'digest', :rcpt, 'Emne', :body, 'pending', 0, :at, :at)"
                    ).bindparams(sa.bindparam("body", type_=sa.LargeBinary)),
                    {"mid": f"m{n}@example.org", "rcpt": recipient, "body": body, "at": NOW},
                )
        await migrate(engine)
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.select(outbox.c.recipient, outbox_bodies.c.body).join(
                    outbox_bodies, outbox_bodies.c.outbox_id == outbox.c.id
                )
            )
            assert {row.recipient: bytes(row.body) for row in rows} == bodies
            columns = await conn.run_sync(
                lambda sync: {c["name"] for c in sa.inspect(sync).get_columns("outbox")}
            )
        assert "body" not in columns
    finally:
        await engine.dispose()


async def test_look_ups_from_the_send_logs_other_side_use_an_index(sqlite_store: Store) -> None:
    """The console's send log (items per message), its review queue (subscribers told of an
    item) and a failed digest leaving the send log look rows up by outbox or item: without
    an index each was a scan of the whole log, which a run of 10,000 digests grows by
    ~460,000 rows."""
    async with sqlite_store.db.engine.connect() as conn:
        told_rows = send_log.join(
            send_log_set_rows, send_log_set_rows.c.set_id == send_log.c.set_id
        )
        looked_up: list[tuple[str, Any]] = [
            ("ix_send_log_outbox_id", _messages().limit(100)),
            (
                "ix_send_log_set_rows_item_id_set_id",
                sa.select(sa.func.count(sa.distinct(send_log.c.subscriber_id)))
                .select_from(told_rows)
                .where(send_log_set_rows.c.item_id == 7),
            ),
            (
                "ix_send_log_set_id_subscriber_id",
                sa.select(sa.func.count(sa.distinct(send_log.c.subscriber_id)))
                .select_from(told_rows)
                .where(send_log_set_rows.c.item_id == 7),
            ),
            ("ix_send_log_outbox_id", send_log.delete().where(send_log.c.outbox_id == 7)),
            ("ix_outbox_subscriber_id", sa.select(outbox.c.id).where(outbox.c.subscriber_id == 7)),
            # The planner's look-ups of what was told: the lists about the items, then which
            # of them each subscriber of a batch got.
            (
                "ix_send_log_set_rows_item_id_set_id",
                told_sets_query(conn).params(items="[1,2]"),
            ),
            (
                # Either of the log's two indexes of (subscriber, list), whichever SQLite picks.
                "COVERING INDEX ix_send_log_s",
                told_query(conn).params(subscribers="[7]", sets="[1,2]"),
            ),
        ]
        for index, query in looked_up:
            sql = str(query.compile(conn.sync_engine, compile_kwargs={"literal_binds": True}))
            plan = [row[-1] for row in await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
            assert not any(step.startswith("SCAN send_log") for step in plan), plan
            assert any(index in step for step in plan), plan


async def test_documents_let_through_before_lose_their_json_null(database_url: str) -> None:
    """Schema 0013 wrote JSON 'null' for every document the gate let through; after 0014 only
    the held one is not null."""
    engine = create_engine(database_url)
    reasons = ["no agenda points found"]
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.upgrade(_alembic_config(sync), "0013"))
            await conn.execute(
                sa.text(
                    "INSERT INTO sources (id, council, kind, url)"
                    " VALUES ('s', 'syddanmark', 'listing', 'u')"
                )
            )
            for n, review in enumerate([None, reasons, None]):
                await conn.execute(
                    sa.text(
                        "INSERT INTO documents (source_id, key, url, kind, council, title,"
                        " content_type, content_hash, first_seen_at, last_seen_at, review)"
                        " VALUES ('s', :key, :url, 'agenda', 'syddanmark', :title,"
                        " 'application/pdf', 'h', :at, :at, :review)"
                    ).bindparams(sa.bindparam("review", type_=sa.JSON)),
                    {"key": f"d{n}", "url": f"u{n}", "title": f"t{n}", "at": NOW, "review": review},
                )
            # As 0013 left them: JSON 'null' is not SQL null.
            held = sa.text("SELECT key FROM documents WHERE review IS NOT NULL ORDER BY key")
            assert (await conn.execute(held)).scalars().all() == ["d0", "d1", "d2"]
        await migrate(engine)
        async with engine.connect() as conn:
            assert (await conn.execute(held)).scalars().all() == ["d1"]
            kept = sa.select(documents.c.review).where(documents.c.key == "d1")
            assert await conn.scalar(kept) == reasons
    finally:
        await engine.dispose()


async def test_addresses_stored_with_an_international_domain_get_its_ascii_form(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Review: rows stored before domains were kept in their ASCII (IDNA) form still held the
    Unicode one, and a look-up by address (in its ASCII form) never found them. 0015 rewrites
    them; a row whose ASCII form another row has, or that has none, stays as it was."""
    engine = create_engine(database_url)
    stored = [
        "anna@kommune-æ.dk",
        "bo@københavn.dk",  # the same person as the next row: both stay, one unchanged
        "bo@xn--kbenhavn-54a.dk",
        "jørgen@københavn.dk",  # no ASCII form: never subscribed so, and kept
        "else@straße.de",  # IDNA 2008, as signups make it: not "strasse.de"
        "ok@kommune.dk",
    ]
    select = sa.text("SELECT id, email FROM subscribers ORDER BY id")
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.upgrade(_alembic_config(sync), "0014"))
            for address in stored:
                await conn.execute(
                    sa.text(
                        "INSERT INTO subscribers (email, topics, councils, frequency, state,"
                        " created_at, updated_at)"
                        " VALUES (:email, '[]', '[\"all\"]', 'weekly', 'active', :at, :at)"
                    ),
                    {"email": address, "at": NOW},
                )
            ids = {email: id_ for id_, email in await conn.execute(select)}
        with caplog.at_level(logging.WARNING):
            await migrate(engine)
        async with engine.connect() as conn:
            after = {id_: email for id_, email in await conn.execute(select)}
    finally:
        await engine.dispose()
    assert after == {
        ids["anna@kommune-æ.dk"]: "anna@xn--kommune--q0a.dk",
        ids["bo@københavn.dk"]: "bo@københavn.dk",
        ids["bo@xn--kbenhavn-54a.dk"]: "bo@xn--kbenhavn-54a.dk",
        ids["jørgen@københavn.dk"]: "jørgen@københavn.dk",
        ids["else@straße.de"]: "else@xn--strae-oqa.de",
        ids["ok@kommune.dk"]: "ok@kommune.dk",
    }
    store = await Store.open(database_url)
    try:
        for typed in ("Anna@Kommune-Æ.dk", "else@straße.de"):
            found = await store.subscribers.by_email(normalize_email(typed))
            assert found is not None and found.id == ids[typed.lower()]
    finally:
        await store.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    warned = {getattr(record, "subscriber_id", None) for record in warnings}
    assert warned == {ids["bo@københavn.dk"], ids["jørgen@københavn.dk"]}
    assert not any("@" in record.getMessage() for record in warnings)  # ids, never addresses


async def test_the_held_documents_are_found_by_their_index(sqlite_store: Store) -> None:
    """The console's home page and every alert check ask for the held documents: a scan of
    the documents table, which grows with every document stored, before the index."""
    async with sqlite_store.db.engine.connect() as conn:
        for query in (HELD, UNTOLD):
            sql = str(query.compile(conn.sync_engine, compile_kwargs={"literal_binds": True}))
            plan = [row[-1] for row in await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
            assert any("ix_documents_held" in step for step in plan), plan
            assert not any(
                step.startswith("SCAN documents") and "INDEX" not in step for step in plan
            )


async def test_a_polls_look_up_of_documents_reads_them_by_index(sqlite_store: Store) -> None:
    """By key, by URL, and by content hash within the source (a moved document): each by its
    own index, never all of the source's documents (a kl.dk source holds years of them)."""
    async with sqlite_store.db.engine.connect() as conn:
        sql = str(_MATCHING_SQLITE.statement.compile(conn.sync_engine))
        given = {"keys": "[]", "urls": "[]", "hashes": "[]", "source_id": "s"}
        names = _MATCHING_SQLITE.statement.compile(conn.sync_engine).positiontup or ()
        rows = await conn.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {sql}", tuple(given[name] for name in names)
        )
        plan = [row[-1] for row in rows]
    searched = [step for step in plan if step.startswith("SEARCH documents")]
    assert [step.split(" USING INDEX ")[1].split(" ")[0] for step in searched] == [
        "sqlite_autoindex_documents_1",  # key
        "ix_documents_url",
        "ix_documents_content_hash",
    ], plan
    assert not any(step.startswith("SCAN documents") for step in plan), plan
