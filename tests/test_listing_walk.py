"""A paginated listing polled from a real HTTP server on 127.0.0.1: its further pages are read
on the first poll and while every document on the page before is new, never for an unchanged
listing (one request), and within ``max_pages``.

The listing is kl.dk's news listing's shape (a dated list of articles under
"…/kkr-sjaelland/flere-nyheder", docs/kl-dk.md) with a numbered pager and "Næste side »" to
"…/flere-nyheder/2", as Umbraco writes it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from notifier.config import Settings, load_settings
from notifier.models import DocumentPayload, EventType
from notifier.pipeline import Pipeline, SourceSummary
from notifier.runtime import Runtime
from tests.site import Site

NEWS = "/politik/kkr/kkr-sjaelland/flere-nyheder"
MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september"]


def _article(n: int) -> str:
    day = f"{n}. {MONTHS[n % len(MONTHS)]} 2024"
    return (
        '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8">'
        f"<title>Nyhed {n} | KL</title></head><body><main>"
        f"<p>{day}</p><h1>Nyhedsbrev nummer {n} fra KKR Sjælland</h1>"
        f"<p>KKR Sjælland holdt møde den {day} og drøftede kommunernes samarbejde om "
        "sundhedsaftalen, den kollektive trafik og beskæftigelsesindsatsen i regionen.</p>"
        f"<h2>Sundhedsaftalen</h2><p>Rådet godkendte udkastet til aftalen for mødet {n}.</p>"
        "</main></body></html>"
    )


def _listing(entries: list[int], page: int, last: int) -> str:
    items = "".join(
        f'<li><p>{n}. {MONTHS[n % len(MONTHS)]} 2024</p><h3><a href="{NEWS}/nyhed-{n}">'
        f"Nyhedsbrev nummer {n} fra KKR Sjælland</a></h3></li>"
        for n in entries
    )
    pager = "".join(
        f"<li><span>{p}</span></li>" if p == page else f'<li><a href="{_path(p)}">{p}</a></li>'
        for p in range(1, last + 1)
    )
    if page < last:
        pager += f'<li><a href="{_path(page + 1)}">Næste side »</a></li>'
    return (
        '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Flere nyheder | KL'
        f'</title></head><body><header><a href="/">KL</a></header><main><h1>Flere nyheder</h1>'
        f'<ul class="news-list">{items}</ul><nav class="pagination"><ul>{pager}</ul></nav>'
        "</main></body></html>"
    )


def _path(page: int) -> str:
    return NEWS if page == 1 else f"{NEWS}/{page}"


def publish(site: Site, pages: list[list[int]]) -> None:
    """The listing's pages, newest first, and an article for every entry on them."""
    for number, entries in enumerate(pages, start=1):
        folder = site.root / _path(number).strip("/")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(_listing(entries, number, len(pages)), "utf-8")
        for n in entries:
            article = site.root / f"{NEWS}/nyhed-{n}".strip("/")
            article.mkdir(parents=True, exist_ok=True)
            (article / "index.html").write_text(_article(n), "utf-8")


def settings_for(site: Site, database_url: str, tmp_path: Path, source: str = "") -> Settings:
    config = tmp_path / "notifier.toml"
    config.write_text(
        f'database_url = "{database_url}"\n'
        f'topics_file = "{Path("config/topics.toml").resolve()}"\n'
        "[fetch]\nper_host_delay = 0\nretries = 0\nread_timeout = 2\n"
        'allowed_private_networks = ["127.0.0.0/8"]\n'
        "[[sources]]\n"
        'id = "sjaelland-nyheder"\nkkr = "sjaelland"\nkind = "listing"\n'
        f'url = "{site.url}{NEWS}"\n{source}',
        encoding="utf-8",
    )
    return load_settings(config)


@pytest.fixture
async def runtime(site: Site, database_url: str, tmp_path: Path) -> AsyncIterator[Runtime]:
    runtime = Runtime(settings_for(site, database_url, tmp_path))
    await runtime.open()
    try:
        yield runtime
    finally:
        await runtime.aclose()


