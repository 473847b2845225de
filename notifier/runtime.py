"""One runtime, built from Settings: everything a command, the service, the demo or a bench
needs, each part built once and on first use.

    async with Runtime(settings) as runtime:        # opens (and migrates) the database
        await runtime.pipeline.poll_all(settings.sources)

Parts that need no database (topics, classifier, templates, composer) work without entering
the context; those that do (``store`` and what is built on it) raise until it is entered. The
worker id, the link-signing secret and the Jinja environment are made here and nowhere else.
"""

from __future__ import annotations

import functools
import logging
import secrets
from datetime import UTC, datetime, timedelta
from types import TracebackType

from jinja2 import Environment

from notifier import resources, templates
from notifier.chat import Chat
from notifier.classify import Classifier
from notifier.compose import Composer
from notifier.config import Settings
from notifier.deliver import Deliverer
from notifier.digest_runner import DigestRunner
from notifier.errors import NotifierError, StoreError
from notifier.fetch import Fetcher
from notifier.models import Topic
from notifier.pipeline import Pipeline
from notifier.store import Store, worker_id
from notifier.subscriptions import Subscriptions
from notifier.tokens import Tokens
from notifier.topics import load_procedural_titles, load_topics
from notifier.transport import SmtpTransport, Transport

log = logging.getLogger(__name__)


class Runtime:
    def __init__(
        self,
        settings: Settings,
        *,
        store: Store | None = None,
        fetcher: Fetcher | None = None,
        transport: Transport | None = None,
    ) -> None:
        """``store``, ``fetcher`` and ``transport`` replace the parts built from settings (a
        store given here stays open when the runtime closes: its owner closes it)."""
        self.settings = settings
        self.worker_id = worker_id()
        self._store = store
        self._owns_store = store is None
        self._fetcher = fetcher
        self._transport = transport
        self._pipeline: Pipeline | None = None
        self._deliverer: Deliverer | None = None

    async def __aenter__(self) -> Runtime:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def open(self) -> Store:
        """Connect to the database and migrate it (once)."""
        if self._store is None:
            self._store = await Store.open(self.settings.database_url)
        return self._store

    async def aclose(self) -> None:
        if self._deliverer is not None:
            await self._deliverer.aclose()
        if self._fetcher is not None:
            await self._fetcher.aclose()
        if self._pipeline is not None:
            self._pipeline.close()
        if self._store is not None:
            try:
                await self._store.leases.retire(self.worker_id)
            except StoreError:
                log.warning("could not give back leases on close; they expire on their own")
        if self._store is not None and self._owns_store:
            await self._store.close()
            self._store = None
        self._pipeline = self._deliverer = self._fetcher = None

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    # Parts without a database.

    @functools.cached_property
    def topics(self) -> list[Topic]:
        return load_topics(self.settings.topics_file)

    @functools.cached_property
    def classifier(self) -> Classifier:
        titles = load_procedural_titles(self.settings.topics_file)
        return Classifier(self.topics, procedural_titles=titles)

    @functools.cached_property
    def templates(self) -> Environment:
        return templates.environment(self.settings.templates_dir or resources.templates_dir())

    @functools.cached_property
    def secret(self) -> str:
        """The key that signs links and forms. Without a configured one, a random key works
        until the process restarts; say so once rather than fail a first start."""
        configured = self.settings.web.secret_key.get_secret_value()
        if configured:
            return configured
        log.warning(
            "NOTIFIER_WEB__SECRET_KEY is not set: using a random secret, so links in mails stop "
            "working when the process restarts (and differ between replicas)"
        )
        return secrets.token_urlsafe(32)

    @functools.cached_property
    def tokens(self) -> Tokens:
        return Tokens(self.settings.web, secret=self.secret)

    @functools.cached_property
    def composer(self) -> Composer:
        return Composer(
            settings=self.settings, env=self.templates, topics=self.topics, tokens=self.tokens
        )

    @functools.cached_property
    def chat(self) -> Chat:
        notify = self.settings.notify
        return Chat(operator=notify.operator_urls, secretariat=notify.secretariat_urls)

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = Fetcher(self.settings.fetch)
        return self._fetcher

    # Parts on the database.

    @property
    def store(self) -> Store:
        if self._store is None:
            raise NotifierError("the runtime's database is not open (use `async with Runtime`)")
        return self._store

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            self._pipeline = Pipeline(
                store=self.store,
                fetcher=self.fetcher,
                classifier=self.classifier,
                topic_count=len(self.topics),
                settings=self.settings.ingest,
                owner=self.worker_id,
                revalidate_interval=timedelta(seconds=self.settings.fetch.revalidate_interval),
                revalidate_per_poll=self.settings.fetch.revalidate_per_poll,
            )
        return self._pipeline

    @functools.cached_property
    def digests(self) -> DigestRunner:
        return DigestRunner(
            store=self.store,
            composer=self.composer,
            settings=self.settings.digest,
        )

    @functools.cached_property
    def subscriptions(self) -> Subscriptions:
        return Subscriptions(
            store=self.store, composer=self.composer, digest_settings=self.settings.digest
        )

    @property
    def deliverer(self) -> Deliverer:
        if self._deliverer is None:
            self._deliverer = Deliverer(
                self.store,
                self.settings,
                transport=self._transport or SmtpTransport(self.settings.smtp),
                worker_id=self.worker_id,
            )
        return self._deliverer
