"""Indexes for the send log's and outbox's references, which every look-up from the other side
scanned: the console's send log (items told per message) and review queue (subscribers told of
an item), a failed digest's rows leaving the send log, and the cascades of erasing a
subscriber or a message. One digest run of 10,000 subscribers logs ~460,000 rows; listing 100
messages took 3.5 s after a single run, and grew with every run.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_outbox_subscriber_id", "outbox", ["subscriber_id"]),
    ("ix_send_log_outbox_id", "send_log", ["outbox_id"]),
    ("ix_send_log_item_id_subscriber_id", "send_log", ["item_id", "subscriber_id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