async def poll(runtime: Runtime) -> SourceSummary:
    pipeline: Pipeline = runtime.pipeline
    [summary] = await pipeline.poll_all(runtime.settings.sources)
    return summary


async def stored(runtime: Runtime) -> set[str]:
    """The documents stored, by the last part of their address."""
    events = await runtime.store.archive.since(0)
    return {
        e.payload.url.rsplit("/", 1)[1]
        for e in events
        if e.type is EventType.DOCUMENT_NEW and isinstance(e.payload, DocumentPayload)
    }


def hits(site: Site, page: int) -> int:
    return site.handler.hits[_path(page)]


async def test_the_first_poll_reads_every_page_and_an_unchanged_listing_costs_one_request(
    site: Site, runtime: Runtime
) -> None:
    publish(site, [[5, 4], [3, 2], [1]])
    first = await poll(runtime)
    assert first.state == "ok", first
    assert await stored(runtime) == {f"nyhed-{n}" for n in range(1, 6)}
    assert [hits(site, p) for p in (1, 2, 3)] == [1, 1, 1]
    again = await poll(runtime)
    assert again.requests == 1 and again.not_modified == 1, again
    assert [hits(site, p) for p in (1, 2, 3)] == [2, 1, 1]


async def test_a_next_page_is_read_while_every_document_on_the_page_before_is_new(
    site: Site, runtime: Runtime
) -> None:
    publish(site, [[5, 4], [3, 2], [1]])
    await poll(runtime)
    # Three new articles: two fill the first page, the third is pushed onto the second.
    publish(site, [[8, 7], [6, 5], [4, 3], [2, 1]])
    summary = await poll(runtime)
    assert summary.state == "ok", summary
    assert {f"nyhed-{n}" for n in (6, 7, 8)} <= await stored(runtime)
    assert summary.documents_new == 3, summary
    # The second page held a known article: the third is not asked.
    assert [hits(site, p) for p in (1, 2, 3, 4)] == [2, 2, 1, 0]
    # One new article beside known ones: the first page is enough.
    publish(site, [[9, 8], [7, 6], [5, 4], [3, 2], [1]])
    summary = await poll(runtime)
    assert summary.documents_new == 1, summary
    assert [hits(site, p) for p in (1, 2, 3)] == [3, 2, 1]


async def test_an_unchanged_next_page_ends_the_walk_with_a_conditional_request(
    site: Site, runtime: Runtime
) -> None:
    publish(site, [[2, 1], [0]])
    await poll(runtime)
    # The first page's entries are replaced by new ones; the second page stays as it was.
    publish(site, [[4, 3]])
    (site.root / NEWS.strip("/") / "index.html").write_text(_listing([4, 3], 1, 2), "utf-8")
    summary = await poll(runtime)
    assert summary.documents_new == 2, summary
    assert hits(site, 2) == 2
    assert summary.not_modified >= 1, summary  # the second page answered 304


async def test_max_pages_bounds_the_walk_and_one_reads_the_first_page_only(
    site: Site, database_url: str, tmp_path: Path
) -> None:
    publish(site, [[5, 4], [3, 2], [1]])
    runtime = Runtime(settings_for(site, database_url, tmp_path, "max_pages = 1\n"))
    await runtime.open()
    try:
        await poll(runtime)
        assert await stored(runtime) == {"nyhed-5", "nyhed-4"}
        assert [hits(site, p) for p in (1, 2, 3)] == [1, 0, 0]
    finally:
        await runtime.aclose()


async def test_a_next_page_that_fails_is_an_error_not_a_failed_poll(
    site: Site, runtime: Runtime
) -> None:
    publish(site, [[5, 4], [3, 2], [1]])
    site.fault(_path(2), "404")
    summary = await poll(runtime)
    assert summary.state == "ok", summary
    assert any(f"{NEWS}/2" in error for error in summary.errors), summary
    assert await stored(runtime) == {"nyhed-5", "nyhed-4"}
    assert hits(site, 3) == 0
