"""RSS 2.0, Atom 1.0 and OPML: item snapshots in, feed documents (bytes) out.

Which feeds exist is ``catalogue(topics)``: all items, one per topic, one per council and one per
council and topic. Each feed holds the newest ``FEED_SIZE`` points by their documents' dates,
one entry per point, its decision joined to it (``feed_entries``).

An entry's id is ``tag:kkr-notifier,2024:item/<item id>`` in both formats (RSS ``guid`` with
``isPermaLink="false"``). It names the point, not the version, and not the host the service runs
on: a changed point or one that got its decision shows as the same entry, and moving the service
to another address keeps every id.

Scraped text is untrusted: every value goes through ``clean_text`` (drops characters XML 1.0
forbids) and Jinja's autoescape; HTML bodies are built escaped and then escaped again for XML.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cached_property
from urllib.parse import urlsplit

from jinja2 import Environment, Template
from markupsafe import Markup

from notifier import ical
from notifier.feed_entries import FEED_EVENTS, Entry, FeedKey, Recent, fold, select
from notifier.models import Council, StoredMeeting, Topic
from notifier.point_text import point_summary
from notifier.prose import without_closing
from notifier.untrusted import safe_url

__all__ = ["FEED_EVENTS", "Entry", "FeedSpec", "Recent", "build_files", "catalogue", "fold"]

FEED_SIZE = 100
# Newest item events read to build the feeds: a topic or council with nothing in this window
# has an empty feed. About ten years of KKR material at today's pace.
EVENT_WINDOW = 5000
TEXT_LIMIT = 3000  # characters of an item's text in a feed entry; the document has the rest
TAG = "tag:kkr-notifier,2024"  # fixed: entry ids must not change when the service moves
# An empty feed still needs a time; a fixed one keeps its ETag stable.
EMPTY_FEED_TIME = datetime(2024, 1, 1, tzinfo=UTC)
SITE_NAME = "KKR Notifier"


@dataclass(frozen=True, kw_only=True)
class FeedSpec:
    """One feed: what it selects and where it lives (``slug`` without extension)."""

    slug: str
    title: str
    topic: str | None = None
    council: Council | None = None

    @property
    def key(self) -> FeedKey:
        return (self.topic, self.council)

    def select(self, entries: Sequence[Entry]) -> list[Entry]:
        return select(entries, self.key, FEED_SIZE)

    @property
    def rss_path(self) -> str:
        return f"feeds/{self.slug}.rss"

    @property
    def atom_path(self) -> str:
        return f"feeds/{self.slug}.atom"


OPML_PATH = "feeds/feeds.opml"
MEDIA_TYPES = {
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
}


def calendar_path(council: Council | None) -> str:
    return f"kalender/{council.value if council else 'alle'}.ics"


def catalogue(topics: Sequence[Topic]) -> list[FeedSpec]:
    """Every feed the service publishes."""
    specs = [FeedSpec(slug="alle", title=f"{SITE_NAME}: alle punkter")]
    specs += [
        FeedSpec(slug=f"emne/{t.id}", title=f"{SITE_NAME}: {t.name}", topic=t.id) for t in topics
    ]
    for council in Council:
        specs.append(
            FeedSpec(slug=f"kkr/{council.value}", title=council.danish_name, council=council)
        )
        specs += [
            FeedSpec(
                slug=f"kkr/{council.value}/emne/{t.id}",
                title=f"{council.danish_name}: {t.name}",
                topic=t.id,
                council=council,
            )
            for t in topics
        ]
    return specs


def modified(state: Recent, spec: FeedSpec, selected: Sequence[Entry] | None = None) -> datetime:
    """When what the feed shows last changed (its Last-Modified); ``selected``: what it shows,
    when already chosen."""
    shown = spec.select(state.entries) if selected is None else selected
    newest = max((entry.updated for entry in shown), default=None)
    touched = state.changed.get(spec.key)
    return max((t for t in (newest, touched) if t is not None), default=EMPTY_FEED_TIME)


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _truncate(text: str) -> str:
    if len(text) <= TEXT_LIMIT:
        return text
    return text[:TEXT_LIMIT].rsplit(" ", 1)[0] + " …"


def _paragraphs(text: str, *, title: str = "") -> list[list[str]]:
    """Paragraphs, each a list of its lines; without a first one that is the ``title`` (a
    newsletter section's text opens with its heading, which is the entry's title)."""
    found = [p.strip().splitlines() for p in re.split(r"\n\s*\n", text) if p.strip()]
    if found and title and _words(" ".join(found[0])) == _words(title):
        found = found[1:]
    return found


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def is_pdf(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(".pdf")


@dataclass(frozen=True, kw_only=True)
class _View:
    """What the templates show of one entry, every value a plain (not yet escaped) string."""

    id: str
    title: str
    link: str
    html: str
    published: str
    updated: str
    published_rfc822: str
    categories: list[tuple[str, str, str]]  # (scheme, term, label)
    enclosure: str | None


class FeedRenderer:
    """Renders the feeds of one site (base URL, topic names, templates)."""

    def __init__(self, *, base_url: str, topics: Sequence[Topic], env: Environment) -> None:
        self.base_url = base_url.rstrip("/")
        self.specs = catalogue(topics)
        self.topic_names = {topic.id: topic.name for topic in topics}
        self._env = env
        # Each entry's rendered XML (RSS and Atom) by item id, reused while the entry is the
        # same object: rendering a feed again after one new item renders one new entry.
        self._fragments: dict[int, tuple[Entry, dict[str, Markup]]] = {}
        # Looked up once: the environment would check each file's time on every lookup.
        self._templates: dict[str, Template] = {}

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path}"

    def entry_id(self, item_id: int) -> str:
        return f"{TAG}:item/{item_id}"

    def rss(self, spec: FeedSpec, entries: Sequence[Entry]) -> bytes:
        return self._render("rss", spec, entries)

    def atom(self, spec: FeedSpec, entries: Sequence[Entry]) -> bytes:
        return self._render("atom", spec, entries)

    def opml(self, specs: Sequence[FeedSpec]) -> bytes:
        template = self._env.get_template("feeds/feeds.opml.j2")
        return template.render(
            title=f"{SITE_NAME}: alle feeds",
            feeds=[
                (spec.title, self.url(spec.rss_path), self.url(_archive_query(spec)))
                for spec in specs
            ],
        ).encode()

    def _template(self, name: str) -> Template:
        found = self._templates.get(name)
        if found is None:
            found = self._templates[name] = self._env.get_template(name)
        return found

    def _render(self, kind: str, spec: FeedSpec, entries: Sequence[Entry]) -> bytes:
        updated = max((entry.updated for entry in entries), default=EMPTY_FEED_TIME)
        return (
            self._template(f"feeds/{kind}.xml.j2")
            .render(
                feed_id=f"{TAG}:feed/{spec.slug}",
                title=spec.title,
                subtitle=_subtitle(spec, self.topic_names),
                link=self.url(_archive_query(spec)),
                rss_url=self.url(spec.rss_path),
                atom_url=self.url(spec.atom_path),
                updated_rfc822=_rfc822(updated),
                updated_rfc3339=_rfc3339(updated),
                author=SITE_NAME,
                entries=Markup("".join(self._fragments_of(entry)[kind] for entry in entries)),
            )
            .encode()
        )

    def forget(self) -> None:
        """Drop the kept entries' XML (after a full rebuild, so entries gone free memory)."""
        self._fragments.clear()

    def _fragments_of(self, entry: Entry) -> dict[str, Markup]:
        """The entry's RSS and Atom XML, escaped by their templates (so a feed's template
        takes them as they are)."""
        kept = self._fragments.get(entry.item_id)
        if kept is None or kept[0] is not entry:
            view = [self._view(entry)]
            xml = {
                kind: Markup(self._template(f"feeds/{kind}_entries.xml.j2").render(entries=view))
                for kind in ("rss", "atom")
            }
            kept = self._fragments[entry.item_id] = (entry, xml)
        return kept[1]

    def _view(self, entry: Entry) -> _View:
        snap = entry.snapshot
        title = f"{snap.number}. {snap.title}" if snap.number else snap.title
        categories = [
            (self.url("emne"), topic, self.topic_names.get(topic, topic))
            for topic in snap.topic_ids
        ]
        categories.append((self.url("kkr"), snap.council.value, snap.council.danish_name))
        return _View(
            id=self.entry_id(snap.item_id),
            title=title,
            link=safe_url(snap.document_url, self.url("arkiv")),
            html=self._entry_html(entry),
            published=_rfc3339(entry.published),
            updated=_rfc3339(entry.updated),
            published_rfc822=_rfc822(entry.published),
            categories=categories,
            enclosure=safe_url(snap.document_url) if is_pdf(snap.document_url) else None,
        )

    def _entry_html(self, entry: Entry) -> str:
        """The entry body as HTML (every scraped value escaped by the template); a plain str,
        so the XML template escapes it once more. A point shows its own text once: the summary
        without the sections shown below it (Indstilling, Beslutning)."""
        snap, decision = entry.snapshot, entry.decision
        facts = [snap.council.danish_name]
        if snap.document_date:
            facts.append(snap.document_date.strftime("%d.%m.%Y"))
        topics = ", ".join(self.topic_names.get(topic, topic) for topic in snap.topic_ids)
        if topics:
            facts.append(f"Emner: {topics}")
        beslutning = (decision.beslutning if decision else None) or snap.beslutning or ""
        text = point_summary(snap.text, beslutning) if snap.number else snap.text
        # What closes the text and is no news (a contact box, a "Læs mere" link's label) is
        # left out as in the mail's excerpt; the stored text keeps it.
        text = without_closing(text)
        return self._template("feeds/entry.html.j2").render(
            decides_title=snap.decides_title,
            text=_paragraphs(_truncate(text), title=snap.title),
            indstilling=_paragraphs(_truncate(snap.indstilling or "")),
            beslutning=_paragraphs(_truncate(beslutning)),
            facts=" · ".join(facts),
            source_url=safe_url(snap.document_url),
            source_title=snap.document_title,
            minutes_url=safe_url(decision.document_url) if decision else "",
            minutes_title=decision.document_title if decision else "",
        )


