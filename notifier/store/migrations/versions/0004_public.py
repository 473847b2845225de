"""Subscriptions that behave and an archive people can search: a subscriber's own words and
excluded words, a pause, the wish for a first digest of the last month; full-text search over
items (FTS5 with Danish stems on SQLite, the 'danish' text search configuration on PostgreSQL),
filled here from the items already stored.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from notifier.store.search_text import fts_row, search_fields

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_POSTGRES_TABLE = """
CREATE TABLE item_search (
    item_id integer PRIMARY KEY REFERENCES items (id),
    title text NOT NULL,
    body text NOT NULL,
    document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('danish', title), 'A') || setweight(to_tsvector('danish', body), 'B')
    ) STORED
)
"""
# Stems are written by the application (notifier.store.search_text); the tokenizer only splits
# them. remove_diacritics 0: æ, ø and å are letters of their own in Danish.
_SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE item_search USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 0', prefix = '4')"
)


def upgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("keywords", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("excluded", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("paused_until", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("first_digest", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index("ix_items_decides_item_id", "items", ["decides_item_id"])
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute(_POSTGRES_TABLE)
        op.execute("CREATE INDEX ix_item_search_document ON item_search USING gin (document)")
    else:
        op.execute(_SQLITE_TABLE)
    rows = bind.execute(
        sa.text(
            "SELECT items.id, v.title, v.text, v.indstilling, v.beslutning FROM items "
            "JOIN item_versions AS v ON v.id = items.current_version_id"
        )
    ).all()
    for item_id, title, text, indstilling, beslutning in rows:
        fields = search_fields(title, text, indstilling, beslutning)
        if postgres:
            statement = "INSERT INTO item_search (item_id, title, body) VALUES (:id, :title, :body)"
        else:
            fields = fts_row(*fields)
            statement = "INSERT INTO item_search (rowid, title, body) VALUES (:id, :title, :body)"
        bind.execute(sa.text(statement), {"id": item_id, "title": fields[0], "body": fields[1]})


def downgrade() -> None:
    op.execute("DROP TABLE item_search")
    op.drop_index("ix_items_decides_item_id", "items")
    with op.batch_alter_table("subscribers") as batch:
        for column in ("first_digest", "paused_until", "excluded", "keywords"):
            batch.drop_column(column)
