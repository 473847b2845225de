"""The extraction worker: hostile documents fail on their own, in bounded memory and time, and
the next document gets a fresh worker."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from notifier.errors import ExtractError
from notifier.extract.worker import ExtractWorker
from tests.hostile import nested_html, pdf_bomb, text_pdf

FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>KKR</title>
<item><title>Nyhedsbrev</title><link>/nyheder/1</link></item></channel></rss>"""


@pytest.fixture
async def worker() -> AsyncIterator[ExtractWorker]:
    worker = ExtractWorker(timeout=10, memory_mb=256)
    try:
        yield worker
    finally:
        worker.close()


async def _read(worker: ExtractWorker, body: bytes, url: str = "http://x/a.pdf") -> str:
    document, _ = await worker.document(body, url=url, content_type=None, council=None)
    return document.text


async def test_documents_listings_and_feeds_are_read_in_the_worker(
    worker: ExtractWorker,
) -> None:
    assert "Dagsorden for modet" in await _read(worker, text_pdf("Dagsorden for modet"))
    first = worker.pid
    listing = b'<main><ul><li><a href="/politik/kkr/a">Nyhed</a></li></ul></main>'
    links = await worker.listing_links(
        listing, base_url="http://x/politik/kkr", pattern=re.compile("/kkr/")
    )
    assert [link.url for link in links] == ["http://x/politik/kkr/a"]
    feed = await worker.feed_links(FEED, base_url="http://x/rss")
    assert [link.url for link in feed] == ["http://x/nyheder/1"]
    assert worker.pid == first and first is not None  # one worker for all of it


# Run in a parent of its own: RUSAGE_CHILDREN is the peak of every child a process ever
# reaped, and pytest's other children (Playwright's driver, a PostgreSQL server) are larger.
_BOMB_IN_A_CLEAN_PARENT = """
import asyncio, resource
from notifier.errors import ExtractError
from notifier.extract.worker import ExtractWorker
from tests.hostile import pdf_bomb, text_pdf

async def main():
    worker = ExtractWorker(timeout=10, memory_mb=256)
    try:
        try:
            await worker.document(pdf_bomb(), url="http://x/a.pdf", content_type=None, council=None)
        except ExtractError as error:
            print("error:", error)
        document, _ = await worker.document(
            text_pdf("Referat"), url="http://x/b.pdf", content_type=None, council=None
        )
        print("next:", document.text.strip())
    finally:
        worker.close()
    print("peak:", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)

asyncio.run(main())
"""


def test_a_pdf_bomb_fails_alone_within_the_memory_limit() -> None:
    """1 MB of PDF inflating to 1 GB took the process to 2.2 GB when read in-process."""
    assert len(pdf_bomb()) < 1_200_000
    run = subprocess.run(
        [sys.executable, "-c", _BOMB_IN_A_CLEAN_PARENT],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parent.parent,
        check=True,
    )
    lines = dict(line.split(": ", 1) for line in run.stdout.splitlines())
    assert lines["error"].startswith("extraction exceeded 256 MB")
    assert "Referat" in lines["next"]  # the next document gets a fresh worker
    # The worker was reaped, and the largest child the parent ever waited for stayed bounded.
    assert int(lines["peak"]) < 400 * 1024


async def test_a_document_over_the_deadline_fails_and_the_worker_is_replaced() -> None:
    worker = ExtractWorker(timeout=0.3, memory_mb=256)
    try:
        await _read(worker, text_pdf("start"))  # the worker is up: its start is not timed
        first = worker.pid
        # 16,000 nested list items: seconds in any HTML5 tree builder.
        slow = nested_html(16_000, tag="ul><li", close="li></ul")
        with pytest.raises(ExtractError, match=r"^extraction took longer than 0\.3 s$"):
            await _read(worker, slow, "http://x/side")
        assert "Efter" in await _read(worker, text_pdf("Efter"))
        assert worker.pid != first
    finally:
        worker.close()


async def test_deeply_nested_chrome_is_removed_in_linear_time() -> None:
    """16,000 nested <div class="share"> took 115 s (chrome removal looked at every node's
    ancestors); now well within a deadline a hundredth of that."""
    worker = ExtractWorker(timeout=10, memory_mb=256)
    try:
        document, _ = await worker.document(
            nested_html(16_000), url="http://x/side", content_type="text/html", council=None
        )
        assert document.title == "Dybt"
        links = await worker.listing_links(nested_html(16_000), base_url="http://x/", pattern=None)
        assert links == []
    finally:
        worker.close()


async def test_cancelling_a_job_frees_the_worker_at_once(worker: ExtractWorker) -> None:
    await _read(worker, text_pdf("start"))
    slow = nested_html(30_000, tag="ul><li", close="li></ul")
    job = asyncio.create_task(_read(worker, slow, "http://x/side"))
    await asyncio.sleep(0.3)
    started = time.monotonic()
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job
    assert "Igen" in await _read(worker, text_pdf("Igen"))
    assert time.monotonic() - started < 3  # not the seconds the nested page would take


async def test_a_closed_worker_refuses_new_jobs() -> None:
    worker = ExtractWorker(timeout=10, memory_mb=256)
    await _read(worker, text_pdf("start"))
    worker.close()
    with pytest.raises(ExtractError, match="stopping"):
        await _read(worker, text_pdf("efter"))
