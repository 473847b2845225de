"""Feed rendering: RSS, Atom, OPML and iCalendar from items stored through the real ingest path.

No W3C feed validator is published on PyPI, so ``assert_valid_rss`` / ``assert_valid_atom`` check
the rules it applies that our feeds can break: required elements, absolute links, RFC 822 and
RFC 3339 dates, a self link, unique permanent ids, enclosure attributes, no script in bodies.
"""

from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from notifier import feeds, ical, resources, templates, untrusted
from notifier.cli import main
from notifier.feed_entries import Folding
from notifier.models import Council, Document, DocumentKind, Item, Meeting, StoredMeeting
from notifier.store import Store
from notifier.topics import load_topics
from tests.factories import COPENHAGEN, Spec, SpecClassifier, publish, source_for, store_document

TOPICS_FILE = Path(__file__).resolve().parent.parent / "config" / "topics.toml"
TOPICS = load_topics(TOPICS_FILE)
BASE = "https://kkr.example.dk"
ATOM = "{http://www.w3.org/2005/Atom}"
NASTY = 'Budget <script>alert("x")</script> & drift\x0b\x01 «ÆØÅ»'
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_TAG = re.compile(r"^tag:[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:[0-9a-zA-Z;/?:@&=+$.\-_!~*'()%,]*$")


def renderer() -> feeds.FeedRenderer:
    env = templates.environment(resources.templates_dir())
    return feeds.FeedRenderer(base_url=BASE, topics=TOPICS, env=env)


async def recent(store: Store) -> feeds.Recent:
    return feeds.fold(await store.archive.latest(types=feeds.FEED_EVENTS, limit=feeds.EVENT_WINDOW))


async def build_files(store: Store) -> dict[str, feeds.File]:
    return feeds.build_files(renderer(), await recent(store), await store.archive.meetings())


def spec(slug: str) -> feeds.FeedSpec:
    found = next((s for s in feeds.catalogue(TOPICS) if s.slug == slug), None)
    assert found is not None
    return found


def assert_valid_rss(body: bytes, self_url: str) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    for name in ("title", "link", "description"):
        assert (channel.findtext(name) or "").strip(), f"channel lacks {name}"
    assert (channel.findtext("link") or "").startswith("https://")
    self_link = channel.find(f"{ATOM}link")
    assert self_link is not None and self_link.get("rel") == "self"
    assert self_link.get("href") == self_url and self_link.get("type") == "application/rss+xml"
    _rfc822(channel.findtext("lastBuildDate"))
    guids = []
    for item in channel.findall("item"):
        assert item.findtext("title")
        assert (item.findtext("link") or "").startswith("http")
        guid = item.find("guid")
        assert guid is not None and guid.get("isPermaLink") == "false"
        assert _TAG.match(guid.text or "")
        guids.append(guid.text)
        _rfc822(item.findtext("pubDate"))
        assert "<script" not in (item.findtext("description") or "").lower()
        for category in item.findall("category"):
            assert category.text and (category.get("domain") or "").startswith("https://")
        enclosure = item.find("enclosure")
        if enclosure is not None:
            assert (enclosure.get("url") or "").startswith("http")
            assert (enclosure.get("length") or "").isdigit()
            assert enclosure.get("type") == "application/pdf"
    assert len(guids) == len(set(guids)), "duplicate guids"
    return channel


def assert_valid_atom(body: bytes, self_url: str) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    assert _TAG.match(root.findtext(f"{ATOM}id") or "")
    assert root.findtext(f"{ATOM}title")
    assert _RFC3339.match(root.findtext(f"{ATOM}updated") or "")
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["self"] == self_url
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        ids.append(entry.findtext(f"{ATOM}id"))
        assert _TAG.match(ids[-1] or "")
        assert entry.findtext(f"{ATOM}title")
        for name in ("updated", "published"):
            assert _RFC3339.match(entry.findtext(f"{ATOM}{name}") or "")
        alternate = [
            link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "alternate"
        ]
        assert len(alternate) == 1
        content = entry.find(f"{ATOM}content")
        assert content is not None and content.get("type") == "html"
        assert "<script" not in (content.text or "").lower()
    assert len(ids) == len(set(ids)), "duplicate ids"
    return root


