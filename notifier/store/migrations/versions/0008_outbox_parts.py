"""Runs of message bodies that many messages share, stored once: a digest shared by a group of
subscribers differs per subscriber only in its headers and the lines with their name and links.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from notifier.store.outbox_parts import assemble

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_parts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_parts")),
        sa.UniqueConstraint("digest", name=op.f("uq_outbox_parts_digest")),
    )
    with op.batch_alter_table("outbox_bodies") as batch:
        batch.add_column(sa.Column("layout", sa.Text))
    op.create_table(
        "outbox_body_parts",
        sa.Column("outbox_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("part_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_outbox_body_parts_outbox_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], ["outbox_parts.id"], name=op.f("fk_outbox_body_parts_part_id_outbox_parts")
        ),
        sa.PrimaryKeyConstraint("outbox_id", "part_id", name=op.f("pk_outbox_body_parts")),
    )
    op.create_index(op.f("ix_outbox_body_parts_part_id"), "outbox_body_parts", ["part_id"])


def downgrade() -> None:
    # Bodies stored in parts become whole again before the layout goes.
    bind = op.get_bind()
    parts = {
        row.id: bytes(row.body)
        for row in bind.execute(sa.text("SELECT id, body FROM outbox_parts"))
    }
    laid_out = bind.execute(
        sa.text("SELECT outbox_id, body, layout FROM outbox_bodies WHERE layout IS NOT NULL")
    ).all()
    for row in laid_out:
        whole = assemble(bytes(row.body), json.loads(row.layout), parts)
        bind.execute(
            sa.text("UPDATE outbox_bodies SET body = :body WHERE outbox_id = :id"),
            {"body": whole, "id": row.outbox_id},
        )
    op.drop_table("outbox_body_parts")
    with op.batch_alter_table("outbox_bodies") as batch:
        batch.drop_column("layout")
    op.drop_table("outbox_parts")
