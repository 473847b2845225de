"""Backups of the embedded SQLite database, taken while the service runs.

SQLite's online backup API copies a consistent snapshot page by page while writers carry on
(WAL). A restore checks that the file is a KKR Notifier database that SQLite finds intact, copies
it over the configured database with the same API, and migrates it to the running code's schema.
PostgreSQL has its own tools (README: pg_dump / pg_restore); these refuse it with that pointer.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from notifier.errors import StoreError
from notifier.store.db import open_engine

POSTGRES = "this is a PostgreSQL database: use pg_dump and pg_restore (README, Backups)"


def _sqlite_path(url: str) -> Path:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise StoreError(POSTGRES)
    if not parsed.database or parsed.database == ":memory:":
        raise StoreError("an in-memory database has nothing to back up")
    return Path(parsed.database)


async def backup(url: str, target: Path) -> int:
    """Copy the database to ``target`` (a new file); returns its size in bytes."""
    return await asyncio.to_thread(_backup, _sqlite_path(url), target)


def _backup(database: Path, target: Path) -> int:
    if not database.exists():
        raise StoreError(f"{database}: no database to back up")
    if target.exists():
        raise StoreError(f"{target} exists: choose a new file for the backup")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with sqlite3.connect(database) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        raise StoreError(f"backup failed: {exc}") from exc
    return target.stat().st_size


async def restore(url: str, source: Path) -> None:
    """Replace the database with the backup in ``source``, then migrate it. Stop the service
    first: a running one would keep writing to the database being replaced."""
    await asyncio.to_thread(_restore, _sqlite_path(url), source)
    engine = await open_engine(url)  # migrates an older backup to today's schema
    await engine.dispose()


def _restore(database: Path, source: Path) -> None:
    if not source.is_file():
        raise StoreError(f"{source}: no such backup file")
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup:
            tables = {row[0] for row in backup.execute("SELECT name FROM sqlite_master")}
            if not {"alembic_version", "subscribers", "items", "outbox"} <= tables:
                raise StoreError(f"{source} is not a KKR Notifier database")
            [(verdict,)] = backup.execute("PRAGMA integrity_check").fetchall()
            if verdict != "ok":
                raise StoreError(f"{source} is damaged: {verdict}")
            database.parent.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(database) as target:
                backup.backup(target)
    except sqlite3.Error as exc:
        raise StoreError(f"restore failed: {exc}") from exc
