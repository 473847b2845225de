"""The database schema: one place that names every table and column.

Alembic migrations in ``store/migrations`` create it; tests assert the two agree.
Times are stored as aware UTC (``UTCDateTime``) so SQLite and PostgreSQL behave alike; long
texts and payloads are compressed on SQLite (``PackedText``, ``PackedJSON``: column_types.py).
"""

from __future__ import annotations

import sqlalchemy as sa

from notifier.store.column_types import PackedJSON, PackedText, UTCDateTime

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _of_outbox() -> sa.Column[int]:
    """The outbox row a row of a table beside it belongs to (and goes with)."""
    return sa.Column(
        "outbox_id",
        sa.Integer,
        sa.ForeignKey("outbox.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )


sources = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("council", sa.String(20), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    # ok | broken | suspect: broken and suspect hold back changes until the operator acts
    sa.Column("state", sa.String(20), nullable=False, server_default="ok"),
    sa.Column("state_reason", sa.Text),
    sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_polled_at", UTCDateTime),
    sa.Column("last_success_at", UTCDateTime),
    sa.Column("last_failure_at", UTCDateTime),
    sa.Column("last_failure_reason", sa.Text),
    sa.Column("last_published_at", UTCDateTime),  # last time the source yielded something new
    sa.Column("release_requested", sa.Boolean, nullable=False, server_default=sa.false()),
    # hash of a quarantined poll's result; the same result again stays held without new alerts
    sa.Column("held_fingerprint", sa.String(64)),
    sa.Column("discarded_fingerprint", sa.String(64)),
    sa.Column("alerted", sa.String(40)),  # which alert the operator last got, to send each once
    # documents the source's page led to when last read (None: never read); 0 after successful
    # fetches is a source that finds nothing, which the operator hears of at once
    sa.Column("found_documents", sa.Integer),
)

fetch_state = sa.Table(
    "fetch_state",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("body_hash", sa.String(64)),
    sa.Column("status", sa.Integer),
    sa.Column("fetched_at", UTCDateTime),
)

meetings = sa.Table(
    "meetings",
    metadata,
    _id(),
    sa.Column("council", sa.String(20), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("starts_at", UTCDateTime),
    sa.Column("place", sa.Text),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("agenda_url", sa.Text),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("council", "day"),
)

_HELD = sa.text("review IS NOT NULL")
documents = sa.Table(
    "documents",
    metadata,
    _id(),
    sa.Column("source_id", sa.String(100), sa.ForeignKey("sources.id"), nullable=False),
    # identity independent of the URL, so a document that moves keeps its items
    sa.Column("key", sa.String(300), nullable=False, unique=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("council", sa.String(20), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("date", sa.Date),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("meeting_id", sa.Integer, sa.ForeignKey("meetings.id")),
    sa.Column("supplementary", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("first_seen_at", UTCDateTime, nullable=False),
    sa.Column("last_seen_at", UTCDateTime, nullable=False),
    # why the quality gate holds it (a list of reasons); SQL null, not JSON 'null': it may be told
    sa.Column("review", sa.JSON(none_as_null=True)),
    # the secretariat's chat has heard that it is held (each held document once)
    sa.Column("review_notified", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index(None, "url"),
    # a poll reads its source's documents; a moved document is found by its content hash
    sa.Index(None, "source_id"),
    sa.Index(None, "content_hash"),
    sa.Index(None, "meeting_id"),
    # the held ones (the console's home page, every alert check)
    sa.Index("ix_documents_held", "id", sqlite_where=_HELD, postgresql_where=_HELD),
)

document_versions = sa.Table(
    "document_versions",
    metadata,
    _id(),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    # the document's whole text until migration 0012; nothing read it (items hold the text)
    sa.Column("text", PackedText),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index(None, "document_id"),
)

items = sa.Table(
    "items",
    metadata,
    _id(),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("number", sa.String(20)),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("case_number", sa.String(40)),
    sa.Column("procedural", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("current_version_id", sa.Integer),
    sa.Column("content_hash", sa.String(64), nullable=False),
    # current classification: [{"topic", "score", "evidence": [{"term", "matched", "where"}]}]
    sa.Column("topics", PackedJSON, nullable=False),
    sa.Column("topics_version", sa.String(64), nullable=False, server_default=""),
    sa.Column("decides_item_id", sa.Integer, sa.ForeignKey("items.id")),  # minutes -> agenda
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("removed_at", UTCDateTime),
    sa.UniqueConstraint("document_id", "key"),
    sa.Index(None, "case_number"),
    sa.Index(None, "decides_item_id"),
    sa.Index(None, "topics_version"),  # items to reclassify, counted at every start
    # SQLite's search index holds versions: a hit finds its item here, the index covering it
    sa.Index(None, "current_version_id", "decides_item_id"),
)

item_versions = sa.Table(
    "item_versions",
    metadata,
    _id(),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text", PackedText, nullable=False),
    sa.Column("indstilling", PackedText),
    sa.Column("beslutning", PackedText),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index(None, "item_id"),
)

# Full-text search over each item's current version (``store.search``). On PostgreSQL a table
# whose ``document`` column is the tsvector of the 'danish' configuration (generated, GIN
# indexed); on SQLite a contentless FTS5 virtual table of the same name holding Danish stems of
# item versions (rowid = item version id), which the migrations create and which is not
# described here.
item_search = sa.Table(
    "item_search",
    metadata,
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)

# Durable, append-only log that later stages (digests, feeds, alerts) consume by id.
events = sa.Table(
    "events",
    metadata,
    _id(),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("source_id", sa.String(100)),
    sa.Column("document_id", sa.Integer),
    sa.Column("item_id", sa.Integer),
    sa.Column("item_version_id", sa.Integer),
    sa.Column("payload", PackedJSON, nullable=False),
    sa.Index(None, "type", "id"),
    sa.Index(None, "item_id"),
)

subscribers = sa.Table(
    "subscribers",
    metadata,
    _id(),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False, server_default=""),
    sa.Column("topics", sa.JSON, nullable=False),  # list of topic ids, or ["all"]
    sa.Column("councils", sa.JSON, nullable=False),  # list of council ids, or ["all"]
    sa.Column("frequency", sa.String(20), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("confirmed_at", UTCDateTime),
    sa.Column("unsubscribed_at", UTCDateTime),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # the last event a digest for this subscriber has been planned from
    sa.Column("event_cursor", sa.Integer, nullable=False, server_default="0"),
    # bumped to invalidate every signed link sent before
    sa.Column("token_generation", sa.Integer, nullable=False, server_default="0"),
    # a digest to this subscriber failed: the next digest plans again from this event, so it
    # carries the failed one's items
    sa.Column("replay_from", sa.Integer),
    # the subscriber's own words and phrases, and words that exclude an item (lists of text)
    sa.Column("keywords", sa.JSON, nullable=False, server_default="[]"),
    sa.Column("excluded", sa.JSON, nullable=False, server_default="[]"),
    sa.Column("paused_until", sa.Date),  # no mail before this day
    # asked at signup for the last month's items as a first digest, sent when confirmed
    sa.Column("first_digest", sa.Boolean, nullable=False, server_default=sa.false()),
)

# Planned messages, stored before sending: the unit of exactly-once delivery.
outbox = sa.Table(
    "outbox",
    metadata,
    _id(),
    sa.Column("message_id", sa.String(250), nullable=False, unique=True),
    sa.Column("kind", sa.String(30), nullable=False),  # digest | confirm | alert | test | signin
    sa.Column("subscriber_id", sa.Integer, sa.ForeignKey("subscribers.id", ondelete="CASCADE")),
    sa.Column("recipient", sa.String(320), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("state", sa.String(20), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    sa.Column("claimed_by", sa.String(100)),
    sa.Column("claimed_until", UTCDateTime),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime),
    # a digest: its subscriber's cursor when planned (where a replay starts if it fails)
    sa.Column("cursor_from", sa.Integer),
    sa.Index(None, "state", "next_attempt_at"),
    sa.Index(None, "subscriber_id"),  # a subscriber's messages (console, erasure's cascade)
)

# The complete RFC 5322 message of an outbox row, canonical CRLF. Apart from its row so that
# claiming and marking (which update the row many times) never rewrite the ~44 KiB body.
outbox_bodies = sa.Table(
    "outbox_bodies",
    metadata,
    _of_outbox(),
    sa.Column("body", sa.LargeBinary, nullable=False),
    # When set, ``body`` holds only what is this message's own, and the layout says where the
    # shared parts (``outbox_parts``) go between its runs (store/outbox_parts.py).
    sa.Column("layout", sa.Text),
)

# Runs of message bodies stored once for all messages that hold them (a shared digest).
outbox_parts = sa.Table(
    "outbox_parts",
    metadata,
    _id(),
    sa.Column("digest", sa.String(64), nullable=False, unique=True),  # sha256 of body
    sa.Column("body", sa.LargeBinary, nullable=False),
)

# Which parts a message holds: erasing a subscriber's messages erases the parts nobody else's
# hold (a digest of a group of one is all theirs).
outbox_body_parts = sa.Table(
    "outbox_body_parts",
    metadata,
    _of_outbox(),
    sa.Column(
        "part_id",
        sa.Integer,
        sa.ForeignKey("outbox_parts.id"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Index(None, "part_id"),
)

# What digests told, once per distinct list of (item, version, reason): alike subscribers get
# the same digest, so a run of 10,000 stores a few hundred lists, not ~460,000 rows (issue 12).
send_log_sets = sa.Table(
    "send_log_sets",
    metadata,
    _id(),
    sa.Column("digest", sa.String(64), nullable=False, unique=True),  # sha256 of the rows
    sa.Column("created_at", UTCDateTime, nullable=False),
)
send_log_set_rows = sa.Table(
    "send_log_set_rows",
    metadata,
    sa.Column("set_id", sa.ForeignKey("send_log_sets.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("reason", sa.String(20), nullable=False),  # new | changed | decided
    sa.Index(None, "item_id", "set_id"),  # the lists that told an item (planning, review)
)

# Which item versions went (or are planned to go) to whom: a row per message, naming its list.
send_log = sa.Table(
    "send_log",
    metadata,
    _id(),
    sa.Column(
        "subscriber_id",
        sa.Integer,
        sa.ForeignKey("subscribers.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("set_id", sa.Integer, sa.ForeignKey("send_log_sets.id"), nullable=False),
    sa.Column("outbox_id", sa.Integer, sa.ForeignKey("outbox.id", ondelete="CASCADE")),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index(None, "subscriber_id", "set_id"),  # what a subscriber was told (planning, erasure)
    sa.Index(None, "set_id", "subscriber_id"),  # who was told of an item (review queue)
    sa.Index(None, "outbox_id"),  # what a message told (console, a failed digest, cascades)
)

# Leases that keep replicas from running the same job twice (a portable advisory lock).
locks = sa.Table(
    "locks",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("owner", sa.String(100), nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
)

# The scheduled runs done (daily, weekly digests): the newest occurrence each covered, so a
# start after a missed one runs it once.
schedule_runs = sa.Table(
    "schedule_runs",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("due_at", UTCDateTime, nullable=False),
    sa.Column("done_at", UTCDateTime, nullable=False),
)

# The console (/admin): single-use sign-in links, sessions and the audit log. Links and
# sessions are kept as hashes of their secrets, so a copy of the database signs nobody in.
admin_links = sa.Table(
    "admin_links",
    metadata,
    sa.Column("nonce_hash", sa.String(64), primary_key=True),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("used_at", UTCDateTime),
)

admin_sessions = sa.Table(
    "admin_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("ended_at", UTCDateTime),  # signed out
)

# Every action taken in the console: who, what, when, on what. Subscribers are named by id,
# never by address, so erasing a person leaves no address behind here.
admin_audit = sa.Table(
    "admin_audit",
    metadata,
    _id(),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(320), nullable=False),
    sa.Column("action", sa.String(60), nullable=False),
    sa.Column("target", sa.String(200), nullable=False, server_default=""),
    sa.Column("detail", sa.JSON),
)

# Topics the secretariat chose for an item: they win over the classifier for that item, now
# and on every later classification, and are kept as labelled data (``corrections export``).
topic_corrections = sa.Table(
    "topic_corrections",
    metadata,
    sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), primary_key=True),
    sa.Column("topics", sa.JSON, nullable=False),  # topic ids, as chosen
    sa.Column("classified", sa.JSON, nullable=False),  # the classifier's topic ids at the time
    sa.Column("corrected_by", sa.String(320), nullable=False),
    sa.Column("corrected_at", UTCDateTime, nullable=False),
)