def _subtitle(spec: FeedSpec, topic_names: dict[str, str]) -> str:
    what = "Nye og ændrede punkter fra"
    where = spec.council.danish_name if spec.council else "de fem KKR'er"
    if spec.topic:
        return f"{what} {where} om {topic_names.get(spec.topic, spec.topic)}"
    return f"{what} {where}"


def _archive_query(spec: FeedSpec) -> str:
    params = []
    if spec.topic:
        params.append(f"emne={spec.topic}")
    if spec.council:
        params.append(f"kkr={spec.council.value}")
    return "arkiv" + ("?" + "&".join(params) if params else "")


@dataclass(frozen=True, kw_only=True)
class File:
    """One published file: what the web app serves and ``notifier feeds --out`` writes.

    ``last_modified`` is None when no stored time says when the content changed (the OPML
    list changes with the topics file and the base URL); such a file is served with its
    ETag only."""

    body: bytes
    last_modified: datetime | None
    media_type: str

    @cached_property
    def etag(self) -> str:
        """A strong ETag of the body, computed once per file (not once per request)."""
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'

    @cached_property
    def http_date(self) -> str | None:
        """``last_modified`` as a Last-Modified header value."""
        if self.last_modified is None:
            return None
        return format_datetime(self.last_modified.astimezone(UTC), usegmt=True)


