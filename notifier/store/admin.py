"""The console's own storage: single-use sign-in links, sessions, and the audit log.

Links and sessions are stored as hashes of their secrets. A link is used at most once: the
update that marks it used is conditional on it being unused and unexpired, so two clicks (or
two replicas) cannot both sign in with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from notifier.models import Message
from notifier.store import outbox as store_outbox
from notifier.store.db import Database
from notifier.store.schema import admin_audit, admin_links, admin_sessions

KEEP_SPENT = timedelta(days=7)  # used or expired links and sessions, then forgotten


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: Mapping[str, Any]


async def record(
    conn: AsyncConnection,
    *,
    actor: str,
    action: str,
    target: str = "",
    detail: Mapping[str, Any] | None = None,
    now: datetime,
) -> None:
    await conn.execute(
        admin_audit.insert().values(
            created_at=now,
            actor=actor,
            action=action,
            target=target[:200],
            detail=dict(detail) if detail else None,
        )
    )


class Admin:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def issue_link(
        self,
        *,
        nonce_hash: str,
        email: str,
        expires_at: datetime,
        message: Message | None,
        now: datetime,
    ) -> None:
        """Remember a sign-in link and queue the mail that carries it (if any), together."""
        async with self._db.write() as conn:
            await conn.execute(
                admin_links.delete().where(admin_links.c.expires_at < now - KEEP_SPENT)
            )
            await conn.execute(
                admin_links.insert().values(
                    nonce_hash=nonce_hash, email=email, created_at=now, expires_at=expires_at
                )
            )
            if message is not None:
                await store_outbox.enqueue(conn, [message], now=now)

    async def link_email(self, nonce_hash: str, *, now: datetime) -> str | None:
        """The address an unused, unexpired link is for (without using it)."""
        async with self._db.read() as conn:
            row = (
                await conn.execute(sa.select(admin_links.c.email).where(_usable(nonce_hash, now)))
            ).first()
        return str(row[0]) if row else None

    async def sign_in(
        self, *, nonce_hash: str, token_hash: str, expires_at: datetime, now: datetime
    ) -> str | None:
        """Use the link and open a session for its address, in one transaction; None when the
        link is unknown, used or expired."""
        async with self._db.write() as conn:
            email = await conn.scalar(
                sa.select(admin_links.c.email).where(_usable(nonce_hash, now))
            )
            if email is None:
                return None
            used = await conn.execute(
                admin_links.update().where(_usable(nonce_hash, now)).values(used_at=now)
            )
            if used.rowcount != 1:
                return None
            await conn.execute(
                admin_sessions.delete().where(admin_sessions.c.expires_at < now - KEEP_SPENT)
            )
            await conn.execute(
                admin_sessions.insert().values(
                    token_hash=token_hash, email=email, created_at=now, expires_at=expires_at
                )
            )
            await record(conn, actor=email, action="sign_in", now=now)
            return str(email)

    async def session(self, token_hash: str, *, now: datetime) -> str | None:
        """The address of a live session, or None."""
        async with self._db.read() as conn:
            email = await conn.scalar(
                sa.select(admin_sessions.c.email).where(
                    admin_sessions.c.token_hash == token_hash,
                    admin_sessions.c.ended_at.is_(None),
                    admin_sessions.c.expires_at > now,
                )
            )
        return str(email) if email is not None else None

    async def sign_out(self, token_hash: str, *, actor: str, now: datetime) -> None:
        async with self._db.write() as conn:
            await conn.execute(
                admin_sessions.update()
                .where(admin_sessions.c.token_hash == token_hash)
                .values(ended_at=now)
            )
            await record(conn, actor=actor, action="sign_out", now=now)

    async def record(
        self,
        *,
        actor: str,
        action: str,
        target: str = "",
        detail: Mapping[str, Any] | None = None,
        now: datetime,
    ) -> None:
        """One line in the audit log."""
        async with self._db.write() as conn:
            await record(conn, actor=actor, action=action, target=target, detail=detail, now=now)

    async def log(self, *, limit: int = 200, target: str | None = None) -> list[AuditEntry]:
        """The newest audit entries first (only those about ``target``, if given)."""
        query = sa.select(admin_audit).order_by(admin_audit.c.id.desc()).limit(limit)
        if target is not None:
            query = query.where(admin_audit.c.target == target)
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [
            AuditEntry(
                id=row["id"],
                at=row["created_at"],
                actor=row["actor"],
                action=row["action"],
                target=row["target"],
                detail=row["detail"] or {},
            )
            for row in rows
        ]


def _usable(nonce_hash: str, now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        admin_links.c.nonce_hash == nonce_hash,
        admin_links.c.used_at.is_(None),
        admin_links.c.expires_at > now,
    )
