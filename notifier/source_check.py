"""Check every configured source against the live site before going live: one polite fetch of
each source's page (and of its newest document), nothing stored.

For each source: is it reachable, what status, how many documents its link pattern finds, how
many items the newest one splits into, and its date. A source that finds no documents is the
finding that matters: kl.dk moved its news, or the pattern is wrong. For it the check lists
what the page linked to instead, so the operator can fix ``url`` or ``link_pattern``.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from notifier.config import SourceConfig
from notifier.errors import ExtractError, FetchError
from notifier.extract import Link
from notifier.extract.worker import ExtractWorker
from notifier.fetch import Fetcher
from notifier.models import SourceKind

INSTEAD = 8  # links shown when a source finds nothing


@dataclass(frozen=True, kw_only=True)
class Newest:
    url: str
    title: str
    date: date | None
    items: int
    problems: tuple[str, ...] = ()


@dataclass(kw_only=True)
class Checked:
    id: str
    kind: str
    url: str
    reachable: bool = False
    status: int | None = None
    documents: int = 0
    newest: Newest | None = None
    error: str | None = None
    instead: list[str] = field(default_factory=list)  # what the page linked to, when nothing

    @property
    def ok(self) -> bool:
        return self.reachable and self.documents > 0 and self.error is None

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "url": self.url,
            "reachable": self.reachable,
            "status": self.status,
            "documents": self.documents,
            "newest": None
            if self.newest is None
            else {
                "url": self.newest.url,
                "title": self.newest.title,
                "date": self.newest.date.isoformat() if self.newest.date else None,
                "items": self.newest.items,
                "problems": list(self.newest.problems),
            },
            "error": self.error,
            "instead": self.instead,
            "ok": self.ok,
        }


async def check_all(
    fetcher: Fetcher, worker: ExtractWorker, sources: list[SourceConfig]
) -> list[Checked]:
    """Every source at once (the fetcher keeps each site polite); pages are read in the
    bounded extraction worker, as polls read them."""
    return list(await asyncio.gather(*(check(fetcher, worker, source) for source in sources)))


async def check(fetcher: Fetcher, worker: ExtractWorker, source: SourceConfig) -> Checked:
    result = Checked(id=source.id, kind=source.kind.value, url=source.url)
    try:
        if source.kind is SourceKind.PAGE:
            links = [Link(url=source.url, text="", date=None)]
            result.reachable, result.documents = True, 1
        else:
            response = await fetcher.get(source.url)
            result.reachable, result.status = True, response.status
            links = await _links(worker, source, response.body, response.url)
            result.documents = len(links)
            if not links:
                result.instead = await _other_links(worker, response.body, response.url)
                result.error = "its link_pattern matches none of the page's links"
                return result
        result.newest = await _newest(fetcher, worker, source, links)
    except FetchError as exc:
        result.status = exc.status
        result.error = f"{exc.url}: {exc}"
    except ExtractError as exc:
        result.error = str(exc)
    return result


async def _links(worker: ExtractWorker, source: SourceConfig, body: bytes, url: str) -> list[Link]:
    if source.kind is SourceKind.FEED:
        return await worker.feed_links(body, base_url=url)
    pattern = re.compile(source.link_pattern) if source.link_pattern else None
    found = await worker.listing_links(
        body, base_url=url, pattern=pattern, read_at=datetime.now(UTC)
    )
    return list({link.url: link for link in found}.values())[: source.max_documents]


async def _other_links(worker: ExtractWorker, body: bytes, url: str) -> list[str]:
    """The page's links to its own site, beyond its navigation, to show what it leads to."""
    host = urlsplit(url).hostname
    everything = re.compile(".")
    found = [
        link.url for link in await worker.listing_links(body, base_url=url, pattern=everything)
    ]
    same_site = [u for u in dict.fromkeys(found) if urlsplit(u).hostname == host and u != url]
    return same_site[:INSTEAD]


async def _newest(
    fetcher: Fetcher, worker: ExtractWorker, source: SourceConfig, links: list[Link]
) -> Newest:
    dated = [link for link in links if link.date is not None]
    link = max(dated, key=lambda lk: lk.date or date.min) if dated else links[0]
    response = await fetcher.get(link.url)
    document, parts = await worker.document(
        response.body, url=response.url, content_type=response.content_type, council=source.kkr
    )
    return Newest(
        url=link.url,
        title=document.title,
        date=document.date or link.date,
        items=len(parts.items),
        problems=tuple(parts.problems),
    )
