"""Subscriber addresses with an international domain are stored in its ASCII (IDNA) form.

Rows stored before signups kept the domain in that form may hold the Unicode one
("anna@kommune-æ.dk"); a look-up by address uses the ASCII form, so such a subscriber could
not be found by their own address (a new manage link, a new signup, the console). Each of
them gets the ASCII form. A row is kept as it is, with a warning naming it by id, when another
subscriber already has that form (the same person twice: the secretariat decides which stays)
or when it has none (a local part in Unicode, which signups refuse).

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op
from email_validator import EmailNotValidError, validate_email

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

log = logging.getLogger("notifier.store.migrations")


def _ascii_form(address: str) -> str | None:
    # As notifier/subscriptions.py's normalize_email makes it, so a look-up finds the row.
    try:
        result = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return None
    return result.ascii_email.lower() if result.ascii_email else None


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, email FROM subscribers ORDER BY id")).all()
    for subscriber_id, address in rows:
        if address.isascii():
            continue
        ascii_form = _ascii_form(address)
        if ascii_form is None:
            log.warning(
                "subscriber address has no ASCII form; kept as stored",
                extra={"subscriber_id": subscriber_id},
            )
            continue
        other = bind.scalar(
            sa.text("SELECT id FROM subscribers WHERE email = :email"), {"email": ascii_form}
        )
        if other is not None:
            log.warning(
                "subscriber address's ASCII form belongs to another subscriber; kept as stored",
                extra={"subscriber_id": subscriber_id, "other_subscriber_id": other},
            )
            continue
        bind.execute(
            sa.text("UPDATE subscribers SET email = :email WHERE id = :id"),
            {"email": ascii_form, "id": subscriber_id},
        )


def downgrade() -> None:
    # The ASCII form is the same address to every version; the Unicode spelling is not kept.
    pass