def build_files(
    renderer: FeedRenderer, state: Recent, meetings: Sequence[StoredMeeting]
) -> dict[str, File]:
    """Every feed, the OPML list and the calendars, by path relative to the site root."""
    files = feed_files(renderer, state, renderer.specs)
    files[OPML_PATH] = file_for(OPML_PATH, renderer.opml(renderer.specs), None)
    files.update(calendar_files(renderer, meetings))
    return files


def feed_files(renderer: FeedRenderer, state: Recent, specs: Iterable[FeedSpec]) -> dict[str, File]:
    """The RSS and Atom files of these feeds."""
    files: dict[str, File] = {}
    for spec in specs:
        selected = spec.select(state.entries)
        changed = modified(state, spec, selected)
        files[spec.rss_path] = file_for(spec.rss_path, renderer.rss(spec, selected), changed)
        files[spec.atom_path] = file_for(spec.atom_path, renderer.atom(spec, selected), changed)
    return files


def calendar_files(renderer: FeedRenderer, meetings: Sequence[StoredMeeting]) -> dict[str, File]:
    """The calendar of all meetings and one per council."""
    files: dict[str, File] = {}
    for council in [None, *Council]:
        chosen = [m for m in meetings if council is None or m.council is council]
        moved = max((m.updated_at for m in chosen), default=EMPTY_FEED_TIME)
        body = ical.render_calendar(chosen, council=council, base_url=renderer.base_url)
        path = calendar_path(council)
        files[path] = file_for(path, body, moved)
    return files


def file_for(path: str, body: bytes, last_modified: datetime | None) -> File:
    media_type = MEDIA_TYPES[path[path.rindex(".") :]]
    return File(body=body, last_modified=last_modified, media_type=media_type)
