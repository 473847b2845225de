"""The send log stores what a digest told once per distinct list (issue 12: planning CPU).

A message's ~50 rows (item, content hash, reason) become one list in ``send_log_sets`` /
``send_log_set_rows``, shared by every message that told the same; ``send_log`` keeps a row per
message naming its list. A digest run of 10,000 subscribers wrote ~460,000 rows into a table
with three indexes (3.8 of ~14 s of planning CPU); now 10,000 rows and a few hundred lists.

Existing rows are grouped by message (they were logged together, in order) and put into
lists; the downgrade writes a row per list row again.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_CHUNK = 10_000
_OLD_INDEXES = (
    ("ix_send_log_outbox_id", ["outbox_id"]),
    ("ix_send_log_item_id_subscriber_id", ["item_id", "subscriber_id"]),
)
_NEW_INDEXES = (
    ("ix_send_log_subscriber_id_set_id", ["subscriber_id", "set_id"]),
    ("ix_send_log_set_id_subscriber_id", ["set_id", "subscriber_id"]),
    ("ix_send_log_outbox_id", ["outbox_id"]),
)
_UNIQUE = "uq_send_log_subscriber_id_item_id_content_hash_reason"
_ROWS = ("item_id", "content_hash", "reason")


def _digest(rows: tuple[tuple[int, str, str], ...]) -> str:
    # As notifier/store/send_log.py makes it, so a list logged before is found again.
    return hashlib.sha256(json.dumps(rows, separators=(",", ":")).encode()).hexdigest()


def _messages(bind: sa.Connection) -> Iterator[tuple[int, Any, tuple[tuple[int, str, str], ...]]]:
    """(first row id, created_at, rows) per message: a message's rows were logged together."""
    last, key, first, created = 0, None, 0, None
    rows: list[tuple[int, str, str]] = []
    while True:
        chunk = bind.execute(
            sa.text(
                "SELECT id, subscriber_id, outbox_id, created_at, item_id, content_hash, reason "
                "FROM send_log WHERE id > :last ORDER BY id LIMIT :n"
            ),
            {"last": last, "n": _CHUNK},
        ).all()
        for row_id, subscriber_id, outbox_id, created_at, item_id, content_hash, reason in chunk:
            if (subscriber_id, outbox_id, created_at) != key:
                if rows:
                    yield first, created, tuple(rows)
                key, first, created, rows = (
                    (subscriber_id, outbox_id, created_at),
                    row_id,
                    created_at,
                    [],
                )
            rows.append((int(item_id), str(content_hash), str(reason)))
        if len(chunk) < _CHUNK:
            break
        last = chunk[-1][0]
    if rows:
        yield first, created, tuple(rows)


def upgrade() -> None:
    op.create_table(
        "send_log_sets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_send_log_sets")),
        sa.UniqueConstraint("digest", name=op.f("uq_send_log_sets_digest")),
    )
    op.create_table(
        "send_log_set_rows",
        sa.Column("set_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_send_log_set_rows_item_id_items")
        ),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["send_log_sets.id"],
            name=op.f("fk_send_log_set_rows_set_id_send_log_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("set_id", "position", name=op.f("pk_send_log_set_rows")),
    )
    op.create_index(
        "ix_send_log_set_rows_item_id_set_id", "send_log_set_rows", ["item_id", "set_id"]
    )
    with op.batch_alter_table("send_log") as batch:
        batch.add_column(sa.Column("set_id", sa.Integer(), nullable=True))
    bind = op.get_bind()
    sets: dict[str, int] = {}
    kept: list[dict[str, int]] = []
    for first, created_at, rows in _messages(bind):
        digest = _digest(rows)
        if digest not in sets:
            sets[digest] = bind.execute(
                sa.text(
                    "INSERT INTO send_log_sets (digest, created_at) VALUES (:d, :c) RETURNING id"
                ),
                {"d": digest, "c": created_at},
            ).scalar_one()
            bind.execute(
                sa.text(
                    "INSERT INTO send_log_set_rows (set_id, position, item_id, content_hash, "
                    "reason) VALUES (:s, :p, :i, :h, :r)"
                ),
                [
                    {"s": sets[digest], "p": p, "i": i, "h": h, "r": r}
                    for p, (i, h, r) in enumerate(rows)
                ],
            )
        kept.append({"s": sets[digest], "id": first})
    if kept:
        bind.execute(sa.text("UPDATE send_log SET set_id = :s WHERE id = :id"), kept)
    bind.execute(sa.text("DELETE FROM send_log WHERE set_id IS NULL"))
    for name, _columns in _OLD_INDEXES:
        op.drop_index(name, table_name="send_log")
    with op.batch_alter_table("send_log") as batch:
        batch.drop_constraint(_UNIQUE, type_="unique")
        batch.drop_constraint("fk_send_log_item_id_items", type_="foreignkey")
        for column in _ROWS:
            batch.drop_column(column)
        batch.alter_column("set_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            "fk_send_log_set_id_send_log_sets", "send_log_sets", ["set_id"], ["id"]
        )
    for name, columns in _NEW_INDEXES:
        op.create_index(name, "send_log", columns)


def downgrade() -> None:
    for name, _columns in _NEW_INDEXES:
        op.drop_index(name, table_name="send_log")
    with op.batch_alter_table("send_log") as batch:
        batch.drop_constraint("fk_send_log_set_id_send_log_sets", type_="foreignkey")
        batch.alter_column("set_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("item_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("reason", sa.String(length=20), nullable=True))
    # A row per list row again, each version once per subscriber and reason (as 0012 kept
    # them), in the order they were logged.
    op.execute(
        "INSERT INTO send_log (subscriber_id, item_id, content_hash, reason, outbox_id, "
        "created_at) "
        "SELECT s.subscriber_id, r.item_id, r.content_hash, r.reason, min(s.outbox_id), "
        "min(s.created_at) FROM send_log AS s "
        "JOIN send_log_set_rows AS r ON r.set_id = s.set_id "
        "GROUP BY s.subscriber_id, r.item_id, r.content_hash, r.reason "
        "ORDER BY min(s.id), min(r.position)"
    )
    op.execute("DELETE FROM send_log WHERE set_id IS NOT NULL")
    with op.batch_alter_table("send_log") as batch:
        batch.drop_column("set_id")
        batch.alter_column("item_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("content_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("reason", existing_type=sa.String(length=20), nullable=False)
        batch.create_foreign_key("fk_send_log_item_id_items", "items", ["item_id"], ["id"])
        batch.create_unique_constraint(_UNIQUE, ["subscriber_id", *_ROWS])
    for name, columns in _OLD_INDEXES:
        op.create_index(name, "send_log", columns)
    op.drop_index("ix_send_log_set_rows_item_id_set_id", table_name="send_log_set_rows")
    op.drop_table("send_log_set_rows")
    op.drop_table("send_log_sets")
