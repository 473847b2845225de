"""A smaller embedded database (issue 12: disk per 100,000 items), SQLite only but for one column.

- Packed values (``store/column_types.py``) are compressed against preset dictionaries from
  now on. Nothing is rewritten: the older code, which cannot read them, refuses the database,
  and a downgrade packs them again without a dictionary.
- The contentless FTS5 index holds item versions (rowid = version id) and never forgets one,
  so the stems each item was indexed with (``item_search_stems``, kept only to take an item
  out again) go: a search counts a hit only in an item's current version (``store.search``),
  found through a new index of items by current version. The index drops its prefix index
  (prefix queries read the terms' own lists instead).
- ``document_versions.text`` is no longer written (every point's text is in ``item_versions``;
  nothing read the document's), so the column may be null. Texts written before stay.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import json
import zlib

import sqlalchemy as sa
from alembic import op

from notifier.store.column_types import unpack
from notifier.store.search_text import fts_row, search_fields

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_TOKENS = "tokenize = 'unicode61 remove_diacritics 0'"
# 0011's index kept a second index of every term's first four letters for prefix queries
# ("sygehus*"): 40% of the index. FTS5 answers them without it by reading the terms' lists.
_OPTIONS_0011 = f"{_TOKENS}, prefix = '4'"
_PACKED = (
    ("item_versions", "text"),
    ("item_versions", "indstilling"),
    ("item_versions", "beslutning"),
    ("document_versions", "text"),
    ("events", "payload"),
    ("items", "topics"),
)


def _index(bind: sa.Connection, rows: list[dict[str, object]], options: str) -> None:
    op.execute("DROP TABLE item_search")
    op.execute(f"CREATE VIRTUAL TABLE item_search USING fts5(title, body, content='', {options})")
    if rows:
        bind.execute(
            sa.text("INSERT INTO item_search (rowid, title, body) VALUES (:id, :title, :body)"),
            rows,
        )


_BY_VERSION = "ix_items_current_version_id_decides_item_id"


def upgrade() -> None:
    with op.batch_alter_table("document_versions") as batch:
        batch.alter_column("text", existing_type=sa.Text, nullable=True)
    op.create_index(_BY_VERSION, "items", ["current_version_id", "decides_item_id"])
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    stems = bind.execute(
        sa.text(
            "SELECT items.current_version_id, s.stems FROM item_search_stems AS s "
            "JOIN items ON items.id = s.item_id"
        )
    )
    rows = []
    for version_id, packed in stems:
        title, body = json.loads(unpack(packed))
        rows.append({"id": version_id, "title": title, "body": body})
    _index(bind, rows, _TOKENS)
    op.execute("DROP TABLE item_search_stems")


def downgrade() -> None:
    op.drop_index(_BY_VERSION, "items")
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _repack(bind)
        _index_items(bind)
    op.execute("UPDATE document_versions SET text = '' WHERE text IS NULL")
    with op.batch_alter_table("document_versions") as batch:
        batch.alter_column("text", existing_type=sa.Text, nullable=False)


def _repack(bind: sa.Connection) -> None:
    """Values packed against a dictionary, packed again without one, as 0011 reads them."""
    for table, column in _PACKED:
        rows = bind.execute(
            sa.text(f"SELECT id, {column} FROM {table} WHERE typeof({column}) = 'blob'")
        ).all()
        values = [
            {"id": row_id, "value": zlib.compress(unpack(packed).encode())}
            for row_id, packed in rows
            if packed[1] & 0x20  # FDICT: a dictionary's id follows the header
        ]
        if values:
            bind.execute(sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id"), values)


def _index_items(bind: sa.Connection) -> None:
    """0011's index (rowid = item id) and its stems, from each item's current version."""
    op.execute(
        "CREATE TABLE item_search_stems ("
        "item_id INTEGER NOT NULL PRIMARY KEY REFERENCES items (id), stems TEXT NOT NULL)"
    )
    versions = bind.execute(
        sa.text(
            "SELECT items.id, v.title, v.text, v.indstilling, v.beslutning FROM items "
            "JOIN item_versions AS v ON v.id = items.current_version_id"
        )
    )
    rows: list[dict[str, object]] = []
    for item_id, title, text, indstilling, beslutning in versions:
        fields = search_fields(title, unpack(text), _maybe(indstilling), _maybe(beslutning))
        title_stems, body_stems = fts_row(*fields)
        rows.append({"id": item_id, "title": title_stems, "body": body_stems})
    _index(bind, rows, _OPTIONS_0011)
    if rows:
        bind.execute(
            sa.text("INSERT INTO item_search_stems (item_id, stems) VALUES (:id, :stems)"),
            [
                {
                    "id": row["id"],
                    "stems": zlib.compress(json.dumps([row["title"], row["body"]]).encode()),
                }
                for row in rows  # zlib without a dictionary, as 0011 reads them
            ],
        )


def _maybe(value: str | bytes | None) -> str | None:
    return None if value is None else unpack(value)
