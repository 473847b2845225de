"""The quality gate and sources that find nothing: why a document is held for review, and how
many documents a source's page led to when it was last read.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("review", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("review_notified", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("found_documents", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("found_documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("review_notified")
        batch.drop_column("review")
