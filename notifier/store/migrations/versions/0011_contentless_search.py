"""SQLite's full-text index without its own copy of the text (a contentless FTS5 table).

The FTS5 table kept every item's stems a second time as its content (about 1.8 KB per item,
a quarter of the database), which nothing reads: a search needs only the index and bm25. The
table is now contentless; the exact stems each item was indexed with, which FTS5 needs to take
the item out again, are kept compressed in ``item_search_stems`` (``store.search``). PostgreSQL
is unchanged.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import json
import zlib

import sqlalchemy as sa
from alembic import op

from notifier.store.column_types import unpack

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_OPTIONS = "tokenize = 'unicode61 remove_diacritics 0', prefix = '4'"
_STEMS = (
    "CREATE TABLE item_search_stems ("
    "item_id INTEGER NOT NULL PRIMARY KEY REFERENCES items (id), stems TEXT NOT NULL)"
)


def _pack(text: str) -> str | bytes:
    """``column_types.pack`` as it was at 0011: plain zlib from 200 bytes. The code at 0011
    reads no preset dictionary (0012), so this revision must not write with one."""
    raw = text.encode()
    if len(raw) < 200:
        return text
    packed = zlib.compress(raw, 6)
    return packed if len(packed) < len(raw) * 0.9 else text


def _copy(bind: sa.Connection, rows: list[tuple[int, str, str]], table: str) -> None:
    if rows:
        bind.execute(
            sa.text(f"INSERT INTO {table} (rowid, title, body) VALUES (:id, :title, :body)"),
            [{"id": item_id, "title": title, "body": body} for item_id, title, body in rows],
        )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    rows = [
        tuple(row) for row in bind.execute(sa.text("SELECT rowid, title, body FROM item_search"))
    ]
    op.execute(_STEMS)
    if rows:
        bind.execute(
            sa.text("INSERT INTO item_search_stems (item_id, stems) VALUES (:id, :stems)"),
            [
                {"id": item_id, "stems": _pack(json.dumps([title, body], ensure_ascii=False))}
                for item_id, title, body in rows
            ],
        )
    op.execute("DROP TABLE item_search")
    op.execute(f"CREATE VIRTUAL TABLE item_search USING fts5(title, body, content='', {_OPTIONS})")
    _copy(bind, rows, "item_search")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    rows = [
        (item_id, *json.loads(unpack(stems)))
        for item_id, stems in bind.execute(sa.text("SELECT item_id, stems FROM item_search_stems"))
    ]
    op.execute("DROP TABLE item_search")
    op.execute(f"CREATE VIRTUAL TABLE item_search USING fts5(title, body, {_OPTIONS})")
    _copy(bind, rows, "item_search")
    op.execute("DROP TABLE item_search_stems")
