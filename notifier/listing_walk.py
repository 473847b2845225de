"""What a listing or feed leads to in a poll; a listing's further pages are read only when they
may hold documents not yet seen.

A listing's first page holds its newest entries. Its next page ("…/flere-nyheder/2", "Næste
side »", rel="next": ``notifier.extract.paging``) is read on the source's first poll (its back
catalogue) and when every document the page before links is new to the store: then more unseen
ones may have been pushed onto the next page. Otherwise, and on an unchanged first page (a 304
the pipeline answers before coming here), no further request is made: an unchanged listing
costs one request. Further pages go through the same fetcher (per-site limits, robots.txt,
retries) with their own validators, so a next page unchanged since it was last read is a 304
and ends the walk; ``source.max_pages`` and ``source.max_documents`` bound it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from notifier.config import SourceConfig
from notifier.errors import ExtractError, FetchError
from notifier.extract import Link
from notifier.extract.worker import ExtractWorker
from notifier.fetch import Fetcher, Response
from notifier.models import FetchState, SourceKind
from notifier.poll_summary import SourceSummary
from notifier.store import PollStart

log = logging.getLogger(__name__)

# Reads what the store holds of these URLs (validators, and so: known documents).
StateLookup = Callable[[Collection[str]], Awaitable[dict[str, FetchState]]]


async def source_links(
    source: SourceConfig,
    start: PollStart,
    summary: SourceSummary,
    *,
    fetcher: Fetcher,
    extractor: ExtractWorker,
    states: dict[str, FetchState],
    lookup: StateLookup,
    read_at: datetime,
) -> tuple[list[Link], list[tuple[str, Response]]]:
    """The documents a listing or feed leads to (at most ``source.max_documents``), with the
    pages read with a body; on a 304 of its first page no page, and the documents already
    known (the source's newest)."""
    previous = start.fetch_states.get(source.url)
    response = await fetcher.get(source.url, validators=previous.validators if previous else None)
    summary.requests += response.requests
    if response.not_modified:
        summary.not_modified += 1
        return [Link(url=doc.url, text=doc.title, date=doc.date) for doc in start.known], []
    if source.kind is SourceKind.FEED:
        links = await extractor.feed_links(response.body, base_url=response.url)
        pages = [(source.url, response)]
    else:
        walk = await walk_listing(
            source,
            response,
            summary,
            fetcher=fetcher,
            extractor=extractor,
            states=states,
            lookup=lookup,
            # The source's first successful poll reads its back catalogue.
            first_poll=start.state.last_success_at is None,
            read_at=read_at,
        )
        links, pages = walk.links, walk.pages
    unique: dict[str, Link] = {}
    for link in links:
        unique.setdefault(link.url, link)
    return list(unique.values())[: source.max_documents], pages


@dataclass(frozen=True, kw_only=True)
class Walk:
    links: list[Link]  # in page order, each URL once
    pages: list[tuple[str, Response]]  # (address asked, answer) of every page read with a body


async def walk_listing(
    source: SourceConfig,
    first: Response,
    summary: SourceSummary,
    *,
    fetcher: Fetcher,
    extractor: ExtractWorker,
    states: dict[str, FetchState],
    lookup: StateLookup,
    first_poll: bool,
    read_at: datetime,
) -> Walk:
    """The links of the listing's first page (``first``, read with a body) and of the next
    pages worth reading. ``states`` holds what the caller knows of URLs' fetch states; the
    states this looks up are added to it, so the caller need not read them again. A next page
    that fails to load or read is an error of the poll, not its failure: what was read counts."""
    pattern = re.compile(source.link_pattern) if source.link_pattern else None
    links: dict[str, Link] = {}
    pages = [(source.url, first)]
    asked = {source.url, first.url}
    response = first
    for number in range(1, source.max_pages + 1):
        try:
            page = await extractor.listing_page(
                response.body,
                base_url=response.url,
                pattern=pattern,
                read_at=read_at,
                first_url=first.url,
                number=number,
            )
        except ExtractError as exc:
            if number == 1:
                raise  # the listing itself could not be read: the poll fails, as before
            summary.errors.append(f"{response.url}: {exc}")
            break
        for link in page.links:
            links.setdefault(link.url, link)
        following = page.next_url
        if following is None or following in asked or number == source.max_pages:
            break
        if len(links) >= source.max_documents:
            break
        missing = [u for u in [*(link.url for link in page.links), following] if u not in states]
        if missing:
            states |= await lookup(missing)
        unseen = bool(page.links) and all(link.url not in states for link in page.links)
        if not (first_poll or unseen):
            break
        asked.add(following)
        previous = states.get(following)
        try:
            response = await fetcher.get(
                following, validators=previous.validators if previous else None
            )
        except FetchError as exc:
            summary.requests += exc.requests
            summary.errors.append(f"{following}: {exc}")
            break
        summary.requests += response.requests
        if response.not_modified:  # unchanged since read: what it links was seen then
            summary.not_modified += 1
            break
        pages.append((following, response))
    if len(pages) > 1:
        log.info("listing pages read", extra={"source": source.id, "pages": len(pages)})
    return Walk(links=list(links.values()), pages=pages)
