"""Known documents are asked again on a schedule of their own, against the real fixture server:
an unchanged listing costs one request, a document changed at the same URL is still found once
its check is due, and a new link on a changed listing is fetched at once."""

from __future__ import annotations

import math
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from notifier.config import Settings
from notifier.pipeline import Pipeline, SourceSummary
from notifier.runtime import Runtime
from notifier.store import Store
from tests.site import Site

SJAELLAND_NEWS = "/politik/kkr/kkr-sjaelland/flere-nyheder"
NOVEMBER_2020 = f"{SJAELLAND_NEWS}/nyhedsbrev-kkr-sjaelland-november-2020"
HOVEDSTADEN = "/politik/kkr/kkr-hovedstaden/moedemateriale"
AGENDA = "/media/24712/dagsorden-kkr-hovedstaden-19-april-2021.pdf"
PER_POLL = 2


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def settings(site: Site, database_url: str, tmp_path: Path) -> Settings:
    return site.settings(database_url, tmp_path, recheck_every_poll=False)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def poller(settings: Settings, clock: Clock) -> AsyncIterator[Pipeline]:
    store = await Store.open(settings.database_url)
    runtime = Runtime(settings, store=store)
    pipeline = Pipeline(
        store=store,
        fetcher=runtime.fetcher,
        classifier=runtime.classifier,
        topic_count=len(runtime.topics),
        settings=settings.ingest,
        owner=runtime.worker_id,
        clock=clock,
        revalidate_interval=timedelta(seconds=settings.fetch.revalidate_interval),
        revalidate_per_poll=PER_POLL,
    )
    try:
        yield pipeline
    finally:
        pipeline.close()
        await runtime.aclose()
        await store.close()


async def poll(poller: Pipeline, settings: Settings) -> dict[str, SourceSummary]:
    return {s.id: s for s in await poller.poll_all(settings.sources)}


def hits(site: Site) -> int:
    return sum(count for path, count in site.handler.hits.items() if path != "/robots.txt")


async def test_an_unchanged_listing_costs_one_conditional_request(
    site: Site, settings: Settings, poller: Pipeline, clock: Clock
) -> None:
    first = await poll(poller, settings)
    assert all(s.state == "ok" for s in first.values()), first
    assert first["sjaelland-nyheder"].requests > 1  # the listing and its newsletters
    clock.now += timedelta(hours=1)
    before = hits(site)
    summaries = await poll(poller, settings)
    # The server saw one request per source, each answered 304: no document was asked again.
    assert hits(site) - before == len(settings.sources)
    for summary in summaries.values():
        assert summary.state == "ok", summary
        assert summary.requests == summary.not_modified == 1, summary


async def test_a_document_changed_at_the_same_url_is_found_once_its_check_is_due(
    site: Site, settings: Settings, poller: Pipeline, clock: Clock
) -> None:
    first = await poll(poller, settings)
    known = first["sjaelland-nyheder"].documents_new
    site.edit(
        site.page(NOVEMBER_2020),
        "Kalundborg Kommune er vært for DM i Skills i 2022.",
        "Kalundborg Kommune er vært for DM i Skills i 2022 med 600 deltagere.",
    )
    clock.now += timedelta(hours=23)
    assert (await poll(poller, settings))["sjaelland-nyheder"].requests == 1  # not due yet
    # Due now: a few documents per poll, the least recently asked first, until all were asked.
    changed = 0
    polls = math.ceil(known / PER_POLL)
    for _ in range(polls):
        clock.now += timedelta(hours=1, seconds=1)
        summary = (await poll(poller, settings))["sjaelland-nyheder"]
        assert summary.state == "ok", summary
        assert summary.requests <= 1 + PER_POLL, summary
        changed += summary.items_changed
    assert changed == 1
    # Every document was asked once: the next poll is one request again.
    clock.now += timedelta(hours=1)
    assert (await poll(poller, settings))["sjaelland-nyheder"].requests == 1


async def test_a_new_link_on_a_changed_listing_is_fetched_at_once(
    site: Site, settings: Settings, poller: Pipeline, clock: Clock
) -> None:
    await poll(poller, settings)
    new = "/media/99999/dagsorden-kkr-hovedstaden-1-juni-2021.pdf"
    (site.root / new.strip("/")).parent.mkdir(parents=True)
    shutil.copy(
        site.root / "media/e2kqv0fz/dagsorden-kkr-syddanmark-12-marts-2024.pdf",
        site.root / new.strip("/"),
    )
    site.edit(site.page(HOVEDSTADEN), f'href="{AGENDA}"', f'href="{new}">Ny</a> <a href="{AGENDA}"')
    clock.now += timedelta(minutes=5)
    site.handler.hits.clear()
    summary = (await poll(poller, settings))["hovedstaden-moedemateriale"]
    assert summary.state == "ok" and summary.documents_new == 1, summary
    # The listing and the new document; the known agenda is not asked again yet.
    assert summary.requests == 2, summary
    assert site.handler.hits[new] == 1 and site.handler.hits[AGENDA] == 0