def _rfc822(value: str | None) -> datetime:
    assert value and value.endswith(" GMT") and re.search(r" \d{4} ", value)
    return parsedate_to_datetime(value)


async def _publish_sample(store: Store) -> None:
    await publish(
        store,
        [
            Spec(title=NASTY, text="Linje 1\x07\n\nLinje <b>2</b> & mere", topics=["sundhed"]),
            Spec(title="Letbane og busser", topics=["trafik_infrastruktur"], number="2"),
        ],
        council=Council.HOVEDSTADEN,
    )
    await publish(
        store,
        [Spec(title="Praktikpladser", topics=["uddannelse", "vaekst_beskaeftigelse"])],
        council=Council.NORDJYLLAND,
        kind=DocumentKind.NEWSLETTER,
        day=date(2024, 6, 20),
        url="https://www.kl.dk/kkr/nordjylland/nyhedsbrev-juni",
    )


async def test_feeds_parse_cleanly_and_escape_scraped_text(store: Store) -> None:
    await _publish_sample(store)
    entries = (await recent(store)).entries
    assert len(entries) == 3
    all_feed = spec("alle")
    rss = renderer().rss(all_feed, all_feed.select(entries))
    atom = renderer().atom(all_feed, all_feed.select(entries))
    assert_valid_rss(rss, f"{BASE}/feeds/alle.rss")
    assert_valid_atom(atom, f"{BASE}/feeds/alle.atom")
    for body in (rss, atom):
        parsed = feedparser.parse(body)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert len(parsed.entries) == 3
        nasty = next(e for e in parsed.entries if "Budget" in e.title)
        # The title is text: the markup shows as characters, the control characters are gone.
        assert nasty.title == 'Budget <script>alert("x")</script> & drift «ÆØÅ»'
        assert "<script" not in nasty.summary
        assert "&lt;b&gt;2&lt;/b&gt;" in nasty.summary
        terms = {tag.get("label") or tag.term for tag in nasty.tags}
        assert terms == {"Sundhed", "KKR Hovedstaden"}
        assert nasty.enclosures[0].href.endswith(".pdf")
    assert b"\x0b" not in rss and b"\x07" not in atom


async def test_filters_by_topic_and_council(sqlite_store: Store) -> None:
    await _publish_sample(sqlite_store)
    entries = (await recent(sqlite_store)).entries

    def titles(slug: str) -> set[str]:
        return {entry.snapshot.title for entry in spec(slug).select(entries)}

    assert titles("emne/uddannelse") == {"Praktikpladser"}
    assert titles("emne/sundhed") == {'Budget <script>alert("x")</script> & drift\x0b\x01 «ÆØÅ»'}
    assert titles("kkr/hovedstaden") == {NASTY, "Letbane og busser"}
    assert titles("kkr/nordjylland/emne/vaekst_beskaeftigelse") == {"Praktikpladser"}
    assert titles("kkr/nordjylland/emne/sundhed") == set()
    assert titles("emne/klima_miljoe") == set()
    newsletter = spec("kkr/nordjylland").select(entries)[0]
    rss = feedparser.parse(renderer().rss(spec("kkr/nordjylland"), [newsletter]))
    assert rss.entries[0].enclosures == []  # an HTML newsletter has no PDF


