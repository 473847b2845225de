"""Shared fixtures: real databases (SQLite always, PostgreSQL when CI provides one)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from notifier.classify import Classifier
from notifier.store import Store
from notifier.topics import load_classifier
from tests.site import Site, start_site

POSTGRES_URL = os.environ.get("NOTIFIER_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgres"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # CI sets NOTIFIER_REQUIRE_POSTGRES so a missing server fails loudly instead of skipping.
    if os.environ.get("NOTIFIER_REQUIRE_POSTGRES") and not POSTGRES_URL:
        raise pytest.UsageError(
            "NOTIFIER_REQUIRE_POSTGRES is set but NOTIFIER_TEST_POSTGRES_URL is not"
        )


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """A copy of the kl.dk look-alike served on 127.0.0.1, faults switchable per path."""
    site = start_site(tmp_path)
    try:
        yield site
    finally:
        site.server.stop()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured (set NOTIFIER_TEST_POSTGRES_URL)")
    name = f"notifier_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base, _, _ = POSTGRES_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """A migrated database on each backend, behind the store."""
    store = await Store.open(database_url)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def engine(store: Store) -> AsyncEngine:
    """The store's engine, for tests that check rows with SQL of their own."""
    return store.db.engine


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated SQLite database, for tests that are not about storage."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'notifier.db'}")
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    """The shipped topics (config/topics.toml): the classifier every service builds."""
    return load_classifier(Path(__file__).resolve().parent.parent / "config" / "topics.toml")
