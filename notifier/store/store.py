"""The store: the one door to the database, opened once per process.

Each attribute is a facade for one family of use cases, and each facade method is one
transaction that raises ``StoreError`` when the database fails. Nothing above ``notifier.store``
sees SQLAlchemy.
"""

from __future__ import annotations

from notifier.store.admin import Admin
from notifier.store.archive import Archive
from notifier.store.corrections import Corrections
from notifier.store.db import Database, open_engine
from notifier.store.digests import Digests
from notifier.store.item_topics import ItemTopics
from notifier.store.leases import Leases
from notifier.store.outbox import Outbox
from notifier.store.polls import Polls
from notifier.store.review import Review
from notifier.store.schedules import Schedules
from notifier.store.search import Search
from notifier.store.send_log import SendLog
from notifier.store.sources import Sources
from notifier.store.subscribers import Subscribers


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.admin = Admin(db)
        self.archive = Archive(db)
        self.corrections = Corrections(db)
        self.digests = Digests(db)
        self.item_topics = ItemTopics(db)
        self.leases = Leases(db)
        self.outbox = Outbox(db)
        self.polls = Polls(db)
        self.review = Review(db)
        self.schedules = Schedules(db)
        self.search = Search(db)
        self.send_log = SendLog(db)
        self.sources = Sources(db)
        self.subscribers = Subscribers(db)

    @classmethod
    async def open(cls, url: str) -> Store:
        """Connect and migrate the schema to the newest revision (safe on every start)."""
        return cls(Database(await open_engine(url)))

    @property
    def dialect(self) -> str:
        return self.db.dialect

    def describe(self) -> str:
        """The database URL without its password, for logs."""
        return self.db.engine.url.render_as_string(hide_password=True)

    async def close(self) -> None:
        await self.db.dispose()