async def test_a_changed_item_updates_its_entry_and_a_removed_one_leaves(
    sqlite_store: Store,
) -> None:
    first = datetime(2024, 3, 1, 9, tzinfo=UTC)
    specs = [Spec(title="Sundhedsaftale", text="Første udgave.", topics=["sundhed"])]
    other = Spec(title="Eventuelt", topics=[])
    await publish(sqlite_store, [*specs, other], now=first)
    await publish(
        sqlite_store,
        [Spec(title="Sundhedsaftale", text="Anden udgave.", topics=["sundhed"])],
        now=first + timedelta(days=1),
    )
    entries = (await recent(sqlite_store)).entries
    assert [entry.snapshot.title for entry in entries] == ["Sundhedsaftale"]
    entry = entries[0]
    assert entry.snapshot.text == "Anden udgave."
    # Dated by its meeting (19 April 2021, 10:00 in Copenhagen), not by when it was fetched;
    # updated when the change was seen.
    meeting = datetime(2021, 4, 19, 8, tzinfo=UTC)
    assert entry.published == meeting and entry.updated == first + timedelta(days=1)
    atom = feedparser.parse(renderer().atom(spec("alle"), entries))
    # The id does not name the host the service runs on (BASE is kkr.example.dk).
    assert atom.entries[0].id == f"tag:kkr-notifier,2024:item/{entry.snapshot.item_id}"
    assert atom.entries[0].updated.startswith("2024-03-02")
    assert atom.entries[0].published.startswith("2021-04-19")


def test_empty_feeds_are_valid() -> None:
    for slug in ("alle", "kkr/sjaelland/emne/social"):
        feed = spec(slug)
        assert feedparser.parse(renderer().rss(feed, [])).bozo == 0
        assert_valid_rss(renderer().rss(feed, []), f"{BASE}/feeds/{slug}.rss")
        assert_valid_atom(renderer().atom(feed, []), f"{BASE}/feeds/{slug}.atom")


def test_a_newsletter_section_s_entry_does_not_repeat_its_title() -> None:
    # A section's text opens with its heading, which is the entry's title already.
    from notifier.feed_entries import Entry
    from notifier.models import ItemSnapshot

    title = "Oplev DM i Skills"
    snapshot = ItemSnapshot(
        item_id=7,
        version_id=7,
        council=Council.SYDDANMARK,
        document_id=1,
        document_url="https://www.kl.dk/nyheder/kkr/kkr-syddanmark/nyhedsbrev",
        document_title="Nyhedsbrev KKR Syddanmark, november 2022",
        document_kind=DocumentKind.NEWSLETTER,
        document_date=date(2022, 12, 8),
        number=None,
        title=title,
        text=f"{title}\n\nFredericia er vært for DM i Skills.\n\n{title} er et materiale.",
    )
    moment = datetime(2022, 12, 8, tzinfo=UTC)
    entry = Entry(snapshot=snapshot, published=moment, updated=moment)
    parsed = feedparser.parse(renderer().atom(spec("alle"), [entry]))
    content = parsed.entries[0].content[0].value
    assert parsed.entries[0].title == title
    assert content.startswith("<p>Fredericia er vært for DM i Skills.</p>")
    assert f"<p>{title} er et materiale.</p>" in content


def test_catalogue_and_opml_list_every_feed() -> None:
    specs = feeds.catalogue(TOPICS)
    # all + 6 topics + 5 councils x (1 + 6 topics)
    assert len(specs) == 1 + 6 + 5 * 7
    assert len({s.slug for s in specs}) == len(specs)
    body = renderer().opml(specs)
    root = ET.fromstring(body)
    assert root.get("version") == "2.0" and root.findtext("head/title")
    urls = [outline.get("xmlUrl") for outline in root.iter("outline")]
    assert urls == [f"{BASE}/{s.rss_path}" for s in specs]
    assert all(outline.get("text") for outline in root.iter("outline"))


def test_clean_text_drops_what_xml_forbids() -> None:
    assert untrusted.clean_text("a\x00b\x0bc\td\ne\ufffef\ud800g😀") == "abc\td\nefg😀"


# iCalendar


def unfold(body: bytes) -> list[str]:
    text = body.decode()
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    physical = text.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in physical)
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def events(lines: list[str]) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for line in lines:
        if line == "BEGIN:VEVENT":
            found.append({})
        elif found and line != "END:VEVENT" and not line.startswith("END:VCALENDAR"):
            name, _, value = line.partition(":")
            found[-1][name] = value
    return found


