"""`notifier extract PATH_OR_URL`: show the document and items one file or URL extracts to.

Nothing is stored; it is the tool for checking what a new kl.dk page or PDF will turn into.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import httpx

from notifier import __version__
from notifier.errors import FetchError
from notifier.extract import extract_split
from notifier.models import Document, Item

_TYPES = {".pdf": "application/pdf", ".html": "text/html", ".htm": "text/html"}


@click.command()
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a summary.")
def extract(target: str, as_json: bool) -> None:
    """Extract and split one document (a file path or an http(s) URL) without storing it."""
    body, url, content_type = _read(target)
    # As the service reads it: its kind as its points show it (extract_split).
    document, parts = extract_split(body, url=url, content_type=content_type)
    items = parts.items
    if as_json:
        payload = {"document": _document_json(document), "items": [_item_json(i) for i in items]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        click.echo(_summary(document, items))


def _read(target: str) -> tuple[bytes, str, str | None]:
    if target.startswith(("http://", "https://")):
        headers = {"User-Agent": f"kkr-notifier/{__version__} (extract command)"}
        try:
            response = httpx.get(target, headers=headers, follow_redirects=True, timeout=30)
            response.raise_for_status()
        except httpx.HTTPStatusError as exc:
            raise FetchError(
                f"{target}: HTTP {exc.response.status_code}",
                url=target,
                status=exc.response.status_code,
            ) from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{target}: {exc}", url=target) from exc
        return response.content, str(response.url), response.headers.get("content-type")
    path = Path(target)
    if path.is_dir():
        path = path / "index.html"  # a site directory is served from its index.html
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise click.BadParameter(
            f"cannot read {path}: {exc.strerror}", param_hint="TARGET"
        ) from exc
    # None lets extract() decide by magic bytes (%PDF) when the extension says nothing.
    return body, path.resolve().as_uri(), _TYPES.get(path.suffix.casefold())


def _document_json(document: Document) -> dict[str, Any]:
    meeting = document.meeting
    return {
        "url": document.url,
        "kind": document.kind.value,
        "title": document.title,
        "date": document.date.isoformat() if document.date else None,
        "meeting": None
        if meeting is None
        else {
            "council": meeting.council.value if meeting.council else None,
            "starts_at": meeting.starts_at.isoformat() if meeting.starts_at else None,
            "place": meeting.place,
        },
        "council": document.council.value if document.council else None,
        "supplementary": document.supplementary,
        "content_type": document.content_type,
        "links": list(document.links),
    }


def _item_json(item: Item) -> dict[str, Any]:
    return {
        "key": item.key,
        "number": item.number,
        "title": item.title,
        "text": item.text,
        "case_number": item.case_number,
        "indstilling": item.indstilling,
        "beslutning": item.beslutning,
        "procedural": item.procedural,
    }


def _summary(document: Document, items: list[Item]) -> str:
    facts = [f"kind: {document.kind.value}"]
    if document.supplementary:
        facts.append("tillægsdagsorden")
    if document.council:
        facts.append(f"council: {document.council.value}")
    if document.date:
        facts.append(f"date: {document.date.isoformat()}")
    lines = [document.title, f"  {'   '.join(facts)}", f"  {document.url}"]
    if document.meeting and document.meeting.starts_at:
        where = f", {document.meeting.place}" if document.meeting.place else ""
        lines.append(f"  meeting: {document.meeting.starts_at:%Y-%m-%d %H:%M}{where}")
    lines.append(f"  {len(document.text)} characters, {len(items)} items:")
    for item in items:
        marks = [m for m in (item.case_number, "procedural" if item.procedural else None) if m]
        extra = f"  [{', '.join(marks)}]" if marks else ""
        decided = "  (beslutning)" if item.beslutning else ""
        lines.append(f"  {item.key:<8} {item.title}{extra}{decided}")
    return "\n".join(lines)
