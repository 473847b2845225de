"""Recovery after faults: a failed digest's start on its outbox row, a subscriber's replay
point for the next digest, and the scheduled runs done (to catch up a missed one on start).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("cursor_from", sa.Integer(), nullable=True))
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("replay_from", sa.Integer(), nullable=True))
    op.create_table(
        "schedule_runs",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_schedule_runs")),
    )


def downgrade() -> None:
    op.drop_table("schedule_runs")
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("replay_from")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("cursor_from")