async def test_calendar_per_council_with_stable_uid_for_a_moved_meeting(
    store: Store,
) -> None:
    await publish(store, [Spec(title="Punkt")], council=Council.HOVEDSTADEN)
    await publish(store, [Spec(title="Punkt")], council=Council.SYDDANMARK, day=date(2024, 3, 12))
    meetings = await store.archive.meetings(Council.HOVEDSTADEN)
    body = ical.render_calendar(meetings, council=Council.HOVEDSTADEN, base_url=BASE)
    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and "VERSION:2.0" in lines and lines[-1] == "END:VCALENDAR"
    (event,) = events(lines)
    assert event["DTSTART"] == "20210419T080000Z"  # 10:00 in Copenhagen, summer time
    assert event["UID"] == f"kkr-meeting-{meetings[0].id}@kkr.example.dk"
    assert event["LOCATION"] == "Virtuelt via Teams"
    assert event["CATEGORIES"] == "KKR Hovedstaden"
    assert event["URL"].endswith(".pdf")

    moved = meetings[0].__class__(
        **{
            **meetings[0].__dict__,
            "place": "Hørsholm, Rådhuset; sal 2\nindgang B",
            "updated_at": meetings[0].updated_at + timedelta(hours=1),
        }
    )
    (again,) = events(unfold(ical.render_calendar([moved], council=None, base_url=BASE)))
    assert again["UID"] == event["UID"]
    assert int(again["SEQUENCE"]) > int(event["SEQUENCE"])
    assert again["LOCATION"] == "Hørsholm\\, Rådhuset\\; sal 2\\nindgang B"


def test_calendar_folds_long_lines_and_escapes() -> None:
    title = "Møde i KKR Sjælland, æøå " * 10 + "\x01"
    meeting = StoredMeeting(
        id=7,
        council=Council.SJAELLAND,
        day=date(2024, 5, 7),
        starts_at=None,
        place=None,
        title=title,
        agenda_url=None,
        updated_at=datetime(2024, 5, 1, tzinfo=UTC),
    )
    (event,) = events(unfold(ical.render_calendar([meeting], council=None, base_url=BASE)))
    assert event["SUMMARY"] == ical.escape_text(title.replace("\x01", ""))
    assert event["DTSTART;VALUE=DATE"] == "20240507"
    assert event["DTEND;VALUE=DATE"] == "20240508"


@pytest.mark.parametrize(
    ("line", "parts"),
    [("A" * 75, 1), ("A" * 76, 2), ("æ" * 40, 2)],
)
def test_fold(line: str, parts: int) -> None:
    folded = ical.fold(line)
    assert len(folded.split("\r\n")) == parts
    assert folded.replace("\r\n ", "") == line


