"""Outbox bodies in their own table: claiming and marking a message update its small row only,
never its ~44 KiB body (on SQLite every such update rewrote the whole record into the WAL).

Existing bodies move over as they are. The column goes with a plain ``ALTER TABLE ... DROP
COLUMN`` (SQLite 3.35+) rather than a batch rebuild: a rebuild drops the old ``outbox``
table, and with foreign keys on that would cascade into ``send_log`` and the moved bodies.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_bodies",
        sa.Column("outbox_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_outbox_bodies_outbox_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("outbox_id", name=op.f("pk_outbox_bodies")),
    )
    op.execute("INSERT INTO outbox_bodies (outbox_id, body) SELECT id, body FROM outbox")
    op.execute("ALTER TABLE outbox DROP COLUMN body")


def downgrade() -> None:
    op.execute("ALTER TABLE outbox ADD COLUMN body " + _binary())
    op.execute(
        "UPDATE outbox SET body = "
        "(SELECT body FROM outbox_bodies WHERE outbox_bodies.outbox_id = outbox.id)"
    )
    op.drop_table("outbox_bodies")


def _binary() -> str:
    return "BYTEA" if op.get_bind().dialect.name == "postgresql" else "BLOB"
