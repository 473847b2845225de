"""Indexes for the queries a poll and a start run: a source's documents, a document found by
its content hash or meeting, and items classified by older topic definitions.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_documents_source_id", "documents", ["source_id"]),
    ("ix_documents_content_hash", "documents", ["content_hash"]),
    ("ix_documents_meeting_id", "documents", ["meeting_id"]),
    ("ix_items_topics_version", "items", ["topics_version"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