async def test_cli_writes_every_file(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _publish_sample(sqlite_store)
    database = tmp_path / "notifier.db"  # the file sqlite_store made
    config = tmp_path / "notifier.toml"
    config.write_text(
        f'database_url = "sqlite+aiosqlite:///{database}"\n'
        f'topics_file = "{TOPICS_FILE}"\n[web]\nbase_url = "{BASE}"\n'
    )
    out = tmp_path / "site"
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["--config", str(config), "feeds", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    written = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    specs = feeds.catalogue(TOPICS)
    assert written == {
        *(s.rss_path for s in specs),
        *(s.atom_path for s in specs),
        feeds.OPML_PATH,
        "kalender/alle.ics",
        *(f"kalender/{c.value}.ics" for c in Council),
    }
    parsed = feedparser.parse((out / "feeds/emne/uddannelse.atom").read_bytes())
    assert parsed.bozo == 0 and [e.title for e in parsed.entries] == ["Praktikpladser"]
    assert b"BEGIN:VEVENT" in (out / "kalender/hovedstaden.ics").read_bytes()


async def test_feeds_hold_the_newest_hundred_items(sqlite_store: Store) -> None:
    older = datetime(2024, 3, 1, 9, tzinfo=UTC)
    await publish(
        sqlite_store,
        [Spec(title=f"Gammelt punkt {n}", number=str(n)) for n in range(1, 61)],
        now=older,
    )
    await publish(
        sqlite_store,
        [Spec(title=f"Nyt punkt {n}", number=str(n)) for n in range(1, 51)],
        council=Council.SJAELLAND,
        day=date(2021, 4, 20),  # a later meeting: newer, whenever it was fetched
        now=older - timedelta(days=1),
    )
    files = await build_files(sqlite_store)
    for path in ("feeds/alle.rss", "feeds/alle.atom"):
        parsed = feedparser.parse(files[path].body)
        assert parsed.bozo == 0 and len(parsed.entries) == feeds.FEED_SIZE == 100
        titles = [entry.title for entry in parsed.entries]
        assert all(f"Nyt punkt {n}" in " ".join(titles) for n in range(1, 51))
        assert sum("Gammelt" in title for title in titles) == 50
        dates = [entry["published_parsed"] for entry in parsed.entries]  # pubDate in RSS
        assert dates == sorted(dates, reverse=True)  # newest document first
    council = feedparser.parse(files["feeds/kkr/hovedstaden.rss"].body)
    assert len(council.entries) == 60  # the cut is per feed, after filtering


async def test_a_moved_meeting_updates_its_calendar_event(store: Store) -> None:
    """A meeting that moves (new time and place) keeps its UID in the calendar, with a higher
    SEQUENCE, a new Last-Modified and the new time and place."""
    await publish(store, [Spec(title="Punkt")], council=Council.HOVEDSTADEN)
    files = await build_files(store)
    (before,) = events(unfold(files["kalender/hovedstaden.ics"].body))
    document = Document(
        url="http://127.0.0.1/hovedstaden/flyttet.pdf",
        kind=DocumentKind.AGENDA,
        title="Dagsorden KKR Hovedstaden 2021-04-19",
        date=date(2021, 4, 19),
        text="Punkt\nKKR drøftede sagen.",
        content_type="application/pdf",
        meeting=Meeting(
            council=Council.HOVEDSTADEN,
            starts_at=datetime(2021, 4, 19, 13, tzinfo=COPENHAGEN),
            place="Rådhuset, Hillerød",
        ),
    )
    items = [Item(key="punkt", position=0, title="Punkt", text="KKR drøftede sagen.")]
    await store_document(
        store,
        source_for(Council.HOVEDSTADEN),
        document,
        items,
        classifier=SpecClassifier([Spec(title="Punkt")]),
        now=datetime.now(UTC) + timedelta(minutes=5),
    )
    moved_files = await build_files(store)
    (after,) = events(unfold(moved_files["kalender/hovedstaden.ics"].body))
    assert after["UID"] == before["UID"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after["DTSTART"] == "20210419T110000Z" != before["DTSTART"]
    assert after["LOCATION"] == "Rådhuset\\, Hillerød"
    assert (
        moved_files["kalender/hovedstaden.ics"].last_modified
        > files["kalender/hovedstaden.ics"].last_modified
    )
    (everywhere,) = events(unfold(moved_files["kalender/alle.ics"].body))
    assert everywhere["UID"] == before["UID"] and everywhere["DTSTART"] == after["DTSTART"]


DECIDED_DAY = date(2026, 11, 23)
DECIDED_AT = datetime(2026, 11, 23, 12, tzinfo=UTC)
DECIDED_AGENDA = [
    Spec(title="Status for klima VIP-projekterne", number="3.2", topics=["klima_miljoe"]),
    Spec(title="Budget for uddannelsesudvalget", number="3.3", topics=["uddannelse"]),
]
DECIDED_MINUTES = [
    Spec(
        title=DECIDED_AGENDA[0].title,
        number="3.2",
        beslutning="KKR tog orienteringen til efterretning.",
        topics=["klima_miljoe"],
    ),
    Spec(
        title=DECIDED_AGENDA[1].title, number="3.3", beslutning="Godkendt.", topics=["uddannelse"]
    ),
]


async def _agenda_and_minutes(store: Store) -> None:
    await publish(store, DECIDED_AGENDA, day=DECIDED_DAY, now=DECIDED_AT)
    await publish(
        store,
        DECIDED_MINUTES,
        kind=DocumentKind.MINUTES,
        day=DECIDED_DAY,
        now=DECIDED_AT + timedelta(days=1),
    )


async def _folded_in_any_two_batches(store: Store) -> feeds.Recent:
    """The fold of every feed event; folding them in two batches, cut anywhere, makes it too
    (the feed cache folds events as they come)."""
    events = await store.archive.since(0, types=feeds.FEED_EVENTS)
    whole = feeds.fold(events)
    for cut in range(len(events) + 1):
        folding = Folding()
        folding.add(events[:cut])
        folding.add(events[cut:])
        assert folding.recent() == whole, cut
    return whole


def _shown(recent: feeds.Recent) -> dict[str, str | None]:
    """Each entry's title and the decision it shows (its own, or its agenda point's)."""
    return {e.snapshot.title: (e.decision or e.snapshot).beslutning or None for e in recent.entries}


async def test_a_minutes_point_that_stops_deciding_a_point_leaves_its_entry(
    store: Store,
) -> None:
    """Review: republished minutes whose point 3.2 is now another matter kept showing that
    matter's decision on agenda point 3.2, and the matter had no entry of its own."""
    await _agenda_and_minutes(store)
    republished = DECIDED_AT + timedelta(days=2)
    other = Spec(
        title="Orientering om ny vejvisning",
        number="3.2",
        beslutning="Vejvisningen blev vedtaget.",
        topics=["trafik_infrastruktur"],
    )
    await publish(
        store,
        [other, DECIDED_MINUTES[1]],
        kind=DocumentKind.MINUTES,
        day=DECIDED_DAY,
        now=republished,
    )
    recent = await _folded_in_any_two_batches(store)
    assert _shown(recent) == {
        DECIDED_AGENDA[0].title: None,
        other.title: "Vejvisningen blev vedtaget.",
        DECIDED_AGENDA[1].title: "Godkendt.",
    }
    # The agenda point's feeds changed when its decision left, as the new point's did.
    assert recent.changed[("klima_miljoe", None)] == republished
    assert recent.changed[("trafik_infrastruktur", None)] == republished


async def test_a_decision_stays_when_its_agenda_point_is_removed(store: Store) -> None:
    """Review: an agenda republished without point 3.2 hid the minutes' decision of it too;
    a minutes point whose agenda point is no longer in view is an entry of its own."""
    await _agenda_and_minutes(store)
    await publish(store, DECIDED_AGENDA[1:], day=DECIDED_DAY, now=DECIDED_AT + timedelta(days=2))
    recent = await _folded_in_any_two_batches(store)
    assert _shown(recent) == {
        DECIDED_AGENDA[0].title: "KKR tog orienteringen til efterretning.",
        DECIDED_AGENDA[1].title: "Godkendt.",
    }
    [own] = [e for e in recent.entries if e.snapshot.document_kind is DocumentKind.MINUTES]
    assert own.decision is None
    # Seen when the decision came, not when the agenda point left.
    assert own.updated == DECIDED_AT + timedelta(days=1)


async def test_a_decision_only_point_shows_its_text_once(sqlite_store: Store) -> None:
    """Found by a probe: a minutes point whose whole text is its decision (decision minutes,
    ``split._with_bare_record``) showed that text twice in its entry, as the point's text and
    again under "Beslutning"."""
    record = "Formanden orienterede om klimaplanerne og klimatilpasning i kommunerne."
    point = Spec(
        title="Orientering om den fælles klimaindsats",
        number="2",
        text=f"SAG-2024-03311\n\n{record}",
        beslutning=record,
        topics=["klima_miljoe"],
    )
    await publish(sqlite_store, [point], kind=DocumentKind.MINUTES, day=DECIDED_DAY)
    all_feed = spec("alle")
    body = renderer().atom(all_feed, all_feed.select((await recent(sqlite_store)).entries))
    [entry] = feedparser.parse(body).entries
    assert entry.summary.count("orienterede om klimaplanerne") == 1
    assert "<h3>Beslutning</h3>" in entry.summary
