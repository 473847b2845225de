"""Long texts and payloads compressed on SQLite (``store/column_types.py``).

Nothing in the schema changes: from this revision on the code writes a long item or document
text, event payload or topic list as a zlib-compressed BLOB in its column, and reads both
forms; rows written before are left as they are. The revision exists so that older code, which
would read the BLOBs as garbage, refuses the database instead, and so that a downgrade unpacks
every value for it.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from notifier.store.column_types import unpack

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PACKED = (
    ("item_versions", "text", False),
    ("item_versions", "indstilling", False),
    ("item_versions", "beslutning", False),
    ("document_versions", "text", False),
    ("events", "payload", True),
    ("items", "topics", True),
)


def upgrade() -> None:
    pass


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for table, column, is_json in PACKED:
        rows = bind.execute(
            sa.text(f"SELECT id, {column} FROM {table} WHERE typeof({column}) = 'blob'")
        ).all()
        values = []
        for row_id, packed in rows:
            text = unpack(packed)
            if is_json:  # as the older code's JSON type writes it
                text = json.dumps(json.loads(text))
            values.append({"id": row_id, "value": text})
        if values:
            bind.execute(sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id"), values)
