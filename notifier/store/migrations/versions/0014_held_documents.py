"""Documents not held for review store SQL null in ``documents.review``, and the held ones
have an index.

The column was written JSON 'null' for every document the quality gate let through, so
"review IS NOT NULL" matched every document: the console's home page and each alert check
read the whole documents table to find the few held ones. Those values become SQL null, and a
partial index lists the held documents.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_INDEX = "ix_documents_held"
_HELD = sa.text("review IS NOT NULL")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE documents SET review = NULL WHERE json_typeof(review) = 'null'")
    else:  # SQLite keeps JSON as its text
        op.execute("UPDATE documents SET review = NULL WHERE review = 'null'")
    op.create_index(_INDEX, "documents", ["id"], sqlite_where=_HELD, postgresql_where=_HELD)


def downgrade() -> None:
    # SQL null reads as "not held" in every version, so the values stay.
    op.drop_index(_INDEX, table_name="documents")
